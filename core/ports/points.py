"""The ports of points (core.performance.points) and forecast calls (core.performance.forecast_calls)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from core.domain.model import AuditEntry
from core.performance.forecast_calls import ForecastCall
from core.performance.points import DealStart, PointRules, TaskTimes


class PointsRepository(Protocol):
    def rules(self, team_id: int) -> PointRules:
        """The team's rules (the defaults when it never set any)."""
        ...

    def put_rules(self, team_id: int, rules: PointRules) -> None: ...

    def entries(self, member_ids: Collection[int], start: datetime, end: datetime) -> Sequence[AuditEntry]:
        """The audit entries of core.performance.points.SCORED made by these members in [start,
        end), the awards to them (entity `member:<id>`) in it, and the members' `undo` entries up
        to core.performance.points.UNDO_WINDOW after `end`."""
        ...

    def task_times(self, task_ids: Collection[int]) -> Mapping[int, TaskTimes]: ...

    def deal_starts(self, deal_ids: Collection[int]) -> Mapping[int, DealStart]:
        """Each deal's creation and its first audited follow-up or move (core.performance.points.TOUCHES)."""
        ...


class ForecastCallRepository(Protocol):
    def add(self, call: ForecastCall) -> ForecastCall: ...

    def latest(self, deal_ids: Collection[int]) -> Mapping[int, ForecastCall]:
        """Each deal's latest call (its category now); deals never called are absent."""
        ...

    def for_deal(self, deal_id: int) -> Sequence[ForecastCall]:
        """Oldest first."""
        ...

    def remove(self, call_id: int) -> None:
        """A call taken back (`undo`): as if it was never made."""
        ...
