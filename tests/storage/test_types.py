"""The column types at the boundary: what they store, what they refuse, and SQL over them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.domain.model import Customer, Deal, DealStatus, Member, Team
from storage import tables
from storage.db import row_counts
from storage.uow import SqlUnitOfWork

T0 = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


@pytest.fixture
def seeded(uow_factory: Callable[[], SqlUnitOfWork]) -> dict[str, int]:
    with uow_factory() as uow:
        team = uow.teams.add(Team(name="East")).id
        member = uow.members.add(Member(handle="alice", team_id=team)).id
        customer = uow.customers.add(Customer(name="Acme", team_id=team)).id
        uow.commit()
    return {"team_id": team, "owner_id": member, "customer_id": customer}


def _deal(seeded: dict[str, int], **overrides) -> Deal:
    fields = dict(title="t", stage="lead", stage_entered_at=T0, created_at=T0) | seeded
    return Deal(**(fields | overrides))


def test_naive_datetimes_are_refused(uow_factory, seeded, engine: sa.Engine):
    before = row_counts(engine)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"), uow_factory() as uow:
        uow.deals.add(_deal(seeded, created_at=datetime(2026, 3, 4, 10, 0)))
    assert row_counts(engine) == before


def test_other_offsets_are_stored_as_utc(uow_factory, seeded, engine: sa.Engine):
    shanghai = timezone(timedelta(hours=8))
    with uow_factory() as uow:
        uow.deals.add(_deal(seeded, created_at=datetime(2026, 3, 4, 10, 0, tzinfo=shanghai)))
        uow.commit()
    with engine.connect() as connection:
        # The raw column, below the TypeDecorator: naive, in UTC.
        raw = connection.execute(sa.text("SELECT created_at FROM deals")).scalar_one()
    assert str(raw).startswith("2026-03-04 02:00:00")


@pytest.mark.parametrize("amount", [Decimal("0.001"), 1.5])
def test_amounts_that_are_not_whole_cents_are_refused(uow_factory, seeded, amount):
    with pytest.raises(sa.exc.StatementError), uow_factory() as uow:
        uow.deals.add(_deal(seeded, amount=amount))


def test_amounts_are_cents_in_the_table_and_sum_in_sql(uow_factory, seeded, engine: sa.Engine):
    with uow_factory() as uow:
        for amount in ("12345.67", "0.33", "50000"):
            uow.deals.add(_deal(seeded, amount=Decimal(amount)))
        uow.deals.add(_deal(seeded, amount=Decimal("999"), status=DealStatus.LOST))
        uow.commit()
    deals = tables.deals
    with engine.connect() as connection:
        raw = connection.execute(sa.text("SELECT amount FROM deals ORDER BY id")).scalars().all()
        total = connection.execute(
            sa.select(sa.func.sum(deals.c.amount)).where(deals.c.status == DealStatus.OPEN)
        ).scalar_one()
        big = connection.execute(
            sa.select(sa.func.count()).where(deals.c.amount > Decimal("1000"))
        ).scalar_one()
    assert raw == [1234567, 33, 5000000, 99900]
    assert total == Decimal("62346.00") and isinstance(total, Decimal)
    assert big == 2


def test_unknown_enum_values_are_refused(uow_factory, seeded):
    with pytest.raises(sa.exc.StatementError), uow_factory() as uow:
        uow.deals.add(_deal(seeded, status="maybe"))


def test_empty_dicts_and_none_are_told_apart(uow_factory, engine: sa.Engine):
    with uow_factory() as uow:
        uow.teams.add(Team(name="default pipeline"))
        uow.teams.add(Team(name="empty pipeline", pipeline={}))
        uow.commit()
    with engine.connect() as connection:
        # None is SQL NULL (so `pipeline IS NULL` finds the default-pipeline teams), not 'null'.
        nulls = connection.execute(
            sa.select(tables.teams.c.name).where(tables.teams.c.pipeline.is_(None))
        ).scalars()
        assert list(nulls) == ["default pipeline"]
    with uow_factory() as uow:
        assert uow.teams.by_name("empty pipeline").pipeline == {}
