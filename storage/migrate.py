"""Schema migrations in code: Alembic configured without an alembic.ini.

`dealbot migrate` calls upgrade(); the embedded SQLite database calls ensure_schema() on start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from storage.db import make_engine

log = logging.getLogger(__name__)

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


@cache
def known_revisions() -> frozenset[str]:
    """Every revision this version of dealbot ships."""
    return frozenset(script.revision for script in ScriptDirectory.from_config(make_config()).walk_revisions())


def newer_schema_message(at: str) -> str:
    return (f"the database is at schema revision {at}, which this dealbot (newest {head()}) does not know: "
            "a newer dealbot has migrated it. Run that version or a later one; an older one never "
            "starts on a newer schema")


@cache
def head() -> str | None:
    """The newest revision shipped with this version of dealbot (read once: it ships with the code)."""
    return ScriptDirectory.from_config(make_config()).get_current_head()


def schema_lag(engine: Engine) -> str | None:
    """Why the database's schema does not fit this dealbot (a few words), or None when it does.
    A plain read (no write lock, unlike current()): /readyz asks it every few seconds."""
    with engine.connect() as connection:
        at = MigrationContext.configure(connection).get_current_revision()
    needed = head()
    if at == needed:
        return None
    if at is not None and at not in known_revisions():
        return f"schema at revision {at} is newer than this dealbot ({needed}): run the newer dealbot"
    return f"schema at revision {at or 'none'}, this dealbot needs {needed}: run dealbot migrate"


def ensure_schema(engine: Engine) -> None:
    """Bring the database to the newest schema; a no-op when it is already there. Alembic's own
    lines are left out of the log at INFO (bot.logs): one line here says what changed."""
    at = current(engine)
    if at is not None and at not in known_revisions():
        raise SchemaNotReady(newer_schema_message(at))
    if at != head():
        upgrade(engine, "head")
        log.info("database schema upgraded from %s to %s", at or "nothing", head())


class SchemaNotReady(Exception):
    """The database has no dealbot tables, or older ones than this version needs."""


def check_schema(engine: Engine) -> None:
    """Raise SchemaNotReady unless the database is at the revision this version needs: behind, it
    says `dealbot migrate`; ahead (a revision this version does not ship: a newer dealbot
    migrated it), it refuses too. An older replica that started on a newer schema would write
    rows the new code does not expect (a column it leaves empty, a table it does not know), so
    it stops with the reason instead; docs/deploy.md, "Upgrades", gives the order."""
    at, newest = current(engine), head()
    if at == newest:
        return
    if at is None:
        raise SchemaNotReady("the database has no dealbot tables yet: run `dealbot migrate`")
    if at not in known_revisions():
        raise SchemaNotReady(newer_schema_message(at))
    raise SchemaNotReady(f"the database is at revision {at} and this dealbot needs {newest}: "
                         "run `dealbot migrate`")
