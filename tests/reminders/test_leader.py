"""One replica scans: the holder of a PostgreSQL advisory lock; another takes over when it dies."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time

import psycopg
import pytest

from bot.leader import PgLeadership, SoloLeadership, leadership_for

pytestmark = pytest.mark.postgres

HOLD = """
import sys, time
from bot.leader import PgLeadership
leader = PgLeadership(sys.argv[1], key=int(sys.argv[2]))
assert leader.check()
print("leading", flush=True)
time.sleep(60)
"""


@pytest.fixture
def key() -> int:
    return secrets.randbits(62)  # a lock of this test's own


def _libpq(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_one_holder_at_a_time(pg_url: str, key: int):
    first, second = PgLeadership(pg_url, key=key), PgLeadership(pg_url, key=key)
    try:
        assert first.check() and first.is_leader
        assert not second.check() and not second.is_leader
        assert first.check()  # still holding
    finally:
        asyncio.run(first.close())
        asyncio.run(second.close())


def test_the_lock_goes_with_its_connection(pg_url: str, key: int):
    first, second = PgLeadership(pg_url, key=key), PgLeadership(pg_url, key=key)
    try:
        assert first.check()
        # The server drops the leader's session (a restart, an admin, a network cut). Without a
        # timeout pg_terminate_backend only signals the backend, which may still hold the lock
        # a moment later; with one (PostgreSQL 14+) it returns once the backend has gone.
        with psycopg.connect(_libpq(pg_url), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid, 10000) FROM pg_locks "
                          "WHERE locktype = 'advisory' AND ((classid::bigint << 32) | objid::bigint) = %s",
                          (key,))
        assert second.check()
        assert not first.check() and not first.is_leader  # noticed, stepped down, lock is taken
    finally:
        asyncio.run(first.close())
        asyncio.run(second.close())


@pytest.mark.slow  # a replica in a process of its own
async def test_another_replica_takes_over_when_the_leader_dies(pg_url: str, key: int):
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    holder = subprocess.Popen([sys.executable, "-c", HOLD, pg_url, str(key)], stdout=subprocess.PIPE,
                              text=True, env=env)
    standby = PgLeadership(pg_url, key=key, check_every=0.2)
    stop = asyncio.Event()
    try:
        assert holder.stdout.readline().strip() == "leading"
        task = asyncio.create_task(standby.run(stop))
        await asyncio.sleep(0.5)
        assert not standby.is_leader
        holder.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        while not standby.is_leader:
            assert time.monotonic() - killed < 10, "no takeover"
            await asyncio.sleep(0.05)
    finally:
        holder.kill()
        holder.wait()
        stop.set()
        await asyncio.wait_for(task, 5)
    assert not standby.is_leader  # stopping steps down


def test_sqlite_has_one_process_and_it_leads():
    assert isinstance(leadership_for("sqlite:///data/dealbot.db"), SoloLeadership)
    assert SoloLeadership.is_leader
