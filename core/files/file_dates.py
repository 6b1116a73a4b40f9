"""Times in an imported file, written the way people write them in chat, as long as they are unambiguous.

A file's times are history: they must name their year, and the day of the import must not change
them, so the relative forms of chat ("tomorrow", 下周五, 3月15号) are not read here. What is read:

- ISO 8601, with or without an offset or a time (`2027-01-05`, `2027-01-05T14:30:00+08:00`);
- year, month, day with `-`, `/` or `.` (`2027/1/5`, `2027.1.5`, `2027-1-5`), or 年 月 日/号
  (`2027年1月5日`), or a month's name (`Jan 5, 2027`, `5 January 2027`);
- any of them followed by a time: `14:30`, `14:30:15`, `2:30pm`, `3pm`, `下午3点`, `15点30分`,
  `3点半`, `上午10:30` (下午, 晚上 and 中午 move 1–11 o'clock past noon, and 1点–6点 without 上午
  is the afternoon, as in chat);
- day/month/year with slashes or dots (`25/12/2026`) only when it can be read one way: when the
  first two numbers are both 12 or less and differ (`1/5/2027`: 1 May or 5 January?) it is refused
  with both readings spelled out.

Without an offset a time is in the team's zone; a day without a time is the start of that day.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

MONTHS = {name: i for i, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
     ("nov", "november"), ("dec", "december")), start=1) for name in names}

_CLOCK = (r"(?:(?P<period>上午|早上|中午|下午|晚上)\s*)?"
          r"(?:(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?"
          r"|(?P<h2>\d{1,2})\s*(?P<ampm2>[ap]\.?m\.?)"
          r"|(?P<h3>\d{1,2})\s*[点時时](?:(?P<half>半)|(?P<mi3>\d{1,2})分?(?:(?P<s3>\d{1,2})秒)?)?)")
_TIME = rf"(?:(?:\s*T\s*|\s+|(?<=[日号])){_CLOCK})?"  # 2027年1月5日下午3点 needs no space
_YMD = re.compile(rf"(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}}){_TIME}", re.IGNORECASE)
_ZH = re.compile(rf"(?P<y>\d{{4}})\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*[日号]?{_TIME}", re.IGNORECASE)
_DMY = re.compile(rf"(?P<a>\d{{1,2}})(?P<sep>[/.])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}){_TIME}", re.IGNORECASE)
_NAMED_MD = re.compile(rf"(?P<mon>[a-z]{{3,9}})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}}){_TIME}",
                       re.IGNORECASE)
_NAMED_DM = re.compile(rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon>[a-z]{{3,9}})\.?,?\s+(?P<y>\d{{4}}){_TIME}",
                       re.IGNORECASE)


class FileDateError(ValueError):
    """A value that is not a time this module reads; `key` (core.language.i18n) and `params` say why."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key, self.params = key, params


def read_file_time(raw: str, zone: ZoneInfo | None) -> datetime:
    """The time `raw` names; `zone` for one without an offset (None: FileDateError unknown_zone)."""
    try:
        value = datetime.fromisoformat(raw)  # what exports write, and most files: the fast path
    except ValueError:
        value = _written(raw.strip())
    if value.tzinfo is None:
        if zone is None:
            raise FileDateError("import.unknown_zone")
        value = value.replace(tzinfo=zone)
    return value


def _written(raw: str) -> datetime:
    if m := _YMD.fullmatch(raw) or _ZH.fullmatch(raw):
        return _at(int(m["y"]), int(m["m"]), int(m["d"]), m)
    if m := _NAMED_MD.fullmatch(raw) or _NAMED_DM.fullmatch(raw):
        month = MONTHS.get(m["mon"].lower())
        if month is not None:
            return _at(int(m["y"]), month, int(m["d"]), m)
    if m := _DMY.fullmatch(raw):
        a, b = int(m["a"]), int(m["b"])
        if a <= 12 and b <= 12 and a != b:
            raise FileDateError("import.ambiguous_date", value=raw[:40],
                                first=f"{m['y']}-{b:02}-{a:02}", second=f"{m['y']}-{a:02}-{b:02}")
        day, month = (a, b) if a > 12 or a == b else (b, a)
        return _at(int(m["y"]), month, day, m)
    raise FileDateError("import.bad_timestamp", value=raw[:40])


def _at(year: int, month: int, day: int, m: re.Match[str]) -> datetime:
    hour, minute, second = _clock(m)
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise FileDateError("import.no_such_time", value=m.string[:40]) from None


def _clock(m: re.Match[str]) -> tuple[int, int, int]:
    if m["h"] is not None:
        hour, minute, second, ampm = int(m["h"]), int(m["mi"]), int(m["s"] or 0), m["ampm"]
    elif m["h2"] is not None:
        hour, minute, second, ampm = int(m["h2"]), 0, 0, m["ampm2"]
    elif m["h3"] is not None:
        hour, second, ampm = int(m["h3"]), int(m["s3"] or 0), None
        minute = 30 if m["half"] else int(m["mi3"] or 0)
    else:
        return 0, 0, 0
    if ampm:
        if not 1 <= hour <= 12:
            raise FileDateError("import.no_such_time", value=m.string[:40])
        hour = hour % 12 + (12 if ampm[0].lower() == "p" else 0)
    elif m["period"] in ("下午", "晚上") and hour < 12 or m["period"] == "中午" and hour < 3:
        hour += 12
    elif m["h3"] is not None and m["period"] is None and 1 <= hour <= 6:
        hour += 12  # chat's rule (core.language.dates): 3点 alone is the afternoon
    if hour > 23 or minute > 59 or second > 59:
        raise FileDateError("import.no_such_time", value=m.string[:40])
    return hour, minute, second
