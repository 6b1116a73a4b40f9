"""Chat's rules for single values, in one place for every entry: the chat readers
(core.language.parser) and the REST API (bot.api) call these, so what chat refuses the API refuses
with the same sentence (docs/api.md). Each check returns the value as it is stored, or raises
`error(key, **params)`: a UserError by default, a ParseError naming the verb from a chat reader."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime

from core.domain.amounts import Money, parse_amount, too_large
from core.domain.calendar import is_plausible, latest
from core.language.dates.text import parse_date
from core.language.dates.values import examples, unreadable_part
from core.language.errors import UserError

MAX_NAME_LENGTH = 100
# Names may hold any printable character (Yahoo!, E*TRADE, Café #1, Acme; Inc); control and
# format characters, private-use and unassigned code points are refused.
NOT_PRINTABLE = frozenset({"Cc", "Cf", "Co", "Cn", "Cs"})
_TEXT_BREAKS = frozenset("\n\t")  # free text (a title, a note, a reason) may break lines

Error = Callable[..., UserError]


def _shown(value: str) -> str:
    return value[:40].encode("unicode_escape").decode("ascii")


def name(word: str, *, limit: int = MAX_NAME_LENGTH, error: Error = UserError) -> str:
    """A customer, person, team or deal name: blanks folded; not empty, not over `limit`, no
    control or format character."""
    word = " ".join(word.split())
    if not word:
        raise error("err.empty_name")
    if len(word) > limit:
        raise error("err.name_too_long", value=word[:40], limit=limit)
    if any(unicodedata.category(ch) in NOT_PRINTABLE for ch in word):
        raise error("err.bad_name", value=_shown(word))
    return word


def text(value: str, *, error: Error = UserError) -> str:
    """Free text (a task's title, a note, a reason): line breaks and tabs kept, any other control
    or format character refused (chat never stores one: it drops them from every message)."""
    if any(unicodedata.category(ch) in NOT_PRINTABLE and ch not in _TEXT_BREAKS for ch in value):
        raise error("err.bad_text", value=_shown(value))
    return value.strip()


def plausible(when: datetime, said: str, now: datetime, *, error: Error = UserError) -> datetime:
    """Refuse a date no plan or record has (core.domain.calendar)."""
    if not is_plausible(when, now):
        raise error("err.date_out_of_range", value=said[:40], latest=latest(now).year)
    return when


def date(word: str, now: datetime, tz: str, *, error: Error = UserError,
         read: Callable[[str], datetime | None] | None = None) -> datetime:
    """A date as chat reads it (ISO 8601, `2026-03-06 10:00`, `next Friday`, `下周五`; a day
    alone is 17:00), in zone `tz`; the error names the unreadable part."""
    when = read(word) if read is not None else parse_date(word, now, tz)
    if when is None:
        shown = examples(word, now)
        part = unreadable_part(word)
        if part is not None:
            raise error("err.bad_date_part", part=part[:40], value=word[:60], examples=shown)
        raise error("err.bad_date", value=word[:40], examples=shown)
    return plausible(when, word, now, error=error)


def future(when: datetime, now: datetime, *, error: Error = UserError) -> datetime:
    """A due date or a return: from now on."""
    if when <= now:
        raise error("err.past_date", when_at=when)
    return when


def amount(word: str, currency: str, *, error: Error = UserError) -> Money:
    """An amount as chat reads it (50000, 50k, 5万, ¥12,000, USD 5000) in `currency` unless it
    names one; the error says what is wrong: its sign, its currency or its form."""
    money = parse_amount(word, currency)
    if money is None:
        raise error(_amount_problem(word), value=word[:40])
    return money


def _amount_problem(word: str) -> str:
    bare = re.sub(r"^\s*[A-Za-z]{3}\s*|\s*[A-Za-z]{3}\s*$", "", word)  # `INR -1` is as negative as `-1`
    if re.match(r"^\s*[-−]|^[^1-9]*$", bare):
        return "err.amount_not_positive" if re.search(r"\d", bare) else "err.bad_amount"
    if re.search(r"[A-Za-z]{3}", word) and parse_amount(re.sub(r"[A-Za-z]{3}", "", word)):
        return "err.bad_currency"
    return "err.amount_too_large" if too_large(word) else "err.bad_amount"
