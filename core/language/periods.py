"""Named periods for the figures: weeks, months, quarters and years, in English and Chinese.

`this week`, `last week`, `2026-W10`, `W10`, `第10周`, `本月`, `上个月`, `2026-03`, `3月`, `Q3`,
`2026-Q3`, `本季度`, `上季度`, `今年`, `2026`. A period is a span of local calendar days
[start, end); `bounds(tz)` turns it into the half-open UTC window the queries use (docs/design-notes.md:
the team's timezone, weeks from Monday). Relative words are read against `today`, the team's
local date, which the caller passes in: core reads no clock. A year-less `Q3` or `W10` is this
year's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.language.dates.zh import cn_number

WEEK, MONTH, QUARTER, YEAR = "week", "month", "quarter", "year"


@dataclass(frozen=True)
class Period:
    kind: str  # week | month | quarter | year
    start: date  # first local day
    end: date  # first local day after the period

    @property
    def label(self) -> str:
        if self.kind == WEEK:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """[start, end) as aware UTC datetimes: local midnights of the team's timezone."""
        return local_midnight(self.start, tz), local_midnight(self.end, tz)

    def previous(self, count: int = 1) -> Period:
        """The period of the same kind `count` steps back (count < 0: forward)."""
        if self.kind == WEEK:
            return week_of(self.start - timedelta(weeks=count))
        months = {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind]
        return _months(self.kind, _add_months(self.start, -count * months), months)


def local_midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(UTC)


def week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period(WEEK, monday, monday + timedelta(days=7))


def month_of(day: date) -> Period:
    return _months(MONTH, day.replace(day=1), 1)


def quarter_of(day: date) -> Period:
    return _months(QUARTER, date(day.year, 3 * ((day.month - 1) // 3) + 1, 1), 3)


def year_of(day: date) -> Period:
    return _months(YEAR, date(day.year, 1, 1), 12)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _months(kind: str, first: date, months: int) -> Period:
    return Period(kind, first, _add_months(first, months))


_OF = {WEEK: week_of, MONTH: month_of, QUARTER: quarter_of, YEAR: year_of}

# (relative step, kind) for each word: 0 this, -1 last, 1 next.
_RELATIVE = {
    "this week": (0, WEEK), "current week": (0, WEEK), "本周": (0, WEEK), "这周": (0, WEEK),
    "这个星期": (0, WEEK), "本星期": (0, WEEK),
    "last week": (-1, WEEK), "previous week": (-1, WEEK), "上周": (-1, WEEK), "上个星期": (-1, WEEK),
    "上星期": (-1, WEEK),
    "next week": (1, WEEK), "下周": (1, WEEK), "下个星期": (1, WEEK), "下星期": (1, WEEK),
    "this month": (0, MONTH), "本月": (0, MONTH), "这个月": (0, MONTH), "当月": (0, MONTH),
    "last month": (-1, MONTH), "previous month": (-1, MONTH), "上个月": (-1, MONTH), "上月": (-1, MONTH),
    "next month": (1, MONTH), "下个月": (1, MONTH), "下月": (1, MONTH),
    "this quarter": (0, QUARTER), "本季度": (0, QUARTER), "这个季度": (0, QUARTER), "本季": (0, QUARTER),
    "last quarter": (-1, QUARTER), "previous quarter": (-1, QUARTER), "上季度": (-1, QUARTER),
    "上个季度": (-1, QUARTER), "上季": (-1, QUARTER),
    "next quarter": (1, QUARTER), "下季度": (1, QUARTER), "下个季度": (1, QUARTER), "下季": (1, QUARTER),
    "this year": (0, YEAR), "今年": (0, YEAR), "本年": (0, YEAR), "本年度": (0, YEAR),
    "last year": (-1, YEAR), "去年": (-1, YEAR), "上一年": (-1, YEAR),
    "next year": (1, YEAR), "明年": (1, YEAR),
}

_YEAR = r"(?P<year>20\d\d)"
_ISO_WEEK = re.compile(rf"^(?:{_YEAR}\s*-?\s*)?w(?P<week>\d{{1,2}})$")
_ZH_WEEK = re.compile(rf"^(?:{_YEAR}年)?第(?P<week>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})周$")
_QUARTER = re.compile(rf"^(?:{_YEAR}\s*-?\s*)?q(?P<q>[1-4])(?:\s*{_YEAR.replace('year', 'year2')})?$")
_ZH_QUARTER = re.compile(rf"^(?:{_YEAR}年)?第(?P<q>[1-4一二三四])季度?$")
_MONTH = re.compile(rf"^{_YEAR}\s*[-/.]\s*(?P<month>\d{{1,2}})$")
_ZH_MONTH = re.compile(rf"^(?:{_YEAR}年)?(?P<month>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})月份?$")
_YEAR_ONLY = re.compile(rf"^{_YEAR}年?$")
_ZH_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


def parse_period(text: str, today: date) -> Period | None:
    """The period the words name, or None when they name none."""
    words = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    if not words:
        return None
    if words in _RELATIVE:
        step, kind = _RELATIVE[words]
        return _OF[kind](today).previous(-step)
    squeezed = words.replace(" ", "")
    if squeezed in _RELATIVE:
        step, kind = _RELATIVE[squeezed]
        return _OF[kind](today).previous(-step)
    for reader in (_week, _quarter, _month, _whole_year):
        found = reader(words, squeezed, today)
        if found is not None:
            return found
    return None


def _year_in(m: re.Match[str], today: date) -> int:
    return int(m["year"]) if m.groupdict().get("year") else today.year


def _week(words: str, squeezed: str, today: date) -> Period | None:
    m = _ISO_WEEK.match(squeezed) or _ZH_WEEK.match(squeezed)
    if not m:
        return None
    week = int(m["week"]) if m["week"].isdigit() else cn_number(m["week"])
    try:
        return week_of(date.fromisocalendar(_year_in(m, today), int(week or 0), 1))
    except ValueError:
        return None


def _quarter(words: str, squeezed: str, today: date) -> Period | None:
    m = _QUARTER.match(words) or _QUARTER.match(squeezed)
    if m:
        year = int(m["year"] or m["year2"] or today.year)
    else:
        m = _ZH_QUARTER.match(squeezed)
        if not m:
            return None
        year = _year_in(m, today)
    q = int(m["q"]) if m["q"].isdigit() else _ZH_DIGITS[m["q"]]
    return quarter_of(date(year, 3 * q - 2, 1))


def _month(words: str, squeezed: str, today: date) -> Period | None:
    m = _MONTH.match(squeezed) or _ZH_MONTH.match(squeezed)
    if not m:
        return None
    month = int(m["month"]) if m["month"].isdigit() else cn_number(m["month"])
    if not month or not 1 <= int(month) <= 12:
        return None
    return month_of(date(_year_in(m, today), int(month), 1))


def _whole_year(words: str, squeezed: str, today: date) -> Period | None:
    m = _YEAR_ONLY.match(squeezed)
    return year_of(date(int(m["year"]), 1, 1)) if m else None
