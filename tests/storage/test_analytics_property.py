"""Every SQL aggregate of storage/analytics.py equals the plain-Python definition
(core/analytics/reference.py) on random histories, on SQLite and on PostgreSQL.

The histories (tests/analytics_history.py) cover empty weeks, deals created at a later stage,
same-instant wins, reopened deals, deals without history rows, and moments on the teams' week
boundaries in five time zones (one changing to summer time inside the weeks queried).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings

from core.analytics.reference import ReferenceAnalytics
from core.domain.pipeline import DEFAULT_PIPELINE, WON
from storage.tables import metadata
from storage.uow import SqlUnitOfWork
from tests.analytics_history import History, histories, week_bounds

ORDER = [s.key for s in DEFAULT_PIPELINE.open_stages] + [WON]
LIMITS = {s.key: s.sla_days for s in DEFAULT_PIPELINE.open_stages if s.sla_days is not None}
EXAMPLES = 60


def _store(factory, history: History) -> None:
    with factory() as session, session.begin():
        for table in reversed(metadata.sorted_tables):
            session.execute(table.delete())
        for rows in history.rows():
            session.add_all(rows)
            session.flush()
    for rows in history.rows():  # detached again, plain objects for the reference
        for row in rows:
            assert row.id is not None


def _reference(history: History) -> ReferenceAnalytics:
    return ReferenceAnalytics(lambda: history.deals, lambda: history.changes, lambda: history.tasks,
                              lambda: history.interactions, lambda: history.customers)


def _cutoffs(moment, factor: int, extra: int) -> dict:
    return {key: moment - timedelta(days=factor * days + extra) for key, days in LIMITS.items()}


@pytest.mark.slow  # 22 s in a full run on a loaded 2-core machine
@given(histories())
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_sql_figures_equal_the_reference(factory_on_each_database, history):
    _store(factory_on_each_database, history)
    ref = _reference(history)
    with SqlUnitOfWork(factory_on_each_database) as uow:
        sql = uow.analytics
        for team in history.teams:
            bounds = week_bounds(team.timezone)
            assert sql.totals(team.id, bounds) == ref.totals(team.id, bounds)
            for start, end in zip(bounds, bounds[1:], strict=False):
                assert sql.funnel(team.id, start, end, ORDER) == ref.funnel(team.id, start, end, ORDER)
                for by in ("industry", "source", "tag"):
                    assert sql.funnel_by(team.id, start, end, ORDER, by) == ref.funnel_by(team.id, start, end, ORDER, by)
                for asof in (end, *history.moments[:1]):
                    card = sql.scorecard(team.id, start, end, asof, ORDER)
                    assert card == ref.scorecard(team.id, start, end, asof, ORDER)
                    assert card.totals == sql.totals(team.id, [start, end])[0]
            whole = (bounds[0], bounds[-1])
            for moment in history.moments:
                stale = _cutoffs(moment, 1, 1)
                assert sql.stale(team.id, stale) == ref.stale(team.id, stale)
                since = history.moments[0]
                assert (sql.stage_exits(team.id, since, moment, ORDER, LIMITS)
                        == ref.stage_exits(team.id, since, moment, ORDER, LIMITS))
                buckets = {k: (stale[k], _cutoffs(moment, 2, 1)[k]) for k in LIMITS}
                assert sql.open_groups(team.id, *whole, buckets) == ref.open_groups(team.id, *whole, buckets)
                assert sql.states_at(team.id, moment) == ref.states_at(team.id, moment)
            assert sql.open_deals(team.id, *whole, 5) == ref.open_deals(team.id, *whole, 5)
            assert sql.closed_range(team.id) == ref.closed_range(team.id)
