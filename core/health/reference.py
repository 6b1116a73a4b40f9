"""The health board's aggregates in plain Python, one loop each: the definition storage/health.py
is tested against (tests/storage/test_health_property.py), and the HealthData of the in-memory
fake unit of work. It reads whole tables: for tests and small data only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from core.domain.model import Deal, DealStatus, Interaction, StageChange
from core.domain.pipeline import LOST, WON
from core.health.feedback import Complaint, Satisfaction
from core.ports.health import Touch


def _window(moment: datetime, bounds: Sequence[datetime]) -> int | None:
    for i, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
        if start <= moment < end:
            return i
    return None


class ReferenceHealth:
    def __init__(self, deals: Callable[[], Iterable[Deal]], changes: Callable[[], Iterable[StageChange]],
                 interactions: Callable[[], Iterable[Interaction]], scores: Callable[[], Iterable[Satisfaction]],
                 complaints: Callable[[], Iterable[Complaint]]):
        self._deals, self._changes, self._interactions = deals, changes, interactions
        self._scores, self._complaints = scores, complaints

    def scores(self, team_id: int, bounds: Sequence[datetime]) -> list[tuple[int, int]]:
        sums = [[0, 0] for _ in bounds[1:]]
        for score in self._scores():
            i = _window(score.recorded_at, bounds) if score.team_id == team_id else None
            if i is not None:
                sums[i][0] += score.score
                sums[i][1] += 1
        return [(total, count) for total, count in sums]

    def complaints(self, team_id: int, bounds: Sequence[datetime]) -> list[int]:
        """Per week: the served customers (as `served` at the week's end) who complained in it."""
        served = self._served_customers(team_id, bounds[1:])
        found: list[set[int]] = [set() for _ in bounds[1:]]
        for complaint in self._complaints():
            i = _window(complaint.logged_at, bounds) if complaint.team_id == team_id else None
            if i is not None and complaint.customer_id in served[i]:
                found[i].add(complaint.customer_id)
        return [len(customers) for customers in found]

    def _served_customers(self, team_id: int, moments: Sequence[datetime]) -> list[set[int]]:
        won = [d for d in self._deals() if d.team_id == team_id and d.status == DealStatus.WON
               and d.closed_at is not None]
        return [{d.customer_id for d in won if d.closed_at is not None and d.closed_at < moment}
                for moment in moments]

    def served(self, team_id: int, moments: Sequence[datetime]) -> list[int]:
        return [len(customers) for customers in self._served_customers(team_id, moments)]

    def touches(self, team_id: int, at: datetime) -> list[Touch]:
        history: dict[int, list[StageChange]] = defaultdict(list)
        for change in sorted(self._changes(), key=lambda c: (c.at, c.id or 0)):
            if change.at < at:
                history[change.deal_id].append(change)
        followed: dict[int, datetime] = {}
        for note in self._interactions():
            if note.deal_id is not None and note.deleted_at is None and note.occurred_at < at:
                followed[note.deal_id] = max(followed.get(note.deal_id, note.occurred_at), note.occurred_at)
        found = []
        for deal in sorted(self._deals(), key=lambda d: d.saved_id):
            before = history.get(deal.saved_id)
            if deal.team_id != team_id or deal.created_at >= at or not before:
                continue
            if deal.status != DealStatus.OPEN and (deal.closed_at is None or deal.closed_at < at):
                continue  # closed before `at` (as its row says now)
            last = before[-1]
            if last.to_stage not in (WON, LOST):
                found.append(Touch(deal.saved_id, last.to_stage, last.at, followed.get(deal.saved_id)))
        return found
