"""What the scheduler's scans read: light stamps of deals and tasks, and a team's figures.

Repositories return these instead of whole domain objects so that a scan over a large pipeline
reads a few columns of the rows in its time window and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class DealStamp:
    id: int
    owner_id: int
    team_id: int
    stage: str
    stage_entered_at: datetime
    snoozed_until: datetime | None = None
    last_touched: datetime | None = None  # last activity, or creation (open_deals only)


@dataclass(frozen=True)
class TaskStamp:
    id: int
    assignee_id: int
    team_id: int
    due_at: datetime | None
    deal_id: int | None = None
    snoozed_until: datetime | None = None


@dataclass
class TeamFigures:
    """A team's numbers over a window [start, end) and its open pipeline at `end`."""

    new_deals: int = 0
    won: int = 0
    lost: int = 0
    won_amount: dict[str, Decimal] = field(default_factory=dict)  # by currency
    stage_moves: int = 0
    open_deals: int = 0
    open_amount: dict[str, Decimal] = field(default_factory=dict)
    stale: int = 0  # open deals over their stage's time limit
    overdue_tasks: int = 0

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None
