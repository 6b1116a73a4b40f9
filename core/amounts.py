"""Money as reps type it: 50000, 50k, 1.2m, 5万, 1.2亿, ¥12,000, $3.5k, €800, 3000元, 20k USD."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DEFAULT_CURRENCY = "CNY"

_SYMBOLS = {"¥": "CNY", "￥": "CNY", "$": "USD", "€": "EUR", "£": "GBP"}
_CODES = {"CNY", "RMB", "USD", "EUR", "GBP", "JPY", "HKD", "SGD"}
_SUFFIX_WORDS = {"元": "CNY", "块": "CNY", "人民币": "CNY", "美元": "USD", "欧元": "EUR"}
_MULTIPLIERS = {
    "": 1, "k": 10**3, "K": 10**3, "千": 10**3, "m": 10**6, "M": 10**6,
    "w": 10**4, "W": 10**4, "万": 10**4, "百万": 10**6, "千万": 10**7, "亿": 10**8,
}

_AMOUNT = re.compile(
    r"""^(?P<sym>[¥￥$€£])?\s*
        (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)
        \s*(?P<mult>百万|千万|[kKmMwW万千亿])?
        \s*(?P<unit>元|块|人民币|美元|欧元|[A-Za-z]{3})?$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = DEFAULT_CURRENCY


def parse_amount(text: str, default_currency: str = DEFAULT_CURRENCY) -> Money | None:
    """The amount a token stands for, or None if it is not an amount."""
    m = _AMOUNT.match(text.strip())
    if not m:
        return None
    currency = _currency(m["sym"], m["unit"], default_currency)
    if currency is None:
        return None
    try:
        value = Decimal(m["num"].replace(",", "")) * _MULTIPLIERS[m["mult"] or ""]
    except InvalidOperation:
        return None
    if value <= 0 or value >= Decimal(10) ** 15:
        return None
    return Money(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), currency)


def _currency(symbol: str | None, unit: str | None, default: str) -> str | None:
    from_symbol = _SYMBOLS.get(symbol) if symbol else None
    from_unit = None
    if unit:
        from_unit = _SUFFIX_WORDS.get(unit) or (unit.upper() if unit.upper() in _CODES else None)
        if from_unit is None:
            return None  # "50abc" is not money
        from_unit = "CNY" if from_unit == "RMB" else from_unit
    if from_symbol and from_unit and from_symbol != from_unit:
        return None
    return from_symbol or from_unit or default


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
