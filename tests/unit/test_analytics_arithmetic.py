"""The integer shortcuts of the figures' arithmetic equal their definitions to the last bit:
epoch() is calendar.timegm of the UTC time tuple, rounding.days() the Decimal quantize half up."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from core.analytics import rounding
from core.analytics.reference import epoch

ZONES = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30)), None])


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1)), ZONES)
@example(datetime(1969, 12, 31, 23, 59, 59, 500000), UTC)  # before 1970, with a fraction: toward the past
@example(datetime(2026, 3, 4, 2, 0, 0, 999999), None)  # naive: read as UTC, like utctimetuple()
def test_epoch_is_timegm_of_the_utc_time_tuple(moment, zone):
    moment = moment.replace(tzinfo=zone)
    assert epoch(moment) == calendar.timegm(moment.utctimetuple())


def _decimal_days(seconds: int, count: int) -> float:
    return float((Decimal(seconds) / Decimal(count * 86400)).quantize(Decimal("0.01"), ROUND_HALF_UP))


@given(st.integers(-10**12, 10**12), st.integers(1, 10**5))
@example(432, 1)  # exactly 0.005 days: half up
@example(-432, 1)  # -0.005 days: half away from zero, as Decimal's ROUND_HALF_UP
@example(-1, 1)  # rounds to -0.0, as Decimal does
@example(86400 * 3 + 431, 3)
def test_days_is_the_decimal_quantize(seconds, count):
    ours, definition = rounding.days(seconds, count), _decimal_days(seconds, count)
    assert ours == definition and str(ours) == str(definition)  # str: the sign of zero too


def test_no_count_no_days():
    assert rounding.days(100, 0) is None
