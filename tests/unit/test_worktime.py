"""Working days, quiet hours and working time (core.domain.worktime)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.worktime import SettingsError, WorkSettings

SH = ZoneInfo("Asia/Shanghai")
DEFAULT = WorkSettings()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)  # 2 March 2026 is a Monday


@pytest.mark.parametrize(("moment", "working_days_only", "expected"), [
    (at(4, 10), False, at(4, 10)),  # Wednesday morning: now
    (at(4, 21), False, at(5, 8)),  # quiet from 21:00
    (at(5, 7, 59), False, at(5, 8)),
    (at(7, 10), False, at(7, 10)),  # Saturday, if the day does not matter
    (at(7, 10), True, at(9, 8)),  # ... else Monday morning
    (at(6, 22), True, at(9, 8)),  # Friday night
    (at(9, 8), True, at(9, 8)),
])
def test_next_allowed(moment, working_days_only, expected):
    assert DEFAULT.next_allowed(moment, working_days_only=working_days_only) == expected


def test_quiet_hours_within_one_day_and_none():
    lunch = WorkSettings(quiet_start=time(12), quiet_end=time(13))
    assert lunch.next_allowed(at(4, 12, 30)) == at(4, 13)
    assert lunch.next_allowed(at(4, 23)) == at(4, 23)
    never = WorkSettings(quiet_start=time(0), quiet_end=time(0))
    assert never.next_allowed(at(4, 3)) == at(4, 3)


def test_quiet_hours_are_read_on_the_readers_clock():
    berlin = DEFAULT.in_zone("Europe/Berlin")
    ten_pm_shanghai = at(4, 22)  # 15:00 in Berlin
    assert berlin.next_allowed(ten_pm_shanghai) == ten_pm_shanghai
    assert DEFAULT.next_allowed(ten_pm_shanghai) == at(5, 8)


@pytest.mark.parametrize(("start", "days", "end"), [
    (at(6, 10), 2, at(10, 10)),  # Friday 10:00 + 2 working days = Tuesday 10:00
    (at(7, 15), 2, at(11, 0)),  # from Saturday: Monday and Tuesday count
    (at(2, 9), 0.5, at(2, 21)),
    (at(4, 9), 2, at(6, 9)),
])
def test_working_days(start, days, end):
    assert DEFAULT.add_working_days(start, days) == end
    assert DEFAULT.add_working_days(DEFAULT.sub_working_days(end, days), days) == end


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
       st.floats(min_value=0, max_value=10), st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "UTC"]))
def test_sub_working_days_inverts_add(moment, days, zone):
    rules = WorkSettings(timezone=zone)
    start = moment.replace(tzinfo=UTC)
    end = rules.add_working_days(start, days)
    back = rules.sub_working_days(end, days)
    assert back >= start - timedelta(seconds=1) or not rules.is_working_day(rules.local(start).date())
    assert abs((rules.add_working_days(back, days) - end).total_seconds()) < 1


def test_end_of_days_skip_the_weekend_and_weekly_is_monday():
    assert DEFAULT.end_of_days(at(6, 0), at(10, 0)) == [at(6, 18), at(9, 18)]
    assert DEFAULT.weekly_digests(at(2, 9), at(16, 9)) == [at(9, 9), at(16, 9)]  # (after, until]


def test_settings_from_json_fall_back_on_bad_values_and_parse_strictly_when_typed():
    settings = WorkSettings.of("UTC", {"quiet_hours": "nonsense", "end_of_day": "17:30", "x": 1})
    assert settings.quiet_start == time(21) and settings.end_of_day == time(17, 30)
    assert WorkSettings.of("UTC", settings.to_dict()) == settings
    for key, value in [("quiet_hours", "9"), ("working_days", "noday"), ("escalation_days", "-1"), ("x", 1)]:
        with pytest.raises(SettingsError):
            DEFAULT.with_value(key, value)
    assert DEFAULT.with_value("working_days", "sun-thu").working_days == frozenset({6, 0, 1, 2, 3})
