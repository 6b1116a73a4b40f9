"""Which dates a person may give, and showing any stored moment on anyone's clock without failing.

Python's datetime ends at 9999-12-31 and starts at year 1. A moment stored near either edge (a
task due 9999-12-31 by a member in UTC) has no local time east (or west) of it, and
`astimezone` raises; one such row used to break `show` and `tasks` for a whole team. So:

- input (chat commands, and the CSV import may reuse `is_plausible`) refuses dates outside
  PLAUSIBLE: from 1970 to a hundred years ahead, wider than any sales plan or record;
- display never raises on what is stored, whatever its source (an old row, another tool):
  `in_zone` keeps a moment it cannot move, and `is_plausible` tells display code to show such a
  date in full (with its year) rather than as a weekday.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
YEARS_AHEAD = 100


def latest(now: datetime) -> datetime:
    """The last moment a person may give: a hundred years after `now`."""
    year = min(now.year + YEARS_AHEAD, datetime.max.year)
    try:
        return now.replace(year=year)
    except ValueError:  # 29 February
        return now.replace(year=year, day=28)


def is_plausible(moment: datetime, now: datetime) -> bool:
    """True for an aware moment from 1970 to a hundred years after `now`."""
    return moment.utcoffset() is not None and EARLIEST <= moment <= latest(now)


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """`moment` on the zone's clock; within a day of datetime's edges, where that clock's reading
    does not exist, the moment as it is (display then shows its own date, see cards.when)."""
    try:
        return moment.astimezone(zone)
    except (OverflowError, ValueError):
        return moment


def full_date(moment: datetime) -> str:
    """"9999-12-31": how an implausible stored date is shown, year included."""
    return moment.date().isoformat()
