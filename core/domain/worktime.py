"""Working time: a team's working days, quiet hours and the hours its reminders keep.

Everything here is pure arithmetic on aware datetimes: callers pass `now` in, nothing reads a
clock. Local wall-clock time is computed in the zone the settings carry (the team's, or the
recipient's when a message is for one person), so "08:00" means 08:00 where the reader is.

Stored per team as the JSON `Team.settings` (every key optional):
    {"working_days": ["mon", "tue", "wed", "thu", "fri"], "quiet_hours": "21:00-08:00",
     "end_of_day": "18:00", "weekly_digest": "09:00", "escalation_days": 2,
     "catch_up_hours": 24, "task_lead_minutes": 0,
     "working_hours": "09:00-18:00", "response_nudge_hours": 4,
     "capture_retention_days": 365, "mask_contacts": false, "currency": "USD"}

Working hours (on working days) measure response time in captured chats; a customer waiting
longer than `response_nudge_hours` of them gets their deal's owner one nudge. Captured text
older than `capture_retention_days` is purged daily; `mask_contacts` stores captured text with
phone numbers and e-mail addresses masked. `currency` is the team's own (an ISO code): a number
typed without one is in it, and the figures report in it; unset, the install's DEALBOT_CURRENCY.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.domain.amounts import currency_code
from core.domain.calendar import in_zone

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = timedelta(days=1)


class SettingsError(ValueError):
    """A team setting that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class WorkSettings:
    timezone: str = "Asia/Shanghai"
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday is 0
    quiet_start: time = time(21)
    quiet_end: time = time(8)  # also "the morning": when held-back reminders go out
    end_of_day: time = time(18)  # the daily progress card
    weekly_digest: time = time(9)  # Monday, the weekly scorecard
    escalation_days: float = 2.0  # working days over the stage limit before managers hear of it
    catch_up: timedelta = timedelta(hours=24)  # older missed reminders fold into the daily card
    task_lead: timedelta = timedelta(0)  # an extra reminder this long before a task is due
    working_start: time = time(9)  # working hours: response times count only these
    working_end: time = time(18)
    response_nudge_hours: float = 4.0  # a customer waiting longer: one nudge to the owner
    capture_retention_days: int = 365  # captured chat text older than this is purged
    mask_contacts: bool = False  # store captured text with phones and e-mails masked
    currency: str | None = None  # the team's currency; None: the install's default

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def in_zone(self, timezone: str | None) -> WorkSettings:
        """The same rules read on another clock (a member's own time zone)."""
        return dataclasses.replace(self, timezone=timezone) if timezone else self

    # -- (de)serialisation ---------------------------------------------------------------------
    @classmethod
    def of(cls, timezone: str, stored: dict[str, Any] | None) -> WorkSettings:
        """A team's settings: its time zone plus whatever its JSON holds, defaults for the rest.

        A bad stored value must not stop every reminder of the team, so it falls back to the
        default; `parse` (used when an admin sets them) is the strict reader.
        """
        settings = cls(timezone=timezone)
        for key, value in (stored or {}).items():
            try:
                settings = settings.with_value(key, value)
            except SettingsError:
                continue
        return settings

    def with_value(self, key: str, value: object) -> WorkSettings:
        """A copy with one setting changed, read from its stored or typed form."""
        try:
            changes = _READERS[key](value)
        except KeyError:
            raise SettingsError(f"unknown setting {key!r}; known: {', '.join(_READERS)}") from None
        except (TypeError, ValueError) as exc:
            raise SettingsError(f"{key}: {exc}") from None
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "working_days": [DAY_NAMES[d] for d in sorted(self.working_days)],
            "quiet_hours": f"{self.quiet_start:%H:%M}-{self.quiet_end:%H:%M}",
            "end_of_day": f"{self.end_of_day:%H:%M}",
            "weekly_digest": f"{self.weekly_digest:%H:%M}",
            "escalation_days": self.escalation_days,
            "catch_up_hours": self.catch_up.total_seconds() / 3600,
            "task_lead_minutes": self.task_lead.total_seconds() / 60,
            "working_hours": f"{self.working_start:%H:%M}-{self.working_end:%H:%M}",
            "response_nudge_hours": self.response_nudge_hours,
            "capture_retention_days": self.capture_retention_days,
            "mask_contacts": self.mask_contacts,
            "currency": self.currency or "",
        }

    # -- questions about one moment ------------------------------------------------------------
    def local(self, moment: datetime) -> datetime:
        return in_zone(moment, self.zone)

    def at(self, day: date, clock: time) -> datetime:
        """That local day and clock time, as an aware datetime."""
        return datetime.combine(day, clock, tzinfo=self.zone)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_days

    def is_quiet(self, moment: datetime) -> bool:
        clock = self.local(moment).time()
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False
        if start < end:
            return start <= clock < end
        return clock >= start or clock < end

    def next_allowed(self, moment: datetime, *, working_days_only: bool = False) -> datetime:
        """The first moment from `moment` on that is outside quiet hours (and, if asked, on a
        working day): a reminder due at 23:00 waits for 08:00, one due on Saturday for Monday."""
        for _ in range(16):  # each step lands on a morning; a week has at most 7 of them
            local = self.local(moment)
            if working_days_only and not self.is_working_day(local.date()):
                moment = self.at(self._next_working_day(local.date()), self.quiet_end)
            elif self.is_quiet(moment):
                morning = local.date() if local.time() < self.quiet_end else local.date() + _DAY
                moment = self.at(morning, self.quiet_end)
            else:
                return moment
        return moment

    def _next_working_day(self, day: date) -> date:
        for _ in range(7):
            day += _DAY
            if self.is_working_day(day):
                return day
        return day

    # -- working time ---------------------------------------------------------------------------
    def add_working_days(self, start: datetime, days: float) -> datetime:
        """The moment when `days` whole days of working-day time have passed since `start`.

        Time on non-working days does not count, so two working days from Friday 10:00 is
        Tuesday 10:00, and from Saturday 15:00 it is Wednesday 00:00. Never decreasing in
        `start`, which lets the scheduler turn a window of results back into a window of starts.
        """
        return self._walk(start, timedelta(days=days), forward=True)

    def sub_working_days(self, end: datetime, days: float) -> datetime:
        """The latest start from which add_working_days reaches `end`."""
        return self._walk(end, timedelta(days=days), forward=False)

    def _walk(self, moment: datetime, remaining: timedelta, *, forward: bool) -> datetime:
        if not self.working_days:
            raise SettingsError("a team needs at least one working day")
        cursor = self.local(moment).replace(tzinfo=None)  # wall-clock arithmetic, day by day
        if not forward and not remaining and cursor.weekday() in self.working_days:
            # zero days from a working day's moment reach that moment: it is the latest start (at
            # a day's very start, the walk back would give the previous working day's end instead)
            return cursor.replace(tzinfo=self.zone)
        for _ in range(100_000):
            if forward:
                edge = datetime.combine(cursor.date() + _DAY, time())
                span, day = edge - cursor, cursor.date()
            else:
                start_of_day = datetime.combine(cursor.date(), time())
                edge = start_of_day if cursor > start_of_day else start_of_day - _DAY
                span, day = cursor - edge, edge.date()
            if day.weekday() in self.working_days:
                if remaining <= span:
                    wall = cursor + remaining if forward else cursor - remaining
                    return wall.replace(tzinfo=self.zone)
                remaining -= span
            cursor = edge
        raise SettingsError("working time out of range")

    # -- recurring moments ----------------------------------------------------------------------
    def end_of_days(self, after: datetime, until: datetime) -> list[datetime]:
        """The end-of-day moments of working days in (after, until], oldest first."""
        return [m for m in self._daily(after, until, self.end_of_day) if self.is_working_day(self.local(m).date())]

    def weekly_digests(self, after: datetime, until: datetime) -> list[datetime]:
        """Monday's scorecard moments in (after, until]."""
        return [m for m in self._daily(after, until, self.weekly_digest) if self.local(m).weekday() == 0]

    def _daily(self, after: datetime, until: datetime, clock: time) -> list[datetime]:
        day, last = self.local(after).date(), self.local(until).date()
        moments = []
        while day <= last:
            moment = self.at(day, clock)
            if after < moment <= until:
                moments.append(moment)
            day += _DAY
        return moments


def _clock(value: object) -> time:
    text = str(value).strip()
    hours, _, minutes = text.partition(":")
    if not (hours.isascii() and hours.isdigit() and len(hours) <= 2
            and (not minutes or (minutes.isascii() and minutes.isdigit() and len(minutes) == 2))):
        raise ValueError(f"{text[:20]!r} is not a time of day (e.g. 21:00)")
    if int(hours) > 23 or int(minutes or 0) > 59:
        raise ValueError(f"{text[:20]!r} is not a time of day (00:00 to 23:59)")
    return time(int(hours), int(minutes or 0))


def _days(value: object) -> frozenset[int]:
    if isinstance(value, str):
        names: list[object] = list(value.replace(",", " ").split())
    elif isinstance(value, Iterable):
        names = list(value)
    else:
        raise TypeError(f"{value!r} is not a list of days")
    days: set[int] = set()
    for name in names:
        name = str(name).strip().lower()[:3]
        if "-" in name or name not in DAY_NAMES:
            raise ValueError(f"{name!r} is not a day (mon … sun)")
        days.add(DAY_NAMES.index(name))
    if not days:
        raise ValueError("at least one working day")
    return frozenset(days)


def _day_range(value: object) -> frozenset[int]:
    """"mon-fri", "mon,tue,thu" or a list of names."""
    if isinstance(value, str) and "-" in value:
        first, _, last = value.lower().partition("-")
        for name in (first, last):
            if name.strip()[:3] not in DAY_NAMES:
                raise ValueError(f"{name.strip()[:20]!r} is not a day (mon … sun)")
        lo, hi = DAY_NAMES.index(first.strip()[:3]), DAY_NAMES.index(last.strip()[:3])
        return frozenset(range(lo, hi + 1)) if lo <= hi else frozenset([*range(lo, 7), *range(0, hi + 1)])
    return _days(value)


def _quiet(value: object) -> tuple[time, time]:
    start, _, end = str(value).partition("-")
    return _clock(start), _clock(end)


def _positive(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{str(value)[:20]!r} is not a number; must be between 0 and 10000") from None
    if not 0 <= number <= 10_000:
        raise ValueError("must be between 0 and 10000")
    return number


def _quiet_fields(value: object) -> dict[str, Any]:
    start, end = _quiet(value)
    return {"quiet_start": start, "quiet_end": end}


def _working_hours(value: object) -> dict[str, Any]:
    start, end = _quiet(value)
    if not start < end:
        raise ValueError("working hours run from an earlier to a later time of one day, e.g. 09:00-18:00")
    return {"working_start": start, "working_end": end}


def _retention_days(value: object) -> int:
    text = str(value).strip()
    days = int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else 0
    if not 1 <= days <= 36_500:
        raise ValueError("must be a whole number of days between 1 and 36500")
    return days


def _switch(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ("true", "on", "yes", "1"):
        return True
    if word in ("false", "off", "no", "0"):
        return False
    raise ValueError("must be on or off")


def _currency(value: object) -> str | None:
    """USD, usd, RMB (CNY), 美元; empty: none of its own."""
    text = str(value or "").strip()
    if not text:
        return None
    code = currency_code(text)
    if code is None:
        raise ValueError(f"{text!r} is not a currency; write a code such as USD, EUR or CNY")
    return code


def team_currency(stored: dict[str, Any] | None, default: str) -> str:
    """The currency a team's amounts are in when none is written: its setting, else `default`."""
    try:
        return _currency((stored or {}).get("currency")) or default
    except ValueError:  # a bad stored value must not stop the team's commands (see WorkSettings.of)
        return default


# setting name -> reader returning the dataclass fields it sets
_READERS: dict[str, Callable[[object], dict[str, Any]]] = {
    "working_days": lambda v: {"working_days": _day_range(v)},
    "quiet_hours": _quiet_fields,
    "end_of_day": lambda v: {"end_of_day": _clock(v)},
    "weekly_digest": lambda v: {"weekly_digest": _clock(v)},
    "escalation_days": lambda v: {"escalation_days": _positive(v)},
    "catch_up_hours": lambda v: {"catch_up": timedelta(hours=_positive(v))},
    "task_lead_minutes": lambda v: {"task_lead": timedelta(minutes=_positive(v))},
    "working_hours": _working_hours,
    "response_nudge_hours": lambda v: {"response_nudge_hours": _positive(v)},
    "capture_retention_days": lambda v: {"capture_retention_days": _retention_days(v)},
    "mask_contacts": lambda v: {"mask_contacts": _switch(v)},
    "currency": lambda v: {"currency": _currency(v)},
}
