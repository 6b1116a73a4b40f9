"""Schema migrations in code: Alembic configured without an alembic.ini.

`dealbot migrate` calls upgrade(); the embedded SQLite database calls ensure_schema() on start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from storage.db import make_engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

Target = Engine | Connection | str


def make_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def _connection(target: Target) -> Iterator[Connection]:
    if isinstance(target, Connection):
        yield target
        return
    engine = make_engine(target) if isinstance(target, str) else target
    try:
        with engine.connect() as connection:
            # On SQLite, take the write lock before reading the current revision, so a second
            # process starting at the same moment waits and then finds the work done.
            connection.execution_options(sqlite_begin="IMMEDIATE")
            yield connection
    finally:
        if isinstance(target, str):  # we made this engine, so we dispose of it
            engine.dispose()


def upgrade(target: Target, revision: str = "head") -> None:
    """Upgrade the database at `target` (an Engine, a Connection or a URL) to `revision`."""
    with _connection(target) as connection:
        command.upgrade(make_config(connection), revision)


def downgrade(target: Target, revision: str) -> None:
    """Downgrade the database at `target` to `revision` ("base" drops everything)."""
    with _connection(target) as connection:
        command.downgrade(make_config(connection), revision)


def current(target: Target) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    with _connection(target) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str | None:
    """The newest revision shipped with this version of dealbot."""
    return ScriptDirectory.from_config(make_config()).get_current_head()


def ensure_schema(engine: Engine) -> None:
    """Bring the database to the newest schema; a no-op when it is already there."""
    if current(engine) != head():
        upgrade(engine, "head")
