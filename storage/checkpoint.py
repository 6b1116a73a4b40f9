"""SQLite's write-ahead log copied back into the database file by a thread of its own.

In WAL mode every commit appends pages to the log; the commit that takes the log past 1,000
pages copies them back into the database file (wal_autocheckpoint) and, with synchronous=NORMAL,
fsyncs the log and the file first. That lands inside one capture batch's commit, which every
message of the batch waits for: 10–200 ms on this project's machines, one commit in a few at
100 busy chats (bench/capture.py). Here a PASSIVE checkpoint runs every `interval` seconds on a
connection of its own instead: it waits for no reader or writer, copies what no reader still
needs, and the next write transaction starts the log over, so the writers' commits stay under
the threshold. Their automatic checkpoint stays on as the fallback: a stopped or lagging
checkpointer costs speed, never an ever-growing log.

PostgreSQL checkpoints on its own; `wal_checkpointer` gives None there.
"""

from __future__ import annotations

import logging
import threading
from typing import NamedTuple

from sqlalchemy import Engine

log = logging.getLogger(__name__)


class Checkpoint(NamedTuple):
    """What `PRAGMA wal_checkpoint` reports: busy is 1 when it could not finish; the log's pages
    and how many of them are in the database file now (all of them: the next write transaction
    starts the log over)."""

    busy: int
    log_pages: int
    copied_pages: int


class WalCheckpointer:
    def __init__(self, engine: Engine, interval: float = 0.1):
        self._engine = engine
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0  # checkpoints run so far, and what the last one reported
        self.last: Checkpoint | None = None

    def checkpoint(self) -> Checkpoint:
        # The driver's connection itself: it runs outside any transaction (storage.db turns
        # pysqlite's own transaction handling off), where a checkpoint must run.
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            result = Checkpoint(*cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()[0])
            cursor.close()
        finally:
            connection.close()
        self.runs += 1
        self.last = result
        return result

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.checkpoint()
            except Exception:  # the writers' own checkpoints go on meanwhile
                log.exception("WAL checkpoint failed; trying again in %ss", self.interval)


def wal_checkpointer(engine: Engine, interval: float = 0.1) -> WalCheckpointer | None:
    """A checkpointer for a SQLite file database, else None."""
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or database in ("", ":memory:"):
        return None
    return WalCheckpointer(engine, interval)
