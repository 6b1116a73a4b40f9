"""Which replica runs the scheduler's scans: the holder of a PostgreSQL advisory lock.

The lock is taken with pg_try_advisory_lock on a connection of its own, kept open for as long as
this replica leads; PostgreSQL releases it when that connection ends. A process that dies
closes its socket, so the lock goes at once; a machine that vanishes is noticed by the TCP
keepalives set on the connection (about 30 s). The other replicas try every `check_every`
seconds (15 by default), so one of them takes over within a minute. The leader checks its
connection just as often and steps down if it is gone.

Two leaders for a moment (a partition heals, a check comes late) cost nothing but work: the
scans' dedupe keys store every message once.

On SQLite there is one process, and it leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import psycopg
from sqlalchemy.engine import make_url

from core.app.failures import FailureStreak

log = logging.getLogger(__name__)

LOCK_KEY = 0x6465616C5F736368  # "deal_sch": any constant, the same on every replica
_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}


class SoloLeadership:
    """SQLite: this process is the only one."""

    is_leader = True

    async def run(self, stop: asyncio.Event) -> None:
        await stop.wait()

    async def close(self) -> None:
        return None


class PgLeadership:
    def __init__(self, database_url: str, *, key: int = LOCK_KEY, check_every: float = 15.0):
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self.key, self.check_every = key, check_every
        self._connection: psycopg.Connection | None = None
        self.is_leader = False
        self.failures = FailureStreak(log, "scheduler lock checks")

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.check)
            except Exception as error:
                self.failures.failed(error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.check_every)
        await self.close()

    def check(self) -> bool:
        """Keep the lock if held (the connection still answers), else try to take it."""
        if self._connection is not None:
            try:
                self._connection.execute("SELECT 1")
                self.failures.succeeded()
                return True
            except psycopg.Error:
                log.warning("lost the scheduler lock's connection: stepping down")
                self._drop()
        try:
            connection = psycopg.connect(self._dsn, autocommit=True, connect_timeout=10, **_KEEPALIVES)
        except psycopg.Error as exc:
            self.failures.failed(exc)  # one line for an outage, not one per check
            return False
        self.failures.succeeded()
        try:
            # The server notices a vanished replica by keepalives of its own (these are per session).
            connection.execute("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; "
                               "SET tcp_keepalives_count = 3")
            got = connection.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()[0]
        except psycopg.Error:
            connection.close()
            raise
        if got:
            self._connection, self.is_leader = connection, True
            log.info("this replica now runs the scheduler")
        else:
            connection.close()
        return bool(got)

    def _drop(self) -> None:
        connection, self._connection, self.is_leader = self._connection, None, False
        if connection is not None:
            with contextlib.suppress(psycopg.Error):
                connection.close()

    async def close(self) -> None:
        """Step down: closing the connection releases the lock for the next replica."""
        await asyncio.to_thread(self._drop)


def leadership_for(database_url: str, check_every: float = 15.0):
    if database_url.startswith("postgres"):
        return PgLeadership(database_url, check_every=check_every)
    return SoloLeadership()
