"""How figures are shown: rates as fractions to 4 decimals, days to 2, half up, None when undefined.

The division happens here, on exact integers, so SQLite, PostgreSQL and the reference round the
same sums to the same figure.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import overload

DAY_SECONDS = 86400
_RATE = Decimal("0.0001")
_CENTS = Decimal("0.01")


def rate(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(_RATE, ROUND_HALF_UP))


@overload
def days(seconds: int) -> float: ...
@overload
def days(seconds: int, count: int) -> float | None: ...
def days(seconds: int, count: int = 1) -> float | None:
    """Mean days to 2 decimals, half away from zero: the Decimal quantize of seconds / (count ×
    86400), in integers (the scorecard rounds one per stale deal). Exact: a tie is exactly half a
    hundredth, and any other quotient is at least 1/(count × 86400) of a hundredth from one."""
    if not count:
        return None
    whole = abs(count) * DAY_SECONDS
    hundredths = (200 * abs(seconds) + whole) // (2 * whole)
    negative = (seconds < 0) != (count < 0)
    return -(hundredths / 100) if negative else hundredths / 100


def amount(value: Decimal | None) -> float:
    """An amount for JSON: a number with at most two decimals (0 for none)."""
    return float((value or Decimal(0)).quantize(_CENTS, ROUND_HALF_UP))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{Decimal(str(value)) * 100:.1f}%".replace(".0%", "%")
