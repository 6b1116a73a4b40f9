"""Money as reps type it: 50000, 50k, 1.2m, 5万, 1.2亿, ¥12,000, $3.5k, €800, 3000元, 20k USD,
USD 5000, RMB 5万.

A currency written before or after the number is that currency; a number alone is in the
team's currency (its `currency` setting). Text that is shaped like money but cannot be read as
it (-5k, 0, 5k XYZ, $5k EUR) is `looks_like_amount` without `parse_amount`: the parser answers
it with an error rather than reading it as part of a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DEFAULT_CURRENCY = "CNY"

_SYMBOLS = {"¥": "CNY", "￥": "CNY", "$": "USD", "€": "EUR", "£": "GBP"}
# ISO 4217 codes a team may use; RMB is what people write for CNY.
CURRENCY_CODES = frozenset({
    "CNY", "USD", "EUR", "GBP", "JPY", "HKD", "SGD", "TWD", "MOP", "KRW", "AUD", "CAD", "CHF",
    "NZD", "INR", "THB", "MYR", "IDR", "VND", "PHP", "AED", "SAR", "RUB", "BRL", "MXN", "ZAR",
    "SEK", "NOK", "DKK", "PLN", "CZK", "TRY",
})
_ALIASES = {"RMB": "CNY"}
_WORDS = {"元": "CNY", "块": "CNY", "人民币": "CNY", "美元": "USD", "欧元": "EUR", "英镑": "GBP",
          "日元": "JPY", "港币": "HKD", "港元": "HKD"}
_MULTIPLIERS = {
    "": 1, "k": 10**3, "K": 10**3, "千": 10**3, "m": 10**6, "M": 10**6,
    "w": 10**4, "W": 10**4, "万": 10**4, "百万": 10**6, "千万": 10**7, "亿": 10**8,
}
_WORD_UNITS = "|".join(sorted(_WORDS, key=len, reverse=True))

_AMOUNT = re.compile(
    rf"""^(?:(?P<code>[A-Za-z]{{3}})\s*)?(?P<sym>[¥￥$€£])?\s*
        (?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)
        \s*(?P<mult>百万|千万|[kKmMwW万千亿])?
        \s*(?P<unit>{_WORD_UNITS}|[A-Za-z]{{3}})?$""",
    re.VERBOSE,
)
# Money-shaped: a sign, currency marks, digits and separators, a multiplier, a unit. "3M" and
# "Studio 54"'s "54" are money-shaped too, and so is "1e9" (refused, never a name's word);
# "7-Eleven", "Win10", "A1" and "#1" are not.
_CODE_BEFORE = "|".join(sorted(CURRENCY_CODES | set(_ALIASES)))
_SHAPED = re.compile(
    rf"""^[-+−]?\s*(?:(?i:{_CODE_BEFORE})\s*)?[-+−]?\s*[¥￥$€£]?\s*[-+−]?\d[\d,.]*(?:[eE][-+]?\d+)?
        \s*(?:百万|千万|[kKmMwW万千亿])?\s*(?:{_WORD_UNITS}|[A-Za-z]{{3}})?$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = DEFAULT_CURRENCY


LIMIT = Decimal(10) ** 15  # every amount is less (Money's BIGINT cents)


def parse_amount(text: str, default_currency: str = DEFAULT_CURRENCY) -> Money | None:
    """The amount a token (or a currency word and a number, "USD 5000") stands for, or None."""
    read = _read(text, default_currency)
    if read is None or read.amount <= 0 or read.amount >= LIMIT:
        return None
    return Money(read.amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), read.currency)


def too_large(text: str) -> bool:
    """Whether the text is an amount but for its size (10^15 or more)."""
    read = _read(text, DEFAULT_CURRENCY)
    return read is not None and read.amount >= LIMIT


def _read(text: str, default_currency: str) -> Money | None:
    m = _AMOUNT.match(text.strip())
    if not m:
        return None
    currency = _currency(m["code"], m["sym"], m["unit"], default_currency)
    if currency is None:
        return None
    try:
        return Money(Decimal(m["num"].replace(",", "")) * _MULTIPLIERS[m["mult"] or ""], currency)
    except InvalidOperation:
        return None


def looks_like_amount(text: str) -> bool:
    """Shaped like money (digits with a sign, a currency or a multiplier), readable or not."""
    return bool(_SHAPED.match(text.strip()))


def currency_code(word: str) -> str | None:
    """The ISO code a currency word names (USD, usd, RMB, 美元, ¥), or None."""
    word = word.strip()
    if word in _SYMBOLS:
        return _SYMBOLS[word]
    if word in _WORDS:
        return _WORDS[word]
    code = _ALIASES.get(word.upper(), word.upper())
    return code if word.isascii() and code in CURRENCY_CODES else None


def _currency(code: str | None, symbol: str | None, unit: str | None, default: str) -> str | None:
    """The one currency the marks around a number agree on; None when one is unknown or they
    disagree ("50abc", "$5k EUR")."""
    named = []
    for word in (code, symbol, unit):
        if word:
            found = currency_code(word)
            if found is None:
                return None
            named.append(found)
    if len(set(named)) > 1:
        return None
    return named[0] if named else default


_SIGNS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£"}


def format_money(amount: Decimal | None, currency: str, lang: str) -> str:
    """¥50,000 in English; in Chinese large round CNY amounts read as 5万 / 1.2亿."""
    if amount is None:
        return "—"
    if lang == "zh" and currency == "CNY" and amount >= 10_000:
        return _format_wan(amount)
    sign = _SIGNS.get(currency)
    number = f"{amount:,.2f}".removesuffix(".00")
    return f"{sign}{number}" if sign else f"{number} {currency}"


def _format_wan(amount: Decimal) -> str:
    for unit, size in (("亿", 10**8), ("万", 10**4)):
        if amount >= size:
            scaled = (amount / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            return f"¥{scaled.normalize():f}{unit}"
    return f"¥{amount:,.2f}"
