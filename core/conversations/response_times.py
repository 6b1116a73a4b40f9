"""Response time in captured chats (docs/design-notes.md "first response"), in working hours.

For every message from an external contact, the response time is the time until the next
message from a team member in the same chat, counting only working hours (the team's
`working_hours` on its working days, on the team's clock): a question asked on Friday at 17:00
and answered on Monday at 10:00 waited two working hours. Several customer messages before one
answer each wait until that answer. A message not answered yet has no response time; it is
"waiting", and after `response_nudge_hours` of working time its deal's owner gets one nudge.

The median is taken per team and per rep, the rep being the member who answered. Storage finds
the pairs (one indexed query); this module turns them into figures, so SQL needs no calendar.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from core.domain.worktime import WorkSettings

_DAY = timedelta(days=1)
_MAX_DAYS = 800  # a wait longer than two years is counted up to there; nothing real waits that long


@dataclass(frozen=True)
class ResponsePair:
    """A customer's message and the first team member's message after it in the same chat."""

    asked_at: datetime
    answered_at: datetime | None = None  # None: not answered yet
    answered_by: int | None = None  # the member who answered


@dataclass(frozen=True)
class Waiting:
    """The first of a customer's messages that no team member has answered yet, in one chat."""

    interaction_id: int
    platform: str
    chat_id: str
    message_id: str | None
    asked_at: datetime
    text: str
    author_name: str | None
    deal_id: int | None
    customer_id: int | None


@dataclass
class ResponseTimes:
    """Median response times in working hours (None when nothing was answered)."""

    team_median: float | None = None
    answered: int = 0
    unanswered: int = 0
    per_rep: dict[int, tuple[float, int]] = field(default_factory=dict)  # member -> (median, count)


def working_seconds(settings: WorkSettings, start: datetime, end: datetime) -> float:
    """Seconds of working hours in [start, end)."""
    if end <= start:
        return 0.0
    total = 0.0
    day, last = settings.local(start).date(), settings.local(end).date()
    if (last - day).days > _MAX_DAYS:
        last = day + timedelta(days=_MAX_DAYS)
    while day <= last:
        open_hours = _hours_of(settings, day)
        if open_hours is not None:
            opens, closes = open_hours
            overlap = _utc(min(closes, end)) - _utc(max(opens, start))
            total += max(0.0, overlap.total_seconds())
        day += _DAY
    return total


def working_hours_before(settings: WorkSettings, end: datetime, hours: float) -> datetime:
    """The latest moment from which `hours` of working time have passed by `end`."""
    remaining = timedelta(hours=hours)
    day = settings.local(end).date()
    for _ in range(_MAX_DAYS):
        open_hours = _hours_of(settings, day)
        if open_hours is not None and open_hours[0] < end:
            opens, closes = open_hours
            span = _utc(min(closes, end)) - _utc(opens)
            if remaining <= span:
                return (_utc(min(closes, end)) - remaining).astimezone(end.tzinfo)
            remaining -= span
        day -= _DAY
    return end - timedelta(days=_MAX_DAYS)


def response_times(pairs: Iterable[ResponsePair], settings: WorkSettings) -> ResponseTimes:
    result = ResponseTimes()
    every: list[float] = []
    by_rep: dict[int, list[float]] = {}
    for pair in pairs:
        if pair.answered_at is None:
            result.unanswered += 1
            continue
        hours = working_seconds(settings, pair.asked_at, pair.answered_at) / 3600
        every.append(hours)
        if pair.answered_by is not None:
            by_rep.setdefault(pair.answered_by, []).append(hours)
    result.answered = len(every)
    result.team_median = statistics.median(every) if every else None
    result.per_rep = {rep: (statistics.median(values), len(values)) for rep, values in sorted(by_rep.items())}
    return result


def waited_hours(settings: WorkSettings, waiting: Waiting, now: datetime) -> float:
    return working_seconds(settings, waiting.asked_at, now) / 3600


def format_hours(hours: float, lang: str) -> str:
    """1.5 h / 1.5 小时; under an hour in minutes (40 min / 40 分钟)."""
    if hours < 1:
        minutes = round(hours * 60)
        return f"{minutes} 分钟" if lang == "zh" else f"{minutes} min"
    shown = f"{hours:.1f}".rstrip("0").rstrip(".")
    return f"{shown} 小时" if lang == "zh" else f"{shown} h"


def _hours_of(settings: WorkSettings, day: date) -> tuple[datetime, datetime] | None:
    """When `day`'s working hours open and close; None on a day off."""
    if not settings.is_working_day(day):
        return None
    return settings.at(day, settings.working_start), settings.at(day, settings.working_end)


def _utc(moment: datetime) -> datetime:
    # Aware datetimes in the same zone subtract as wall clocks; UTC keeps DST days honest.
    return moment.astimezone(UTC)
