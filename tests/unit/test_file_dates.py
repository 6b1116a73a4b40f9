"""Times in an imported file (core.files.file_dates): chat's ways of writing a date, when they name their year
and can be read one way only."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.files.file_dates import FileDateError, read_file_time

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("written", "meant"), [
    ("2027-01-05", datetime(2027, 1, 5)),
    ("2027-01-05T14:30:00+00:00", None),  # an offset wins over the zone (checked below)
    ("2027/1/5", datetime(2027, 1, 5)),
    ("2027.1.5", datetime(2027, 1, 5)),
    ("2027-1-5", datetime(2027, 1, 5)),
    ("2027-01-05 14:30", datetime(2027, 1, 5, 14, 30)),
    ("2027/1/5 14:30:15", datetime(2027, 1, 5, 14, 30, 15)),
    ("2027/1/5 2:30pm", datetime(2027, 1, 5, 14, 30)),
    ("2027/1/5 12am", datetime(2027, 1, 5, 0, 0)),
    ("2027年1月5日", datetime(2027, 1, 5)),
    ("2027年1月5号", datetime(2027, 1, 5)),
    ("2027 年 1 月 5 日 14:30", datetime(2027, 1, 5, 14, 30)),
    ("2027年1月5日下午3点", datetime(2027, 1, 5, 15, 0)),
    ("2027年1月5日上午10:30", datetime(2027, 1, 5, 10, 30)),
    ("2027年1月5日 15点30分", datetime(2027, 1, 5, 15, 30)),
    ("2027年1月5日 3点半", datetime(2027, 1, 5, 15, 30)),  # chat's rule: 3点 alone is the afternoon
    ("2027年1月5日晚上8点", datetime(2027, 1, 5, 20, 0)),
    ("2027年1月5日 9点", datetime(2027, 1, 5, 9, 0)),
    ("Jan 5, 2027", datetime(2027, 1, 5)),
    ("January 5th 2027 3pm", datetime(2027, 1, 5, 15, 0)),
    ("5 Jan 2027", datetime(2027, 1, 5)),
    ("25/12/2026", datetime(2026, 12, 25)),  # 25 cannot be a month
    ("12/25/2026", datetime(2026, 12, 25)),
    ("5.5.2027", datetime(2027, 5, 5)),  # either way the same day
])
def test_written_dates_are_read_in_the_teams_zone(written, meant):
    value = read_file_time(written, SHANGHAI)
    if meant is None:
        assert value == datetime(2027, 1, 5, 14, 30, tzinfo=ZoneInfo("UTC"))
    else:
        assert value == meant.replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(("written", "key"), [
    ("1/5/2027", "import.ambiguous_date"),
    ("05.01.2027", "import.ambiguous_date"),
    ("tomorrow", "import.bad_timestamp"),  # relative: the day of the import would change history
    ("明天", "import.bad_timestamp"),
    ("3月15号", "import.bad_timestamp"),  # no year
    ("next Friday", "import.bad_timestamp"),
    ("2027/1-5", "import.bad_timestamp"),
    ("Foo 5, 2027", "import.bad_timestamp"),
    ("2027/2/30", "import.no_such_time"),
    ("2027-02-30T10:00", "import.no_such_time"),
    ("2027/1/5 25:00", "import.no_such_time"),
    ("2027/1/5 13pm", "import.no_such_time"),
])
def test_what_is_not_one_day_is_refused_with_a_reason(written, key):
    with pytest.raises(FileDateError) as refused:
        read_file_time(written, SHANGHAI)
    assert refused.value.key == key


def test_an_ambiguous_date_spells_out_both_readings():
    with pytest.raises(FileDateError) as refused:
        read_file_time("1/5/2027", SHANGHAI)
    assert refused.value.params == {"value": "1/5/2027", "first": "2027-05-01", "second": "2027-01-05"}


def test_a_time_without_offset_needs_a_known_zone():
    with pytest.raises(FileDateError) as refused:
        read_file_time("2027/1/5", None)
    assert refused.value.key == "import.unknown_zone"
    assert read_file_time("2027-01-05T00:00:00+08:00", None) == datetime(2027, 1, 5, tzinfo=SHANGHAI)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31)))
def test_every_way_of_writing_a_time_reads_back_the_same(moment):
    moment = moment.replace(microsecond=0)
    y, mo, d, h, mi, s = moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second
    for written in (f"{y}/{mo}/{d} {h}:{mi:02}:{s:02}", f"{y}年{mo}月{d}日 {h}:{mi:02}:{s:02}",
                    f"{y}.{mo:02}.{d:02}T{h:02}:{mi:02}:{s:02}"):
        assert read_file_time(written, SHANGHAI) == moment.replace(tzinfo=SHANGHAI)


@given(st.text(max_size=30))
def test_any_text_is_a_time_or_a_reason(text):
    try:
        read_file_time(text, SHANGHAI)
    except FileDateError as refused:
        assert refused.key.startswith("import.")
