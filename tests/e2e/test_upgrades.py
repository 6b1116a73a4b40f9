"""Upgrades, with the real `dealbot` command, on the test database (SQLite, or PostgreSQL in that run):

- a database filled with a working team's data (deals moved through stages, follow-ups, tasks,
  a linked chat's captured messages, a suggestion, outbox rows, audit entries) at the previous
  release's schema (the revision before this one's head) is migrated by `dealbot migrate`, and
  every row and value of the previous schema is still there, the new columns filled;
- a database migrated by a newer dealbot (a revision this one does not ship): `dealbot run`,
  `dealbot migrate` and `dealbot console` refuse to start with one clear sentence, changing nothing;
- PostgreSQL: `dealbot migrate` waits while another holds the migration lock (two replicas never
  migrate at once), and two started together both succeed, the schema migrated once.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from bot.bootstrap import build
from bot.config import Settings
from core.chat.messages import Incoming
from storage import migrate
from storage.db import make_engine
from tests.access import let_in
from tests.e2e.conftest import DEALBOT, dealbot_env

pytestmark = pytest.mark.slow

PREVIOUS_RELEASE = ScriptDirectory.from_config(migrate.make_config()).get_revision(migrate.head()).down_revision
FUTURE = "9999_from_a_newer_dealbot"
# The advisory lock storage/migrations/env.py takes (importing env.py would run it).
_PG_MIGRATION_LOCK = 0x6465616C
assert "_PG_MIGRATION_LOCK = 0x6465616C" in (migrate.MIGRATIONS_DIR / "env.py").read_text()


def fill(database_url: str) -> None:
    """A team's working data, made through the real core (chat commands and a capture batch)."""
    from core.conversations.capture import ChatEvent
    from core.services.capture import store_captured

    wired = build(Settings(_env_file=None, database_url=database_url, admins="console:boss"))
    try:
        let_in(wired, "telegram", "1001", "alice")
        let_in(wired, "telegram", "1002", "bob", role="manager")

        def say(text: str, user: str = "1001", chat: str = "1001", direct: bool = True) -> None:
            reply = wired.bot.handle(Incoming(platform="telegram", user_id=user, user_name=user, text=text,
                                              chat_id=chat, message_id=f"{chat}-{text}", is_direct=direct))
            assert not reply.is_error, (text, reply.text())

        for n, customer in enumerate(["Acme", "华为技术有限公司", "Café #1", "Globex"], start=1):
            say(f"new {customer} {n * 10}k close:2027-03-31")
        say("move D-1 demo")
        say("move D-1 quote")
        say("log D-1 call: they want a revised quote by next Friday")
        say("task send contract draft D-2 in 3 days")
        say("won D-3 28k")
        say("lost D-4 预算被砍")
        say("link D-1", chat="-500", direct=False)
        now = wired.bot.clock.now()
        events = [ChatEvent(platform="telegram", chat_id="-500", message_id=str(n), user_id="2001",
                            user_name="Wang", text=text, sent_at=now, external=None)
                  for n, text in enumerate(["hello", "我们下周三前给您答复", "see attachment"], start=1)]
        with wired.bot.writing_uow_factory() as uow:
            store_captured(uow, events, now, wired.bot.defaults, wired.bot.capture_hooks)
            uow.commit()
    finally:
        wired.engine.dispose()


def snapshot(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of every table (but Alembic's), as the database reflects them, in key order."""
    meta = sa.MetaData()
    meta.reflect(engine)
    rows = {}
    with engine.connect() as connection:
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(sorted(row._mapping.items()))
                                for row in connection.execute(sa.select(table).order_by(*order))]
    return rows


def only_columns(rows: dict[str, list[tuple]], columns: dict[str, set[str]]) -> dict[str, list[tuple]]:
    return {name: [tuple((key, value) for key, value in row if key in columns[name]) for row in table_rows]
            for name, table_rows in rows.items() if name in columns}


def columns_of(engine: sa.Engine) -> dict[str, set[str]]:
    inspector = sa.inspect(engine)
    return {name: {column["name"] for column in inspector.get_columns(name)}
            for name in inspector.get_table_names() if name != "alembic_version"}


def test_migrating_a_filled_database_of_the_previous_release_loses_nothing(database_url, tmp_path: Path):
    fill(database_url)
    engine = make_engine(database_url)
    try:
        migrate.downgrade(engine, PREVIOUS_RELEASE)  # the database as the previous release had it
        assert migrate.current(engine) == PREVIOUS_RELEASE
        before = snapshot(engine)
        previous_columns = columns_of(engine)
        assert len(before["deals"]) == 4 and len(before["interactions"]) >= 4 and before["outbox"]

        done = subprocess.run([str(DEALBOT), "migrate"], capture_output=True, text=True, timeout=120,
                              env=dealbot_env(database_url, tmp_path), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"database at revision {migrate.head()}"

        after = snapshot(engine)
        assert only_columns(after, previous_columns) == before  # every row and value kept
        for name, new_columns in columns_of(engine).items():
            added = new_columns - previous_columns.get(name, set())
            for row in after[name] if name in previous_columns else []:
                values = dict(row)
                nullable = {c["name"]: c["nullable"] for c in sa.inspect(engine).get_columns(name)}
                assert all(values[column] is not None for column in added if not nullable[column]), (name, added)
    finally:
        engine.dispose()
    # and the migrated data works: the deal card of D-1 through the real process
    shown = subprocess.run([str(DEALBOT), "console"], input="show D-1\n", capture_output=True, text=True,
                           timeout=120, env=dealbot_env(database_url, tmp_path, DEALBOT_CONSOLE_USER="boss",
                                                        DEALBOT_ADMINS="console:boss"), cwd=tmp_path)
    assert shown.returncode == 0 and "Acme" in shown.stdout and "Quote" in shown.stdout, shown.stdout


def rows(database_url: str, table: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar()
    finally:
        engine.dispose()


def set_revision(database_url: str, revision: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", [["run"], ["migrate"], ["console"]])
def test_an_older_dealbot_refuses_a_newer_schema(database_url, tmp_path: Path, command: list[str]):
    set_revision(database_url, FUTURE)
    try:
        env = dealbot_env(database_url, tmp_path, TELEGRAM_BOT_TOKEN="123456:UPGRADE-token",
                          TELEGRAM_API_URL="http://127.0.0.1:9", DEALBOT_HTTP_PORT="0")
        done = subprocess.run([str(DEALBOT), *command], input="new Acme 5k\n", capture_output=True, text=True,
                              timeout=120, env=env, cwd=tmp_path)
        said = done.stdout + done.stderr
        assert done.returncode == 2, said
        assert f"the database is at schema revision {FUTURE}, which this dealbot (newest {migrate.head()}) " \
               "does not know: a newer dealbot has migrated it" in said
        assert "Traceback" not in said
        assert migrate.current(database_url) == FUTURE
        assert rows(database_url, "deals") == 0
    finally:
        set_revision(database_url, migrate.head())  # the session's database serves the next test


def _libpq(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# A session of this database waits for an advisory lock (the migration lock: none other is taken).
WAITING_FOR_A_LOCK = ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                      " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")


@pytest.mark.postgres
async def test_two_replicas_never_migrate_at_once(make_pg_database, tmp_path: Path):
    url = make_pg_database()
    env = dealbot_env(url, tmp_path)
    holder = psycopg.connect(_libpq(url), autocommit=True)
    try:
        holder.execute("SELECT pg_advisory_lock(%s)", (_PG_MIGRATION_LOCK,))  # another replica migrating
        waiting = await asyncio.create_subprocess_exec(str(DEALBOT), "migrate", env=env, cwd=tmp_path,
                                                       stdout=asyncio.subprocess.PIPE,
                                                       stderr=asyncio.subprocess.PIPE)
        deadline = time.monotonic() + 60
        while not holder.execute(WAITING_FOR_A_LOCK).fetchone()[0]:  # no fixed sleep: until it waits
            assert waiting.returncode is None and time.monotonic() < deadline, "migrate never waited for the lock"
            await asyncio.sleep(0.05)
        assert waiting.returncode is None  # still waiting for the lock
        assert migrate.current(url) is None  # and has migrated nothing
        holder.execute("SELECT pg_advisory_unlock(%s)", (_PG_MIGRATION_LOCK,))
        out, err = await asyncio.wait_for(waiting.communicate(), 120)
        assert waiting.returncode == 0, err
    finally:
        holder.close()
    assert migrate.current(url) == migrate.head()

    fresh = make_pg_database()
    started = time.monotonic()
    both = [await asyncio.create_subprocess_exec(str(DEALBOT), "migrate", env=dealbot_env(fresh, tmp_path),
                                                 cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
                                                 stderr=asyncio.subprocess.PIPE) for _ in range(2)]
    results = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in both)), 120)
    assert [p.returncode for p in both] == [0, 0], results
    assert [out.decode().strip() for out, _ in results] == [f"database at revision {migrate.head()}"] * 2
    assert rows(fresh, "alembic_version") == 1
    print(f"\ntwo concurrent migrations of an empty database: {time.monotonic() - started:.1f} s")


@pytest.mark.postgres
async def test_run_migrates_on_start_when_asked(make_pg_database, tmp_path: Path):
    """DEALBOT_MIGRATE_ON_START=true: `dealbot run` on an empty PostgreSQL migrates, then serves;
    without it, it refuses and says to run `dealbot migrate`."""
    from tests.e2e.running import dealbot_running
    from tests.e2e.test_run_three_platforms import free_port
    from tests.platforms.telegram import FakeTelegram

    url = make_pg_database()
    fake = await FakeTelegram("123456:MIGRATE-token").start()
    env = dealbot_env(url, tmp_path, TELEGRAM_BOT_TOKEN="123456:MIGRATE-token", TELEGRAM_API_URL=fake.url,
                      DEALBOT_HTTP_PORT=str(free_port()))
    try:
        refused = subprocess.run([str(DEALBOT), "run"], capture_output=True, text=True, timeout=120, env=env,
                                 cwd=tmp_path)
        assert refused.returncode == 2 and "run `dealbot migrate`" in refused.stderr, refused.stderr
        assert migrate.current(url) is None
        async with dealbot_running(env | {"DEALBOT_MIGRATE_ON_START": "true"}, tmp_path):
            assert migrate.current(url) == migrate.head()
    finally:
        await fake.stop()
