"""Alembic environment for dealbot; driven by storage.migrate (there is no alembic.ini).

storage.migrate passes an open Connection in `config.attributes["connection"]`, so migrations
run on the application's own engine (SQLite pragmas, pool settings). Without one, the URL in the
`sqlalchemy.url` option is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import context
from sqlalchemy import Connection

from storage.db import make_engine
from storage.tables import metadata

# Any constant works; it only has to be the same for every dealbot replica.
_PG_MIGRATION_LOCK = 0x6465616C  # "deal"


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """Batch migrations rebuild a table by copy, drop and rename; with foreign keys on, the drop
    would cascade into (or be refused by) the child tables. The pragma only takes effect outside
    a transaction, so it is skipped when the caller already began one."""
    if connection.dialect.name != "sqlite" or connection.in_transaction():
        yield
        return
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _run(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    with _sqlite_foreign_keys_off(connection):
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=is_sqlite,  # SQLite cannot ALTER most things in place
            # storage.db makes pysqlite transactional (it emits BEGIN itself), so a failed
            # migration rolls back as a whole on SQLite too, not one statement at a time.
            transactional_ddl=True,
            compare_type=True,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Replicas starting together: one migrates, the others wait and find it done.
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
            context.run_migrations()
            if is_sqlite:
                _check_foreign_keys(connection)


def _check_foreign_keys(connection: Connection) -> None:
    # With the pragma off, SQLite did not check references during the migration: do it once.
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("dealbot migrations run online only (storage.migrate.upgrade)")
run_migrations_online()
