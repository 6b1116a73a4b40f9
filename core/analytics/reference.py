"""The figures in plain Python, one loop each: the definition the SQL in storage/analytics.py is
tested against (tests/storage/test_analytics_property.py), and the Analytics of the in-memory
fake unit of work.

It reads whole tables, so it is for tests and small data only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from core.analytics.counts import (
    OpenDeal,
    OpenGroup,
    PastState,
    RepCounts,
    ScorecardCounts,
    StageExits,
    StaleDeal,
    Totals,
)
from core.domain.model import Customer, Deal, DealStatus, Interaction, StageChange, Task
from core.domain.pipeline import LOST, WON

DAY = 86400
CAPTURED = "message"  # the interaction kind of captured chat messages


_EPOCH, _EPOCH_NAIVE = datetime(1970, 1, 1, tzinfo=UTC), datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)


def epoch(moment: datetime) -> int:
    """Whole seconds since 1970 (the fraction cut off, toward the past), as both databases compute
    it: calendar.timegm(moment.utctimetuple()), in a fifth of the time (the scorecard takes it
    once per stale deal)."""
    return (moment - (_EPOCH if moment.utcoffset() is not None else _EPOCH_NAIVE)) // _SECOND


def _add(amounts: dict[str, Any], deal: Deal) -> None:
    if deal.amount is not None:
        amounts[deal.currency] = amounts.get(deal.currency, Decimal(0)) + deal.amount


class ReferenceAnalytics:
    def __init__(self, deals: Callable[[], Iterable[Deal]], changes: Callable[[], Iterable[StageChange]],
                 tasks: Callable[[], Iterable[Task]], interactions: Callable[[], Iterable[Interaction]],
                 customers: Callable[[], Iterable[Customer]] = list):
        self._deals, self._changes, self._tasks, self._interactions = deals, changes, tasks, interactions
        self._customers = customers

    def _team(self, team_id: int) -> list[Deal]:
        return [d for d in self._deals() if d.team_id == team_id]

    def _history(self) -> dict[int, list[StageChange]]:
        by_deal: dict[int, list[StageChange]] = defaultdict(list)
        for change in self._changes():
            by_deal[change.deal_id].append(change)
        for changes in by_deal.values():
            changes.sort(key=lambda c: (c.at, c.id))
        return by_deal

    # -- the scorecard ----------------------------------------------------------------------------
    def totals(self, team_id: int, bounds: Sequence[datetime]) -> list[Totals]:
        deals = self._team(team_id)
        result = []
        for start, end in zip(bounds, bounds[1:], strict=False):
            won = [d for d in deals if d.status == DealStatus.WON and _inside(d.closed_at, start, end)]
            amounts: dict[str, Any] = {}
            for deal in won:
                _add(amounts, deal)
            result.append(Totals(
                new_deals=sum(1 for d in deals if start <= d.created_at < end),
                won=len(won),
                lost=sum(1 for d in deals if d.status == DealStatus.LOST and _inside(d.closed_at, start, end)),
                won_amount=amounts,
                cycle_seconds=sum(epoch(d.closed_at) - epoch(d.created_at) for d in won if d.closed_at is not None),
            ))
        return result

    def funnel(self, team_id: int, start: datetime, end: datetime, order: Sequence[str]) -> list[int]:
        history = self._history()
        reached = [0] * len(order)
        for deal in self._team(team_id):
            if start <= deal.created_at < end:
                top = _top_rank(deal, history.get(deal.saved_id, []), order)
                for rank in range(top + 1):
                    reached[rank] += 1
        return reached

    def funnel_by(self, team_id: int, start: datetime, end: datetime, order: Sequence[str],
                  by: str) -> dict[str | None, list[int]]:
        history = self._history()
        customers = {c.saved_id: c for c in self._customers()}
        result: dict[str | None, list[int]] = {}
        for deal in self._team(team_id):
            if not start <= deal.created_at < end:
                continue
            customer = customers[deal.customer_id]
            values: list[str | None] = (list(customer.tags) or [None]) if by == "tag" else [getattr(customer, by)]
            top = _top_rank(deal, history.get(deal.saved_id, []), order)
            for value in values:
                reached = result.setdefault(value, [0] * len(order))
                for rank in range(top + 1):
                    reached[rank] += 1
        return result

    def scorecard(self, team_id: int, start: datetime, end: datetime, asof: datetime,
                  order: Sequence[str]) -> ScorecardCounts:
        return ScorecardCounts(self.totals(team_id, [start, end])[0], self.funnel(team_id, start, end, order),
                               self.reps(team_id, start, end, asof, order))

    def reps(self, team_id: int, start: datetime, end: datetime, asof: datetime,
             order: Sequence[str]) -> list[RepCounts]:
        rows: dict[int, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
        deals = {d.id: d for d in self._team(team_id)}
        for deal in deals.values():
            if start <= deal.created_at < end:
                rows[deal.owner_id]["new_deals"] += 1
            if deal.status == DealStatus.WON and _inside(deal.closed_at, start, end):
                rows[deal.owner_id]["won"] += 1
                _add(rows[deal.owner_id].setdefault("won_amount", {}), deal)
        rank = {key: i for i, key in enumerate(order)}
        for change in self._changes():
            # Credited to whoever owned the deal when it advanced, not to its owner today.
            if (change.deal_id in deals and change.owner_id is not None and start <= change.at < end
                    and _is_advance(change, rank)):
                rows[change.owner_id]["advances"] += 1
        for item in self._interactions():
            if (item.team_id == team_id and item.author_id is not None and item.kind != CAPTURED
                    and start <= item.occurred_at < end):
                rows[item.author_id]["interactions"] += 1
        for task in self._tasks():
            if task.team_id == team_id and _overdue(task, asof):
                rows[task.assignee_id]["overdue_tasks"] += 1
        return [RepCounts(member_id=member_id, **dict(values)) for member_id, values in sorted(rows.items())]

    def stale(self, team_id: int, entered_by: Mapping[str, datetime]) -> list[StaleDeal]:
        found = sorted((d.stage_entered_at, d.saved_id, d.stage) for d in self._team(team_id)
                       if d.status == DealStatus.OPEN and d.stage in entered_by
                       and d.stage_entered_at <= entered_by[d.stage])
        return [StaleDeal(deal_id, stage, epoch(entered)) for entered, deal_id, stage in found]

    # -- the win-probability model and the forecast ---------------------------------------------------
    def stage_exits(self, team_id: int, since: datetime, cutoff: datetime, order: Sequence[str],
                    limits: Mapping[str, int]) -> list[StageExits]:
        team = {d.id for d in self._team(team_id)}
        rank = {key: i for i, key in enumerate(order)}
        stages = [key for key in order if key != WON]
        counts: dict[str, defaultdict[str, int]] = {key: defaultdict(int) for key in stages}
        for deal_id, changes in self._history().items():
            if deal_id not in team:
                continue
            seen = [c for c in changes if c.at < cutoff]
            for change, following in zip(seen, seen[1:], strict=False):
                if change.to_stage not in counts or change.at < since:
                    continue
                row = counts[change.to_stage]
                forward = rank.get(following.to_stage, -1) > rank[change.to_stage]
                stay = epoch(following.at) - epoch(change.at)
                limit = limits.get(change.to_stage)
                for name, days in (("", 0), ("over", None if limit is None else limit + 1),
                                   ("far", None if limit is None else 2 * limit + 1)):
                    if days is not None and stay >= days * DAY:
                        row[name or "exits"] += 1
                        row[f"{name}_forward" if name else "forward"] += forward
        return [StageExits(stage=key, **dict(counts[key])) for key in stages]

    def open_groups(self, team_id: int, start: datetime, end: datetime,
                    buckets: Mapping[str, tuple[datetime, datetime]]) -> list[OpenGroup]:
        groups: dict[tuple[Any, ...], list[Any]] = {}
        for deal in self._open_in(team_id, start, end):
            over, far = buckets.get(deal.stage, (None, None))
            bucket = 2 if far is not None and deal.stage_entered_at <= far else (
                1 if over is not None and deal.stage_entered_at <= over else 0)
            group = groups.setdefault((deal.stage, bucket, deal.currency), [0, Decimal(0)])
            group[0] += 1
            group[1] += deal.amount or 0
        return [OpenGroup(stage, bucket, currency, count, amount)
                for (stage, bucket, currency), (count, amount) in sorted(groups.items())]

    def open_deals(self, team_id: int, start: datetime, end: datetime, limit: int) -> list[OpenDeal]:
        deals = sorted(self._open_in(team_id, start, end),
                       key=lambda d: (d.amount is None, -(d.amount or 0), d.id))
        return [OpenDeal(d.saved_id, d.owner_id, d.stage, d.stage_entered_at, d.amount, d.currency,
                         d.expected_close) for d in deals[:limit]]

    def _open_in(self, team_id: int, start: datetime, end: datetime) -> list[Deal]:
        return [d for d in self._team(team_id) if d.status == DealStatus.OPEN
                and d.expected_close is not None and start <= d.expected_close < end]

    def closed_range(self, team_id: int) -> tuple[datetime, datetime] | None:
        closed = [d.closed_at for d in self._team(team_id)
                  if d.status != DealStatus.OPEN and d.closed_at is not None]
        return (min(closed), max(closed)) if closed else None

    def states_at(self, team_id: int, at: datetime) -> list[PastState]:
        history = self._history()
        states = []
        for deal in sorted(self._team(team_id), key=lambda d: d.saved_id):
            if deal.status == DealStatus.OPEN or deal.closed_at is None or deal.closed_at < at:
                continue
            before = [c for c in history.get(deal.saved_id, []) if c.at < at]
            if deal.created_at < at and before and before[-1].to_stage not in (WON, LOST):
                states.append(PastState(deal.saved_id, before[-1].to_stage, before[-1].at,
                                        deal.status == DealStatus.WON))
        return states


def _inside(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def _top_rank(deal: Deal, changes: Sequence[StageChange], order: Sequence[str]) -> int:
    """The furthest stage of `order` the deal ever entered (its current stage counts); the first
    stage when it entered none of them."""
    rank = {key: i for i, key in enumerate(order)}
    ranks = [rank[c.to_stage] for c in changes if c.to_stage in rank]
    if deal.stage in rank:
        ranks.append(rank[deal.stage])
    return max(ranks, default=0)


def _is_advance(change: StageChange, rank: Mapping[str, int]) -> bool:
    return (change.from_stage is not None and change.from_stage in rank and change.to_stage in rank
            and rank[change.to_stage] > rank[change.from_stage])


def _overdue(task: Task, asof: datetime) -> bool:
    return (task.due_at is not None and task.due_at < asof
            and (task.done_at is None or task.done_at >= asof))
