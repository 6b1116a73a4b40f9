"""SqlAnalytics: the figures of DESIGN.md §5 as GROUP BY queries (core.ports.Analytics).

Each method reads one team's rows inside a time window through an index (migration 0004) and
returns exact aggregates; nothing is rounded here. Durations are whole seconds computed in SQL by
`epoch()`, which SQLite and PostgreSQL evaluate identically (timestamps are stored as naive UTC).
Results are sorted in Python where the order matters, so no database collation leaks into them.
core.analytics.reference is the definition; tests/storage/test_analytics_property.py holds both
databases to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, and_, case, func, literal, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from core.analytics.counts import (
    OpenDeal,
    OpenGroup,
    PastState,
    RepCounts,
    StageExits,
    StaleDeal,
    Totals,
)
from core.analytics.reference import CAPTURED, DAY
from core.model import DealStatus
from core.pipeline import LOST, WON
from storage import tables as t

_D, _S, _T, _I = t.deals.c, t.stage_changes.c, t.tasks.c, t.interactions.c
_OPEN, _WON, _LOST = DealStatus.OPEN, DealStatus.WON, DealStatus.LOST


class epoch(FunctionElement):  # noqa: N801 (reads as a SQL function)
    """Whole seconds since 1970 of a stored (naive UTC) timestamp, the fraction cut off."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element, compiler, **kw):
    inner = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM date_trunc('second', {inner})) AS BIGINT)"


def _rank(column, order: Sequence[str]):
    """The stage's position in the funnel order; NULL for lost and unknown stages."""
    return case({key: i for i, key in enumerate(order)}, value=column, else_=None)


def _window(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


def _amounts(rows) -> dict[str, Decimal]:
    return {currency: amount for currency, amount in rows if amount is not None}


class SqlAnalytics:
    def __init__(self, session: Session):
        self._session = session

    def _rows(self, query):
        return self._session.execute(query).all()

    # -- the scorecard ----------------------------------------------------------------------------
    def totals(self, team_id: int, bounds: Sequence[datetime]) -> list[Totals]:
        windows = list(zip(bounds, bounds[1:], strict=False))
        if not windows:
            return []

        def bucket(column):
            return case(*((_window(column, s, e), i) for i, (s, e) in enumerate(windows)), else_=None)

        created = (select(bucket(_D.created_at).label("b"), func.count())
                   .where(_D.team_id == team_id, _window(_D.created_at, bounds[0], bounds[-1]))
                   .group_by("b"))
        closed = (select(bucket(_D.closed_at).label("b"), _D.status, _D.currency, func.count(),
                         func.sum(_D.amount), func.sum(epoch(_D.closed_at) - epoch(_D.created_at)))
                  .where(_D.team_id == team_id, _D.status != _OPEN,
                         _window(_D.closed_at, bounds[0], bounds[-1]))
                  .group_by("b", _D.status, _D.currency))
        parts = [defaultdict(int) for _ in windows]
        for b, count in self._rows(created):
            parts[b]["new_deals"] = count
        for b, status, currency, count, amount, seconds in self._rows(closed):
            part = parts[b]
            if status == _WON:
                part["won"] += count
                part["cycle_seconds"] += int(seconds)
                if amount is not None:
                    part.setdefault("won_amount", {})[currency] = amount
            else:
                part["lost"] += count
        return [Totals(**part) for part in parts]

    def funnel(self, team_id: int, start: datetime, end: datetime, order: Sequence[str]) -> list[int]:
        cohort = (select(_D.id, _D.stage)
                  .where(_D.team_id == team_id, _window(_D.created_at, start, end)).subquery())
        entered = union_all(
            select(_S.deal_id.label("deal_id"), _rank(_S.to_stage, order).label("r"))
            .join(cohort, cohort.c.id == _S.deal_id),
            select(cohort.c.id.label("deal_id"), _rank(cohort.c.stage, order).label("r")),
        ).subquery()
        per_deal = (select(func.coalesce(func.max(entered.c.r), 0).label("top"))
                    .group_by(entered.c.deal_id).subquery())
        tops = dict(self._rows(select(per_deal.c.top, func.count()).group_by(per_deal.c.top)))
        return [sum(count for top, count in tops.items() if top >= rank) for rank in range(len(order))]

    def reps(self, team_id: int, start: datetime, end: datetime, asof: datetime,
             order: Sequence[str]) -> list[RepCounts]:
        rows: dict[int, dict] = defaultdict(lambda: defaultdict(int))
        in_team = _D.team_id == team_id
        created = (select(_D.owner_id, func.count()).where(in_team, _window(_D.created_at, start, end))
                   .group_by(_D.owner_id))
        for member_id, count in self._rows(created):
            rows[member_id]["new_deals"] = count
        won = (select(_D.owner_id, _D.currency, func.count(), func.sum(_D.amount))
               .where(in_team, _D.status == _WON, _window(_D.closed_at, start, end))
               .group_by(_D.owner_id, _D.currency))
        for member_id, currency, count, amount in self._rows(won):
            rows[member_id]["won"] += count
            if amount is not None:
                rows[member_id].setdefault("won_amount", {})[currency] = amount
        advances = (select(_D.owner_id, func.count())
                    .select_from(t.stage_changes.join(t.deals, _D.id == _S.deal_id))
                    .where(in_team, _window(_S.at, start, end),
                           _rank(_S.to_stage, order) > _rank(_S.from_stage, order))
                    .group_by(_D.owner_id))
        for member_id, count in self._rows(advances):
            rows[member_id]["advances"] = count
        logged = (select(_I.author_id, func.count())
                  .where(_I.team_id == team_id, _window(_I.occurred_at, start, end),
                         _I.author_id.is_not(None), _I.kind != CAPTURED)
                  .group_by(_I.author_id))
        for member_id, count in self._rows(logged):
            rows[member_id]["interactions"] = count
        overdue = (select(_T.assignee_id, func.count())
                   .where(_T.team_id == team_id, _T.due_at < asof,
                          or_(_T.done_at.is_(None), _T.done_at >= asof))
                   .group_by(_T.assignee_id))
        for member_id, count in self._rows(overdue):
            rows[member_id]["overdue_tasks"] = count
        return [RepCounts(member_id=member_id, **dict(values)) for member_id, values in sorted(rows.items())]

    def stale(self, team_id: int, entered_by: Mapping[str, datetime]) -> list[StaleDeal]:
        if not entered_by:
            return []
        late = or_(*(and_(_D.stage == stage, _D.stage_entered_at <= moment)
                     for stage, moment in entered_by.items()))
        query = select(_D.id, _D.stage, _D.stage_entered_at).where(_D.team_id == team_id,
                                                                   _D.status == _OPEN, late)
        found = [StaleDeal(deal_id, stage, entered) for deal_id, stage, entered in self._rows(query)]
        return sorted(found, key=lambda s: (s.entered_at, s.deal_id))

    # -- the win-probability model and the forecast ---------------------------------------------------
    def stage_exits(self, team_id: int, since: datetime, cutoff: datetime, order: Sequence[str],
                    limits: Mapping[str, int]) -> list[StageExits]:
        stages = [key for key in order if key != WON]
        following = {"partition_by": _S.deal_id, "order_by": (_S.at, _S.id)}
        seen = (select(_S.to_stage.label("stage"), _S.at, _rank(_S.to_stage, order).label("r"),
                       _rank(func.lead(_S.to_stage).over(**following), order).label("next_r"),
                       (func.lead(epoch(_S.at)).over(**following) - epoch(_S.at)).label("stay"))
                .join(t.deals, _D.id == _S.deal_id)
                .where(_D.team_id == team_id, _S.at < cutoff).subquery())
        timed = {key: days for key, days in limits.items() if key in stages}
        forward = case((seen.c.next_r > seen.c.r, 1), else_=0)

        def longer(factor: int):
            if not timed:
                return literal(False)
            seconds = case({k: (factor * d + 1) * DAY for k, d in timed.items()}, value=seen.c.stage)
            return seen.c.stay >= seconds

        def total(condition, value=1):
            return func.sum(case((condition, value), else_=0))

        query = (select(seen.c.stage, func.count(), func.sum(forward), total(longer(1)),
                        total(longer(1), forward), total(longer(2)), total(longer(2), forward))
                 .where(seen.c.stay.is_not(None), seen.c.stage.in_(stages), seen.c.at >= since)
                 .group_by(seen.c.stage))
        found = {row[0]: StageExits(row[0], *(int(v) for v in row[1:])) for row in self._rows(query)}
        return [found.get(key, StageExits(key)) for key in stages]

    def _open_in(self, team_id: int, start: datetime, end: datetime):
        return and_(_D.team_id == team_id, _D.status == _OPEN, _window(_D.expected_close, start, end))

    def open_groups(self, team_id: int, start: datetime, end: datetime,
                    buckets: Mapping[str, tuple[datetime, datetime]]) -> list[OpenGroup]:
        if buckets:
            far = or_(*(and_(_D.stage == s, _D.stage_entered_at <= f) for s, (_, f) in buckets.items()))
            over = or_(*(and_(_D.stage == s, _D.stage_entered_at <= o) for s, (o, _) in buckets.items()))
            bucket = case((far, 2), (over, 1), else_=0)
        else:
            bucket = literal(0)
        query = (select(_D.stage, bucket.label("b"), _D.currency, func.count(), func.sum(_D.amount))
                 .where(self._open_in(team_id, start, end)).group_by(_D.stage, "b", _D.currency))
        groups = [OpenGroup(stage, int(b), currency, count, amount if amount is not None else Decimal(0))
                  for stage, b, currency, count, amount in self._rows(query)]
        return sorted(groups, key=lambda g: (g.stage, g.bucket, g.currency))

    def open_deals(self, team_id: int, start: datetime, end: datetime, limit: int) -> list[OpenDeal]:
        query = (select(_D.id, _D.owner_id, _D.stage, _D.stage_entered_at, _D.amount, _D.currency,
                        _D.expected_close)
                 .where(self._open_in(team_id, start, end))
                 .order_by(_D.amount.is_(None), _D.amount.desc(), _D.id).limit(limit))
        return [OpenDeal(*row) for row in self._rows(query)]

    def closed_range(self, team_id: int) -> tuple[datetime, datetime] | None:
        query = select(func.min(_D.closed_at), func.max(_D.closed_at)).where(
            _D.team_id == team_id, _D.status != _OPEN, _D.closed_at.is_not(None))
        first, last = self._session.execute(query).one()
        return (first, last) if first is not None else None

    def states_at(self, team_id: int, at: datetime) -> list[PastState]:
        ranked = (select(_S.deal_id, _S.to_stage, _S.at, _D.status,
                         func.row_number().over(partition_by=_S.deal_id,
                                                order_by=(_S.at.desc(), _S.id.desc())).label("n"))
                  .join(t.deals, _D.id == _S.deal_id)
                  .where(_D.team_id == team_id, _D.status != _OPEN, _D.closed_at >= at,
                         _D.created_at < at, _S.at < at).subquery())
        query = (select(ranked.c.deal_id, ranked.c.to_stage, ranked.c.at, ranked.c.status)
                 .where(ranked.c.n == 1, ranked.c.to_stage.not_in((WON, LOST))).order_by(ranked.c.deal_id))
        return [PastState(deal_id, stage, entered, status == _WON)
                for deal_id, stage, entered, status in self._rows(query)]
