"""Dates in chat text: due dates and close dates, in English and Chinese, in the member's zone.

`now` is always passed in (core reads no clock); `tz` is the member's IANA zone. The rules:

- A day without a time is due at 17:00, the end of the working day (`has_time` is False).
  "by Friday", "before Friday", 周五前 and 下周三之前 mean that day at 17:00 too.
- Prefer the future where the words allow it: a bare weekday is the next one from today on
  (today only while its moment is still ahead), a bare time the next such clock time, a month
  and day without a year this year's unless already past, 15号 this month's unless past.
- "next Friday" / 下周五 is the Friday of next week (weeks start on Monday), so on a Wednesday it
  is nine days away; "Friday", "this Friday" and 周五 are the coming one. 本周一 / 这周一 is this
  week's Monday even when it is already past: the member named the week, so we do not move it.
- "next week" / 下周 is next Monday; in running text "next month" / 下个月 / 月初 / 下月初 is the 1st
  of next month (a next step), but a whole value naming a month, quarter or year from today
  (`close:next month`, `due:本月`, `close:this quarter`) is its last day (core.language.dates.values);
  "end of week" / EOW this week's Friday; "today" and "EOD" are today at 17:00 even after 17:00.
- Parts of the day without a clock time mean their start: morning 09:00, noon 12:00, afternoon
  14:00, evening / tonight 20:00 (上午/早上, 中午, 下午, 晚上 alike; 傍晚 18:00).
- 1点-6点 with no 上午/下午 is the afternoon (明天3点 = 15:00). A clock time with no day must be
  unmistakable (下午3点, 15:00, 3点半, 3点前, 3pm): a bare 3点 is also "three points" and 一点 "a bit".
- 3/10 is month/day (March 10th, this year's unless past), read after a preposition or before a
  time in English (on 3/10, by 3/9, 3/10 3pm: 1/2 alone is a fraction) and after a Chinese character or before 前 / 号 in
  Chinese (我3/10之前); 本周内 / 这周之内 is this week's Friday; chat's "b4" is "before".
- Our rules do not read past references (上周五, "last Friday", 3天前): a date found in a chat
  message is a next step. parse_date leaves them to dateparser (a close date may be past).

English is spotted with our own regexes; the relative forms are resolved by our rules, because
dateparser reads them against ours (a date-only "tomorrow" keeps the current clock time, "3pm"
at 10:00 becomes tomorrow, "Wednesday" on a Wednesday becomes next week, "end of month" and
"EOD" are not understood). Month-name dates go to dateparser. Chinese is in core.language.dates.zh and
never calls dateparser. parse_date falls back to dateparser for whole values our rules don't read
("15/03/2026", "2 weeks from now").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dateparser

from core.language.dates.values import period_end, whole_value
from core.language.dates.zh import (
    Hit,
    Roll,
    add_months,
    add_working_days,
    after,
    at,
    day_of_month,
    find_zh,
    month_end,
    month_start,
    next_day,
    next_month_end,
    next_week,
    next_year,
    settle,
    time_after,
    weekday_of_week,
    without_group_names,
)


@dataclass(frozen=True)
class DateMatch:
    """A date expression found in text: what it means and where it is."""

    when: datetime  # timezone-aware, in the zone passed in
    start: int  # span of the date expression in the searched text
    end: int
    has_time: bool  # False when only a day was given (then `when` is that day at 17:00)


# One cheap regex: every expression find_date reads contains one of these anchors (English ones
# at a word start), and so do slashed dates (15/03/2026) that only parse_date reads. The checks
# before each alternation make most positions fail at once. 内 counts only after the units that
# take it (3天内, 30分钟内, 两个钟头以内): alone it is mostly 内部 (internal). The leading class
# holds every first character of the alternatives, so a position that starts none of them fails
# on one test (this runs on every captured message).
_HINT = re.compile(
    r"(?=[今明后周期拜月年号日点點时時午:：班天钟头0-9acdefhjmnostwACDEFHJMNOSTW])"
    r"(?:[今明后周期拜月年号日点點时時:：班]|午[之以]?前|[天钟头][以之]?内|[0-9](?:\s*[apAP]\.?[mM]|[0-9]{3}[-/.][0-9]|/[0-9]"
    r"|[0-9]?(?:st|nd|rd|th)\b|mor)"
    # today tonight tomorrow tmr tue thu, day dec, mon(day) morn(ing) mid min mar may, noon night nov,
    # aft(ernoon) apr aug, even(ing) eod eow eom, cob, hour hr, week wed, fri feb, sat sun sep,
    # jan jun jul, oct: grouped by first letter, so a word start tries one branch, not forty.
    r"|(?<![A-Za-z])(?i:t(?:o[dnm]|mr|ue|hu)|d(?:ay|ec)|m(?:o(?:n|rn)|i[dn]|a[ry])|n(?:oon|ight|ov)"
    r"|a(?:ft|pr|ug)|e(?:ven|o[dwm])|cob|h(?:our|r)|we(?:ek|d)|f(?:ri|eb)|s(?:at|un|ep)|j(?:an|u[nl])|oct))"
)
_LOOKS_LIKE_DATE = re.compile(r"[0-9][/.\-][0-9]")
_MAX_VALUE_LENGTH = 120  # a whole date value is short; longer text is not one
_DATEPARSER_LANGUAGES = ["en", "zh"]


def has_date_hint(text: str) -> bool:
    """False means find_date would surely return None, so chat messages skip date parsing."""
    return isinstance(text, str) and _HINT.search(text) is not None


def find_date(text: str, now: datetime, tz: str) -> DateMatch | None:
    """The first date expression inside free text, with its span."""
    local_now = _local_now(now, tz)
    if local_now is None or not has_date_hint(text):
        return None
    return _to_match(_first_hit(text, local_now, lenient=False))


def parse_date(text: str, now: datetime, tz: str, *, fallback: bool = True) -> datetime | None:
    """The whole text (stripped) as one date expression; None if it is not one.

    Our rules first, then the whole-value rules (core.language.dates.values: a month alone, the end of a
    quarter); with `fallback`, dateparser for what neither reads. Without it only our own rules
    answer: an option's value is extended over the following words with those (core.language.parser), so
    that dateparser's guesses never swallow the words after a date.
    """
    local_now = _local_now(now, tz)
    if local_now is None or not isinstance(text, str):
        return None
    value = text.strip().rstrip(".。!！")
    if not value or len(value) > _MAX_VALUE_LENGTH:
        return None
    named_period = period_end(value, local_now)  # "this month" as a value: its end, not today
    if named_period is not None:
        return named_period
    hit = _first_hit(value, local_now, lenient=True)
    if hit and hit.start == 0 and hit.end == len(value):
        return hit.when
    shaped, slash = _slash_date(value, local_now)
    if shaped:
        return slash
    whole = _whole_value(value, local_now)
    if whole is not None:
        return whole
    if fallback and (has_date_hint(value) or _LOOKS_LIKE_DATE.search(value)):
        return _dateparser_value(value, local_now)
    return None


def _slash_date(value: str, now: datetime) -> tuple[bool, datetime | None]:
    """A whole value shaped like 3/15, 15/3, 3/15/2027 (a time may follow: 3/15 10am): whether
    it has that shape, and the moment, or None when no month and day read so (13/45: dateparser
    guessed 13 Dec 2045). Month first, as dateparser reads it; day first only when the first
    number cannot be a month. Without a year: this year's, or next year's once past."""
    found = _SLASH_DATE.fullmatch(value)
    if found is None:
        return False, None
    first, second = int(found["a"]), int(found["b"])
    month, day = (first, second) if first <= 12 else (second, first)
    minutes = _clock(found["time"]) if found["time"] else None
    if found["time"] and minutes is None:
        return True, None
    year = int(found["year"]) if found["year"] else now.year
    try:
        when = at(date(year, month, day), minutes, now)
        if not found["year"] and when <= now:
            when = at(date(year + 1, month, day), minutes, now)
    except ValueError:  # 2/30, 13/13, or 2/29 of a year without one
        return True, None
    return True, when


def _whole_value(value: str, now: datetime) -> datetime | None:
    try:
        return whole_value(value, now)
    except (ValueError, OverflowError):  # a year beyond 9999
        return None


def format_when(dt: datetime, lang: str, has_time: bool = True, now: datetime | None = None) -> str:
    """en "Fri 6 Mar 17:00", zh "3月6日 周五 17:00"; a date in another year than `now`'s shows its
    year (en "Mon 1 Mar 2027 17:00", zh "2027年3月1日 周一 17:00"). Without `now` the year is shown."""
    clock = f" {dt:%H:%M}" if has_time else ""
    show_year = now is None or _local_year(now, dt) != dt.year
    if lang.lower().startswith("zh"):
        year = f"{dt.year}年" if show_year else ""
        return f"{year}{dt.month}月{dt.day}日 周{'一二三四五六日'[dt.weekday()]}{clock}"
    year = f" {dt.year}" if show_year else ""
    return (
        f"{_WEEKDAY_NAMES[dt.weekday()][:3].title()} {dt.day} {_MONTH_NAMES[dt.month - 1]}{year}{clock}"
    )


def _local_year(now: datetime, dt: datetime) -> int:
    return now.astimezone(dt.tzinfo).year if now.tzinfo and dt.tzinfo else now.year


def warm_up() -> None:
    """dateparser loads language data and builds parsers on first use (~0.2 s): pay at start-up.

    Both ways we call it (English month names, and parse_date's fallback) are warmed.
    """
    some_moment = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("UTC"))
    _month_name_day("15 March", some_moment)
    _dateparser_value("15/03/2026", some_moment)


def _local_now(now: datetime, tz: str) -> datetime | None:
    """`now` in the member's zone (a naive `now` is taken to be in it already)."""
    try:
        zone = ZoneInfo(tz)
    except (ValueError, KeyError, TypeError, OSError):  # unknown or malformed zone name
        return None
    if not isinstance(now, datetime):
        return None
    try:
        return now.astimezone(zone) if now.tzinfo else now.replace(tzinfo=zone)
    except OverflowError:  # a `now` at the very edge of the datetime range
        return None


def _to_match(hit: Hit | None) -> DateMatch | None:
    return hit and DateMatch(hit.when, hit.start, hit.end, hit.has_time)


def _first_hit(text: str, now: datetime, lenient: bool) -> Hit | None:
    """The earliest of the first Chinese and the first English expression (the longer on a tie)."""
    zh = find_zh(text, now)
    hits = [hit for hit in (zh, _find_en(text, now, lenient)) if hit]
    first = min(hits, key=lambda hit: (hit.start, -hit.end), default=None)
    return _with_en_time(text, now, first) if first is not None and first is zh else first


def _with_en_time(text: str, now: datetime, hit: Hit) -> Hit:
    """明天3pm: a Chinese day with no time of its own, then an English clock time."""
    if hit.has_time:
        return hit
    found = _EN_TIME_AT.match(text, hit.end)
    minutes = _clock(found["time"]) if found else None
    if found is None or minutes is None:
        return hit
    return Hit(hit.start, found.end(), at(hit.when.date(), minutes, now), True)


# ---- English ----------------------------------------------------------------------------------

_WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_WEEKDAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun)"
)
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_NUMBER_NAMES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_NUMBER_WORDS = {"a": 1, "an": 1} | {name: n for n, name in enumerate(_NUMBER_NAMES, start=1)}
_COUNT = rf"(?:[0-9]{{1,3}}|an?|{'|'.join(_NUMBER_NAMES)}|(?:a\s+)?couple(?:\s+of)?|half\s+an?)"
_TIME = r"(?:[0-9]{1,2}(?::[0-9]{2})?\s*[ap]\.?m\.?|[0-9]{1,2}:[0-9]{2}|noon|midday|midnight)"
_PART_OF_DAY = r"(?:morning|afternoon|evening|night)"
_OPTIONAL_WEEKDAY = rf"(?:{_WEEKDAY}\.?,?\s+)?"
_DAY_NUMBER = r"[0-9]{1,2}(?:st|nd|rd|th)?"
_OPTIONAL_YEAR = r"(?:,?\s+[0-9]{4}(?![0-9:]))?"
_YEAR = re.compile(r"[0-9]{4}")
_REL_DAY = r"(?:today|tomorrow|tmrw|tmr|2moro|2morrow)"
_DAY = "|".join(
    [
        # (Fri) March 6(th)(, 2026) and (Fri) 6(th) (of) March(, 2026)
        rf"{_OPTIONAL_WEEKDAY}{_MONTH}\.?\s+{_DAY_NUMBER}{_OPTIONAL_YEAR}",
        rf"{_OPTIONAL_WEEKDAY}{_DAY_NUMBER}\s+(?:of\s+)?{_MONTH}\.?{_OPTIONAL_YEAR}",
        r"(?P<iso>[0-9]{4})[-/.](?P<iso_month>[0-9]{1,2})[-/.](?P<iso_day>[0-9]{1,2})",
        # on 3/10, by 3/9: month/day after a preposition only (1/2 alone is a fraction)
        r"(?<![0-9/])(?P<md_month>1[0-2]|0?[1-9])/(?P<md_day>3[01]|[12][0-9]|0?[1-9])(?![0-9/])",
        # COB Thursday, EOD tomorrow, first thing Monday: the edge of a named day
        rf"(?P<edge>cob|eod|close\s+of\s+business|end\s+of\s+(?:the\s+)?(?:business\s+)?day"
        rf"|first\s+thing)\s+(?:on\s+)?(?P<edge_day>{_REL_DAY}|(?:next\s+)?{_WEEKDAY}\.?(?:\s+next\s+week)?)",
        r"(?P<rel>(?:the\s+)?day\s+after\s+tomorrow|today|tonight|tomorrow|tmrw|tmr|2moro|2morrow|eod|cob"
        r"|end\s+of\s+(?:the\s+)?(?:business\s+)?day"
        r"|this\s+(?P<rel_part>morning|afternoon|evening))",
        r"(?P<span>next\s+(?P<next>week|month)|eo(?P<end_short>[wm])"
        r"|end\s+of\s+(?:the\s+)?(?P<end_next>next\s+)?(?:this\s+)?(?P<end>week|month))",
        rf"(?:(?P<wk_prefix>this\s+coming|this|next|coming)\s+)?(?P<wk>{_WEEKDAY})\.?"
        r"(?P<wk_next>\s+next\s+week)?",  # Wed next week: next week's Wednesday
        # the 15th, on the 9th: this month's, else next month's
        r"the\s+(?P<ordinal>[0-9]{1,2})(?:st|nd|rd|th)(?!\s+(?:of\s+(?:the|this|our|my|your)|floor|time|round"
        r"|version|edition|place|item|page|row|line|point|step|person|anniversary|century)\b)",
        rf"(?:(?:in|within)\s+(?P<in_count>{_COUNT})\s+(?P<in_work>(?:working|business)\s+)?"
        r"(?P<in_unit>day|week|month)s?"
        rf"|(?P<later_count>{_COUNT})\s+(?P<later_unit>day|week|month)s?"
        r"\s+(?:from\s+(?:now|today)|later))",
    ]
)
_HOURS = (
    rf"(?:(?:in|within)\s+(?P<count>{_COUNT})\s+(?P<unit>minute|min|hour|hr)s?"
    rf"|(?P<count2>{_COUNT})\s+(?P<unit2>minute|min|hour|hr)s?\s+(?:from\s+now|later))"
)
_CLOCK_PART = re.compile(
    r"(?P<h>[0-9]{1,2})(?::(?P<m>[0-9]{2}))?\s*(?:(?P<ampm>[ap])\.?m\.?)?"
    r"|(?P<noon>noon|midday)|(?P<midnight>midnight)",
    re.IGNORECASE,
)
_PART_START = {"morning": 9 * 60, "afternoon": 14 * 60, "evening": 20 * 60, "night": 20 * 60}


_EN_SCANNER = re.compile(
    r"(?<![A-Za-z0-9])(?=[A-Za-z0-9])"  # fail fast at every other position, e.g. in Chinese text
    r"(?<!last\s)"  # "last Friday" is behind us, not the coming Friday
    r"(?P<prep>(?:due\s+)?(?:by|before|b4|until|till|on|at)\s+|due\s+)?"
    rf"(?:(?P<hours>{without_group_names(_HOURS)})"
    rf"|(?P<time_first>{_TIME})(?:\s*,\s*|\s+)(?:on\s+)?(?P<day_after>{without_group_names(_DAY)})"
    rf"|(?P<day>{without_group_names(_DAY)})(?:(?:\s*,\s*|\s+|T)(?:at\s+|@\s*)?"
    rf"(?P<time>{_TIME}|{_PART_OF_DAY}|eod|cob))?"
    rf"|(?P<alone>{_TIME}))(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_EN_DAY = re.compile(_DAY, re.IGNORECASE)
# A whole value 3/15, 15/3/2027, 3/15 10am (core.language.dates.text._slash_date): never in running
# text, where 24/7 and 50/50 are no dates.
_SLASH_DATE = re.compile(
    rf"(?P<a>[0-9]{{1,2}})/(?P<b>[0-9]{{1,2}})(?:/(?P<year>[0-9]{{4}}))?"
    rf"(?:(?:\s*,\s*|\s+)(?:at\s+|@\s*)?(?P<time>{_TIME}))?",
    re.IGNORECASE,
)
# An English clock time right after a Chinese day: 明天3pm, 下周一 10am.
_EN_TIME_AT = re.compile(rf"\s*(?:at\s+|@\s*)?(?P<time>{_TIME})(?![A-Za-z0-9])", re.IGNORECASE)
_EN_HOURS = re.compile(_HOURS, re.IGNORECASE)


def _find_en(text: str, now: datetime, lenient: bool) -> Hit | None:
    """The first English expression; `lenient` accepts a lone "sat" (the text is one value)."""
    for found in _EN_SCANNER.finditer(text):
        try:
            read = _read_en(text, found, now, lenient)
        except (ValueError, OverflowError):  # 2026-02-30, or a day beyond year 9999
            continue
        if read:
            return _with_zh_time(text, found, now, Hit(found.start(), found.end(), *read))
    return None


def _with_zh_time(text: str, found: re.Match[str], now: datetime, hit: Hit) -> Hit:
    """tomorrow 下午3点: an English day with no time of its own, then a Chinese time of day."""
    if not found["day"] or found["time"] or hit.has_time:
        return hit
    zh_time = time_after(text, hit.end)
    if zh_time is None:
        return hit
    minutes, has_time, end = zh_time
    return Hit(hit.start, end, at(hit.when.date(), minutes, now), has_time) if has_time else hit


def _read_en(
    text: str, found: re.Match[str], now: datetime, lenient: bool
) -> tuple[datetime, bool] | None:
    """The moment a scanned span means, and whether it names a time of day."""
    if found["hours"]:
        minutes = _hours_count(found["hours"])
        return None if minutes is None else (after(now, minutes), True)
    if found["alone"]:
        minutes = _clock(found["alone"])
        return None if minutes is None else (settle(now.date(), minutes, now, next_day), True)
    group = "day" if found["day"] else "day_after"
    day_part = _EN_DAY.fullmatch(text, found.start(group), found.end(group))
    assert day_part is not None  # the scan matched this span with the same rule
    time_text = found["time"] or found["time_first"]
    if _is_lone_abbreviation(day_part, found, time_text) and not lenient:
        return None
    if day_part["md_month"] and not found["prep"] and not time_text and not lenient:
        return None
    time_read = _en_time(time_text, day_part)
    day_read = _en_day(day_part, found[group], now)
    if time_read is None or day_read is None:
        return None
    (minutes, has_time), (day, roll) = time_read, day_read
    return settle(day, minutes, now, roll), has_time


def _is_lone_abbreviation(
    day_part: re.Match[str], found: re.Match[str], time_text: str | None
) -> bool:
    """A lone "sat", "wed" or "sun" is more likely a word than a day; "on Sat" is a day."""
    weekday = day_part["wk"]
    return bool(
        weekday
        and weekday.lower() not in _WEEKDAY_NAMES
        and not day_part["wk_prefix"]
        and not day_part["wk_next"]
        and not found["prep"]
        and not time_text
    )


def _en_time(time_text: str | None, day_part: re.Match[str]) -> tuple[int | None, bool] | None:
    """(minutes after midnight or None, has_time); None when the clock time is not valid."""
    if day_part["edge"]:  # first thing Monday: 09:00; COB / EOD Thursday: the day's 17:00
        return (9 * 60, True) if day_part["edge"].lower().startswith("first") else (None, False)
    if time_text is None:
        rel = (day_part["rel"] or "").lower()
        part = day_part["rel_part"] or ("evening" if rel == "tonight" else None)
        return (_PART_START[part.lower()], True) if part else (None, False)
    if time_text.lower() in ("eod", "cob"):
        return None, False
    if time_text.lower() in _PART_START:
        return _PART_START[time_text.lower()], True
    minutes = _clock(time_text)
    return None if minutes is None else (minutes, True)


def _clock(text: str) -> int | None:
    """3pm, 10:30 a.m., 15:00, noon, midnight (the end of that day) -> minutes after midnight."""
    clock = _CLOCK_PART.fullmatch(text)
    if clock is None:
        return None
    if clock["noon"] or clock["midnight"]:
        return 12 * 60 if clock["noon"] else 24 * 60
    hour, minute = int(clock["h"]), int(clock["m"] or 0)
    if clock["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if clock["ampm"].lower() == "p" else 0)
    return hour * 60 + minute if hour <= 23 and minute <= 59 else None


def _en_day(day_part: re.Match[str], span: str, now: datetime) -> tuple[date, Roll | None] | None:
    """The day a day part names, and how to move it on if that day (at its time) is past."""
    today = now.date()
    if day_part["edge"]:
        inner = _EN_DAY.fullmatch(day_part["edge_day"])
        return None if inner is None else _en_day(inner, day_part["edge_day"], now)
    if day_part["md_month"]:
        return date(today.year, int(day_part["md_month"]), int(day_part["md_day"])), next_year
    if day_part["ordinal"]:
        return day_of_month(int(day_part["ordinal"]), today)
    if day_part["wk"]:
        weekday = _weekday_index(day_part["wk"])
        if (day_part["wk_prefix"] or "").lower() == "next" or day_part["wk_next"]:
            return weekday_of_week(now, 1, weekday), None
        return weekday_of_week(now, 0, weekday), next_week  # "Friday", "this Friday": upcoming
    if day_part["iso"]:
        return date(
            int(day_part["iso"]), int(day_part["iso_month"]), int(day_part["iso_day"])
        ), None
    if day_part["rel"]:
        return today + timedelta(days=_rel_days_ahead(day_part["rel"])), None
    if day_part["span"]:
        return _en_span(day_part, now)
    if day_part["in_count"] or day_part["later_count"]:
        count = _count(day_part["in_count"] or day_part["later_count"])
        if day_part["in_work"] and count is not None and count == int(count) and day_part["in_unit"].lower() == "day":
            return add_working_days(today, int(count)), None  # within 3 working days
        return _days_later(today, count, (day_part["in_unit"] or day_part["later_unit"]).lower())
    return _month_name_day(span, now)


def _rel_days_ahead(rel: str) -> int:
    words = rel.lower().split()
    if "after" in words:  # (the) day after tomorrow
        return 2
    return 1 if words[0] in ("tomorrow", "tmr", "tmrw", "2moro", "2morrow") else 0


def _en_span(day_part: re.Match[str], now: datetime) -> tuple[date, Roll | None]:
    """next week (its Monday), next month (its 1st), end of (next) week (Friday) or month."""
    if day_part["next"]:
        if day_part["next"].lower() == "week":
            return weekday_of_week(now, 1, 0), None
        return month_start(now.date(), 1), None
    unit = (day_part["end"] or day_part["end_short"]).lower()
    if day_part["end_next"]:
        if unit.startswith("w"):
            return weekday_of_week(now, 1, 4), None
        return month_end(month_start(now.date(), 1)), None
    if unit.startswith("w"):
        return weekday_of_week(now, 0, 4), next_week
    return month_end(now.date()), next_month_end


def _days_later(today: date, count: float | None, unit: str) -> tuple[date, None] | None:
    """in 3 days, in 2 weeks, in a month; "in half a day" is not a day."""
    if count is None or count != int(count):
        return None
    if unit == "month":
        return add_months(today, int(count)), None
    return today + timedelta(days=int(count) * (7 if unit == "week" else 1)), None


def _hours_count(text: str) -> float | None:
    """in 2 hours, in half an hour, 30 minutes from now -> minutes."""
    part = _EN_HOURS.fullmatch(text)
    assert part is not None  # the scan matched this span with the same rule
    count = _count(part["count"] or part["count2"])
    unit = (part["unit"] or part["unit2"]).lower()
    return None if count is None else count * (60 if unit.startswith("h") else 1)


def _count(text: str) -> float | None:
    words = text.lower().split()
    if words[0].isdigit():
        return int(words[0])
    if "couple" in words:
        return 2
    if words[0] == "half":
        return 0.5
    return _NUMBER_WORDS.get(words[0])


def _weekday_index(word: str) -> int:
    prefix = word.lower()[:3]
    return next(i for i, name in enumerate(_WEEKDAY_NAMES) if name.startswith(prefix))


def _month_name_day(span: str, now: datetime) -> tuple[date, Roll | None] | None:
    """March 15, 15th of March, Fri 6 Mar, March 15, 2027: dateparser reads these well.

    Without a year it is this year's date, moved to next year when already past (settle does
    that); dateparser's own future preference would not keep a date later today in the future.
    """
    settings = {
        "PREFER_DATES_FROM": "current_period",
        "REQUIRE_PARTS": ["day", "month"],
        "RELATIVE_BASE": now.replace(tzinfo=None),
    }
    parsed = _call_dateparser(span, ["en"], settings)
    if parsed is None:
        return None
    if _YEAR.search(span):
        return parsed.date(), None
    return date(now.year, parsed.month, parsed.day), next_year


# ---- dateparser -------------------------------------------------------------------------------


def _call_dateparser(text: str, languages: list[str], settings: dict[str, Any]) -> datetime | None:
    try:
        return dateparser.parse(text, languages=languages, settings=settings)
    except Exception:  # a third-party parser on arbitrary chat text: never let it raise to us
        return None


_HAS_CLOCK = re.compile(
    r"[0-9][:：][0-9]|[0-9]\s*[apAP]\.?[mM]|[点點时時]|(?i:noon|midnight|hour|minute)"
)


def _dateparser_value(value: str, now: datetime) -> datetime | None:
    """A whole value our rules don't read ("15/03/2026", "Friday next week"); 17:00 if no time."""
    zone_name = str(now.tzinfo)
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "TIMEZONE": zone_name,
        "TO_TIMEZONE": zone_name,
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    parsed = _call_dateparser(value, _DATEPARSER_LANGUAGES, settings)
    if parsed is None:
        return None
    try:
        local = parsed.astimezone(now.tzinfo)
    except (ValueError, OverflowError):
        return None
    return local if _HAS_CLOCK.search(value) else at(local.date(), None, now)
