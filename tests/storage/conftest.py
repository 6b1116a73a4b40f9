"""Fixtures for storage tests that run on both databases in every run."""

from __future__ import annotations

import pytest

from storage.db import make_engine, make_session_factory


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def factory_on_each_database(request):
    """A session factory on SQLite, then on PostgreSQL (skipped where none answers), whatever
    DEALBOT_TEST_DATABASE_URL says: for tests whose point is that both databases agree."""
    engine = make_engine(request.getfixturevalue(f"{request.param}_url"))
    yield make_session_factory(engine)
    engine.dispose()
