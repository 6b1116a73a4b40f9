"""Analytics at scale: the weekly team scorecard, the funnel and the forecast on SQLite, each beside
a hand-written SQL baseline (bench/analytics_sql.py) run in the same process on the same file,
plus peak memory.

    python bench/analytics.py [--deals 100000] [--runs 15] [--db /tmp/dealbot-bench.db]

Builds (once, in a child process; reused when the file exists) three teams, 100k deals over 26
weeks with about 6 stage changes each (600k), a follow-up per stay and a task per deal. Checks
that each baseline gives dealbot's figures, then prints the median of `--runs` calls of each side,
the two sides alternating. bench/README.md has the figures. Never part of the test run.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import analytics_sql as hand  # noqa: E402
from core.analytics.reports import (  # noqa: E402
    LEARN_DAYS,
    build_forecast,
    build_funnel,
    build_scorecard,
    funnel_order,
    overstay_cutoffs,
    stage_limits,
    win_model,
)
from core.domain.model import Team  # noqa: E402
from core.domain.pipeline import DEFAULT_PIPELINE  # noqa: E402
from core.language.periods import parse_period  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402
from storage.migrate import ensure_schema  # noqa: E402
from storage.uow import SqlUnitOfWork  # noqa: E402

NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in the teams' time zone
TZ = "Asia/Shanghai"
STAGES = ["lead", "contact", "demo", "quote", "negotiation"]
FMT = "%Y-%m-%d %H:%M:%S.%f"
# The walk of a deal through the pipeline. Typical days in a stage (lognormal around it); at each
# move the chance to go forward and to go back a stage (a second demo, a revised quote); the rest
# is lost. A lost deal is reopened at the stage it left with REOPEN chance (once). These make about
# six stage changes a deal over 26 weeks, as the data set has, and a win rate near 45%.
STAY_DAYS = {"lead": 1.5, "contact": 3, "demo": 5, "quote": 6, "negotiation": 8}
FORWARD = {"lead": 0.85, "contact": 0.80, "demo": 0.72, "quote": 0.62, "negotiation": 0.65}
BACK = {"lead": 0.0, "contact": 0.10, "demo": 0.18, "quote": 0.28, "negotiation": 0.25}
REOPEN = 0.2


def _walk(rng: random.Random, created: datetime) -> list[tuple[str | None, str, datetime]]:
    """The stage changes of one deal, its creation first (from_stage None), none after NOW."""
    stage = "lead" if rng.random() < 0.85 else rng.choice(STAGES[1:3])  # some start later
    at, reopened = created, False
    changes = [(None, stage, at)]
    while stage != "won":
        if stage == "lost":
            back = at + timedelta(days=rng.uniform(5, 30))
            if reopened or rng.random() >= REOPEN or back >= NOW:
                break
            stage, at, reopened = changes[-1][0], back, True
            changes.append(("lost", stage, at))
            continue
        at += timedelta(days=STAY_DAYS[stage] * rng.lognormvariate(0, 0.7))
        if at >= NOW:
            break  # still in this stage today
        i, draw = STAGES.index(stage), rng.random()
        if draw < FORWARD[stage]:
            target = (STAGES + ["won"])[i + 1]
        elif draw < FORWARD[stage] + BACK[stage]:
            target = STAGES[i - 1]
        else:
            target = "lost"
        changes.append((stage, target, at))
        stage = target
    return changes


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
    db.executemany("INSERT INTO customers (id, name, name_key, team_id, lifecycle, aliases, contacts) "
                   "VALUES (?, ?, ?, ?, 'lead', '[]', '[]')",
                   [(c, f"c{c}", f"c{c}", (c - 1) % 3 + 1) for c in range(1, 301)])
    start = NOW - timedelta(weeks=26)
    deal_rows, change_rows, task_rows, note_rows = [], [], [], []
    for d in range(1, deals + 1):
        team = (d - 1) % 3 + 1
        owner = rng.randrange(team, 31, 3)
        created = start + timedelta(seconds=rng.random() * 26 * 7 * 86400)
        changes = _walk(rng, created)
        stage, last = changes[-1][1], changes[-1][2]
        closed = stage in ("won", "lost")
        close = created + timedelta(days=rng.uniform(20, 90))
        if not closed and close < NOW:
            close = NOW + timedelta(days=rng.uniform(3, 50))  # a rep keeps an open deal's date ahead
        furthest = None
        for _, to_stage, _ in changes:
            furthest = DEFAULT_PIPELINE.further(furthest, to_stage)
        deal_rows.append((d, f"d{d}", rng.randrange(team, 301, 3), owner, team, stage, last.strftime(FMT),
                          created.strftime(FMT), rng.randrange(10, 500) * 100000, "CNY", close.strftime(FMT),
                          stage if closed else "open", last.strftime(FMT) if closed else None, "[]", furthest))
        change_rows += [(d, team, f, t_, a.strftime(FMT), owner, owner, DEFAULT_PIPELINE.is_advance(f, t_))
                        for f, t_, a in changes]
        due = created + timedelta(days=rng.uniform(1, 30))
        task_rows.append((f"t{d}", owner, team, created.strftime(FMT), due.strftime(FMT), d,
                          None if rng.random() < 0.3 or due > NOW else due.strftime(FMT)))
        # a follow-up logged a day into each stay (or on the day it ended, if sooner)
        for (_, entered_stage, entered), following in zip(changes, [*changes[1:], None], strict=True):
            if entered_stage in ("won", "lost"):
                continue
            until = following[2] if following else NOW
            when = min(entered + timedelta(days=1), entered + (until - entered) / 2)
            note_rows.append((team, "x", when.strftime(FMT), "call", d, owner))
    db.executemany("INSERT INTO deals (id, title, customer_id, owner_id, team_id, stage, stage_entered_at, created_at,"
                   " amount, currency, expected_close, status, closed_at, deliverables_done, furthest_stage, uid) "
                   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,lower(hex(randomblob(16))))", deal_rows)
    db.executemany("INSERT INTO stage_changes (deal_id, team_id, from_stage, to_stage, at, by_id, owner_id, advance)"
                   " VALUES (?,?,?,?,?,?,?,?)", change_rows)
    db.executemany("INSERT INTO tasks (title, assignee_id, team_id, created_at, due_at, deal_id, done_at, origin) "
                   "VALUES (?,?,?,?,?,?,?,'typed')", task_rows)
    db.executemany("INSERT INTO interactions (team_id, text, occurred_at, kind, deal_id, author_id, platform, chat_id)"
                   " VALUES (?,?,?,?,?,?,'bench','')", note_rows)
    db.commit()  # no ANALYZE: dealbot never runs it, so the planner has no statistics, as on a user's database
    db.close()
    print(f"built {deals} deals, {len(change_rows)} stage changes, {len(note_rows)} follow-ups in {path}")


def timed(fns, runs: int) -> list[float]:
    """The median ms of each function; their runs alternate, so a busy moment of the machine
    falls on both sides alike."""
    samples: list[list[float]] = [[] for _ in fns]
    for fn in fns:
        fn()  # warm
    for _ in range(runs):
        for fn, times in zip(fns, samples, strict=True):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
    return [statistics.median(times) for times in samples]


def _rep_tuple(row: dict) -> tuple:
    return tuple(row.get(k, 0) for k in ("new_deals", "advances", "won", "won_amount", "interactions",
                                         "overdue_tasks"))


def _same_reps(reps: dict) -> dict:
    """member id -> their figures, members with none left out (dealbot lists every rep)."""
    return {member: _rep_tuple(row) for member, row in reps.items() if any(_rep_tuple(row))}


def scorecard_figures(card) -> dict:
    """dealbot's scorecard as analytics_sql.scorecard() returns it."""
    reps = {row.member.id: {"new_deals": row.counts.new_deals, "advances": row.counts.advances,
                            "won": row.counts.won, "won_amount": row.counts.won_amount.get("CNY", 0),
                            "interactions": row.counts.interactions, "overdue_tasks": row.counts.overdue_tasks}
            for row in card.reps}
    return {"new_deals": card.totals.new_deals, "won": card.totals.won, "lost": card.totals.lost,
            "won_amount": card.won_amount, "cycle_seconds": card.totals.cycle_seconds,
            "funnel": [step.reached for step in card.funnel], "reps": _same_reps(reps),
            "stale": [row.deal_id for row in card.stale]}


def check(name: str, ours, theirs) -> None:
    """The baseline must answer the same question: the same figures, or the bench stops."""
    if ours != theirs:
        keys = [k for k in ours if ours[k] != theirs.get(k)] if isinstance(ours, dict) else ["(all)"]
        raise SystemExit(f"{name}: dealbot and the hand-written SQL disagree on {keys}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", default="/tmp/dealbot-bench.db")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = Path(args.db)
    if args.build_only:
        return build(path, args.deals)
    if not path.exists():  # in a child process, so the peak memory below is the queries' alone
        subprocess.run([sys.executable, __file__, "--build-only", "--db", str(path), "--deals", str(args.deals)],
                       check=True)
    factory = make_session_factory(make_engine(f"sqlite:///{path}"))
    raw = sqlite3.connect(path)
    today = NOW.astimezone(ZoneInfo(TZ)).date()
    week, month, quarter = (parse_period(text, today) for text in ("last week", "this month", "last quarter"))
    team = Team("team1", timezone=TZ, id=1)
    pipeline, order = DEFAULT_PIPELINE, funnel_order(DEFAULT_PIPELINE)

    def bounds(period):
        return [hand.stamp(b) for b in period.bounds(TZ)]

    def ours(fn):
        def run():
            with SqlUnitOfWork(factory) as uow:
                return fn(uow)
        return run

    with SqlUnitOfWork(factory) as uow:
        model = win_model(uow, team, pipeline, NOW)  # the chat's forecast: learned at most once an hour
        exits = uow.analytics.stage_exits(team.id, NOW - timedelta(days=LEARN_DAYS), NOW, order,
                                          stage_limits(pipeline))

    over, far = overstay_cutoffs(pipeline, NOW, 1), overstay_cutoffs(pipeline, NOW, 2)
    cutoffs = {key: (hand.stamp(over[key]), hand.stamp(far[key])) for key in over}
    stale_by = {key: hand.stamp(moment) for key, moment in over.items()}
    learn = (hand.stamp(NOW - timedelta(days=LEARN_DAYS)), hand.stamp(NOW), stage_limits(pipeline))
    week_end = min(week.bounds(TZ)[1], NOW)
    rows = [
        ("weekly team scorecard (last week)",
         ours(lambda u: build_scorecard(u, team, pipeline, week, NOW, "CNY")),
         lambda: hand.scorecard(raw, 1, *bounds(week), hand.stamp(week_end), stale_by),
         scorecard_figures, lambda figures: {**figures, "reps": _same_reps(figures["reps"])}),
        ("funnel (last quarter's cohort)", ours(lambda u: build_funnel(u, team, pipeline, quarter)),
         lambda: hand.funnel(raw, 1, *bounds(quarter)),
         lambda report: [step.reached for step in report.steps], lambda reached: reached),
        ("forecast (this month), model learned within the hour",
         ours(lambda u: build_forecast(u, team, pipeline, month, NOW, "CNY", top=5, model=model)),
         lambda: hand.forecast(raw, 1, *bounds(month), cutoffs, 5), _forecast_figures, lambda figures: figures),
        ("forecast (this month), learning the model",
         ours(lambda u: build_forecast(u, team, pipeline, month, NOW, "CNY", top=5)),
         lambda: (hand.forecast(raw, 1, *bounds(month), cutoffs, 5), hand.stage_exits(raw, 1, *learn)),
         lambda report: (_forecast_figures(report), _exits(exits)), lambda figures: figures),
    ]
    counts = raw.execute("SELECT (SELECT count(*) FROM deals), (SELECT count(*) FROM stage_changes),"
                         " (SELECT count(*) FROM interactions), (SELECT count(*) FROM tasks)").fetchone()
    print(f"SQLite {sqlite3.sqlite_version}, {counts[0]} deals, {counts[1]} stage changes, {counts[2]} follow-ups,"
          f" {counts[3]} tasks; team 1 of 3; median of {args.runs} runs")
    for name, mine, baseline, our_figures, their_figures in rows:
        check(name, our_figures(mine()), their_figures(baseline()))
    print(f"{'':55} {'dealbot':>10} {'hand SQL':>10}")
    for name, mine, baseline, _, _ in rows:
        ours_ms, theirs_ms = timed([mine, baseline], args.runs)
        print(f"{name:55} {ours_ms:8.1f}ms {theirs_ms:8.1f}ms", flush=True)
    print(f"peak memory (max RSS of this process): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def _forecast_figures(report) -> dict:
    return {"deals": report.deals, "pipeline_amount": report.pipeline_amount, "won_amount": report.won_amount,
            "top": [deal.deal_id for deal in report.top]}


def _exits(exits) -> dict:
    return {e.stage: (e.exits, e.forward, e.over, e.over_forward, e.far, e.far_forward) for e in exits if e.exits}


if __name__ == "__main__":
    main()
