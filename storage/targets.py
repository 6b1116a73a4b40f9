"""Targets in SQL (core.ports.performance.TargetRepository)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, delete, select
from sqlalchemy.orm import Session

from core.performance.targets import Target
from storage import tables as t

_T = t.targets.c
_FIELDS = ("team_id", "member_id", "metric", "period_kind", "period_start", "period_end", "value",
           "currency", "set_by", "set_at")


def _target(row) -> Target:
    return Target(**{name: getattr(row, name) for name in _FIELDS}, id=row.id)


class SqlTargetRepository:
    def __init__(self, session: Session):
        self._session = session

    def _same(self, target: Target):
        member = _T.member_id.is_(None) if target.member_id is None else _T.member_id == target.member_id
        return and_(_T.team_id == target.team_id, member, _T.metric == target.metric,
                    _T.period_kind == target.period_kind, _T.period_start == target.period_start)

    def put(self, target: Target) -> Target | None:
        old = self.remove(target)
        values = {name: getattr(target, name) for name in _FIELDS}
        target.id = self._session.execute(t.targets.insert().values(values).returning(_T.id)).scalar_one()
        return old

    def remove(self, target: Target) -> Target | None:
        row = self._session.execute(select(t.targets).where(self._same(target))).first()
        if row is None:
            return None
        self._session.execute(delete(t.targets).where(_T.id == row.id))
        return _target(row)

    def of_team(self, team_id: int, day: date | None = None) -> Sequence[Target]:
        query = select(t.targets).where(_T.team_id == team_id)
        if day is not None:
            query = query.where(_T.period_start <= day, _T.period_end > day)
        query = query.order_by(_T.period_start, _T.period_end, _T.member_id.is_not(None), _T.member_id,
                               _T.metric)
        return [_target(row) for row in self._session.execute(query)]
