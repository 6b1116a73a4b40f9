"""The ports of team performance: targets (core.performance.targets) and the answers to the daily
card (core.performance.daily_reply)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from core.performance.daily_reply import DailyUpdate
from core.performance.targets import Target


class TargetRepository(Protocol):
    def put(self, target: Target) -> Target | None:
        """Store the target, replacing the one with the same key (Target.key); the replaced one
        (as it was), or None when there was none."""
        ...

    def remove(self, target: Target) -> Target | None:
        """Remove the target with the same key; the removed one, or None."""
        ...

    def of_team(self, team_id: int, day: date | None = None) -> Sequence[Target]:
        """The team's targets (its members' and its own), those whose period holds `day` when
        given; by period, then team before members, then member id, then metric."""
        ...


class DailyUpdateRepository(Protocol):
    """Answers to the daily card and their proposals (core.performance.daily_reply)."""

    def add(self, update: DailyUpdate) -> DailyUpdate:
        """Store a new update; it gets its id."""
        ...

    def get(self, update_id: int) -> DailyUpdate | None:
        ...

    def save(self, update: DailyUpdate) -> None:
        """Write the update's status, items and decision time."""
        ...
