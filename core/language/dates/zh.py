"""Chinese date expressions, read by our own rules (core.language.dates.text is the public API).

dateparser 1.5 returns nothing for 下周五, 本周五, 明天下午3点, 明天15点, 后天上午10点, 三天后,
两周后 and 3月15号, and reads 明天下午 as "tomorrow at the current time". So Chinese never goes to
dateparser: a scanner regex finds a candidate span, small regexes read its parts, and the calendar
helpers below turn the parts into a moment, preferring the future.

The calendar helpers are shared with the English rules in core.language.dates.text; they live here so that this
module imports nothing from core.language.dates.text (which imports it). All moments are aware datetimes in the
zone of `now`, which the caller has already converted to the member's timezone.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

END_OF_DAY = 17 * 60  # minutes after midnight: a date without a time is due at 17:00

Roll = Callable[[date], date]  # the next candidate day when the first one is already past


class Hit(NamedTuple):
    start: int
    end: int
    when: datetime
    has_time: bool


# ---- calendar arithmetic (shared with the English rules) -------------------------------------


def at(day: date, minutes: int | None, now: datetime) -> datetime:
    """`day` at `minutes` after midnight (24:00 is the next midnight), or at 17:00 when None."""
    start = datetime.combine(day, time(), tzinfo=now.tzinfo)
    return start + timedelta(minutes=END_OF_DAY if minutes is None else minutes)


def settle(day: date, minutes: int | None, now: datetime, roll: Roll | None = None) -> datetime:
    """The moment on `day`; if it is not in the future and the words allow it, the next one."""
    when = at(day, minutes, now)
    return at(roll(day), minutes, now) if roll and when <= now else when


def after(now: datetime, minutes: float) -> datetime:
    """An exact moment `minutes` from now, counted in real time across DST changes."""
    moment = now.astimezone(UTC) + timedelta(minutes=minutes)
    return moment.astimezone(now.tzinfo)


def next_week(day: date) -> date:
    return day + timedelta(days=7)


def next_day(day: date) -> date:
    return day + timedelta(days=1)


def next_year(day: date) -> date:
    return day.replace(year=day.year + 1)


def next_month_end(day: date) -> date:
    return month_end(add_months(day.replace(day=1), 1))


def next_year_month_end(day: date) -> date:
    return month_end(date(day.year + 1, day.month, 1))


def weekday_of_week(now: datetime, weeks_ahead: int, weekday: int) -> date:
    """Weeks start on Monday: weekday 0 of week 0 is this week's Monday."""
    monday = now.date() - timedelta(days=now.weekday())
    return monday + timedelta(days=7 * weeks_ahead + weekday)


def add_working_days(day: date, count: int) -> date:
    """The `count`th working day (Monday to Friday) after `day`: 3 working days from a Wednesday
    is the Monday after."""
    while count > 0:
        day += timedelta(days=1)
        count -= day.weekday() < 5
    return day


def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later, clamped to the month's length (Jan 31 + 1 = Feb 28)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_start(day: date, months_ahead: int) -> date:
    return add_months(day.replace(day=1), months_ahead)


# ---- numerals ---------------------------------------------------------------------------------

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


def cn_number(text: str) -> int | None:
    """12, 十二, 二十三, 两, 〇五 -> int; None when it is not a plain small number."""
    if text.isascii() and text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        high = _CN_DIGITS.get(tens) if tens else 1
        low = _CN_DIGITS.get(ones) if ones else 0
        return None if high is None or low is None else high * 10 + low
    digits = [_CN_DIGITS.get(char) for char in text]
    if not digits or None in digits:
        return None
    return int("".join(map(str, digits)))


# ---- the grammar ------------------------------------------------------------------------------
# Named groups are for reading a part; the scanner uses the same text with the names removed,
# because one part (the time) occurs in several places of the scanner.

NUM = r"(?:[0-9]{1,2}|[零〇一二两三四五六七八九十]{1,3})"
_WEEK = r"(?:周|星期|礼拜|禮拜)"
_WEEK_PREFIX = r"下下个|下下|下个|下|这个|这|本"
_NOT_AFTER_NUMBER = r"(?<![0-9.])"
_NOT_A_DAY_NOUN = "楼线机房位门桌床院厅室口码车店馆台窗柜库元游内方版"

# 3/10 counts after a Chinese character (not a score or a ratio: 评分4/5, 满意度4/5, 比例1/3) or
# before 号 / 前 (checked by the scanner only: a part is read again alone, without what stands
# around it)
_SLASH_GUARD = r"(?:(?<=[\u4e00-\u9fff])(?<![分率度比例])|(?=[0-9]{1,2}/[0-9]{1,2}(?:[号日]|之前|以前|前)))"
_DAY = "|".join(
    [
        # 周五, 下周三, 这个星期天; not 上周五 (past), 一周一次, 每周一 (a frequency)
        rf"(?<![上0-9一二两三四五六七八九十几每])(?P<wk_prefix>{_WEEK_PREFIX})?{_WEEK}"
        r"(?P<wk_day>[一二三四五六日天]|[1-7](?![0-9]))",  # 周一10点: the 10 is the time
        rf"(?P<next_week>下下个|下下|下个|下){_WEEK}(?![末0-9])",  # 下周 alone: its Monday
        rf"(?P<this_week>本|这个|这){_WEEK}[之以]?内",  # 本周内 / 这周之内: this week's Friday
        # 3/10 (month/day, as Chinese chats write it) after a Chinese character or before 前 / 号:
        # 我3/10之前发, 3/12号; not 1/2 in English text, 3/4的客户 (a fraction), nor 2026/3/10 (read whole
        # elsewhere)
        _SLASH_GUARD + r"(?P<slash_month>1[0-2]|0?[1-9])/(?P<slash_day>3[01]|[12][0-9]|0?[1-9])(?![0-9/]|\s*(?:的|以上|左右|多))[号日]?",
        rf"(?P<dom_month>下下个月|下个月|下月|本月|这个月|这月)(?P<dom_in_month>{NUM})[号日]",
        rf"(?<![0-9个岁])(?:(?P<edge_rel>下个|下|本|这个|这)|(?P<edge_num>{NUM}))?"
        r"月(?P<edge>底|末|初)",
        r"(?P<next_month>下个月|下月)",
        r"(?<![去前0-9])(?P<year_prefix>[0-9]{4}|今|本|明)?年(?:底|末)",
        rf"(?<![0-9])(?:(?P<year>[0-9]{{4}})年)?(?P<month>{NUM})月(?P<mday>{NUM})"
        r"(?:[日号]|(?![0-9万千百亿元块%]))",
        rf"{_NOT_AFTER_NUMBER}(?P<dur_n>{NUM}|半)\s*个?\s*(?P<dur_unit>天|日|周|星期|礼拜|月|工作日|工作天)"
        r"(?:以后|之后|后|以内|之内|内)",
        # 15号 alone, but not 3号楼, 5号线, 1号方案, 3日元
        rf"(?<![0-9.第/\-])(?P<dom>[0-9]{{1,2}})[号日](?![{_NOT_A_DAY_NOUN}])",
        # 明儿 / 今儿 / 后儿(个): the northern spoken days
        r"(?P<rel>大后天|后天|明天|明日|明早|明晚|今天|今日|今早|今晚|[今明后]儿个?)",
    ]
)
_HOURS = (
    rf"{_NOT_AFTER_NUMBER}(?P<hours_n>{NUM}|半)个?(?P<hours_unit>小时|钟头|分钟)"
    r"(?:以后|之后|后|以内|之内|内)"
)
_PERIOD = r"(?P<period>上午|中午|下午|晚上|早上|早晨|一大早|一早|傍晚|凌晨|夜里)"  # 一早: first thing
# Minutes after 点 in Chinese numerals without 分 only as a clock says them (三点二十, 三点零五): a
# lone digit word is the next word's (3点一起过一下 = at 3, "go over it together"; 三点一定到).
_MINUTE = rf"(?:[0-9]{{1,2}}|[零〇][一二三四五六七八九]|[一二三四五]?十[一二三四五六七八九]?|{NUM}(?=分))"
_CLOCK = (
    rf"(?:(?P<hour>{NUM})(?:点钟|点|點|时|時)(?:(?P<half>半)|(?P<quarter>一刻|三刻)|"
    rf"(?P<minute>{_MINUTE})分?)?|(?P<hh>[0-9]{{1,2}})[:：](?P<mm>[0-9]{{2}}))(?![0-9都也儿])"
)
_OFF_WORK = r"(?P<off_work>下班)"
_BEFORE = r"(?:之前|以前|前|为止)"


def without_group_names(pattern: str) -> str:
    """The same pattern with (?P<name>...) groups made (?:...), so it can occur twice in a regex."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


_TIME_AFTER_DAY = without_group_names(rf"(?:{_OFF_WORK}|{_PERIOD}\s*(?:{_CLOCK})?|{_CLOCK})")
# A time with no day must be unmistakable: 一点 is also "a bit" and 3点 also "three points".
_TIME_ALONE = without_group_names(
    rf"(?:{_OFF_WORK}(?={_BEFORE})|中午(?={_BEFORE})|{_PERIOD}\s*{_CLOCK}|"
    rf"[0-9]{{1,2}}[:：][0-9]{{2}}(?![0-9])|"
    rf"(?={NUM}[点點](?:半|一刻|三刻|{NUM}分|钟|{_BEFORE})){_CLOCK})"
)
# Every expression starts with one of these: checking first makes other positions fail fast.
_FIRST_CHARS = r"(?=[0-9零〇一二两三四五六七八九十半下这本周星礼禮月年今明大后上中晚早傍凌夜])"
_SCANNER = re.compile(
    rf"{_FIRST_CHARS}(?:(?P<hours>{without_group_names(_HOURS)})"
    rf"|(?P<day>{without_group_names(_DAY)})(?:\s*(?P<time>{_TIME_AFTER_DAY}))?"
    rf"|(?P<alone>{_TIME_ALONE})){_BEFORE}?"
)
_DAY_PART = re.compile(_DAY.replace(_SLASH_GUARD, ""))
_HOURS_PART = re.compile(_HOURS)
_TIME_PART = re.compile(rf"{_OFF_WORK}|{_PERIOD}?\s*(?:{_CLOCK})?")

# ---- reading the parts ------------------------------------------------------------------------

_WEEKDAYS = (
    {c: i for i, c in enumerate("一二三四五六")}
    | {"日": 6, "天": 6, "7": 6}
    | {str(i + 1): i for i in range(6)}
)
_WEEKS_AHEAD = {"下": 1, "下个": 1, "下下": 2, "下下个": 2, "这": 0, "这个": 0, "本": 0}
_REL_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
_REL_DAYS |= {"今早": 0, "今晚": 0, "明早": 1, "明晚": 1}
_REL_DAYS |= {"今儿": 0, "今儿个": 0, "明儿": 1, "明儿个": 1, "后儿": 2, "后儿个": 2}
_REL_PERIOD = {"今早": "早上", "今晚": "晚上", "明早": "早上", "明晚": "晚上"}  # 今晚8点 = 20:00
# A part of the day without a clock time means its start, so that a reminder is not late.
_PERIOD_START = {"早上": 9 * 60, "早晨": 9 * 60, "一早": 9 * 60, "一大早": 9 * 60, "上午": 9 * 60, "中午": 12 * 60}
_PERIOD_START |= {"下午": 14 * 60, "傍晚": 18 * 60, "晚上": 20 * 60, "夜里": 20 * 60}
_MONTH_OFFSET = {"下下个月": 2, "下个月": 1, "下月": 1, "本月": 0, "这个月": 0, "这月": 0}


def _clock_minutes(part: re.Match[str], period: str | None) -> int | None:
    """Minutes after midnight for the clock in `part`; None when it is not a valid time."""
    hour: int | None
    minute: int | None
    if part["hh"]:
        hour, minute = int(part["hh"]), int(part["mm"])
    else:
        hour, minute = cn_number(part["hour"]), _minutes_past(part)
    if hour is None or minute is None or hour > 24 or minute > 59:
        return None
    if period in ("下午", "傍晚", "晚上", "夜里") and hour < 12 or period == "中午" and hour < 11:
        hour += 12  # 下午3点 = 15:00, 中午1点 = 13:00
    elif period in ("晚上", "夜里") and hour == 12:
        hour = 24  # 晚上12点 is the coming midnight, not noon
    elif period is None and part["hour"] and 1 <= hour <= 6:
        hour += 12  # a bare 3点 in a working chat is 15:00, not 03:00
    return hour * 60 + minute


def _minutes_past(part: re.Match[str]) -> int | None:
    """点半 = 30, 一刻 = 15, 三刻 = 45, 点15(分) = 15."""
    if part["half"]:
        return 30
    if part["quarter"]:
        return 15 if part["quarter"] == "一刻" else 45
    return cn_number(part["minute"]) if part["minute"] else 0


def _read_time(text: str, implied_period: str | None) -> tuple[int | None, bool] | None:
    """(minutes, has_time) of a time part; 下班 is the end of the working day (no time)."""
    part = _TIME_PART.fullmatch(text)
    if part is None:
        return None
    if part["off_work"]:
        return None, False
    period = part["period"] or implied_period
    if part["hour"] or part["hh"]:
        minutes = _clock_minutes(part, period)
        return None if minutes is None else (minutes, True)
    return (_PERIOD_START[period], True) if period in _PERIOD_START else (None, False)


def _day_rule(part: re.Match[str], now: datetime) -> tuple[date, Roll | None] | None:
    """The day a day part names, and how to move it on if that day (at its time) is past."""
    today = now.date()
    if part["wk_day"]:
        weekday = _WEEKDAYS[part["wk_day"]]
        if part["wk_prefix"] is None:
            return weekday_of_week(now, 0, weekday), next_week
        # 本周一 on a Wednesday is this week's Monday, already past: the member said "this week",
        # so we keep it rather than silently moving it a week on.
        return weekday_of_week(now, _WEEKS_AHEAD[part["wk_prefix"]], weekday), None
    if part["next_week"]:
        return weekday_of_week(now, _WEEKS_AHEAD[part["next_week"]], 0), None
    if part["this_week"]:
        return weekday_of_week(now, 0, 4), None
    if part["slash_month"]:
        try:
            return date(today.year, int(part["slash_month"]), int(part["slash_day"])), next_year
        except ValueError:  # 2/30
            return None
    if part["dom_month"]:
        month = month_start(today, _MONTH_OFFSET[part["dom_month"]])
        day = cn_number(part["dom_in_month"])
        # 下个月31号 in a 30-day month raises ValueError: find_zh skips it as not a date
        return (month.replace(day=day), None) if day else None
    if part["edge"]:
        return _month_edge(part, today)
    if part["next_month"]:
        return month_start(today, 1), None
    if part["mday"]:
        return _month_and_day(part, today)
    if part["dur_unit"]:
        return _duration_day(part, today)
    if part["dom"]:
        return day_of_month(int(part["dom"]), today)
    if part["rel"]:
        return today + timedelta(days=_REL_DAYS[part["rel"]]), None
    return _year_end(part, today)


def day_of_month(day: int, today: date) -> tuple[date, Roll] | None:
    """15号: this month's 15th, else next month's (31号 skips the months without a 31st)."""

    def from_month(first: date) -> date:
        while day > calendar.monthrange(first.year, first.month)[1]:
            first = month_start(first, 1)
        return first.replace(day=day)

    if not 1 <= day <= 31:
        return None
    return from_month(today.replace(day=1)), lambda d: from_month(month_start(d, 1))


def _month_edge(part: re.Match[str], today: date) -> tuple[date, Roll | None] | None:
    """月底 / 下月底 / 6月底 / 月初 (the coming 1st) / 下月初 / 本月初."""
    is_end = part["edge"] in "底末"
    if part["edge_num"]:
        month = cn_number(part["edge_num"])
        if month is None or not 1 <= month <= 12:
            return None
        first = date(today.year, month, 1)
        return (month_end(first), next_year_month_end) if is_end else (first, next_year)
    ahead = 1 if part["edge_rel"] in ("下", "下个") else 0
    if is_end:
        return month_end(month_start(today, ahead)), next_month_end if ahead == 0 else None
    # a bare 月初 said in March means early April: early March is behind us
    return month_start(today, 0 if part["edge_rel"] in ("本", "这", "这个") else 1), None


def _month_and_day(part: re.Match[str], today: date) -> tuple[date, Roll | None] | None:
    """3月15号, 2026年3月15日, 三月十五: a date without a year already past means next year's."""
    month, day = cn_number(part["month"]), cn_number(part["mday"])
    if month is None or day is None:
        return None
    year = int(part["year"]) if part["year"] else today.year
    try:
        return date(year, month, day), None if part["year"] else next_year
    except ValueError:
        return None


def _duration_day(part: re.Match[str], today: date) -> tuple[date, Roll | None] | None:
    """三天后, 两周后, 3个月后, 半个月后 (15 days), 3天内 (due on the third day), 5个工作日内
    (the fifth working day)."""
    unit = part["dur_unit"]
    if part["dur_n"] == "半":
        return (today + timedelta(days=15), None) if unit == "月" else None
    count = cn_number(part["dur_n"])
    if count is None:
        return None
    if unit == "月":
        return add_months(today, count), None
    if unit.startswith("工作"):
        return add_working_days(today, count), None
    return today + timedelta(days=count * (1 if unit in "天日" else 7)), None


def _year_end(part: re.Match[str], today: date) -> tuple[date, Roll | None]:
    prefix = part["year_prefix"]
    if prefix and prefix.isdigit():
        return date(int(prefix), 12, 31), None
    return date(today.year + (prefix == "明"), 12, 31), None if prefix else next_year


def _hours_later(text: str, now: datetime) -> datetime | None:
    part = _HOURS_PART.fullmatch(text)
    assert part is not None  # the scan matched this span with the same rule
    count = 0.5 if part["hours_n"] == "半" else cn_number(part["hours_n"])
    if count is None:
        return None
    return after(now, count * (1 if part["hours_unit"] == "分钟" else 60))


def _read(text: str, found: re.Match[str], now: datetime) -> tuple[datetime, bool] | None:
    """The moment a scanned span means, and whether it names a time of day."""
    if found["hours"]:
        when = _hours_later(found["hours"], now)
        return None if when is None else (when, True)
    if found["alone"]:  # today if still ahead, else tomorrow
        time_read = _read_time(found["alone"], None)
        if time_read is None:
            return None
        minutes, has_time = time_read
        return settle(now.date(), minutes, now, next_day), has_time
    day_part = _DAY_PART.fullmatch(text, found.start("day"), found.end("day"))
    assert day_part is not None  # the scan matched this span with the same rule
    implied_period = _REL_PERIOD.get(day_part["rel"] or "")
    time_read = _read_time(found["time"] or "", implied_period)
    day_read = _day_rule(day_part, now)
    if day_read is None or time_read is None:
        return None
    (day, roll), (minutes, has_time) = day_read, time_read
    return settle(day, minutes, now, roll), has_time


_TIME_AT = re.compile(rf"\s*(?P<time>{_TIME_AFTER_DAY})")


def time_after(text: str, pos: int) -> tuple[int | None, bool, int] | None:
    """A Chinese time of day at `pos` (after an English day: tomorrow 下午3点): (minutes,
    has_time, end), or None."""
    found = _TIME_AT.match(text, pos)
    read = _read_time(found["time"], None) if found else None
    return None if not read or found is None else (*read, found.end())


def find_zh(text: str, now: datetime) -> Hit | None:
    """The first Chinese date expression in `text`, or None."""
    for found in _SCANNER.finditer(text):
        try:
            read = _read(text, found, now)
        except (ValueError, OverflowError):  # a day beyond year 9999, a 2月30日 rolled on
            continue
        if read:
            return Hit(found.start(), found.end(), *read)
    return None
