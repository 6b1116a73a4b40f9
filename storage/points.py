"""Points and forecast calls in SQL (core.ports.points): the facts the point rules read from the
audit trail, a team's rules, a review's calls."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from core.domain.model import AuditEntry
from core.performance import points as pt
from core.performance.forecast_calls import ForecastCall
from core.performance.points import DealStart, PointRules, TaskTimes
from storage import tables as t

_A = t.audit_entries.c
_F = t.forecast_calls.c
_CALL_FIELDS = ("deal_id", "team_id", "category", "called_by", "called_at", "close_before", "close_after")
_CHUNK = 500  # ids per IN list


def _chunks(ids: Collection[int]) -> list[list[int]]:
    ordered = sorted(set(ids))
    return [ordered[i:i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


class SqlPointsRepository:
    def __init__(self, session: Session):
        self._session = session

    def rules(self, team_id: int) -> PointRules:
        stored = self._session.execute(select(t.point_settings.c.rules)
                                       .where(t.point_settings.c.team_id == team_id)).scalar_one_or_none()
        return PointRules.of(stored)

    def put_rules(self, team_id: int, rules: PointRules) -> None:
        table = t.point_settings
        found = self._session.execute(select(table.c.team_id).where(table.c.team_id == team_id)).first()
        if found is None:
            self._session.execute(table.insert().values(team_id=team_id, rules=rules.to_dict()))
        else:
            self._session.execute(table.update().where(table.c.team_id == team_id).values(rules=rules.to_dict()))

    def entries(self, member_ids: Collection[int], start: datetime, end: datetime) -> Sequence[AuditEntry]:
        found: list[AuditEntry] = []
        for ids in _chunks(member_ids):
            scored = and_(_A.actor_id.in_(ids), _A.action.in_(sorted(pt.SCORED - {pt.AWARD_ACTION})),
                          _A.at >= start, _A.at < end)
            awards = and_(_A.action == pt.AWARD_ACTION, _A.entity.in_([f"member:{i}" for i in ids]),
                          _A.at >= start, _A.at < end)
            undos = and_(_A.actor_id.in_(ids), _A.action == pt.UNDO, _A.at >= start, _A.at < end + pt.UNDO_WINDOW)
            query = select(AuditEntry).where(or_(scored, awards, undos)).order_by(_A.at, _A.id)
            found += self._session.execute(query).scalars()
        return found

    def task_times(self, task_ids: Collection[int]) -> Mapping[int, TaskTimes]:
        c = t.tasks.c
        out = {}
        for ids in _chunks(task_ids):
            for row in self._session.execute(select(c.id, c.created_at, c.due_at).where(c.id.in_(ids))):
                out[row.id] = TaskTimes(row.created_at, row.due_at)
        return out

    def deal_starts(self, deal_ids: Collection[int]) -> Mapping[int, DealStart]:
        c = t.deals.c
        out = {}
        for ids in _chunks(deal_ids):
            created = {row.id: row.created_at for row in self._session.execute(select(c.id, c.created_at).where(c.id.in_(ids)))}
            first = select(_A.entity, func.min(_A.id)).where(
                _A.entity.in_([f"D-{i}" for i in ids]), _A.action.in_(pt.TOUCHES)).group_by(_A.entity)
            touches = {int(entity[2:]): first_id for entity, first_id in self._session.execute(first).all()}
            for deal_id, at in created.items():
                out[deal_id] = DealStart(at, touches.get(deal_id))
        return out


def _call(row) -> ForecastCall:
    return ForecastCall(**{name: getattr(row, name) for name in _CALL_FIELDS}, id=row.id)


class SqlForecastCallRepository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, call: ForecastCall) -> ForecastCall:
        values = {name: getattr(call, name) for name in _CALL_FIELDS}
        call.id = self._session.execute(t.forecast_calls.insert().values(values).returning(_F.id)).scalar_one()
        return call

    def latest(self, deal_ids: Collection[int]) -> Mapping[int, ForecastCall]:
        out = {}
        for ids in _chunks(deal_ids):
            last = select(func.max(_F.id)).where(_F.deal_id.in_(ids)).group_by(_F.deal_id).scalar_subquery()
            for row in self._session.execute(select(t.forecast_calls).where(_F.id.in_(last))):
                out[row.deal_id] = _call(row)
        return out

    def for_deal(self, deal_id: int) -> Sequence[ForecastCall]:
        query = select(t.forecast_calls).where(_F.deal_id == deal_id).order_by(_F.id)
        return [_call(row) for row in self._session.execute(query)]

    def remove(self, call_id: int) -> None:
        self._session.execute(t.forecast_calls.delete().where(_F.id == call_id))
