"""The figures: exact aggregates from the database (Analytics) and chart drawing (Charts)."""


from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from core.analytics.counts import (
    OpenDeal,
    OpenGroup,
    PastState,
    ScorecardCounts,
    StageExits,
    StaleDeal,
    Totals,
)
from core.analytics.pictures import (
    AttainmentPicture,
    ForecastPicture,
    FunnelPicture,
    HealthPicture,
    ScorecardPicture,
)


class Charts(Protocol):
    """Draws the figures as PNG files and returns their paths (bot/charts.py; None: no charts)."""

    def scorecard(self, picture: ScorecardPicture, lang: str) -> str: ...
    def funnel(self, picture: FunnelPicture, lang: str) -> str: ...
    def forecast(self, picture: ForecastPicture, lang: str) -> str: ...
    def attainment(self, picture: AttainmentPicture, lang: str) -> str: ...
    def health(self, picture: HealthPicture, lang: str) -> str: ...


class Analytics(Protocol):
    """The aggregates behind the scorecard, funnel and forecast (docs/design-notes.md), over one team.

    Windows are half-open [start, end) in UTC (the caller converts the team's local bounds);
    `order` is the funnel order: the open stages of the pipeline, then `won`. Every method is a
    few GROUP BY queries in SQL; core.analytics.reference is the plain-Python definition they
    are tested against.
    """

    def totals(self, team_id: int, bounds: Sequence[datetime]) -> list[Totals]:
        """One Totals per consecutive window [bounds[i], bounds[i+1])."""
        ...

    def funnel(self, team_id: int, start: datetime, end: datetime, order: Sequence[str]) -> list[int]:
        """Of the deals created in the window, how many reached each stage of `order`: ever
        entered it or a later one (a deal created at a later stage reached the earlier ones)."""
        ...

    def funnel_by(self, team_id: int, start: datetime, end: datetime, order: Sequence[str],
                  by: str) -> dict[str | None, list[int]]:
        """funnel(), per value of the deal's customer's `by` (industry, source or tag); None: the
        customers without one. A customer with two tags counts in both tags' funnels."""
        ...

    def scorecard(self, team_id: int, start: datetime, end: datetime, asof: datetime,
                  order: Sequence[str]) -> ScorecardCounts:
        """The window's totals and funnel (as totals() and funnel() give them), and its figures
        per member with any, by member id; overdue tasks as of `asof`."""
        ...

    def stale(self, team_id: int, entered_by: Mapping[str, datetime]) -> list[StaleDeal]:
        """Open deals whose stage is a key of `entered_by` and that entered it at or before that
        moment, longest waiting first (by when they entered it, then by id)."""
        ...

    def stage_exits(self, team_id: int, since: datetime, cutoff: datetime, order: Sequence[str],
                    limits: Mapping[str, int]) -> list[StageExits]:
        """For each open stage of `order`: the stays in it that began at or after `since` and ended
        before `cutoff` (the next stage change came before it), those that ended with a move forward in `order`, and the
        same for stays of `limits[stage]` + 1 days or more (over) and 2 × limit + 1 days or more
        (far), in whole seconds."""
        ...

    def open_groups(self, team_id: int, start: datetime, end: datetime,
                    buckets: Mapping[str, tuple[datetime, datetime]]) -> list[OpenGroup]:
        """Open deals expected to close in the window, grouped by stage, overstay bucket and
        currency. A deal is in bucket 2 when it entered its stage at or before buckets[stage][1],
        else 1 when at or before buckets[stage][0], else 0."""
        ...

    def open_deals(self, team_id: int, start: datetime, end: datetime, limit: int) -> list[OpenDeal]:
        """The largest open deals expected to close in the window."""
        ...

    def closed_range(self, team_id: int) -> tuple[datetime, datetime] | None:
        """When the team's first and last closed deal closed."""
        ...

    def states_at(self, team_id: int, at: datetime) -> list[PastState]:
        """Deals that were open at `at` (their last stage change before it was to an open stage)
        and are closed now, closed at or after `at`; by deal id."""
        ...
