"""A command's round trip through the console path, beside the raw SQLite writes it causes.

    python -m bench.console_roundtrip [--n 2000] [--warmup 20] [--help-runs 10] [--importtime]
    python bench/console_roundtrip.py --n 2000

The dealbot side is the real wiring: bot.bootstrap.build on a fresh SQLite file, then
ConsoleAdapter.answer(line) (translate → Dealbot.handle: parse, service, commit → render).
Commands run in rounds of four on a new deal each time: `new`, `move … next`, `show`, `log`.

The baseline replays the same writes with the stdlib sqlite3 module on a copy of the warmed-up
database, with storage.db's pragmas and one transaction per command: new = deal + stage change
+ audit entry; move = stage change + audit entry + deal update; log = interaction + audit
entry + deal update. `show` writes nothing, so its baseline is the two reads a card cannot do
without (the deal and its customer).

Also times `dealbot --help` (a subprocess, like a user typing it). Never part of the test run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.console import ConsoleAdapter  # noqa: E402
from bot.bootstrap import Wired, build  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.memory import freeze_startup_objects  # noqa: E402
from core.language.dates.text import warm_up as warm_up_dates  # noqa: E402

COMMANDS = ("new", "move", "show", "log")
CUSTOMERS = ("Acme", "Globex", "Initech", "Umbrella", "Hooli")  # created during the warm-up
TARGET_P50_MS = 2.0
TARGET_P99_MS = 10.0
TARGET_HELP_S = 0.5
# The same as storage.db._SQLITE_PRAGMAS, so the baseline pays for the same durability.
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)
T = TypeVar("T")
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DATETIME in SQLite


@dataclass
class Run:
    """Nanoseconds per command, by verb, and the wall time of the whole timed loop."""

    samples: dict[str, list[int]] = field(default_factory=lambda: {verb: [] for verb in COMMANDS})
    wall_ns: int = 0

    def time(self, verb: str, call: Callable[..., T], *args: object) -> T:
        start = time.perf_counter_ns()
        result = call(*args)
        self.samples[verb].append(time.perf_counter_ns() - start)
        return result

    def everything(self) -> list[int]:
        return [ns for verb in COMMANDS for ns in self.samples[verb]]

    def per_second(self) -> float:
        return len(self.everything()) / (self.wall_ns / 1e9)


def customer_index(number: int) -> int:
    return number % len(CUSTOMERS)


def amount_k(number: int) -> int:
    """The round's deal amount in thousands: 10k … 99k."""
    return 10 + number % 90


# -- statistics ----------------------------------------------------------------------------------

def p50_ms(samples: list[int]) -> float:
    return statistics.median(samples) / 1e6


def p99_ms(samples: list[int]) -> float:
    """Nearest rank: the smallest sample that 99% of the samples do not exceed."""
    ordered = sorted(samples)
    return ordered[math.ceil(0.99 * len(ordered)) - 1] / 1e6


# -- the dealbot side ----------------------------------------------------------------------------

def wire(workdir: Path) -> Wired:
    return build(Settings(_env_file=None, database_url=f"sqlite:///{workdir}/bench.db",
                          log_file=workdir / "bench.log"))


def expect(reply: str, pattern: str) -> re.Match:
    """Only successful commands count: an error reply would time the error path instead."""
    found = re.match(pattern, reply)
    if found is None:
        raise SystemExit(f"unexpected reply (wanted {pattern!r}):\n{reply}")
    return found


def console_round(console: ConsoleAdapter, number: int, run: Run) -> None:
    """new, move, show and log on one new deal, each timed into `run`."""
    customer = CUSTOMERS[customer_index(number)]
    created = run.time("new", console.answer, f"new {customer} {amount_k(number)}k")
    deal = expect(created, r"Created D-(\d+) ")[1]
    moved = run.time("move", console.answer, f"move D-{deal} next")
    expect(moved, rf"D-{deal} moved")
    expect(run.time("show", console.answer, f"show D-{deal}"), rf"D-{deal} · ")
    logged = run.time("log", console.answer, f"log D-{deal} call: sent the revised quote")
    expect(logged, rf"Follow-up logged on D-{deal}")


def time_console(console: ConsoleAdapter, rounds: int) -> Run:
    run = Run()
    start = time.perf_counter_ns()
    for number in range(rounds):
        console_round(console, number, run)
    run.wall_ns = time.perf_counter_ns() - start
    return run


# -- the raw sqlite3 baseline --------------------------------------------------------------------

@dataclass
class Baseline:
    """A plain sqlite3 connection and the ids the bot's warm-up created."""

    db: sqlite3.Connection
    actor_id: int
    team_id: int
    customers: list[int]


def copy_database(source: Path, target: Path) -> None:
    """The warmed-up database as it is now (schema, indexes, rows), for the baseline to write to."""
    db = sqlite3.connect(source)
    db.execute("VACUUM INTO ?", (str(target),))
    db.close()


def open_baseline(path: Path) -> Baseline:
    db = sqlite3.connect(path, isolation_level=None)  # BEGIN and COMMIT are ours, as in storage.db
    for pragma in PRAGMAS:
        db.execute(pragma)
    actor_id, team_id = db.execute(
        "SELECT members.id, members.team_id FROM members JOIN identities ON identities.member_id = members.id"
        " WHERE identities.platform = 'console' AND identities.user_id = 'bench'").fetchone()
    customers = [db.execute("SELECT id FROM customers WHERE name = ?", (name,)).fetchone()[0]
                 for name in CUSTOMERS]
    return Baseline(db, actor_id, team_id, customers)


def now_stamp() -> str:
    return datetime.now(UTC).strftime(STAMP)


def audit(b: Baseline, action: str, deal_id: int, at: str, before: dict | None, after: dict) -> None:
    b.db.execute(
        'INSERT INTO audit_entries (action, entity, at, actor_id, "before", "after", source)'
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (action, f"D-{deal_id}", at, b.actor_id, json.dumps(before) if before else None,
         json.dumps(after), "console:0"))


def raw_new(b: Baseline, number: int) -> int:
    at = now_stamp()
    title, customer_id = CUSTOMERS[customer_index(number)], b.customers[customer_index(number)]
    b.db.execute("BEGIN")
    deal_id = b.db.execute(
        "INSERT INTO deals (title, customer_id, owner_id, team_id, stage, stage_entered_at, created_at,"
        " amount, currency, status, last_activity_at, deliverables_done, furthest_stage, uid)"
        " VALUES (?, ?, ?, ?, 'lead', ?, ?, ?, 'CNY', 'open', ?, '[]', 'lead', lower(hex(randomblob(16))))",
        (title, customer_id, b.actor_id, b.team_id, at, at, amount_k(number) * 100_000, at)).lastrowid
    b.db.execute("INSERT INTO stage_changes (deal_id, team_id, from_stage, to_stage, at, by_id, owner_id, advance)"
                 " VALUES (?, ?, NULL, 'lead', ?, ?, ?, 0)", (deal_id, b.team_id, at, b.actor_id, b.actor_id))
    audit(b, "deal.create", deal_id, at, None, {  # the same snapshot as core.access.audit.deal_snapshot
        "title": title, "stage": "lead", "status": "open", "amount": f"{amount_k(number) * 1000}.00",
        "currency": "CNY", "owner_id": b.actor_id, "customer_id": customer_id, "expected_close": None,
        "lost_reason": None, "closed_at": None, "deliverables_done": []})
    b.db.execute("COMMIT")
    return deal_id


def raw_move(b: Baseline, deal_id: int) -> None:
    at = now_stamp()
    b.db.execute("BEGIN")
    b.db.execute("INSERT INTO stage_changes (deal_id, team_id, from_stage, to_stage, at, by_id, owner_id, advance)"
                 " VALUES (?, ?, 'lead', 'contact', ?, ?, ?, 1)", (deal_id, b.team_id, at, b.actor_id, b.actor_id))
    audit(b, "deal.move", deal_id, at, {"stage": "lead"}, {"stage": "contact"})
    b.db.execute("UPDATE deals SET stage = 'contact', stage_entered_at = ?, last_activity_at = ?,"
                 " furthest_stage = 'contact' WHERE id = ?", (at, at, deal_id))
    b.db.execute("COMMIT")


def raw_show(b: Baseline, deal_id: int, customer_id: int) -> None:
    b.db.execute("BEGIN")
    b.db.execute("SELECT * FROM deals WHERE id = ?", (deal_id,)).fetchone()
    b.db.execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()
    b.db.execute("COMMIT")


def raw_log(b: Baseline, deal_id: int, customer_id: int) -> None:
    at = now_stamp()
    b.db.execute("BEGIN")
    b.db.execute("INSERT INTO interactions (team_id, text, occurred_at, kind, deal_id, customer_id,"
                 " author_id, platform, chat_id) VALUES (?, ?, ?, 'call', ?, ?, ?, 'console', '')",
                 (b.team_id, "sent the revised quote", at, deal_id, customer_id, b.actor_id))
    audit(b, "deal.log", deal_id, at, None, {"kind": "call", "text": "sent the revised quote"})
    b.db.execute("UPDATE deals SET last_activity_at = ? WHERE id = ?", (at, deal_id))
    b.db.execute("COMMIT")


def time_baseline(b: Baseline, rounds: int) -> Run:
    run = Run()
    start = time.perf_counter_ns()
    for number in range(rounds):
        customer_id = b.customers[customer_index(number)]
        deal_id = run.time("new", raw_new, b, number)
        run.time("move", raw_move, b, deal_id)
        run.time("show", raw_show, b, deal_id, customer_id)
        run.time("log", raw_log, b, deal_id, customer_id)
    run.wall_ns = time.perf_counter_ns() - start
    return run


# -- dealbot --help ------------------------------------------------------------------------------

def dealbot_script() -> Path:
    script = Path(sys.executable).parent / "dealbot"
    if not script.exists():
        raise SystemExit(f"no dealbot script next to {sys.executable}: run with the venv's python")
    return script


def help_seconds(runs: int) -> list[float]:
    script, times = dealbot_script(), []
    for _ in range(runs):
        start = time.perf_counter_ns()
        subprocess.run([str(script), "--help"], check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter_ns() - start) / 1e9)
    return times


def import_offenders(top: int) -> list[tuple[int, int, str]]:
    """`python -X importtime dealbot --help`: the imports with the largest cumulative time (µs)."""
    done = subprocess.run([sys.executable, "-X", "importtime", str(dealbot_script()), "--help"],
                          check=True, capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            rows.append((int(parts[0]), int(parts[1]), parts[2].rstrip()))
    return sorted(rows, key=lambda row: row[1], reverse=True)[:top]


# -- the report ----------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def print_machine(load_before: float) -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    print(f"machine: {cpu}, {len(os.sched_getaffinity(0))} CPUs (nproc), "
          f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    # Other processes on a 2-core machine move the tails a lot: say how busy it was.
    print(f"load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")


def print_latencies(bot: Run, raw: Run) -> None:
    print(f"{'command':<8} {'p50 ms':>8} {'p99 ms':>8} {'raw p50':>8} {'raw p99':>8} {'p50 x':>7}  "
          f"target p50 ≤ {TARGET_P50_MS:g} ms, p99 ≤ {TARGET_P99_MS:g} ms")
    rows = [(verb, bot.samples[verb], raw.samples[verb]) for verb in COMMANDS]
    rows.append(("all", bot.everything(), raw.everything()))
    for name, mine, base in rows:
        p50, p99 = p50_ms(mine), p99_ms(mine)
        ok = p50 <= TARGET_P50_MS and p99 <= TARGET_P99_MS
        print(f"{name:<8} {p50:8.3f} {p99:8.3f} {p50_ms(base):8.3f} {p99_ms(base):8.3f} "
              f"{p50 / p50_ms(base):6.1f}x  {verdict(ok)}")


def print_throughput(bot: Run, raw: Run) -> None:
    print(f"throughput: dealbot {bot.per_second():,.0f} commands/s, raw sqlite3 {raw.per_second():,.0f}"
          f" commands/s (raw is {raw.per_second() / bot.per_second():.1f}x)")


def print_help_time(times: list[float], force_importtime: bool) -> None:
    median = statistics.median(times)
    print(f"dealbot --help: median {median:.3f} s over {len(times)} runs (min {min(times):.3f}, "
          f"max {max(times):.3f}); target ≤ {TARGET_HELP_S:g} s: {verdict(median <= TARGET_HELP_S)}")
    if median > TARGET_HELP_S or force_importtime:
        print("  top imports by cumulative time (python -X importtime dealbot --help):")
        for own, total, name in import_offenders(12):
            print(f"  {total / 1000:8.1f} ms cumulative {own / 1000:8.1f} ms self  {name}")


def measure(rounds: int, warmup: int) -> tuple[Run, Run]:
    """Warm up, then the console rounds, then the baseline on a copy of the warmed-up database."""
    with tempfile.TemporaryDirectory(prefix="dealbot-bench-") as tmp:
        workdir = Path(tmp)
        wired = wire(workdir)
        console = ConsoleAdapter(wired.bot.handle, local_user="bench")
        warm_up_dates()
        for number in range(warmup):
            console_round(console, number, Run())  # untimed: the samples are dropped
        freeze_startup_objects()  # as `dealbot console` does before its first line
        copy_database(workdir / "bench.db", workdir / "baseline.db")
        bot = time_console(console, rounds)
        wired.engine.dispose()
        baseline = open_baseline(workdir / "baseline.db")
        raw = time_baseline(baseline, rounds)
        baseline.db.close()
    return bot, raw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="timed commands, in rounds of four (default 2000)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed rounds first (default 20)")
    parser.add_argument("--help-runs", type=int, default=10, help="dealbot --help runs (default 10)")
    parser.add_argument("--importtime", action="store_true", help="list slow imports even when --help is fast")
    args = parser.parse_args(argv)
    rounds = max(1, args.n // len(COMMANDS))
    warmup = max(args.warmup, len(CUSTOMERS))  # every customer exists before the timed rounds
    load_before = os.getloadavg()[0]
    bot, raw = measure(rounds, warmup)

    print_machine(load_before)
    print(f"console round trip: {rounds * len(COMMANDS)} commands ({rounds} of each) after "
          f"{warmup} warm-up rounds; SQLite WAL, synchronous=NORMAL, one commit per command")
    print_latencies(bot, raw)
    print_throughput(bot, raw)
    print_help_time(help_seconds(args.help_runs), args.importtime)
    return 0


if __name__ == "__main__":
    sys.exit(main())
