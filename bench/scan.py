"""How long a scheduler scan takes over a large pipeline (SQLite by default).

    python bench/scan.py                      # 100,000 open deals, 50 steady-state scans
    python bench/scan.py --deals 20000 --url postgresql+psycopg://postgres@127.0.0.1:5432/bench

Seeds one team of 100 reps (each with a Slack account), 1,000 customers, N open deals spread
over every open stage with stage_entered_at uniform over the last 60 days (so about 1/60 of
them breach their stage's limit each day), and N/2 open tasks due within ±30 days. Then:

- the first scan (no mark yet): it reads the whole catch-up window plus a week and queues what
  came due in the last 24 h; this happens once, on a fresh database;
- steady state: the clock moves one minute per scan, as `dealbot run` does; each scan reads the
  window since the last one (plus the 5-minute overlap). Reported: the reminders scan alone and
  all three scans (reminders, daily card, digests) in one transaction;
- the daily card scan at 18:00, which reads every open deal of every rep once a working day.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from core.domain.model import DealStatus, Role, TaskOrigin  # noqa: E402
from core.domain.pipeline import DEFAULT_PIPELINE  # noqa: E402
from core.reminders.scans import Scans  # noqa: E402
from storage import tables as t  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.uow import SqlUnitOfWork  # noqa: E402

NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai
REPS = 100
CUSTOMERS = 1000
CHUNK = 5000


class StepClock:
    def __init__(self, now: datetime):
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


def seed(engine, deals: int, rng: random.Random) -> None:
    open_stages = [s.key for s in DEFAULT_PIPELINE.open_stages]
    with engine.begin() as db:
        db.execute(insert(t.teams).values(id=1, name="sales", timezone="Asia/Shanghai", language="en"))
        db.execute(insert(t.members), [
            {"id": i, "handle": f"rep{i}", "team_id": 1, "role": Role.REP, "display_name": f"Rep {i}",
             "created_at": NOW} for i in range(1, REPS + 1)])
        db.execute(insert(t.identities), [
            {"platform": "slack", "user_id": f"U{i:05d}", "member_id": i} for i in range(1, REPS + 1)])
        db.execute(insert(t.customers), [
            {"id": i, "name": f"Customer {i}", "team_id": 1, "lifecycle": "prospect", "aliases": [],
             "contacts": []} for i in range(1, CUSTOMERS + 1)])
        for start in range(0, deals, CHUNK):
            rows = []
            for i in range(start, min(deals, start + CHUNK)):
                entered = NOW - timedelta(seconds=rng.uniform(0, 60 * 86400))
                rows.append({
                    "id": i + 1, "title": f"Deal {i + 1}", "customer_id": rng.randint(1, CUSTOMERS),
                    "owner_id": rng.randint(1, REPS), "team_id": 1, "stage": rng.choice(open_stages),
                    "stage_entered_at": entered, "created_at": entered - timedelta(days=rng.uniform(0, 30)),
                    "amount": rng.randint(1, 500) * 1000, "currency": "CNY", "status": DealStatus.OPEN,
                    "last_activity_at": entered, "deliverables_done": []})
            db.execute(insert(t.deals), rows)
        for start in range(0, deals // 2, CHUNK):
            db.execute(insert(t.tasks), [
                {"title": f"Task {i}", "assignee_id": rng.randint(1, REPS), "team_id": 1, "created_at": NOW,
                 "due_at": NOW + timedelta(seconds=rng.uniform(-30 * 86400, 30 * 86400)),
                 "deal_id": rng.randint(1, deals), "origin": TaskOrigin.TYPED}
                for i in range(start, min(deals // 2, start + CHUNK))])
    if engine.dialect.name == "sqlite":
        with engine.connect() as db:
            db.exec_driver_sql("ANALYZE")


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--scans", type=int, default=50)
    parser.add_argument("--url", default=None, help="an empty database (default: a new SQLite file)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    url = args.url or f"sqlite:///{tempfile.mkdtemp(prefix='dealbot-bench-')}/bench.db"
    engine = make_engine(url)
    upgrade(engine)
    began = time.perf_counter()
    seed(engine, args.deals, random.Random(args.seed))
    print(f"{engine.dialect.name}: seeded {args.deals:,} open deals, {args.deals // 2:,} open tasks, "
          f"{REPS} reps in {time.perf_counter() - began:.1f} s")

    factory = make_session_factory(engine)
    clock = StepClock(NOW)
    scans = Scans(lambda: SqlUnitOfWork(factory), clock, platforms={"slack"})
    took, first = timed(scans.reminders)
    print(f"first scan (no mark: 24 h catch-up + 7 days read): {took:.0f} ms, "
          f"{first.events:,} messages considered, {first.queued:,} queued, {first.folded:,} folded")

    took, (_, daily, _) = timed(scans.run_all)
    print(f"first daily card and digest scans (no mark): {took:.0f} ms, {daily.queued} daily cards "
          f"(yesterday's, within the catch-up window)")

    reminders, everything, found = [], [], 0
    for _ in range(args.scans):
        clock.advance(60)
        took, result = timed(scans.reminders)
        reminders.append(took)
        found += result.queued
        clock.advance(60)
        took, _ = timed(scans.run_all)
        everything.append(took)

    def summary(values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        return f"median {statistics.median(values):.1f} ms, p95 {p95:.1f} ms, max {max(values):.1f} ms"

    print(f"steady state, one scan a minute, {args.scans} scans each:")
    print(f"  reminders scan:          {summary(reminders)}  ({found} new reminders queued)")
    print(f"  all three in one commit: {summary(everything)}")
    evening = NOW.replace(hour=10, minute=0)  # 18:00 in Shanghai: the daily progress cards
    clock.advance((evening - clock.now()).total_seconds() + 60)
    took, daily = timed(scans.daily)
    print(f"  the 18:00 daily card scan (once a working day): {took:.0f} ms for {daily.queued} cards "
          f"over {args.deals:,} deals")
    if engine.dialect.name == "sqlite":
        with engine.connect() as db:
            plan = db.execute(text(
                "EXPLAIN QUERY PLAN SELECT id FROM deals WHERE ((stage = 'quote' AND stage_entered_at > :a "
                "AND stage_entered_at <= :b) OR (stage = 'lead' AND stage_entered_at > :a AND "
                "stage_entered_at <= :b))"), {"a": "x", "b": "y"}).all()
        print("  deals query plan: " + "; ".join(row[-1] for row in plan))
    engine.dispose()


if __name__ == "__main__":
    main()
