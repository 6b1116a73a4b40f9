"""What the Analytics port (core.ports.analytics.Analytics) returns: exact aggregates, never rounded.

Amounts are Decimal per currency (no exchange rates: a sum never mixes currencies); durations are
whole seconds, each timestamp cut to the second first, so SQLite, PostgreSQL and the reference
agree to the last digit. Rounding for display happens once, in core.analytics.rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

Amounts = dict[str, Decimal]  # currency -> sum


@dataclass(frozen=True)
class Totals:
    """A team's window [start, end): deals created, deals closed, and the won deals' cycle."""

    new_deals: int = 0
    won: int = 0
    lost: int = 0
    won_amount: Amounts = field(default_factory=dict)
    cycle_seconds: int = 0  # Σ (closed_at − created_at) over the won deals


@dataclass(frozen=True)
class RepCounts:
    member_id: int
    new_deals: int = 0  # deals they own that were created in the window
    advances: int = 0  # forward moves of their deals in the window (pipeline order, lost excluded)
    won: int = 0
    won_amount: Amounts = field(default_factory=dict)
    interactions: int = 0  # follow-ups they logged (captured chat messages excluded)
    overdue_tasks: int = 0  # their tasks overdue at the window's end (or now, if sooner)


@dataclass(frozen=True)
class ScorecardCounts:
    """A team's window [start, end) for the scorecard: its totals, how many of the deals created
    in it reached each stage of the funnel order, and the per-member figures."""

    totals: Totals
    reached: list[int]
    reps: list[RepCounts]


class StaleDeal(NamedTuple):
    """A tuple, not a dataclass: a scorecard lists every stale deal of the team (970 at 100k
    deals), and making a frozen dataclass costs twice as much."""

    deal_id: int
    stage: str
    entered: int  # when it entered its stage: whole seconds since 1970 (reference.epoch)


@dataclass(frozen=True)
class StageExits:
    """Moves out of a stage: how many, and how many of them forward (to a later stage or won);
    the same for the stays that lasted past the stage's time limit (`over`) and past twice it
    (`far`)."""

    stage: str
    exits: int = 0
    forward: int = 0
    over: int = 0
    over_forward: int = 0
    far: int = 0
    far_forward: int = 0


@dataclass(frozen=True)
class OpenGroup:
    """Open deals expected to close in a window, by stage, overstay bucket (0, 1, 2) and currency."""

    stage: str
    bucket: int
    currency: str
    deals: int
    amount: Decimal


@dataclass(frozen=True)
class OpenDeal:
    deal_id: int
    owner_id: int
    stage: str
    entered_at: datetime
    amount: Decimal | None
    currency: str
    expected_close: datetime | None


@dataclass(frozen=True)
class PastState:
    """A deal as it stood at some moment (its stage and since when), and how it ended."""

    deal_id: int
    stage: str
    entered_at: datetime
    won: bool
