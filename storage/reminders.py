"""What the scheduler's scans read, in SQL (core.ports.reminders.ReminderRepository).

Each query reads a few columns of the rows inside one time window over an indexed column
(deals by stage and stage_entered_at, snoozed_until; tasks by due_at, snoozed_until), so a scan
costs what has come due since the last one, not the size of the pipeline.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select, union
from sqlalchemy.orm import Session

from core.domain.model import DealStatus
from core.reminders.due import DealStamp, TaskStamp, TeamFigures
from storage import tables as t
from storage.outbox import dialect_insert
from storage.types import UTCDateTime

_OPEN = DealStatus.OPEN


def _deal_stamp(row) -> DealStamp:
    return DealStamp(id=row.id, owner_id=row.owner_id, team_id=row.team_id, stage=row.stage,
                     stage_entered_at=row.stage_entered_at, snoozed_until=row.snoozed_until)


def _task_stamp(row) -> TaskStamp:
    return TaskStamp(id=row.id, assignee_id=row.assignee_id, team_id=row.team_id, due_at=row.due_at,
                     deal_id=row.deal_id, snoozed_until=row.snoozed_until)


_D = t.deals.c
_T = t.tasks.c
_DEAL_COLUMNS = (_D.id, _D.owner_id, _D.team_id, _D.stage, _D.stage_entered_at, _D.snoozed_until, _D.status)
_TASK_COLUMNS = (_T.id, _T.assignee_id, _T.team_id, _T.due_at, _T.deal_id, _T.snoozed_until, _T.done_at)


class SqlReminderRepository:
    """The WHERE clauses hold only the time range, so the database walks the one index that
    matters; team and status are checked on the few rows it returns. (Given `team_id = ? AND
    status = 'open'` as well, SQLite's planner prefers the (team_id, status) index, which in a
    one-team install means reading every open deal.)"""

    def __init__(self, session: Session):
        self._session = session

    def _deals(self, team_id: int, where) -> list[DealStamp]:
        rows = self._session.execute(select(*_DEAL_COLUMNS).where(where))
        return [_deal_stamp(r) for r in rows if r.team_id == team_id and r.status == _OPEN]

    def _tasks(self, team_id: int, where) -> list[TaskStamp]:
        rows = self._session.execute(select(*_TASK_COLUMNS).where(where))
        return [_task_stamp(r) for r in rows if r.team_id == team_id and r.done_at is None]

    def deals_entered(self, team_id: int,
                      windows: Sequence[tuple[str, datetime, datetime]]) -> Sequence[DealStamp]:
        if not windows:
            return []
        # One statement; each OR term is a range on the (stage, stage_entered_at) index.
        return self._deals(team_id, or_(*(
            and_(_D.stage == stage, _D.stage_entered_at > after, _D.stage_entered_at <= until)
            for stage, after, until in windows)))

    def deals_snoozed(self, team_id: int, after: datetime, until: datetime) -> Sequence[DealStamp]:
        return self._deals(team_id, and_(_D.snoozed_until > after, _D.snoozed_until <= until))

    def tasks_due(self, team_id: int, after: datetime, until: datetime) -> Sequence[TaskStamp]:
        return self._tasks(team_id, and_(_T.due_at > after, _T.due_at <= until))

    def tasks_snoozed(self, team_id: int, after: datetime, until: datetime) -> Sequence[TaskStamp]:
        return self._tasks(team_id, and_(_T.snoozed_until > after, _T.snoozed_until <= until))

    def open_deals(self, team_id: int, owner_id: int) -> Sequence[DealStamp]:
        touched = func.coalesce(_D.last_activity_at, _D.created_at, type_=UTCDateTime()).label("touched")
        rows = self._session.execute(select(*_DEAL_COLUMNS, touched)
                                     .where(_D.owner_id == owner_id, _D.status == _OPEN))
        return [dataclasses.replace(_deal_stamp(r), last_touched=r.touched)
                for r in rows if r.team_id == team_id]

    def overdue_tasks(self, team_id: int, assignee_id: int, now: datetime) -> Sequence[TaskStamp]:
        query = (select(*_TASK_COLUMNS)
                 .where(_T.assignee_id == assignee_id, _T.done_at.is_(None), _T.due_at < now)
                 .order_by(_T.due_at, _T.id))
        return [_task_stamp(r) for r in self._session.execute(query) if r.team_id == team_id]

    def people_with_work(self, team_id: int, now: datetime) -> Sequence[int]:
        owners = select(_D.owner_id.label("member_id")).where(_D.team_id == team_id, _D.status == _OPEN)
        overdue = select(_T.assignee_id.label("member_id")).where(
            _T.team_id == team_id, _T.done_at.is_(None), _T.due_at < now)
        both = union(owners, overdue).subquery()
        return sorted(self._session.scalars(select(both.c.member_id).distinct()))

    def figures(self, team_id: int, start: datetime, end: datetime,
                stale_before: dict[str, datetime]) -> TeamFigures:
        figures = TeamFigures()
        in_team = _D.team_id == team_id
        figures.new_deals = self._count(select(func.count()).where(in_team, _D.created_at >= start,
                                                                   _D.created_at < end))
        closed = (select(_D.status, _D.currency, func.count(), func.sum(_D.amount))
                  .where(in_team, _D.closed_at >= start, _D.closed_at < end, _D.status != _OPEN)
                  .group_by(_D.status, _D.currency))
        for status, currency, count, amount in self._session.execute(closed):
            if status == DealStatus.WON:
                figures.won += count
                if amount is not None:
                    figures.won_amount[currency] = figures.won_amount.get(currency, 0) + amount
            else:
                figures.lost += count
        opened = (select(_D.currency, func.count(), func.sum(_D.amount))
                  .where(in_team, _D.status == _OPEN).group_by(_D.currency))
        for currency, count, amount in self._session.execute(opened):
            figures.open_deals += count
            if amount is not None:
                figures.open_amount[currency] = amount
        sc = t.stage_changes.c  # a change carries its deal's team (migration 0008): no join
        figures.stage_moves = self._count(
            select(func.count()).where(sc.team_id == team_id, sc.from_stage.is_not(None), sc.at >= start, sc.at < end))
        if stale_before:
            stale = or_(*(and_(_D.stage == stage, _D.stage_entered_at < cutoff)
                          for stage, cutoff in stale_before.items()))
            figures.stale = self._count(select(func.count()).where(in_team, _D.status == _OPEN, stale))
        figures.overdue_tasks = self._count(select(func.count()).where(
            _T.team_id == team_id, _T.done_at.is_(None), _T.due_at < end))
        return figures

    def _count(self, query) -> int:
        return int(self._session.execute(query).scalar() or 0)

    def mark(self, name: str) -> datetime | None:
        return self._session.execute(select(t.scan_marks.c.at).where(t.scan_marks.c.name == name)).scalar()

    def set_mark(self, name: str, at: datetime) -> None:
        marks = t.scan_marks.c
        insert = dialect_insert(self._session, t.scan_marks).values(name=name, at=at)
        self._session.execute(insert.on_conflict_do_update(
            index_elements=["name"], set_={"at": insert.excluded.at}, where=marks.at < insert.excluded.at))
