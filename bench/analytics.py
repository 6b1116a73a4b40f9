"""Analytics at scale: the weekly team scorecard, the funnel and the forecast on SQLite, each beside
a hand-written SQL baseline run in the same process on the same file, plus peak memory.

    python bench/analytics.py [--deals 100000] [--runs 15] [--db /tmp/dealbot-bench.db]

Builds (once; reused when the file exists) three teams, ~100k deals over 26 weeks with ~6 stage
changes each, tasks and follow-ups, inserted with executemany. Prints the median of `--runs`
timed calls. Never part of the test run.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.analytics.reports import build_forecast, build_funnel, build_scorecard  # noqa: E402
from core.model import Team  # noqa: E402
from core.periods import parse_period  # noqa: E402
from core.pipeline import DEFAULT_PIPELINE  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402
from storage.migrate import ensure_schema  # noqa: E402
from storage.uow import SqlUnitOfWork  # noqa: E402

NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
STAGES = ["lead", "contact", "demo", "quote", "negotiation"]
FMT = "%Y-%m-%d %H:%M:%S.%f"


def build(path: Path, deals: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    engine.dispose()
    rng = random.Random(1)
    db = sqlite3.connect(path)
    db.executemany("INSERT INTO teams (id, name, timezone, language) VALUES (?, ?, 'Asia/Shanghai', 'en')",
                   [(t, f"team{t}") for t in (1, 2, 3)])
    db.executemany("INSERT INTO members (id, handle, team_id, role, display_name) VALUES (?, ?, ?, 'rep', '')",
                   [(m, f"rep{m}", (m - 1) % 3 + 1) for m in range(1, 31)])
    db.executemany("INSERT INTO customers (id, name, team_id, lifecycle, aliases, contacts) "
                   "VALUES (?, ?, ?, 'lead', '[]', '[]')", [(c, f"c{c}", (c - 1) % 3 + 1) for c in range(1, 301)])
    start = NOW - timedelta(weeks=26)
    deal_rows, change_rows, task_rows, note_rows = [], [], [], []
    for d in range(1, deals + 1):
        team = (d - 1) % 3 + 1
        owner = rng.randrange(team, 31, 3)
        created = start + timedelta(seconds=rng.random() * 26 * 7 * 86400)
        stage, at = rng.choice(STAGES[:2]), created
        changes = [(None, stage, at)]
        while at < NOW and stage not in ("won", "lost"):
            at += timedelta(days=rng.expovariate(1 / 5))
            if at >= NOW:
                break
            target = (STAGES + ["won"])[STAGES.index(stage) + 1] if rng.random() < 0.7 else "lost"
            changes.append((stage, target, at))
            stage = target
        closed = stage in ("won", "lost")
        last = changes[-1][2]
        deal_rows.append((d, f"d{d}", team * 1 + 0, owner, team, stage, last.strftime(FMT), created.strftime(FMT),
                          rng.randrange(10, 500) * 100000, "CNY",
                          (created + timedelta(days=rng.uniform(20, 90))).strftime(FMT),
                          stage if closed else "open", last.strftime(FMT) if closed else None, "[]"))
        change_rows += [(d, f, t_, a.strftime(FMT), owner) for f, t_, a in changes]
        due = created + timedelta(days=rng.uniform(1, 30))
        task_rows.append((f"t{d}", owner, team, created.strftime(FMT), due.strftime(FMT), d,
                          None if rng.random() < 0.3 or due > NOW else due.strftime(FMT)))
        note_rows.append((team, "x", (created + timedelta(days=1)).strftime(FMT), "call", d, owner))
    db.executemany("INSERT INTO deals (id, title, customer_id, owner_id, team_id, stage, stage_entered_at, created_at,"
                   " amount, currency, expected_close, status, closed_at, deliverables_done) "
                   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", deal_rows)
    db.executemany("INSERT INTO stage_changes (deal_id, from_stage, to_stage, at, by_id) VALUES (?,?,?,?,?)",
                   change_rows)
    db.executemany("INSERT INTO tasks (title, assignee_id, team_id, created_at, due_at, deal_id, done_at, origin) "
                   "VALUES (?,?,?,?,?,?,?,'typed')", task_rows)
    db.executemany("INSERT INTO interactions (team_id, text, occurred_at, kind, deal_id, author_id, platform, chat_id)"
                   " VALUES (?,?,?,?,?,?,'bench','')", note_rows)
    db.commit()
    db.execute("ANALYZE")
    db.close()
    print(f"built {deals} deals, {len(change_rows)} stage changes in {path}")


# Hand-written baselines: the same questions, one GROUP BY each, straight on sqlite3.
SCORECARD_SQL = [
    "SELECT count(*) FROM deals WHERE team_id=? AND created_at>=? AND created_at<?",
    "SELECT status, count(*), sum(amount), sum(strftime('%s',closed_at)-strftime('%s',created_at)) FROM deals"
    " WHERE team_id=? AND closed_at>=? AND closed_at<? AND status!='open' GROUP BY status",
    "SELECT d.owner_id, count(*) FROM stage_changes s JOIN deals d ON d.id=s.deal_id WHERE d.team_id=? AND s.at>=?"
    " AND s.at<? AND s.from_stage IS NOT NULL GROUP BY d.owner_id",
]
FUNNEL_SQL = ("SELECT top, count(*) FROM (SELECT s.deal_id, max(CASE s.to_stage WHEN 'lead' THEN 0 WHEN 'contact'"
              " THEN 1 WHEN 'demo' THEN 2 WHEN 'quote' THEN 3 WHEN 'negotiation' THEN 4 WHEN 'won' THEN 5 END) top"
              " FROM stage_changes s JOIN deals d ON d.id=s.deal_id WHERE d.team_id=? AND d.created_at>=?"
              " AND d.created_at<? GROUP BY s.deal_id) GROUP BY top")
FORECAST_SQL = ("SELECT stage, count(*), sum(amount) FROM deals WHERE team_id=? AND status='open'"
                " AND expected_close>=? AND expected_close<? GROUP BY stage")


def timed(fn, runs: int) -> float:
    fn()  # warm
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", default="/tmp/dealbot-bench.db")
    args = parser.parse_args()
    path = Path(args.db)
    if not path.exists():
        build(path, args.deals)
    engine = make_engine(f"sqlite:///{path}")
    factory = make_session_factory(engine)
    raw = sqlite3.connect(path)
    week = parse_period("last week", date(2026, 3, 4))
    month = parse_period("this month", date(2026, 3, 4))
    quarter = parse_period("last quarter", date(2026, 3, 4))
    team = Team("team1", timezone="Asia/Shanghai", id=1)

    def ours(fn):
        def run():
            with SqlUnitOfWork(factory) as uow:
                fn(uow)
        return run

    def theirs(sqls, period):
        start, end = (b.astimezone(UTC).replace(tzinfo=None).strftime(FMT) for b in period.bounds("Asia/Shanghai"))
        return lambda: [raw.execute(sql, (1, start, end)).fetchall() for sql in sqls]

    rows = [
        ("weekly team scorecard", ours(lambda u: build_scorecard(u, team, DEFAULT_PIPELINE, week, NOW, "CNY")),
         theirs(SCORECARD_SQL, week)),
        ("funnel (one quarter's cohort)", ours(lambda u: build_funnel(u, team, DEFAULT_PIPELINE, quarter)),
         theirs([FUNNEL_SQL], quarter)),
        ("forecast (this month, model learned from a quarter)",
         ours(lambda u: build_forecast(u, team, DEFAULT_PIPELINE, month, NOW, "CNY")), theirs([FORECAST_SQL], month)),
    ]
    counts = raw.execute("SELECT (SELECT count(*) FROM deals), (SELECT count(*) FROM stage_changes)").fetchone()
    print(f"SQLite {sqlite3.sqlite_version}, {counts[0]} deals, {counts[1]} stage changes, median of {args.runs}")
    print(f"{'':55} {'dealbot':>10} {'hand SQL':>10}")
    for name, mine, baseline in rows:
        print(f"{name:55} {timed(mine, args.runs):8.1f}ms {timed(baseline, args.runs):8.1f}ms")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
