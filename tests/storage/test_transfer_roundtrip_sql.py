"""The export → import → export property (tests/unit/test_transfer_roundtrip.py) on SQLite and
PostgreSQL, with fewer examples: an empty database for each side of each example."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.conftest import emptying_sql
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


class _Databases:
    """new_database() -> an empty, migrated database. On PostgreSQL the databases an example made
    serve the next example, emptied (`with new_database.next_example()`): a DROP DATABASE costs
    the server a checkpoint (1-3 s), and an example makes three. On SQLite each is a new copy of
    the migrated template. All dropped after the test."""

    def __init__(self, make_url: Callable[[], str], *, reuse: bool):
        self._make_url, self._reuse = make_url, reuse
        self.made: list[_Database] = []
        self._free: list[_Database] = []

    def __call__(self) -> _Database:
        if self._free:
            database = self._free.pop(0)
            with database.engine.begin() as connection:
                connection.exec_driver_sql(emptying_sql())
        else:
            database = _Database(self._make_url())
            self.made.append(database)
        return database

    @contextmanager
    def next_example(self) -> Iterator[_Databases]:
        try:
            yield self
        finally:
            if self._reuse:
                self._free = list(self.made)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_database(request, _sqlite_template):
    folder, copies = Path(tempfile.mkdtemp()), itertools.count()

    def sqlite_copy() -> str:  # a copy of the migrated template costs next to nothing
        path = folder / f"db{next(copies)}.sqlite"
        shutil.copyfile(_sqlite_template, path)
        return f"sqlite:///{path}"

    if request.param == "sqlite":
        databases = _Databases(sqlite_copy, reuse=False)
    else:
        databases = _Databases(lambda: request.getfixturevalue("make_pg_database")(migrated=True), reuse=True)
    yield databases
    for database in databases.made:
        database.engine.dispose()
    shutil.rmtree(folder)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(plan=PIPELINES)
def test_export_import_export_is_the_identity_on_the_database(new_database, plan):
    with new_database.next_example() as databases:
        round_trip(databases, plan)
