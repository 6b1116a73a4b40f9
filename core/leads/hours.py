"""Working hours forward: when a first-contact limit of N working hours runs out.

The team's working hours on its working days (core.domain.worktime.WorkSettings), on its clock:
an offer made on Friday at 17:30 with two working hours has until Monday 10:30 (09:00-18:00).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.domain.worktime import WorkSettings

_DAY = timedelta(days=1)
_MAX_DAYS = 800


def add_working_hours(settings: WorkSettings, start: datetime, hours: float) -> datetime:
    """The moment `hours` of working time after `start` (UTC)."""
    remaining = timedelta(hours=hours)
    day = settings.local(start).date()
    for _ in range(_MAX_DAYS):
        if settings.is_working_day(day):
            opens = settings.at(day, settings.working_start).astimezone(UTC)
            closes = settings.at(day, settings.working_end).astimezone(UTC)
            begin = max(opens, start.astimezone(UTC))
            if begin < closes:
                if remaining <= closes - begin:
                    return begin + remaining
                remaining -= closes - begin
        day += _DAY
    return start.astimezone(UTC) + timedelta(days=_MAX_DAYS)
