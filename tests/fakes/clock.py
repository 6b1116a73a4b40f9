"""A clock the tests move by hand (core.ports.clock.Clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FixedClock:
    def __init__(self, now: datetime | None = None):
        self._now = now or datetime(2026, 3, 4, 2, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)

    def set(self, now: datetime) -> None:
        self._now = now
