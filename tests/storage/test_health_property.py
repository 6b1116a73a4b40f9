"""The health board's SQL (storage/health.py) equals the plain-Python definition
(core/health/reference.py) on random histories, on SQLite and on PostgreSQL; and the board
built on the SQL (core.health.board.build_health) equals the one built on the references.

The histories are the analytics property test's (tests/analytics_history.py: week boundaries in
five time zones, deals created at a later stage, reopened deals, deals without history rows),
with satisfaction scores, complaints and follow-ups on the deals (some deleted) added."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.analytics.reference import ReferenceAnalytics
from core.domain.model import Interaction
from core.domain.pipeline import DEFAULT_PIPELINE
from core.health.board import build_health
from core.health.feedback import Complaint, Satisfaction
from core.health.reference import ReferenceHealth
from storage import tables
from storage.tables import metadata
from storage.uow import SqlUnitOfWork
from tests.analytics_history import (
    FIRST_WEEK,
    KINDS,
    WEEKS,
    History,
    histories,
    moments,
    week_bounds,
)

EXAMPLES = 40


@st.composite
def with_feedback(draw) -> tuple[History, list[Satisfaction], list[Complaint]]:
    history = draw(histories())
    anchors = [b for team in history.teams for b in week_bounds(team.timezone)]
    scores: list[Satisfaction] = []
    complaints: list[Complaint] = []
    for deal in history.deals:
        for _ in range(draw(st.integers(0, 2))):
            scores.append(Satisfaction(team_id=deal.team_id, deal_id=deal.saved_id, customer_id=deal.customer_id,
                                       score=draw(st.integers(1, 5)), recorded_at=draw(moments(anchors)),
                                       id=len(scores) + 1))
        for _ in range(draw(st.integers(0, 2))):
            said = draw(moments(anchors))
            history.interactions.append(Interaction(
                team_id=deal.team_id, text="y", occurred_at=said, kind=draw(st.sampled_from(KINDS)),
                deal_id=deal.saved_id, id=1000 + len(history.interactions),
                deleted_at=draw(st.sampled_from([None, None, said + timedelta(hours=1)]))))
    for _ in range(draw(st.integers(0, 4))):
        team = draw(st.sampled_from(history.teams))
        logged = draw(moments(anchors))
        complaints.append(Complaint(team_id=team.saved_id, customer_id=draw(st.sampled_from(
            sorted({d.customer_id for d in history.deals} | {team.id, team.id + 100}))),
                                    text="late", logged_at=logged, id=len(complaints) + 1,
                                    resolved_at=draw(st.sampled_from([None, logged + timedelta(days=2)]))))
    return history, scores, complaints


def _store(factory, history: History, scores: list[Satisfaction], complaints: list[Complaint]) -> None:
    with factory() as session, session.begin():
        for table in reversed(metadata.sorted_tables):
            session.execute(table.delete())
        for rows in history.rows():
            session.add_all(rows)
            session.flush()
        for score in scores:
            session.execute(tables.satisfaction_scores.insert().values(
                id=score.id, team_id=score.team_id, deal_id=score.deal_id, customer_id=score.customer_id,
                score=score.score, recorded_at=score.recorded_at))
        for complaint in complaints:
            session.execute(tables.complaints.insert().values(
                id=complaint.id, team_id=complaint.team_id, customer_id=complaint.customer_id, text=complaint.text,
                logged_at=complaint.logged_at, resolved_at=complaint.resolved_at))


class _OnReferences:
    """The SQL unit of work, but its figures from the plain-Python definitions."""

    def __init__(self, uow, analytics, health):
        self._uow, self.analytics, self.health = uow, analytics, health

    def __getattr__(self, name):
        return getattr(self._uow, name)


@pytest.mark.slow  # about 20 s on a loaded 2-core machine
@given(with_feedback())
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_sql_health_figures_equal_the_reference(factory_on_each_database, drawn):
    history, scores, complaints = drawn
    _store(factory_on_each_database, history, scores, complaints)
    ref = ReferenceHealth(lambda: history.deals, lambda: history.changes, lambda: history.interactions,
                          lambda: scores, lambda: complaints)
    analytics = ReferenceAnalytics(lambda: history.deals, lambda: history.changes, lambda: history.tasks,
                                   lambda: history.interactions, lambda: history.customers)
    with SqlUnitOfWork(factory_on_each_database) as uow:
        sql = uow.health
        for team in history.teams:
            bounds = week_bounds(team.timezone)
            assert sql.scores(team.id, bounds) == ref.scores(team.id, bounds)
            assert sql.complaints(team.id, bounds) == ref.complaints(team.id, bounds)
            moments_ = [*bounds, *history.moments]
            assert sql.served(team.id, moments_) == ref.served(team.id, moments_)
            for moment in moments_:
                assert sql.touches(team.id, moment) == ref.touches(team.id, moment)
            stored = uow.teams.get(team.id)
            week = FIRST_WEEK.previous(-(WEEKS - 1))
            on_sql = build_health(uow, stored, DEFAULT_PIPELINE, week, "CNY")
            on_reference = build_health(_OnReferences(uow, analytics, ref), stored, DEFAULT_PIPELINE, week, "CNY")
            assert on_sql.weeks == on_reference.weeks
