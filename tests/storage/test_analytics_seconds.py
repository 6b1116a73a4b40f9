"""Durations in the figures cut each timestamp to its second, on SQLite as on PostgreSQL.

SQLite keeps times in whole milliseconds, so strftime('%s') of '… 15:59:59.999999' used to round
up to the next second: a deal won a microsecond after it was created across a second boundary had
a cycle of 0 s in SQL and 1 s by the definition. The property test found it only by chance.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from core.domain.model import Customer, Deal, DealStatus, Member, Role, StageChange, Team
from core.domain.pipeline import DEFAULT_PIPELINE, WON
from storage.uow import SqlUnitOfWork

ORDER = [s.key for s in DEFAULT_PIPELINE.open_stages] + [WON]
LIMITS = {s.key: s.sla_days for s in DEFAULT_PIPELINE.open_stages if s.sla_days is not None}
SECOND = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
JUST_BEFORE = SECOND - timedelta(microseconds=1)  # 15:59:59.999999


def test_a_microsecond_across_a_second_is_one_second(factory_on_each_database):
    with factory_on_each_database() as session, session.begin():
        session.add(Team("sales", timezone="UTC", id=1))
        session.flush()
        session.add_all([Member("ann", 1, Role.REP, id=1), Customer("Acme", team_id=1, id=1)])
        session.flush()
        session.add(Deal("d1", 1, 1, 1, WON, SECOND, JUST_BEFORE, id=1, amount=Decimal(100),
                         status=DealStatus.WON, closed_at=SECOND))
        session.flush()
        session.add_all([StageChange(1, None, "quote", JUST_BEFORE, 1), StageChange(1, "quote", WON, SECOND, 1)])
    with SqlUnitOfWork(factory_on_each_database) as uow:
        week = [SECOND - timedelta(days=1), SECOND + timedelta(days=1)]
        assert uow.analytics.totals(1, week)[0].cycle_seconds == 1
        quote = next(e for e in uow.analytics.stage_exits(1, week[0], week[1], ORDER, LIMITS) if e.stage == "quote")
        assert (quote.exits, quote.forward, quote.over) == (1, 1, 0)
