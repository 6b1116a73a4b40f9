"""Targets (目标) and their pace: what a rep or a team is to reach in a period, how far they are.

A target is set for a member or a whole team, for one period (a week, month, quarter or year of
the team's calendar, core.language.periods) and one metric:

- `won_amount` (the default): the amount of the deals won in the period, in the target's currency
  (other currencies never count towards it: no exchange rates);
- `won_count`: deals won; `new_deals`: deals created; `follow_ups`: follow-ups logged.

The figures come from the Analytics port (the scorecard's per-member counts, tested against
core.analytics.reference), so a target's "so far" is the scorecard's number for the same window.
Pace (`pace`) is plain arithmetic: the gap is what is still missing (never below zero); the need
per remaining week spreads the gap over the days left in the period, counting today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

from core.analytics.counts import OpenDeal, ScorecardCounts
from core.analytics.winprob import WinModel
from core.language.periods import Period

WON_AMOUNT, WON_COUNT, NEW_DEALS, FOLLOW_UPS = "won_amount", "won_count", "new_deals", "follow_ups"
METRICS = (WON_AMOUNT, WON_COUNT, NEW_DEALS, FOLLOW_UPS)
MAX_VALUE = Decimal("1e12")  # more than any team's year; keeps a typo from a 20-digit goal


@dataclass
class Target:
    """One goal. `member_id` None: the whole team's. `currency` is "" for the counting metrics."""

    team_id: int
    member_id: int | None
    metric: str
    period_kind: str
    period_start: date
    period_end: date
    value: Decimal
    currency: str
    set_by: int | None
    set_at: datetime
    id: int | None = None

    @property
    def period(self) -> Period:
        return Period(self.period_kind, self.period_start, self.period_end)

    @property
    def key(self) -> tuple[int, int | None, str, str, date]:
        """What makes two targets the same one: setting it again replaces the value."""
        return self.team_id, self.member_id, self.metric, self.period_kind, self.period_start


@dataclass(frozen=True)
class Pace:
    """A target's standing at one moment. `weighted` is the probability-weighted open pipeline
    expected to close in the period (None for the metrics no pipeline feeds)."""

    target: Target
    done: Decimal
    weighted: Decimal | None
    days_left: int  # days of the period from today on, today included; 0 once it is over

    @property
    def attainment(self) -> float:
        return float(self.done / self.target.value) if self.target.value else 0.0

    @property
    def gap(self) -> Decimal:
        return max(self.target.value - self.done, Decimal(0))

    @property
    def per_week(self) -> Decimal | None:
        """What is needed per remaining week to close the gap; None once the period is over."""
        if not self.days_left:
            return None
        need = self.gap * 7 / self.days_left
        return need.quantize(Decimal(1) if self.target.currency == "" else Decimal("0.01"), ROUND_CEILING)

    @property
    def projected(self) -> Decimal | None:
        """Won so far plus the weighted pipeline: where the period ends if the pipeline does as
        the win model expects."""
        return None if self.weighted is None else self.done + self.weighted


def done(target: Target, counts: ScorecardCounts) -> Decimal:
    """What the target's member (or team) reached in counts, the scorecard's figures of the
    target's period."""
    if target.member_id is None:
        totals = counts.totals
        values: dict[str, Decimal | int] = {WON_AMOUNT: totals.won_amount.get(target.currency, Decimal(0)), WON_COUNT: totals.won,
                  NEW_DEALS: totals.new_deals, FOLLOW_UPS: sum(r.interactions for r in counts.reps)}
        return Decimal(values[target.metric])
    for rep in counts.reps:
        if rep.member_id == target.member_id:
            values = {WON_AMOUNT: rep.won_amount.get(target.currency, Decimal(0)), WON_COUNT: rep.won,
                      NEW_DEALS: rep.new_deals, FOLLOW_UPS: rep.interactions}
            return Decimal(values[target.metric])
    return Decimal(0)


def weighted(target: Target, deals: list[OpenDeal], model: WinModel, now: datetime) -> Decimal | None:
    """The open deals' expected contribution: Σ amount × win probability (won_amount, in the
    target's currency) or Σ win probability (won_count), of the member's deals or the team's."""
    if target.metric not in (WON_AMOUNT, WON_COUNT):
        return None
    total = Decimal(0)
    for deal in deals:
        if target.member_id is not None and deal.owner_id != target.member_id:
            continue
        probability = Decimal(str(model.estimate(deal.stage, deal.entered_at, now).probability))
        if target.metric == WON_COUNT:
            total += probability
        elif deal.amount is not None and deal.currency == target.currency:
            total += deal.amount * probability
    return total.quantize(Decimal("0.01"))


def days_left(period: Period, now: datetime, tz: str) -> int:
    today = now.astimezone(ZoneInfo(tz)).date()
    if today >= period.end:
        return 0
    return (period.end - max(today, period.start)).days


def covers(target: Target, day: date) -> bool:
    return target.period_start <= day < target.period_end
