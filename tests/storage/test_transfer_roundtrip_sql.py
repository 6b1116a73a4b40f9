"""The export → import → export property (tests/unit/test_transfer_roundtrip.py) on SQLite and
PostgreSQL, with fewer examples: a fresh database for each side of each example."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.unit.test_transfer_roundtrip import PIPELINES, round_trip


class _Database:
    """An empty database's units of work, entered again and again like the in-memory one."""

    def __init__(self, url: str):
        self.engine = make_engine(url)
        self._factory = make_session_factory(self.engine)
        self._current: SqlUnitOfWork | None = None

    def __enter__(self) -> SqlUnitOfWork:
        self._current = SqlUnitOfWork(self._factory).__enter__()
        return self._current

    def __exit__(self, *exc: object) -> None:
        current, self._current = self._current, None
        current.__exit__(*exc)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_database(request, _sqlite_template):
    """new_database() -> an empty, migrated database; all dropped after the test."""
    folder, made = Path(tempfile.mkdtemp()), []

    def make() -> _Database:
        if request.param == "sqlite":
            path = folder / f"db{len(made)}.sqlite"
            shutil.copyfile(_sqlite_template, path)
            database = _Database(f"sqlite:///{path}")
        else:
            database = _Database(request.getfixturevalue("make_pg_database")())
            upgrade(database.engine)
        made.append(database)
        return database

    yield make
    for database in made:
        database.engine.dispose()
    shutil.rmtree(folder)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(plan=PIPELINES)
def test_export_import_export_is_the_identity_on_the_database(new_database, plan):
    round_trip(new_database, plan)
