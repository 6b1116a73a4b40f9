"""The health board in SQL: customer feedback (core.ports.health.FeedbackRepository) and the
board's aggregates (core.ports.health.HealthData). core.health.reference is the definition the
aggregates are tested against (tests/storage/test_health_property.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from core.domain.model import DealStatus
from core.domain.pipeline import LOST, WON
from core.health.feedback import Complaint, Satisfaction, Survey
from core.ports.health import Touch
from storage import tables as t

_SC = t.satisfaction_scores.c
_C = t.complaints.c
_D = t.deals.c
_S = t.stage_changes.c
_I = t.interactions.c
_SCORE_FIELDS = ("team_id", "deal_id", "customer_id", "score", "comment", "recorded_at", "recorded_by")
_SV = t.satisfaction_surveys.c
_SURVEY_FIELDS = ("team_id", "deal_id", "platform", "chat_id", "sent_at", "sent_by", "answered_at")
_COMPLAINT_FIELDS = ("team_id", "customer_id", "deal_id", "text", "logged_at", "logged_by", "resolved_at",
                     "resolved_by", "resolution")


def _complaint(row) -> Complaint:
    return Complaint(**{name: getattr(row, name) for name in _COMPLAINT_FIELDS}, id=row.id)


class SqlFeedbackRepository:
    def __init__(self, session: Session):
        self._session = session

    def add_score(self, score: Satisfaction) -> Satisfaction:
        values = {name: getattr(score, name) for name in _SCORE_FIELDS}
        score.id = self._session.execute(t.satisfaction_scores.insert().values(values).returning(_SC.id)).scalar_one()
        return score

    def replace_score(self, score: Satisfaction) -> None:
        self._session.execute(update(t.satisfaction_scores).where(_SC.id == score.id).values(
            score=score.score, comment=score.comment, recorded_at=score.recorded_at, recorded_by=score.recorded_by))

    def add_complaint(self, complaint: Complaint) -> Complaint:
        values = {name: getattr(complaint, name) for name in _COMPLAINT_FIELDS}
        complaint.id = self._session.execute(t.complaints.insert().values(values).returning(_C.id)).scalar_one()
        return complaint

    def complaint(self, complaint_id: int) -> Complaint | None:
        row = self._session.execute(select(t.complaints).where(_C.id == complaint_id)).first()
        return None if row is None else _complaint(row)

    def resolve(self, complaint: Complaint) -> None:
        self._session.execute(update(t.complaints).where(_C.id == complaint.id).values(
            resolved_at=complaint.resolved_at, resolved_by=complaint.resolved_by, resolution=complaint.resolution))

    def complaints(self, team_id: int, *, open_only: bool = True) -> Sequence[Complaint]:
        query = select(t.complaints).where(_C.team_id == team_id)
        if open_only:
            query = query.where(_C.resolved_at.is_(None))
        return [_complaint(row) for row in self._session.execute(query.order_by(_C.logged_at.desc(), _C.id.desc()))]

    def scores_of(self, deal_id: int) -> Sequence[Satisfaction]:
        query = select(t.satisfaction_scores).where(_SC.deal_id == deal_id).order_by(_SC.recorded_at, _SC.id)
        return [Satisfaction(**{name: getattr(row, name) for name in _SCORE_FIELDS}, id=row.id)
                for row in self._session.execute(query)]

    def add_survey(self, survey: Survey) -> Survey:
        values = {name: getattr(survey, name) for name in _SURVEY_FIELDS}
        survey.id = self._session.execute(t.satisfaction_surveys.insert().values(values).returning(_SV.id)).scalar_one()
        return survey

    def open_survey(self, platform: str, chat_id: str, since: datetime, before: datetime) -> Survey | None:
        row = self._session.execute(
            select(t.satisfaction_surveys)
            .where(_SV.platform == platform, _SV.chat_id == chat_id, _SV.answered_at.is_(None),
                   _SV.sent_at >= since, _SV.sent_at < before)
            .order_by(_SV.sent_at.desc(), _SV.id.desc()).limit(1)).first()
        return None if row is None else Survey(**{name: getattr(row, name) for name in _SURVEY_FIELDS}, id=row.id)

    def answer(self, survey: Survey) -> None:
        self._session.execute(update(t.satisfaction_surveys).where(_SV.id == survey.id)
                              .values(answered_at=survey.answered_at))


class SqlHealthData:
    def __init__(self, session: Session):
        self._session = session

    def scores(self, team_id: int, bounds: Sequence[datetime]) -> list[tuple[int, int]]:
        found = []
        for start, end in zip(bounds, bounds[1:], strict=False):
            total, count = self._session.execute(
                select(func.coalesce(func.sum(_SC.score), 0), func.count())
                .where(_SC.team_id == team_id, _SC.recorded_at >= start, _SC.recorded_at < end)).one()
            found.append((int(total), int(count)))
        return found

    def complaints(self, team_id: int, bounds: Sequence[datetime]) -> list[int]:
        """Per week: the customers served by the week's end (a won deal of the team closed before
        it) who complained in the week, each counted once, so the rate stays within 100%."""
        def served_by(end: datetime):  # type: ignore[no-untyped-def]
            return (select(_D.id).where(_D.team_id == team_id, _D.customer_id == _C.customer_id,
                                        _D.status == DealStatus.WON, _D.closed_at < end).exists())

        return [int(self._session.execute(
            select(func.count(func.distinct(_C.customer_id)))
            .where(_C.team_id == team_id, _C.logged_at >= start, _C.logged_at < end, served_by(end))).scalar_one())
            for start, end in zip(bounds, bounds[1:], strict=False)]

    def served(self, team_id: int, moments: Sequence[datetime]) -> list[int]:
        return [int(self._session.execute(
            select(func.count(func.distinct(_D.customer_id)))
            .where(_D.team_id == team_id, _D.status == DealStatus.WON, _D.closed_at < moment)).scalar_one())
            for moment in moments]

    def touches(self, team_id: int, at: datetime) -> list[Touch]:
        """The candidates first (created before `at`, not closed before it: the open deals and
        those closed since), then for each its last stage change and last follow-up before `at`,
        one index seek each ((deal_id, at, id, to_stage) and (deal_id, occurred_at))."""
        def last_change(column):  # type: ignore[no-untyped-def]
            return (select(column).where(_S.deal_id == _D.id, _S.at < at)
                    .order_by(_S.at.desc(), _S.id.desc()).limit(1).scalar_subquery())

        followed = (select(func.max(_I.occurred_at))
                    .where(_I.deal_id == _D.id, _I.occurred_at < at, _I.deleted_at.is_(None)).scalar_subquery())
        query = (select(_D.id, last_change(_S.to_stage), last_change(_S.at), followed)
                 .where(_D.team_id == team_id, _D.created_at < at,
                        or_(_D.status == DealStatus.OPEN, _D.closed_at >= at))
                 .order_by(_D.id))
        return [Touch(deal_id, stage, changed, last)
                for deal_id, stage, changed, last in self._session.execute(query)
                if stage is not None and stage not in (WON, LOST)]

