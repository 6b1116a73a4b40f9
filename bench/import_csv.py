"""`dealbot import` of a 50,000-row file: rows per second, peak memory and the write lock, next to
a plain executemany of the same rows.

    python bench/import_csv.py                          # SQLite, and PostgreSQL when one answers
    python bench/import_csv.py --rows 50000 --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

Each database runs in a child process of its own (so its peak memory is its own), on a new
database: a temporary SQLite file with the project's pragmas, or a PostgreSQL database created for
the run and dropped after it. The file is what a CRM export looks like: `--rows` deals in two teams,
eight owners, a customer for every five deals, each with its entered_* history (open deals in
every stage, a fifth won, a tenth lost).

Timed, on the real path of bot/transfer_cli.py (without the terminal):
- **read**: the file's bytes to a Sheet (bot/spreadsheets.py: decoding, CSV).
- **check**: every row validated against the teams (core.services.transfer.read_deals) and
  matched to what is stored (plan_rows), in a read-only transaction.
- **write**: write_plan_in_batches with the pacer `dealbot import` uses (bot/import_pacing.py),
  each batch its own write transaction, all committed; on SQLite a batch is the longest the
  write lock is held at once (`txns`: how many, `longest`: the longest). Meanwhile a thread plays
  a chat command every 10 ms (a BEGIN IMMEDIATE, one insert, commit, as
  storage.db.writing_engine does); the script prints the longest any of them waited and how many
  failed (busy_timeout, 5 s, ran out).
- **rows/s**: rows / (read + check + write); **peak MB**: the process's peak resident memory
  above what it held before reading the file.
- **plain executemany**: the same rows' cells inserted into a table with one text column per CSV
  column and no index, by the driver alone (sqlite3 / psycopg executemany, one commit): what the
  database takes at best, on this machine, in this run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STAGES = ("lead", "contact", "demo", "quote", "negotiation")
HEADER = ["ref", "title", "customer", "owner", "team", "amount", "currency", "status", "created_at",
          "closed_at", "lost_reason", "expected_close", *(f"entered_{s}" for s in (*STAGES, "won", "lost"))]


def make_csv(rows: int, seed: int = 7) -> bytes:
    """A CRM's export: refs CRM-n, ISO times with offsets, histories that move forward."""
    rnd, start = random.Random(seed), datetime(2025, 1, 1, tzinfo=UTC)
    lines = [",".join(HEADER)]
    for n in range(1, rows + 1):
        created = start + timedelta(minutes=rnd.randrange(0, 500_000))
        fate = rnd.random()
        reached = rnd.randrange(1, len(STAGES) + 1)
        times, at = [], created
        for _ in range(reached):
            times.append(at)
            at += timedelta(days=rnd.randrange(1, 20), minutes=rnd.randrange(0, 600))
        entered = [t.isoformat() for t in times] + [""] * (len(STAGES) - reached)
        status, closed, reason, won, lost = "open", "", "", "", ""
        if fate < 0.2:
            status, closed = "won", at.isoformat()
            won = closed
        elif fate < 0.3:
            status, closed, reason = "lost", at.isoformat(), "budget cut"
            lost = closed
        team = "East" if n % 2 else "West"
        lines.append(",".join([
            f"CRM-{n}", f"Deal {n}", f"Customer {n % (rows // 5 or 1)}", f"rep{n % 8}", team,
            f"{rnd.randrange(1, 500) * 1000}", "CNY", status, created.isoformat(), closed, reason,
            (created + timedelta(days=90)).date().isoformat(), *entered, won, lost,
        ]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _ChatCommands(threading.Thread):
    """A command every 10 ms, each in its own write transaction; remembers the longest wait."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        from sqlalchemy import text

        from storage.db import make_engine, writing_engine

        self.engine = writing_engine(make_engine(url))
        with self.engine.begin() as db:
            db.execute(text("CREATE TABLE IF NOT EXISTS bench_commands (at TEXT)"))
        self.text, self.stop, self.longest, self.count, self.failed = text, threading.Event(), 0.0, 0, 0

    def run(self) -> None:
        while not self.stop.is_set():
            began = time.perf_counter()
            try:
                with self.engine.begin() as db:
                    db.execute(self.text("INSERT INTO bench_commands VALUES (:at)"), {"at": str(began)})
            except Exception:  # noqa: BLE001 — "database is locked" after busy_timeout: a stalled command
                self.failed += 1
            self.longest = max(self.longest, time.perf_counter() - began)
            self.count += 1
            time.sleep(0.01)


def run_one(url: str, rows: int) -> dict:
    """In the child: the import's phases on `url`, then the plain executemany of the same cells."""
    from bot.bootstrap import build
    from bot.config import Settings
    from bot.import_pacing import pacer_for
    from bot.spreadsheets import read_sheet
    from core.services.transfer import plan_rows, read_deals, write_plan_in_batches

    data = make_csv(rows)
    path = Path(tempfile.mkdtemp()) / "deals.csv"
    path.write_bytes(data)
    wired = build(Settings(_env_file=None, database_url=url), migrate=True)
    settings, before = wired.settings, _peak_mb()
    commands = _ChatCommands(url)
    commands.start()
    t0 = time.perf_counter()
    sheet = read_sheet(path)
    t1 = time.perf_counter()
    with wired.uow() as uow:
        checked = read_deals(uow, sheet, default_timezone=settings.timezone)
        planned = plan_rows(uow, checked, now=datetime.now(UTC), default_timezone=settings.timezone,
                            default_language=settings.language, source="bench")
    t2 = time.perf_counter()
    pacer = pacer_for(wired.engine.dialect.name)
    result = write_plan_in_batches(wired.bot.writing_uow_factory, planned, pacer=pacer)
    t3 = time.perf_counter()
    time.sleep(0.05)
    commands.stop.set()
    commands.join()
    assert result.created == rows, result
    figures = {"read": t1 - t0, "check": t2 - t1, "write": t3 - t2, "peak_mb": _peak_mb() - before,
               "longest_command_wait": commands.longest, "commands": commands.count,
               "failed_commands": commands.failed, "transactions": pacer.transactions,
               "longest_transaction": pacer.longest,
               "plain": _plain_executemany(url, sheet.records)}
    wired.engine.dispose()
    return figures


def _plain_executemany(url: str, records: list) -> float:
    """Seconds for the driver alone to insert the same cells (no index, one commit)."""
    cells = [tuple(c) for _, c in records]
    columns = ", ".join(f"c{i} TEXT" for i in range(len(HEADER)))
    marks = ", ".join(["?"] * len(HEADER))
    if url.startswith("sqlite"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        db.execute(f"CREATE TABLE plain ({columns})")
        began = time.perf_counter()
        db.executemany(f"INSERT INTO plain VALUES ({marks})", cells)
        db.commit()
        took = time.perf_counter() - began
        db.close()
        return took
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as db:
        db.execute(f"CREATE TABLE plain ({columns})")
        began = time.perf_counter()
        with db.cursor() as cur:
            cur.executemany(f"INSERT INTO plain VALUES ({marks.replace('?', '%s')})", cells)
        db.commit()
        return time.perf_counter() - began


def _pg_database(server: str):
    """A new database on the server for this run, and how to drop it."""
    import psycopg

    plain = server.replace("postgresql+psycopg", "postgresql")
    name = f"dealbot_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(plain, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(plain, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return server.rsplit("/", 1)[0] + "/" + name, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args.rows)))
        return
    print(f"{args.rows} rows; times in seconds")
    print(f"{'database':10} {'read':>6} {'check':>6} {'write':>6} {'rows/s':>8} {'peak MB':>8}"
          f" {'cmd wait':>9} {'failed':>6} {'txns':>5} {'longest':>8} {'plain executemany rows/s':>25}")
    targets = [("sqlite", f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}", None)]
    try:
        targets.append(("postgresql", *_pg_database(args.pg)))
    except Exception as exc:  # noqa: BLE001 — no server here: SQLite only
        print(f"(PostgreSQL skipped: {type(exc).__name__})")
    for name, url, drop in targets:
        try:
            out = subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--child", url],
                                 capture_output=True, text=True, check=True).stdout
        finally:
            if drop:
                drop()
        f = json.loads(out.strip().splitlines()[-1])
        total = f["read"] + f["check"] + f["write"]
        print(f"{name:10} {f['read']:6.2f} {f['check']:6.2f} {f['write']:6.2f} {args.rows / total:8.0f}"
              f" {f['peak_mb']:8.0f} {f['longest_command_wait']:8.2f}s {f['failed_commands']:6}"
              f" {f['transactions']:5} {f['longest_transaction']:7.2f}s"
              f" {args.rows / f['plain']:25.0f}")


if __name__ == "__main__":
    main()
