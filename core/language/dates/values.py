"""Whole date values, as an option holds them (close:, due:): the rules free text does not use,
and what the error says when a value cannot be read.

- A month alone (`close:March`, `close:3月`, `close:2027-03`, `close:March 2027`) is the end of
  that month: its last day at 17:00, like any day without a time. Without a year it is this
  year's month, or next year's once this year's is over. It is never "March 7th because today
  is the 7th". Free text does not read it: in a chat "March" is also a verb, 3月 also a topic.
- The end of a quarter or a year (`close:end of quarter`, `end of next quarter`, `end of Q3`,
  `EOQ`, `end of year`, `EOY`, `季度末`, `本季度末`, `下季度末`, `Q3末`) is its last day at 17:00;
  a quarter named by its number is this year's unless already over.
- An unreadable value's error names the first word that is not a date word (`Fridya` in
  `next Fridya`), and its examples leave out the form that was just refused.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from core.language.dates.zh import at, month_end, month_start
from core.language.periods import MONTH, QUARTER, YEAR, Period, parse_period

_MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december"]
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS |= {name[:3]: i for name, i in list(_MONTHS.items())} | {"sept": 9}
_EN_MONTH = re.compile(r"^(?:(?:by|before|until|in|end of)\s+)?(?P<month>[a-z]+)\.?(?:,?\s+(?P<year>[0-9]{4}))?$")
_END_OF = re.compile(r"^(?:(?:by|before|until)\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?(?P<period>.+)$"
                     r"|^eo(?P<short>[qy])$")
_ZH_END = re.compile(r"^(?P<period>.+?)(?:末|底)(?:前|之前|以前)?$")
_SHORT = {"quarter": "this quarter", "q": "this quarter", "year": "this year", "y": "this year",
          "季度": "本季度", "季": "本季度"}
_FOUR_DIGITS = re.compile(r"[0-9]{4}")


def period_end(value: str, now: datetime) -> datetime | None:
    """A month, quarter or year named from today as a whole value ("close:next month", 本月,
    "due:this quarter"): its last day at 17:00, as a month's name is. (In running text the date
    rules read "next month" as its 1st: a next step; a close date or a due date is its end.)"""
    text = " ".join(unicodedata.normalize("NFKC", value).casefold().split())
    if not _is_relative(text):
        return None
    period = parse_period(text, now.date())
    if period is None or period.kind not in (MONTH, QUARTER, YEAR):
        return None
    return _last_day(period, now.date(), True, now)


def whole_value(value: str, now: datetime) -> datetime | None:
    """A month alone, or a quarter's or year's end, as the moment it means; else None."""
    text = " ".join(unicodedata.normalize("NFKC", value).casefold().split())
    today = now.date()
    named_year = bool(_FOUR_DIGITS.search(text))
    if (m := _EN_MONTH.match(text)) and m["month"] in _MONTHS:
        year = int(m["year"]) if m["year"] else today.year
        return _last_day(Period(MONTH, date(year, _MONTHS[m["month"]], 1),
                                month_start(date(year, _MONTHS[m["month"]], 1), 1)), today, named_year, now)
    period = parse_period(text, today)
    if period is not None and period.kind == MONTH and not _is_relative(text):
        return _last_day(period, today, named_year, now)
    end = _END_OF.match(text) or _ZH_END.match(text.replace(" ", ""))
    if end is None:
        return None
    words = end["period"] or end["short"]
    period = parse_period(_SHORT.get(words, words), today)
    if period is None or period.kind not in (MONTH, QUARTER, YEAR):
        return None
    return _last_day(period, today, named_year or _is_relative(words), now)


def _is_relative(text: str) -> bool:
    """"this month", 下个月: a period named from today (the dates' own rules read their days)."""
    return bool(re.search(r"this|next|last|current|本|这|下|上|当|今|明|去", text))


def _last_day(period: Period, today: date, fixed: bool, now: datetime) -> datetime:
    """The period's last day at 17:00; a period named without a year that is over means next year's."""
    last = period.end - timedelta(days=1)
    if not fixed and period.end <= today:
        last = month_end(last.replace(day=1, year=last.year + 1))
    return at(last, None, now)


# ---- what an unreadable value's error says ---------------------------------------------------------

_DATE_WORDS = frozenset(
    _MONTHS.keys()
    | {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues",
       "wed", "thu", "thur", "thurs", "fri", "sat", "sun"}
    | {"next", "this", "coming", "in", "on", "at", "by", "before", "until", "till", "end", "of", "the", "a",
       "an", "couple", "half", "from", "now", "today", "later", "tomorrow", "tonight", "tmr", "tmrw", "day",
       "days", "week", "weeks", "month", "months", "year", "years", "quarter", "hour", "hours", "hr",
       "hrs", "minute", "minutes", "min", "mins", "morning", "afternoon", "evening", "night", "noon",
       "midday", "midnight", "eod", "eow", "eom", "eoq", "eoy", "cob", "am", "pm", "after", "due"}
    | {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
)
# Words after which a date goes on: `next` alone is no date, `next Fridya` is a mistyped one.
_CONNECTORS = frozenset({"next", "this", "coming", "in", "on", "at", "by", "before", "until", "till", "end",
                         "of", "the", "a", "an", "couple", "half", "from", "after", "due"})
_NUMERIC = re.compile(r"^[0-9]+(?:[:./\-][0-9]+)*(?:st|nd|rd|th|[ap]\.?m\.?|h)?$|^q[1-4]$")


def is_date_word(word: str) -> bool:
    word = unicodedata.normalize("NFKC", word).casefold().strip(".,")
    return word in _DATE_WORDS or bool(_NUMERIC.match(word))


def continues_date(previous: str, word: str) -> bool:
    """Whether `word` still belongs to a date value that ends with `previous`, read or not: after
    `next` or a number something must follow (`next Fridya`, `in 3 dayz`)."""
    previous = unicodedata.normalize("NFKC", previous).casefold()
    return previous in _CONNECTORS or previous.isdigit() or is_date_word(word)


def unreadable_part(value: str) -> str | None:
    """The first word of a multi-word value that is not a date word; None when every word is one
    (then the value as a whole is what could not be read)."""
    words = value.split()
    if len(words) < 2:
        return None
    return next((word for word in words if not is_date_word(word)), None)


def examples(value: str, now: datetime) -> dict[str, str]:
    """A few forms that are read, in each language, leaving out any of the refused value's shape
    (`next Fridya` is not told to try `next Friday`, nor `2026-13-01` a yyyy-mm-dd date)."""
    iso = month_start(now.date(), 1).replace(day=15).isoformat()
    shown = {}
    for lang, forms in (("en", ["tomorrow", "next Friday", "in 3 days", "friday 3pm", "end of month", iso]),
                        ("zh", ["明天", "下周五", "3天后", "下周五下午3点", "月底", iso])):
        kept = [form for form in forms if not _same_shape(form, value)][:4]
        joiner = " 或 " if lang == "zh" else " or "
        shown[lang] = joiner.join([("、" if lang == "zh" else ", ").join(kept[:-1]), kept[-1]])
    return shown


def _same_shape(form: str, value: str) -> bool:
    def shape(text: str) -> str:
        return re.sub(r"[0-9]", "0", unicodedata.normalize("NFKC", text).casefold().strip())

    form_shape, value_shape = shape(form), shape(value)
    if not value_shape:
        return False
    if form_shape.split()[0] == value_shape.split()[0] or form_shape == value_shape:
        return True
    common = len(next((p for p in _prefixes(form_shape) if value_shape.startswith(p)), ""))
    return common >= 2 and not form_shape.isascii()


def _prefixes(text: str) -> list[str]:
    return [text[:n] for n in range(len(text), 0, -1)]
