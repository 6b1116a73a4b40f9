"""storage.driver: what goes straight to the driver is stored exactly as SQLAlchemy stores it,
and comes back as SQLAlchemy reads it (SQLite; PostgreSQL's path is held by the contract tests).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from core.domain.model import Deal, DealStatus
from storage import tables as t
from storage.driver import bind_processors, detached, result_processors, row_values
from storage.orm import start_mappers

TIMES = [
    datetime(2026, 11, 27, 8, 0, tzinfo=UTC),  # no microseconds: still written with them
    datetime(2026, 11, 27, 8, 0, 1, 250, tzinfo=UTC),
    datetime(2026, 11, 27, 16, 30, 5, 999_999, tzinfo=timezone(timedelta(hours=8))),  # not UTC
    datetime(1999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))),  # the day changes
]


@pytest.fixture
def sqlite():
    engine = sa.create_engine("sqlite://")
    t.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _stored_by_sqlalchemy(engine, when: datetime) -> str:
    """The text SQLAlchemy writes for `when` in a UTCDateTime column, read back as it is stored."""
    with engine.begin() as connection:
        connection.execute(t.teams.insert().values(id=1, name="sales", timezone="UTC", language="en"))
        connection.execute(t.interactions.insert().values(
            team_id=1, text="", occurred_at=when, kind="message", platform="slack", chat_id="C1"))
        stored = connection.execute(sa.text("SELECT occurred_at FROM interactions")).scalar_one()
        connection.execute(sa.text("DELETE FROM interactions"))
        connection.execute(sa.text("DELETE FROM teams"))
    return stored


@pytest.mark.parametrize("when", TIMES, ids=str)
def test_a_time_is_the_text_sqlalchemy_stores(sqlite, when):
    process = bind_processors(sqlite.dialect, t.interactions, ("occurred_at",))[0]
    assert process(when) == _stored_by_sqlalchemy(sqlite, when)


_SQLITE = sa.create_engine("sqlite://").dialect


@given(st.datetimes(timezones=st.just(UTC)))
def test_any_utc_time_is_written_as_isoformat_writes_it(when):
    # The UTC path keeps each second's text (storage.driver._utc_text); isoformat is the rule,
    # whether the second was seen before or not.
    process = bind_processors(_SQLITE, t.interactions, ("occurred_at",))[0]
    expected = when.replace(tzinfo=None).isoformat(" ", "microseconds")
    assert process(when) == expected
    assert process(when) == expected


def test_a_naive_time_is_refused_and_none_stays_none(sqlite):
    process = bind_processors(sqlite.dialect, t.interactions, ("occurred_at",))[0]
    assert process(None) is None
    with pytest.raises(ValueError, match="naive"):
        process(datetime(2026, 11, 27, 8, 0))


def test_row_values_apply_the_processors_only_where_a_column_has_one(sqlite):
    @dataclasses.dataclass
    class Row:
        text: str
        occurred_at: datetime
        deal_id: int | None

    values = row_values(sqlite.dialect, t.interactions, ("text", "occurred_at", "deal_id"))
    assert values(Row("hi", TIMES[1], None)) == ["hi", "2026-11-27 08:00:01.000250", None]


def test_a_driver_row_reads_back_as_sqlalchemy_reads_it(sqlite):
    start_mappers()
    deal = dict(id=7, title="Acme", customer_id=1, owner_id=1, team_id=1, stage="quote",
                stage_entered_at=TIMES[1], created_at=TIMES[0], amount=Decimal("1200.50"),
                status=DealStatus.WON, deliverables_done=["quote:0"], currency="CNY")
    with sqlite.begin() as connection:  # (this engine does not enforce foreign keys)
        connection.execute(t.deals.insert().values(**deal))
    columns = tuple(t.deals.columns)
    with sqlite.connect() as connection:
        raw = connection.exec_driver_sql(f"SELECT {', '.join(c.name for c in columns)} FROM deals").one()
        through_sqlalchemy = connection.execute(sa.select(*columns)).one()
    assert result_processors(sqlite.dialect, columns)(raw) == list(through_sqlalchemy)


def test_a_detached_copy_reads_like_the_loaded_object_and_belongs_to_no_session(sqlite):
    start_mappers()
    fields = {field.name: None for field in dataclasses.fields(Deal)} | dict(
        id=7, title="Acme", customer_id=1, owner_id=1, team_id=1, stage="quote",
        stage_entered_at=TIMES[1], created_at=TIMES[0], status=DealStatus.OPEN, deliverables_done=[])
    copy = detached(Deal, fields)
    assert isinstance(copy, Deal)
    assert {name: getattr(copy, name) for name in fields} == fields
    assert copy.code == "D-7" and copy.is_open
    assert sa.inspect(copy).transient  # not in a session, never flushed through one
    with Session(sqlite) as session:
        assert copy not in session
