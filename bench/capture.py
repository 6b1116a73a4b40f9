"""Captured chat messages per second through the capture writer, next to the raw driver.

    python bench/capture.py                       # SQLite, and PostgreSQL when one is reachable
    python bench/capture.py --messages 50000 --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

What is timed, per database, per number of concurrent chats (1, 10, 100) and per number of
messages each chat has in flight (100: one Telegram getUpdates page, or a burst of Slack events;
1: every message waits for the one before it to be acknowledged):

- **writer**: the real path of a captured message after the adapter: `CaptureWriter.submit(event)`
  and awaiting the future it returns, which resolves only after the batch holding the message is
  committed (bot/capture.py: group commit; core.services.capture.store_captured in one unit of
  work: the chats' bindings, the senders, one INSERT … ON CONFLICT DO NOTHING … RETURNING for the
  batch, the deal's last activity, then the capture hooks bot.bootstrap wires: next-step
  detection). One message in ten makes a dated commitment ("我们下周三前给您答复"), which the
  hook turns into a suggested task and a DM in the outbox (the deal's owner has a Slack account).
  Message times move on from round to round, as chat does. Messages per second = all messages /
  wall time. **without hooks**: the same with no capture hooks (storage and group commit alone).
- **raw, same batches**: the driver alone inserting the same rows into the same table, with one
  commit per batch of the writer's average batch size (sqlite3 / psycopg executemany).
- **raw, one commit**: all rows in one executemany and one commit (sqlite3), or one COPY
  (PostgreSQL): what the database takes at best.

`--driver` compares the driver fast path (storage/driver.py, the one boundary of the statements
that bypass SQLAlchemy) in the same run, rounds interleaved: **before** (the statement straight
to the cursor, as before the boundary checked DEALBOT_SQL_LOG: storage.driver.run_direct patched
into its users), **off** (as it is, the SQL log off: the default), and **on** (DEALBOT_SQL_LOG=true: every statement, SQLAlchemy's
and the fast path's, written to a log file through bot.logs' handler). It prints the writer's
rate for each, then the per-statement cost of a handled-message record (one fast-path INSERT …
RETURNING) for each.
`--metrics`: the writer counts each batch's outcomes into bot.metrics.Metrics, as `dealbot run`
does when /metrics is on (DEALBOT_METRICS_PORT or _TOKEN); run it with and without to see what
counting costs the capture path.

After wiring, the script calls bot.memory.freeze_startup_objects() as `dealbot run` does once its
adapters are up: without it, each full garbage collection walks every object loaded at start-up
(SQLAlchemy, dateparser), about 80 ms each, a tenth of a 20,000-message row; and the young
generation would be collected every 700 allocations, walking a batch's live objects again and
again. On SQLite it starts the WAL checkpointer `dealbot run` starts (storage/checkpoint.py), so
the log is copied back in a thread of its own, not inside a batch's commit; `--no-checkpointer`
leaves that to the commits, as before.

The first line printed is the machine's scale: a plain sqlite3 executemany of short rows into a
table with no index (the issue's "about 224k rows/s here"), as machines here differ twofold.

Each row runs `--repeat` rounds (default 3) and prints each figure's median, with the writer's
range: on this machine's virtual disk single runs of the same code vary by a third.

SQLite runs with the project's pragmas (WAL, synchronous=NORMAL; storage/db.py). A row is then
safe from a crash of the process as soon as its commit returns (it is in the WAL, which the OS
holds), but not from a power cut or kernel crash before the next checkpoint fsyncs the WAL.
`--full` adds a run with synchronous=FULL (an fsync per commit: durable against power loss too),
where group commit matters most: one fsync per batch instead of per message.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bot.bootstrap import build  # noqa: E402
from bot.capture import CaptureWriter, capture_store  # noqa: E402
from bot.metrics import Metrics  # noqa: E402

COUNT_METRICS = False  # --metrics: the writer counts outcomes as `dealbot run` does with /metrics on
from bot.config import Settings  # noqa: E402
from bot.logs import SQL_LOGGERS, file_handler  # noqa: E402
from bot.memory import freeze_startup_objects  # noqa: E402
from core.conversations.capture import ChatEvent, Outcome  # noqa: E402
from core.domain.model import ChatBinding, Customer, Deal, Identity, Member, Team  # noqa: E402
from storage import driver  # noqa: E402
from storage import tables as t  # noqa: E402
from storage.checkpoint import wal_checkpointer  # noqa: E402
from storage.handled import SqlHandledMessageRepository  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
COLUMNS = ("team_id", "text", "occurred_at", "kind", "deal_id", "customer_id", "author_id", "platform",
           "chat_id", "message_id", "author_kind", "author_ref", "author_name")


def seed(wired, chats: int) -> tuple[int, int, int]:
    """A team, a rep with a Slack account (where the suggestions' DMs go), a customer, a deal,
    and `chats` Slack channels bound to the deal."""
    with wired.uow() as uow:
        team = uow.teams.add(Team(name="sales"))
        rep = uow.members.add(Member(handle="alice", team_id=team.id))
        uow.members.add_identity(Identity("slack", "UALICE", rep.id))
        customer = uow.customers.add(Customer(name="Acme", team_id=team.id))
        deal = uow.deals.add(Deal(title="Acme", customer_id=customer.id, owner_id=rep.id, team_id=team.id,
                                  stage="lead", stage_entered_at=T0, created_at=T0))
        for n in range(chats):
            uow.chat_bindings.add(ChatBinding("slack", f"C{n}", team.id, T0, rep.id, deal_id=deal.id))
        uow.commit()
        return team.id, customer.id, deal.id


# Chat as it mostly is: one message in ten names a date (and goes through next-step detection,
# the capture hook wired by bot.bootstrap); the rest cost the hook's pre-filter only.
TEXTS = ["Thanks, we will review the revised quote with our finance team.",
         "Could you share the integration guide again?", "Sounds good to me.",
         "我们内部再讨论一下价格。", "Who else should join the call from your side?",
         "The pilot numbers look promising.", "收到，谢谢！", "Let me check with procurement.",
         "Our IT team has a few questions about single sign-on.", "好的，我们下周三前给您答复。"]


def text(n: int) -> str:
    return TEXTS[n % len(TEXTS)]


_ROUNDS = iter(range(1_000_000))


def round_start() -> timedelta:
    """Where the next round's message times start: after every earlier round's, as chat goes on
    (each round spans at most 200 s of message time; a run of this script stays within T0's day)."""
    return timedelta(seconds=200 * next(_ROUNDS))


def message(chat: int, n: int, run: str, start: timedelta = timedelta(0)) -> ChatEvent:
    return ChatEvent(platform="slack", chat_id=f"C{chat}", message_id=f"{run}-{chat}-{n}",
                     user_id=f"UEXT{chat}", user_name="Wang Li", external=True, text=text(n),
                     sent_at=T0 + start + timedelta(milliseconds=10 * n))


class Stopwatch:
    """Seconds spent in garbage collections and in commits (flush and COMMIT) while running:
    what bot/memory.py's GC threshold and storage/checkpoint.py change, counted directly, as the
    machine's noise hides a few percent in the messages per second."""

    def __init__(self):
        self.gc = self.commits = 0.0
        self._running = False
        self._started: dict[str, float] = {}
        gc.callbacks.append(self._on_gc)
        event.listen(Session, "before_commit", lambda _session: self._start("commit"))
        event.listen(Session, "after_commit", lambda _session: self._stop("commit"))

    def __enter__(self):
        self.gc = self.commits = 0.0
        self._running = True
        return self

    def __exit__(self, *_exc):
        self._running = False

    def _on_gc(self, phase: str, _info: dict) -> None:
        (self._start if phase == "start" else self._stop)("gc")

    def _start(self, what: str) -> None:
        self._started[what] = time.perf_counter()

    def _stop(self, what: str) -> None:
        if self._running and what in self._started:
            spent = time.perf_counter() - self._started.pop(what)
            if what == "gc":
                self.gc += spent
            else:
                self.commits += spent


STOPWATCH = Stopwatch()  # one for the run: it registers its listeners once


async def writer_rate(wired, chats: int, window: int, total: int, run: str,
                      hooks: bool = True) -> tuple[float, float]:
    """(messages per second, average batch size) through the capture writer: each chat hands over
    `window` messages at once and the next ones only when all of them are acknowledged. hooks=False
    leaves out the capture hooks bot.bootstrap wires (next-step detection)."""
    store = capture_store(wired)  # as `dealbot run` stores
    metrics = Metrics() if COUNT_METRICS else None  # as `dealbot run` counts with /metrics on
    writer = CaptureWriter(lambda events, with_hooks: store(events, with_hooks and hooks), metrics=metrics)
    await writer.start()
    per_chat = total // chats
    at = round_start()

    async def chat(c: int) -> None:
        for start in range(0, per_chat, window):
            page = [writer.submit(message(c, n, run, at)) for n in range(start, min(start + window, per_chat))]
            assert set(await asyncio.gather(*page)) == {Outcome.STORED}

    began = time.perf_counter()
    await asyncio.gather(*(chat(c) for c in range(chats)))
    elapsed = time.perf_counter() - began
    await writer.stop()
    return per_chat * chats / elapsed, per_chat * chats / max(writer.batches, 1)


def raw_rows(ids: tuple[int, int, int], chats: int, total: int, run: str, *, iso: bool) -> list[tuple]:
    team, customer, deal = ids
    rows, start = [], round_start()
    for n in range(total // chats):
        for c in range(chats):
            at = T0 + start + timedelta(milliseconds=10 * n)
            rows.append((team, text(n),
                         at.replace(tzinfo=None).isoformat(sep=" ") if iso else at.replace(tzinfo=None),
                         "message", deal, customer, None, "slack", f"C{c}", f"{run}-{c}-{n}", "contact",
                         f"UEXT{c}", "Wang Li"))
    return rows


_INSERT = (f"INSERT INTO interactions ({', '.join(COLUMNS)}) VALUES ({', '.join(['?'] * len(COLUMNS))}) "
           "ON CONFLICT (platform, chat_id, message_id) DO NOTHING")


def sqlite_raw(path: str, rows: list[tuple], batch: int, synchronous: str) -> float:
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", f"synchronous={synchronous}", "foreign_keys=ON"):
        connection.execute(f"PRAGMA {pragma}")
    began = time.perf_counter()
    for start in range(0, len(rows), batch):
        connection.execute("BEGIN")
        connection.executemany(_INSERT, rows[start:start + batch])
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - began
    connection.close()
    return len(rows) / elapsed


def pg_raw(url: str, rows: list[tuple], batch: int | None) -> float:
    """executemany per `batch` rows (a commit each), or one COPY when batch is None."""
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq) as connection:
        began = time.perf_counter()
        if batch is None:
            with connection.cursor() as cursor, cursor.copy(
                    f"COPY interactions ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            connection.commit()
        else:
            statement = _INSERT.replace("?", "%s")
            for start in range(0, len(rows), batch):
                with connection.cursor() as cursor:
                    cursor.executemany(statement, rows[start:start + batch])
                connection.commit()
        elapsed = time.perf_counter() - began
    return len(rows) / elapsed


def count(wired, table=t.interactions) -> int:
    with wired.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def one_round(wired, ids: tuple[int, int, int], url: str, args, chats: int, window: int, run: str,
              synchronous: str) -> tuple[float, ...]:
    """(writer, without hooks, average batch, raw same batches, raw one commit, µs per message in
    GC, µs per message in commits) of one round; the last two of the writer with hooks."""
    before, offered = count(wired), count(wired, t.outbox)
    total = args.messages if window > 1 else args.strict_messages
    with STOPWATCH:
        rate, batch = asyncio.run(writer_rate(wired, chats, window, total, run))
    in_gc, in_commits = (1e6 * seconds / total for seconds in (STOPWATCH.gc, STOPWATCH.commits))
    bare, _ = asyncio.run(writer_rate(wired, chats, window, total, run + "-bare", hooks=False))
    stored = count(wired) - before
    assert stored == 2 * (total // chats * chats), stored  # every acknowledged one is there
    dms = count(wired, t.outbox) - offered
    assert dms == total // chats // len(TEXTS) * chats, dms  # a suggestion and its DM per commitment
    rows = raw_rows(ids, chats, total, run + "-raw", iso=url.startswith("sqlite"))
    bulk_rows = raw_rows(ids, chats, args.messages, run + "-bulk", iso=url.startswith("sqlite"))
    if url.startswith("sqlite"):
        path = make_url(url).database
        same = sqlite_raw(path, rows, round(batch), synchronous)
        bulk = sqlite_raw(path, bulk_rows, len(bulk_rows), synchronous)
    else:
        same = pg_raw(url, rows, round(batch))
        bulk = pg_raw(url, bulk_rows, None)
    return rate, bare, batch, same, bulk, in_gc, in_commits


def plain_executemany(path: str, rows: int = 200_000) -> float:
    """Rows per second of the plainest insert there is: short rows into a table with no index but
    its key, one executemany and one commit (project pragmas). How fast this machine is, in the
    terms of the issue's scale figure ("raw sqlite3 executemany ran at about 224k rows/s here"),
    since machines here differ by a factor of two or more."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, chat TEXT, text TEXT, at TEXT)")
    values = [(f"C{n % 100}", f"message {n}", "2026-12-02 10:00:00.000000") for n in range(rows)]
    began = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany("INSERT INTO m (chat, text, at) VALUES (?, ?, ?)", values)
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - began
    connection.close()
    return rows / elapsed


def run_database(label: str, url: str, args, window: int, *, synchronous: str = "NORMAL") -> list[tuple]:
    wired = build(Settings(_env_file=None, database_url=url), migrate=True)
    if synchronous != "NORMAL":
        event.listen(wired.engine, "connect",
                     lambda conn, _record: conn.execute(f"PRAGMA synchronous={synchronous}"))
        wired.engine.dispose()  # new connections get the pragma
    ids = seed(wired, max(args.chats))
    freeze_startup_objects()  # as `dealbot run` does once its adapters are up (bot/memory.py)
    if args.gc_default:
        gc.set_threshold(700, *gc.get_threshold()[1:])  # Python's own, as before bot/memory.py raised it
    checkpointer = wal_checkpointer(wired.engine)  # SQLite: as `dealbot run` does (storage/checkpoint.py)
    if checkpointer is not None and not args.no_checkpointer:
        checkpointer.start()
    results = []
    for chats in args.chats:
        runs = [one_round(wired, ids, url, args, chats, window, f"{label}-{chats}-{window}-{n}", synchronous)
                for n in range(args.repeat)]
        rate, bare, batch, same, bulk, in_gc, in_commits = (statistics.median(figures)
                                                             for figures in zip(*runs, strict=True))
        results.append((label, chats, rate, bare, batch, same, bulk))
        spread = f" (writer {min(r[0] for r in runs):,.0f}–{max(r[0] for r in runs):,.0f})" if len(runs) > 1 else ""
        print(f"  {label:<11} {chats:>3} chats: writer {rate:>7,.0f}/s, without hooks {bare:>7,.0f}/s "
              f"(batches of {batch:6.1f}) · raw same batches {same:>7,.0f}/s · raw one commit "
              f"{bulk:>7,.0f}/s{spread}; per message {in_gc:.1f} µs in GC, {in_commits:.1f} µs in commits",
              flush=True)
    if checkpointer is not None:
        checkpointer.stop()
    wired.engine.dispose()
    return results


# --- --driver: the fast path before and after its boundary, the SQL log off and on ----------------

DRIVER_USERS = ("storage.capture", "storage.conversations", "storage.handled", "storage.outbox",
                "storage.transfer")
DRIVER_VARIANTS = ("before", "off", "on")


def _run_on_driver_before(session, sql, params, *, many=False):
    """storage.driver.run_on_driver as it was before the boundary: no SQL log check."""
    return driver.run_direct(session.connection(), sql, params, many)


def use_driver(variant: str, log_file: Path) -> None:
    run = _run_on_driver_before if variant == "before" else driver.run_on_driver
    for name in DRIVER_USERS:
        sys.modules[name].run_on_driver = run
    root = logging.getLogger()
    for handler in root.handlers[:]:
        root.removeHandler(handler)
        handler.close()
    for name in SQL_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if variant == "on" else logging.WARNING)
    if variant == "on":
        root.addHandler(file_handler(Settings(_env_file=None, log_file=log_file)))


def handled_cost(wired, variant: str, records: int = 3_000) -> float:
    """µs per handled-message record (one fast-path statement and its row back), in one transaction."""
    with Session(wired.engine) as session:
        handled = SqlHandledMessageRepository(session)
        handled.first_time("slack", "warm-up", variant, T0)
        began = time.perf_counter()
        for n in range(records):
            handled.first_time("slack", f"{variant}-{time.monotonic_ns()}", str(n), T0)
        elapsed = time.perf_counter() - began
        session.rollback()
    return 1e6 * elapsed / records


def compare_driver(label: str, url: str, args, window: int) -> None:
    wired = build(Settings(_env_file=None, database_url=url), migrate=True)
    seed(wired, max(args.chats))
    freeze_startup_objects()
    checkpointer = wal_checkpointer(wired.engine)
    if checkpointer is not None and not args.no_checkpointer:
        checkpointer.start()
    total = args.messages if window > 1 else args.strict_messages
    with tempfile.TemporaryDirectory() as logs:
        log_file = Path(logs) / "dealbot.log"
        try:
            for chats in args.chats:
                rates: dict[str, list[float]] = {variant: [] for variant in DRIVER_VARIANTS}
                for n in range(args.repeat):
                    for variant in DRIVER_VARIANTS:  # interleaved: the disk's drift hits each alike
                        use_driver(variant, log_file)
                        rate, _ = asyncio.run(writer_rate(wired, chats, window, total,
                                                          f"{label}-{chats}-{window}-{variant}-{n}"))
                        rates[variant].append(rate)
                print(f"  {label:<11} {chats:>3} chats, writer: " + " · ".join(
                    f"{variant} {statistics.median(r):>7,.0f}/s ({min(r):,.0f}–{max(r):,.0f})"
                    for variant, r in rates.items()), flush=True)
            costs: dict[str, list[float]] = {variant: [] for variant in DRIVER_VARIANTS}
            for _ in range(20):  # short blocks, interleaved: the machine's drift hits each alike
                for variant in DRIVER_VARIANTS:
                    use_driver(variant, log_file)
                    costs[variant].append(handled_cost(wired, variant, records=300))
            print(f"  {label:<11} one fast-path statement (handled-message record): " + " · ".join(
                f"{variant} {statistics.median(c):.1f} µs" for variant, c in costs.items()), flush=True)
        finally:
            use_driver("off", log_file)
    if checkpointer is not None:
        checkpointer.stop()
    wired.engine.dispose()


def pg_database(base: str) -> str | None:
    """A fresh database next to `base`, or None when no PostgreSQL answers."""
    libpq = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"dealbot_bench_capture_{os.getpid()}"
    try:
        with psycopg.connect(libpq, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"(no PostgreSQL at {base}: {exc.__class__.__name__}; skipped)")
        return None
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_pg(base: str, url: str) -> None:
    libpq = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def metrics_cost(batch: int = 2000, rounds: int = 200) -> str:
    """What the writer's metrics hook costs per batch, timed alone (the writer's figures move by a
    third between runs on this machine, far more than the hook could): a batch of new messages,
    and one where a few are duplicates (the slower path)."""
    said = []
    for what, outcomes in (("all stored", [Outcome.STORED] * batch),
                           ("10 duplicates", [Outcome.STORED] * (batch - 10) + [Outcome.DUPLICATE] * 10)):
        metrics = Metrics()
        began = time.perf_counter()
        for _ in range(rounds):
            metrics.captured_batch(outcomes)
        per_batch = (time.perf_counter() - began) / rounds
        said.append(f"{what} {per_batch * 1e6:.0f} µs ({per_batch / batch * 1e9:.0f} ns a message)")
    return f"counting a {batch:,}-message batch's outcomes: " + ", ".join(said)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000, help="per row")
    parser.add_argument("--strict-messages", type=int, default=3_000,
                        help="per row with one message in flight per chat (those are slow)")
    parser.add_argument("--chats", type=lambda s: [int(x) for x in s.split(",")], default=[1, 10, 100])
    parser.add_argument("--windows", type=lambda s: [int(x) for x in s.split(",")], default=[100, 1],
                        help="messages in flight per chat (100: a Telegram page)")
    parser.add_argument("--pg", default=os.environ.get("DEALBOT_BENCH_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--full", action="store_true", help="also SQLite with synchronous=FULL")
    parser.add_argument("--gc-default", action="store_true",
                        help="Python's own young-generation GC threshold (700), not bot/memory.py's")
    parser.add_argument("--no-checkpointer", action="store_true",
                        help="SQLite: leave the log's checkpoints to the writers' commits (before storage/checkpoint.py)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds per row; each figure is the median of the rounds (the disk makes single runs vary)")
    parser.add_argument("--driver", action="store_true",
                        help="the driver fast path before/after its boundary, SQL log off and on (see above)")
    parser.add_argument("--metrics", action="store_true",
                        help="count captured messages into bot.metrics as `dealbot run` does with /metrics on")
    args = parser.parse_args()
    global COUNT_METRICS
    COUNT_METRICS = args.metrics
    print(f"metrics counting: {'on' if args.metrics else 'off'}; {metrics_cost()}")
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}; {args.messages:,} messages per row "
          f"({args.strict_messages:,} with one in flight per chat)")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"plain sqlite3 executemany (short rows, no index, one commit): "
              f"{statistics.median(plain_executemany(f'{tmp}/plain-{n}.db') for n in range(3)):,.0f} rows/s")
    run = compare_driver if args.driver else run_database
    for window in args.windows:
        print(f"each chat: {window} message(s) in flight, the next when all are acknowledged")
        with tempfile.TemporaryDirectory() as tmp:
            run("sqlite", f"sqlite:///{tmp}/capture.db", args, window)
            if args.full:
                run_database("sqlite FULL", f"sqlite:///{tmp}/capture-full.db", args, window,
                             synchronous="FULL")
        if not args.no_pg and (url := pg_database(args.pg)):
            try:
                run("postgresql", url, args, window)
            finally:
                drop_pg(args.pg, url)
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
