"""Engines and sessions: the only place that knows how each database is tuned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage import tables
from storage.orm import start_mappers

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",  # readers never block the writer (bot + scheduler + CLI)
    "PRAGMA synchronous=NORMAL",  # safe with WAL; FULL would fsync on every commit
    "PRAGMA foreign_keys=ON",  # off by default in SQLite, per connection
    "PRAGMA busy_timeout=5000",  # wait for a lock instead of failing at once
    # Deleted and overwritten content is zeroed in the file, not left in free space, so `forget`
    # erases (docs/security.md). Off unless the SQLite build says otherwise: always ask.
    "PRAGMA secure_delete=ON",
)


def normalize_url(url: str | URL) -> URL:
    """Parse a database URL; plain PostgreSQL URLs (`postgres://`, `postgresql://`) use psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database.startswith("~"):
        parsed = parsed.set(database=str(Path(database).expanduser()))
    return parsed


def make_engine(url: str | URL, **engine_options: Any) -> Engine:
    """An Engine for `url`, tuned for the embedded SQLite file or a shared PostgreSQL."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **engine_options)
    # Replicas sit idle between chat bursts; pre-ping drops connections the server closed.
    engine_options.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **engine_options)


def _sqlite_engine(url: URL, **engine_options: Any) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **engine_options)
    if engine.dialect.driver == "pysqlite":
        # pysqlite opens transactions lazily, before the first INSERT/UPDATE only, so reads and
        # DDL would run outside any transaction and SAVEPOINT would not nest. SQLAlchemy's
        # documented fix: turn the driver's handling off and emit BEGIN ourselves.
        event.listen(engine, "connect", _disable_pysqlite_transactions)
        event.listen(engine, "begin", _on_sqlite_begin)
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def _disable_pysqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    # DEFERRED by default, so readers (cards, scorecards) never wait for each other. Work that
    # must not lose a race between processes (migrations) asks for the write lock up front with
    # execution_options(sqlite_begin="IMMEDIATE") and then queues on busy_timeout instead.
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
        raise ValueError(f"sqlite_begin must be DEFERRED, IMMEDIATE or EXCLUSIVE, not {mode!r}")
    connection.exec_driver_sql(f"BEGIN {mode}")


def writing_engine(engine: Engine) -> Engine:
    """The engine for units of work that will write (commands, capture batches): on SQLite each
    transaction takes the write lock as it begins (BEGIN IMMEDIATE).

    A DEFERRED transaction that reads first and writes later cannot wait for the lock when
    another connection wrote in between: SQLite fails it at once with "database is locked",
    whatever busy_timeout says. Almost every command and batch writes, so they ask up front and
    queue on busy_timeout instead. Readers (WAL) are not held up; other writers wait while a
    read-only command (a scorecard, 20–40 ms) runs. Scans read first and write last in one short
    burst, so they stay DEFERRED and run again on their next tick if they lose that race.
    """
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(sqlite_begin="IMMEDIATE")


# SQLSTATEs of PostgreSQL conflicts with another transaction: serialization failure, deadlock,
# and a unique key another transaction took a moment ago (two first messages of one new user).
_PG_CONFLICTS = {"40001", "40P01", "23505"}


def is_transient(error: Exception) -> bool:
    """True when the error is a conflict with another writer: the same work may well succeed
    when run again (core.app.dealbot.Dealbot.handle does)."""
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) in _PG_CONFLICTS:
        return True
    message = str(original).lower()
    return isinstance(error, OperationalError) and ("database is locked" in message or "busy" in message) \
        or isinstance(error, IntegrityError) and "unique constraint failed" in message


def is_unavailable(error: Exception) -> bool:
    """True when the error says the database cannot be used right now (unreachable, a connection
    that broke, SQLite locked or unable to open), not that the work itself is wrong."""
    return isinstance(error, (OperationalError, InterfaceError)) or \
        isinstance(error, DBAPIError) and error.connection_invalidated


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for SqlUnitOfWork. Loaded objects stay readable after commit and close."""
    start_mappers()  # a session without mappings is useless; idempotent
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    _hold_loaded_objects(factory)
    return factory


def _hold_loaded_objects(factory: sessionmaker[Session]) -> None:
    """Keep every object of a session alive until the session ends (SQLAlchemy's documented
    "strong reference" recipe).

    The identity map holds unmodified objects weakly, so `uow.deals.get(1).deliverables_done
    .append(...)` would lose the change: the deal is collected before the list reports it. The
    in-memory fakes keep everything, and a unit of work is short, so holding them costs little.
    """

    def hold(session: Session, instance: object) -> None:
        session.info.setdefault("held", set()).add(instance)

    def release(session: Session, instance: object) -> None:
        session.info.get("held", set()).discard(instance)

    held = ("pending_to_persistent", "detached_to_persistent", "deleted_to_persistent")
    for name in (*held, "loaded_as_persistent"):
        event.listen(factory, name, hold)
    for name in ("persistent_to_detached", "persistent_to_deleted", "persistent_to_transient"):
        event.listen(factory, name, release)


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every dealbot table, in one round trip (tests assert "nothing stored" with it)."""
    counts = [
        select(func.count()).select_from(table).scalar_subquery().label(table.name)
        for table in tables.metadata.sorted_tables
    ]
    with engine.connect() as connection:
        row = connection.execute(select(*counts)).one()
    return dict(row._mapping)
