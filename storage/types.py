"""Column types that keep the domain's conventions at the database boundary.

The domain speaks aware-UTC datetimes, Decimal amounts and StrEnums; the database stores naive UTC
timestamps, integer cents and short strings. Converting here means every query (including SQL-side
analytics) sees one representation, and a wrong value fails loudly at flush instead of being stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetime in, aware UTC datetime out; stored as naive UTC.

    Naive input is rejected: it is ambiguous, and storing it would silently shift it by the
    server's or the team's offset.
    """

    impl = sa.DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime needs a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: dealbot stores only aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Money(TypeDecorator[Decimal]):
    """Decimal amount stored as integer cents (BIGINT), so SUM and comparisons stay exact in SQL.

    Amounts with more than two decimal places are rejected rather than rounded: rounding would
    change a figure the user typed without telling them.
    """

    impl = sa.BigInteger()
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | None, dialect: sa.Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float | bool) or not isinstance(value, Decimal | int):
            raise TypeError(f"Money needs a Decimal or int, got {type(value).__name__}")
        cents = Decimal(value).scaleb(2)
        if cents != cents.to_integral_value():
            raise ValueError(f"amount {value} has more than two decimal places")
        return int(cents)

    def process_result_value(self, value: object, dialect: sa.Dialect) -> Decimal | None:
        if value is None:
            return None
        # SUM over BIGINT is an int on SQLite and a Decimal on PostgreSQL; AVG may be a float.
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)  # type: ignore[arg-type]
        return exact.scaleb(-2)


class StrEnumType(TypeDecorator[StrEnum]):
    """A StrEnum stored as its short string value; loaded rows get the enum member back."""

    impl = sa.String(16)
    cache_ok = True

    def __init__(self, enum_class: type[StrEnum], length: int = 16):
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> str | None:
        # Validates plain strings too, so a typo never reaches the table.
        return None if value is None else self.enum_class(value).value

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> StrEnum | None:
        return None if value is None else self.enum_class(value)
