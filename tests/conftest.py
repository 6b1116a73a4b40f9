"""Fixtures shared by every test: network isolation and the storage backends.

Databases:
- `database_url`: where storage-backed tests keep their data. A fresh SQLite file per test
  (copied from a template migrated once per session), or, when DEALBOT_TEST_DATABASE_URL names a
  PostgreSQL server, one database created for the session and emptied before each test.
- `pg_url`: the PostgreSQL server named by DEALBOT_TEST_DATABASE_URL, for tests that must run
  there (contract, stairway, leadership). Without the variable they skip: the README's `pytest`
  runs on SQLite alone, even on a machine with a PostgreSQL server (.ci/run sets it for its
  second pass).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, make_session_factory, normalize_url
from storage.migrate import upgrade
from storage.search import TABLES as SEARCH_TABLES
from storage.tables import metadata
from storage.uow import SqlUnitOfWork

POSTGRES_VARIABLE = "DEALBOT_TEST_DATABASE_URL"  # one name for every PostgreSQL test
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "FTP_PROXY")


# --- network isolation --------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:  # a host name: it could resolve anywhere
        return False


def _guard(connect: Callable) -> Callable:
    def guarded(sock: socket.socket, address, *args, **kwargs):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(str(address[0])):
            raise RuntimeError(f"tests may only connect to 127.0.0.1/::1, not {address!r}")
        return connect(sock, address, *args, **kwargs)

    return guarded


def pytest_configure(config: pytest.Config) -> None:
    # Nothing in the tests talks to any address but loopback: no proxies, and a guard that
    # turns an accidental outside connection into an error instead of a slow, flaky test.
    for name in _PROXY_VARS:
        os.environ.pop(name, None)
        os.environ.pop(name.lower(), None)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"
    socket.socket.connect = _guard(socket.socket.connect)  # type: ignore[method-assign]
    socket.socket.connect_ex = _guard(socket.socket.connect_ex)  # type: ignore[method-assign]


# --- PostgreSQL ---------------------------------------------------------------------------------


def _libpq_url(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def _with_database(url: str, database: str) -> str:
    return normalize_url(url).set(database=database).render_as_string(hide_password=False)


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(_libpq_url(url), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _admin(url: str, sql: str) -> None:
    # CREATE/DROP DATABASE cannot run in a transaction.
    with psycopg.connect(_libpq_url(url), autocommit=True, connect_timeout=10) as connection:
        connection.execute(sql)


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of a reachable PostgreSQL server (its database is used only to create others)."""
    url = os.environ.get(POSTGRES_VARIABLE)
    if not url:
        pytest.skip(f"PostgreSQL only: set {POSTGRES_VARIABLE} to run it")
    if not _reachable(url):
        pytest.fail(f"{POSTGRES_VARIABLE} is set but PostgreSQL at it is not reachable")
    return url


def _new_pg_database(pg_url: str, template: str | None = None) -> str:
    name = f"dealbot_t_{os.getpid()}_{secrets.token_hex(4)}"
    _admin(pg_url, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return name


@pytest.fixture(scope="session")
def _pg_template(pg_url: str) -> Iterator[str]:
    """The name of a migrated PostgreSQL database no one connects to: CREATE DATABASE ... TEMPLATE
    copies it in ~0.2 s, where Alembic takes ~2 s to migrate an empty one."""
    name = _new_pg_database(pg_url)
    try:
        engine = make_engine(_with_database(pg_url, name))
        upgrade(engine)
        engine.dispose()  # a template must have no connections when it is copied
        yield name
    finally:
        _admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def make_pg_database(pg_url: str, request: pytest.FixtureRequest) -> Iterator[Callable[..., str]]:
    """make(migrated=False) -> the URL of a new PostgreSQL database for this test, empty or migrated
    to head (a copy of the session's template); all dropped afterwards."""
    created: list[str] = []

    def make(migrated: bool = False) -> str:
        template = request.getfixturevalue("_pg_template") if migrated else None
        created.append(_new_pg_database(pg_url, template))
        return _with_database(pg_url, created[-1])

    yield make
    for name in created:
        _admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _pg_session_database(pg_url: str, _pg_template: str) -> Iterator[tuple[str, Engine]]:
    """One migrated database for the whole session, with an engine kept open to empty it."""
    name = _new_pg_database(pg_url, _pg_template)
    url = _with_database(pg_url, name)
    engine = make_engine(url)
    try:
        yield url, engine
    finally:
        engine.dispose()
        _admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def emptying_sql() -> str:
    # DELETE plus a sequence reset rather than TRUNCATE ... RESTART IDENTITY: TRUNCATE rewrites
    # every table's files (~90 ms for our ten tables), DELETE on a test's few rows takes ~1 ms.
    children_first = list(reversed(metadata.sorted_tables))
    deletes = [f'DELETE FROM "{table.name}"' for table in children_first]
    deletes += [f'DELETE FROM "{name}"' for name in SEARCH_TABLES]  # outside the metadata
    resets = [
        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), 1, false)"
        for table in children_first
        if "id" in table.c
    ]
    return "; ".join(deletes + resets)


@pytest.fixture
def postgres_url(_pg_session_database: tuple[str, Engine]) -> str:
    """The session's migrated PostgreSQL database, emptied (ids restarting at 1) for this test."""
    url, engine = _pg_session_database
    with engine.begin() as connection:
        # Before the test, not after: a crashed test cannot leak state into the next one.
        connection.exec_driver_sql(emptying_sql())
    return url


# --- SQLite -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; copying it is much faster than running Alembic per test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last close checkpoints the WAL into the main file
    return path


@pytest.fixture
def sqlite_url(_sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite database file for this test."""
    path = tmp_path / "dealbot.db"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


# --- the database storage-backed tests use ------------------------------------------------------


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> str:
    """SQLite by default; PostgreSQL when DEALBOT_TEST_DATABASE_URL is set."""
    if os.environ.get(POSTGRES_VARIABLE):
        return request.getfixturevalue("postgres_url")
    return request.getfixturevalue("sqlite_url")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def uow_factory(session_factory: sessionmaker[Session]) -> Callable[[], SqlUnitOfWork]:
    """A callable returning a new SqlUnitOfWork (one per transaction)."""
    return lambda: SqlUnitOfWork(session_factory)


# --- the real core on the test database, for adapter, service and e2e tests ----------------------


@pytest.fixture
def wired(database_url: str, tmp_path: Path):
    """A Dealbot wired by bot.bootstrap on the test database (SQLite, or PostgreSQL in that run).

    The clock is frozen at Wed 4 Mar 2026 10:00 Shanghai; tests move it with `wired.bot.clock`.
    """
    from bot.bootstrap import build
    from bot.config import Settings
    from tests.fakes import FixedClock

    settings = Settings(
        _env_file=None,
        database_url=database_url,
        log_file=tmp_path / "dealbot.log",
        admins="console:boss,slack:UBOSS,telegram:1000,dingtalk:boss",
    )
    result = build(settings, migrate=False, clock=FixedClock())
    yield result
    result.engine.dispose()


@pytest.fixture
def async_handler(wired):
    """The core's handle as adapters get it from bot: awaited, run off the event loop."""
    import asyncio

    async def handle(incoming):
        return await asyncio.to_thread(wired.bot.handle, incoming)

    return handle



@pytest.fixture
def let_in(wired):
    """tests.access.let_in on this test's database: an account asks, the console admin approves."""
    from tests import access

    return lambda platform, user_id, name="", **kw: access.let_in(wired, platform, user_id, name, **kw)
