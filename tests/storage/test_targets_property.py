"""A target's figures (core.performance.targets through core.services.targets.measure, over the SQL
aggregates) equal a plain-Python count straight from random histories, on SQLite and PostgreSQL.

The independent computation reads the generated deals and follow-ups themselves, not the
reference analytics: won amount in the target's currency, wins, deals created, follow-ups logged
(captured chat messages excluded), per member or for the whole team, in the target period's
half-open local window; the weighted pipeline is Σ amount × win probability of the open deals
expected to close in the window. Targets also go through the SQL repository and back.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.analytics.reports import win_model
from core.domain.model import DealStatus
from core.domain.pipeline import DEFAULT_PIPELINE
from core.language.periods import month_of, quarter_of, week_of
from core.performance import targets as tg
from core.performance.targets import Target
from core.services.targets import measure
from storage.uow import SqlUnitOfWork
from tests.analytics_history import FIRST_WEEK, History, histories
from tests.storage.test_analytics_property import _store

PERIODS = [FIRST_WEEK, week_of(date(2026, 3, 16)), month_of(date(2026, 3, 1)), quarter_of(date(2026, 3, 1))]


def _expected_done(history: History, target: Target, tz: str) -> Decimal:
    start, end = target.period.bounds(tz)
    mine = [d for d in history.deals if d.team_id == target.team_id
            and (target.member_id is None or d.owner_id == target.member_id)]
    won = [d for d in mine if d.status == DealStatus.WON and d.closed_at is not None and start <= d.closed_at < end]
    if target.metric == tg.WON_AMOUNT:
        return sum((d.amount for d in won if d.amount is not None and d.currency == target.currency), Decimal(0))
    if target.metric == tg.WON_COUNT:
        return Decimal(len(won))
    if target.metric == tg.NEW_DEALS:
        return Decimal(sum(1 for d in mine if start <= d.created_at < end))
    return Decimal(sum(1 for i in history.interactions if i.team_id == target.team_id and i.author_id is not None
                       and (target.member_id is None or i.author_id == target.member_id)
                       and i.kind != "message" and start <= i.occurred_at < end))


def _expected_weighted(history: History, target: Target, tz: str, model, now) -> Decimal | None:
    if target.metric not in (tg.WON_AMOUNT, tg.WON_COUNT):
        return None
    start, end = target.period.bounds(tz)
    total = Decimal(0)
    for d in history.deals:
        if (d.team_id != target.team_id or d.status != DealStatus.OPEN or d.expected_close is None
                or not start <= d.expected_close < end
                or (target.member_id is not None and d.owner_id != target.member_id)):
            continue
        p = Decimal(str(model.estimate(d.stage, d.stage_entered_at, now).probability))
        if target.metric == tg.WON_COUNT:
            total += p
        elif d.amount is not None and d.currency == target.currency:
            total += d.amount * p
    return total.quantize(Decimal("0.01"))


@st.composite
def cases(draw):
    history = draw(histories())
    targets = []
    for team in history.teams:
        for member in [None, *history.members]:
            for metric in draw(st.lists(st.sampled_from(tg.METRICS), min_size=1, max_size=2, unique=True)):
                period = draw(st.sampled_from(PERIODS))
                value = Decimal(draw(st.integers(1, 10**9))).scaleb(-2 if metric == tg.WON_AMOUNT else 0)
                targets.append(Target(team.id, member.id if member else None, metric, period.kind, period.start,
                                      period.end, value, draw(st.sampled_from(["CNY", "USD"]))
                                      if metric == tg.WON_AMOUNT else "", None, history.moments[0]))
    return history, targets


@pytest.mark.slow  # stores a history per example on each database
@given(cases())
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_target_figures_equal_a_plain_count(factory_on_each_database, case):
    history, targets = case
    _store(factory_on_each_database, history)
    now = history.moments[0]
    with SqlUnitOfWork(factory_on_each_database) as uow:
        for team in history.teams:
            mine = [t for t in targets if t.team_id == team.id]
            model = win_model(uow, team, DEFAULT_PIPELINE, now)
            for pace in measure(uow, team, DEFAULT_PIPELINE, mine, now, model):
                target = pace.target
                assert pace.done == _expected_done(history, target, team.timezone), target
                assert pace.weighted == _expected_weighted(history, target, team.timezone, model, now), target
                assert pace.gap == max(target.value - pace.done, Decimal(0))
                today = now.astimezone(ZoneInfo(team.timezone)).date()
                left = (target.period_end - max(today, target.period_start)).days if today < target.period_end else 0
                assert pace.days_left == left
                if left:
                    step = Decimal(1) if target.currency == "" else Decimal("0.01")
                    assert pace.per_week == (pace.gap * 7 / left).quantize(step, ROUND_CEILING)
                    assert pace.per_week * left >= pace.gap * 7  # enough, week after week
            # through the SQL repository and back: one row per key, the last value wins
            for target in mine:
                uow.targets.put(Target(**{**vars(target), "id": None}))
            stored = {t.key: t.value for t in uow.targets.of_team(team.id)}
            assert stored == {t.key: t.value for t in mine}
            for period in PERIODS:
                assert {t.key for t in uow.targets.of_team(team.id, period.start)} == {
                    t.key for t in mine if t.period_start <= period.start < t.period_end}
