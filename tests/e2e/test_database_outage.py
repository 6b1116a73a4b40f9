"""A real `dealbot run` (Telegram long polling against the fake, scans every second, the
dispatcher) whose database goes away and comes back: on PostgreSQL the database refuses
connections and every session is terminated (pg_terminate_backend); on SQLite another process
holds the write lock. During the outage the log gets a line when each loop starts failing and
one when it works again, not a traceback per attempt; /readyz says the database is unreachable
(PostgreSQL); a group message captured during the outage is stored within seconds of the
database's return, not after a backoff of tens of seconds."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import aiohttp
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot.bootstrap import build
from bot.config import Settings
from bot.readiness import Readiness
from core.chat.messages import Incoming
from storage import tables as t
from storage.migrate import upgrade
from tests.e2e.conftest import dealbot_env
from tests.e2e.running import dealbot_running
from tests.e2e.test_run_three_platforms import free_port
from tests.platforms.telegram import (
    FakeTelegram,
    group_chat,
    message_update,
    private_chat,
    user,
)

pytestmark = pytest.mark.slow

TOKEN = "123456:OUTAGE-token"
ADMIN = "telegram:1000"
GROUP = -100_777
CUSTOMER = user(2001, first_name="Wang")
BOSS = user(1000, "boss")
OUTAGE_SECONDS = 20


def seed(database_url: str) -> None:
    """D-1, and the Telegram group GROUP linked to it, by an admin, through the real core."""
    wired = build(Settings(_env_file=None, database_url=database_url, admins=ADMIN))
    try:
        for text, chat, direct in (("new Acme 50k", "1000", True), ("link D-1", str(GROUP), False)):
            reply = wired.bot.handle(Incoming(platform="telegram", user_id="1000", user_name="boss", text=text,
                                              chat_id=chat, message_id=text, is_direct=direct))
            assert not reply.is_error, reply.text()
    finally:
        wired.engine.dispose()


def captured(database_url: str) -> list[str]:
    engine = build(Settings(_env_file=None, database_url=database_url), migrate=False).engine
    try:
        with engine.connect() as connection:
            c = t.interactions.c
            return list(connection.scalars(sa.select(c.text).where(c.kind == "message")))
    finally:
        engine.dispose()


class PgOutage:
    """The database refuses new connections and its sessions are ended, until `end()`."""

    def __init__(self, url: str):
        parsed = make_url(url)
        self.name = parsed.database
        self.admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)

    def _run(self, *statements: str) -> None:
        with psycopg.connect(self.admin, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def begin(self) -> None:
        self._run(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false',
                  f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{self.name}'")

    def end(self) -> None:
        self._run(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')


class SqliteOutage:
    """Another process's connection holds SQLite's write lock until `end()`."""

    def __init__(self, url: str):
        self.path = make_url(url).database
        self._release = threading.Event()
        self._holding = threading.Event()
        self._thread: threading.Thread | None = None

    def _hold(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        connection.execute("BEGIN IMMEDIATE")
        self._holding.set()
        self._release.wait()
        connection.execute("ROLLBACK")
        connection.close()

    def begin(self) -> None:
        self._thread = threading.Thread(target=self._hold)
        self._thread.start()
        assert self._holding.wait(30)

    def end(self) -> None:
        self._release.set()
        self._thread.join()


@pytest.fixture
def outage_database(database_url, make_pg_database_if_postgres):
    """(url, outage) for a database of this test alone: the outage must not reach other tests."""
    if database_url.startswith("sqlite"):
        return database_url, SqliteOutage(database_url)
    url = make_pg_database_if_postgres(migrated=True)
    return url, PgOutage(url)


@pytest.fixture
def make_pg_database_if_postgres(database_url, request):
    if database_url.startswith("sqlite"):
        return None
    return request.getfixturevalue("make_pg_database")


async def readiness(http: aiohttp.ClientSession, port: int) -> tuple[int, list[str]]:
    async with http.get(f"http://127.0.0.1:{port}/readyz", timeout=aiohttp.ClientTimeout(total=15)) as response:
        return response.status, (await response.json())["reasons"]


async def test_an_outage_logs_once_per_change_and_capture_recovers_in_seconds(outage_database, tmp_path: Path):
    url, outage = outage_database
    is_pg = url.startswith("postgres")
    seed(url)
    fake = await FakeTelegram(TOKEN).start()
    port = free_port()
    env = dealbot_env(url, tmp_path, DEALBOT_HTTP_PORT=str(port), TELEGRAM_BOT_TOKEN=TOKEN,
                      TELEGRAM_API_URL=fake.url, DEALBOT_ADMINS=ADMIN, DEALBOT_SCAN_SECONDS="1",
                      DEALBOT_LEADER_CHECK_SECONDS="1")
    log_path = tmp_path / "dealbot.log"
    states: list[tuple[int, list[str]]] = []
    try:
        async with dealbot_running(env, tmp_path, says="dealbot running: telegram"), aiohttp.ClientSession() as http:
            await asyncio.sleep(3)  # a few scan and dispatch rounds that work
            states.append(await readiness(http, port))
            before = log_path.stat().st_size
            outage.begin()
            try:
                await fake.push(message_update(fake.next_update_id(), CUSTOMER, group_chat(GROUP),
                                               "talk during the outage"))
                await fake.push(message_update(fake.next_update_id(), BOSS, private_chat(1000), "/deals"))
                deadline = time.monotonic() + OUTAGE_SECONDS
                while time.monotonic() < deadline:
                    if is_pg:
                        states.append(await readiness(http, port))
                    await asyncio.sleep(2)
            finally:
                outage.end()
            back = time.monotonic()
            while "talk during the outage" not in captured(url):
                assert time.monotonic() - back < 6, "not stored within 6 s of the database's return"
                await asyncio.sleep(0.2)
            recovery = time.monotonic() - back
            await asyncio.sleep(3)  # every loop has had a round that works
            states.append(await readiness(http, port))
            during = log_path.read_text(encoding="utf-8").encode()[before:].decode()
    finally:
        await fake.stop()

    lines = [line for line in during.splitlines() if not line.startswith("    ")]
    print(f"\noutage of {OUTAGE_SECONDS} s: {len(lines)} log lines, {len(during)} bytes; "
          f"captured talk stored {recovery:.1f} s after the database came back")
    assert "Traceback" not in during
    assert any("commands: failing" in line for line in lines)  # the /deals sent during the outage
    assert len(during) < 6_000 and len(lines) < 30, during
    assert any("failing" in line for line in lines) and any("working again" in line for line in lines)
    assert states[0] == (200, []) and states[-1] == (200, [])
    if is_pg:
        assert (503, ["database unreachable"]) in states[1:-1]


async def test_run_refuses_a_schema_behind_until_dealbot_migrate(database_url, request, tmp_path: Path,
                                                                   run_dealbot):
    """PostgreSQL is migrated by the operator (`dealbot migrate`), never behind their back: a
    `dealbot run` on an older schema stops at once with one line saying what to do, and starts
    (ready) once the operator has migrated."""
    if database_url.startswith("sqlite"):
        pytest.skip("the embedded SQLite database is migrated at every start")
    url = request.getfixturevalue("make_pg_database")()
    upgrade(url, "0009")
    port = free_port()
    env = dealbot_env(url, tmp_path, DEALBOT_HTTP_PORT=str(port), TELEGRAM_BOT_TOKEN=TOKEN,
                      TELEGRAM_API_URL="http://127.0.0.1:9", DEALBOT_ADMINS=ADMIN, DEALBOT_SCHEDULER="false")
    refused = run_dealbot(["run"], **{k: v for k, v in env.items() if k.startswith(("DEALBOT_", "TELEGRAM_"))})
    assert refused.returncode != 0
    assert "Traceback" not in refused.stdout + refused.stderr
    assert "revision 0009" in refused.stderr and "dealbot migrate" in refused.stderr, refused.stderr
    fake = await FakeTelegram(TOKEN).start()
    env["TELEGRAM_API_URL"] = fake.url
    try:
        migrated = run_dealbot(["migrate"], DEALBOT_DATABASE_URL=url)
        async with dealbot_running(env, tmp_path), aiohttp.ClientSession() as http:
            after = await readiness(http, port)
    finally:
        await fake.stop()
    assert migrated.returncode == 0 and after == (200, [])


async def test_readyz_names_a_schema_behind(database_url, request, tmp_path: Path):
    """What /readyz answers when the schema falls behind under a running dealbot (a restore of an
    older backup, say): not ready, with the revision and the operator's step."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("make_pg_database")()
    upgrade(url, "0009")
    engine = sa.create_engine(url)
    readiness = Readiness(engine)
    readiness.serving = True
    try:
        behind = await readiness.reasons()
        upgrade(url, "head")
        after = await readiness.reasons()
    finally:
        engine.dispose()
    assert len(behind) == 1
    assert "schema at revision 0009" in behind[0] and "dealbot migrate" in behind[0]
    assert after == []
