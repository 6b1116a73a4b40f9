"""Answers to the daily card in SQL (core.ports.performance.DailyUpdateRepository)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.performance.daily_reply import DailyUpdate
from storage import tables as t

_U = t.daily_updates.c
_FIELDS = ("team_id", "member_id", "created_at", "text", "items", "status", "decided_at")


class SqlDailyUpdateRepository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, update: DailyUpdate) -> DailyUpdate:
        values = {name: getattr(update, name) for name in _FIELDS}
        update.id = self._session.execute(t.daily_updates.insert().values(values).returning(_U.id)).scalar_one()
        return update

    def get(self, update_id: int) -> DailyUpdate | None:
        row = self._session.execute(select(t.daily_updates).where(_U.id == update_id)).first()
        if row is None:
            return None
        return DailyUpdate(**{name: getattr(row, name) for name in _FIELDS}, id=row.id)

    def save(self, update: DailyUpdate) -> None:
        self._session.execute(t.daily_updates.update().where(_U.id == update.id)
                              .values(items=update.items, status=update.status, decided_at=update.decided_at))
