"""`new` with a new customer as a team's customers grow: the indexed lookup against the old scan.

    python -m bench.customers [--sizes 200 2000 20000] [--samples 40] [--before-samples 5]

For each size, a fresh SQLite file with the real wiring (bot.bootstrap.build, as
bench/console_roundtrip.py) and one console user. The team gets that many customers (a Core insert,
every other one with an alias, keys written by storage.customer_keys), then the script times:

- `new <a customer nobody has> 10k` through ConsoleAdapter.answer: the whole command (parse,
  two lookups by name that both miss, create the customer and the deal, commit, reply);
- the same command "before": SqlCustomerRepository.by_name swapped for the previous code (SQL
  lower() on the name, then every customer of the team compared in Python);
- customers.by_name of an unknown name alone, after and before;
- beside them, in the same run: a plain indexed SELECT of one customer by (team_id, name_key)
  with the stdlib sqlite3 module on the same file.

Medians (p50) and the slowest sample, in milliseconds. Never part of the test run.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402

from adapters.console import ConsoleAdapter  # noqa: E402
from bot.bootstrap import build  # noqa: E402
from bot.config import Settings  # noqa: E402
from core.domain.model import Customer  # noqa: E402
from storage import tables as t  # noqa: E402
from storage.customer_keys import write_alias_keys  # noqa: E402
from storage.db import make_session_factory  # noqa: E402
from storage.repositories import SqlCustomerRepository  # noqa: E402
from storage.uow import SqlUnitOfWork  # noqa: E402

CHUNK = 5000


def scan_by_name(self: SqlCustomerRepository, team_id: int, name: str) -> Customer | None:
    """by_name as it was before the keys (storage/repositories.py before 0015_customer_key)."""
    session = self._session
    c = t.customers.c
    query = select(Customer).where(c.team_id == team_id)
    found = session.scalars(query.where(func.lower(c.name) == func.lower(name)).order_by(c.id).limit(1)).first()
    if found is not None:
        return found
    wanted = name.casefold()
    for customer in session.scalars(query.order_by(c.id)):
        if any(n.casefold() == wanted for n in (customer.name, *customer.aliases)):
            return customer
    return None


@contextmanager
def before():
    after = SqlCustomerRepository.by_name
    SqlCustomerRepository.by_name = scan_by_name  # type: ignore[method-assign]
    try:
        yield
    finally:
        SqlCustomerRepository.by_name = after  # type: ignore[method-assign]


def seed(factory, team_id: int, count: int) -> None:
    with factory() as session, session.begin():
        for start in range(0, count, CHUNK):
            customers = [Customer(name=f"Customer {i} Ltd", team_id=team_id, id=i + 10,
                                  aliases=[f"客户{i}"] if i % 2 else [])
                         for i in range(start, min(count, start + CHUNK))]
            session.execute(insert(t.customers), [
                {"id": c.id, "name": c.name, "team_id": c.team_id, "lifecycle": "lead",
                 "aliases": c.aliases, "contacts": []} for c in customers])
            write_alias_keys(session.connection(), customers)
    with factory() as session:
        session.execute(text("ANALYZE"))
        session.commit()


def sample(call: Callable[[int], object], runs: int) -> list[float]:
    times = []
    for n in range(runs):
        start = time.perf_counter_ns()
        call(n)
        times.append((time.perf_counter_ns() - start) / 1e6)
    return times


def row(label: str, times: list[float]) -> str:
    return f"  {label:<34} p50 {statistics.median(times):9.2f} ms   max {max(times):9.2f} ms   (n={len(times)})"


def measure(size: int, samples: int, before_samples: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        wired = build(Settings(_env_file=None, database_url=f"sqlite:///{workdir}/bench.db",
                               log_file=workdir / "bench.log"))
        console = ConsoleAdapter(wired.bot.handle, local_user="bench")
        if not console.answer("new Warmup 10k").startswith("Created D-"):
            raise SystemExit("the console user could not create a deal")
        factory = make_session_factory(wired.engine)
        with factory() as session:
            team_id = session.scalar(select(t.customers.c.team_id).limit(1))
        seed(factory, team_id, size)

        def new(tag: str) -> Callable[[int], object]:
            def run(n: int) -> None:
                reply = console.answer(f"new \"Newco {tag} {n}\" 10k")
                if not reply.startswith("Created D-"):
                    raise SystemExit(f"unexpected reply:\n{reply}")
            return run

        def lookup(n: int) -> None:
            with SqlUnitOfWork(factory) as uow:
                assert uow.customers.by_name(team_id, f"Nobody {n}") is None

        raw = sqlite3.connect(workdir / "bench.db")
        query = "SELECT * FROM customers WHERE team_id = ? AND name_key = ? ORDER BY id LIMIT 1"

        def indexed_select(n: int) -> None:
            raw.execute(query, (team_id, f"nobody {n}")).fetchall()

        print(f"{size:,} customers in the team")
        print(row("`new` new customer, after", sample(new("after"), samples)))
        with before():
            print(row("`new` new customer, before (scan)", sample(new("before"), before_samples)))
        print(row("by_name miss, after", sample(lookup, samples)))
        with before():
            print(row("by_name miss, before (scan)", sample(lookup, before_samples)))
        print(row("plain indexed SELECT (sqlite3)", sample(indexed_select, samples)))
        plan = raw.execute("EXPLAIN QUERY PLAN " + query, (team_id, "x")).fetchall()
        print("  plan:", "; ".join(step[-1] for step in plan))
        raw.close()
        wired.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000, 20000])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--before-samples", type=int, default=5)
    args = parser.parse_args(argv)
    for size in args.sizes:
        measure(size, args.samples, args.before_samples)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
