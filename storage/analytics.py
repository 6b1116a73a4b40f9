"""SqlAnalytics: the figures of DESIGN.md §5 as GROUP BY queries (core.ports.Analytics).

Each method reads one team's rows inside a time window through an index that holds every column
it reads (migrations 0004, 0007) and returns exact aggregates; nothing is rounded here. Durations
are whole seconds computed in SQL by `epoch()`, which SQLite and PostgreSQL evaluate identically
(timestamps are stored as naive UTC). Results are sorted in Python where the order matters, so no
database collation leaks into them.
core.analytics.reference is the definition; tests/storage/test_analytics_property.py holds both
databases to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Integer,
    and_,
    case,
    column,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause
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
    # Cut to 'YYYY-MM-DD HH:MM:SS' first: SQLite keeps times in whole milliseconds, so on the full
    # stored text ('… 15:59:59.999999') strftime('%s') would round up to the next second.
    return f"CAST(strftime('%s', substr({compiler.process(element.clauses, **kw)}, 1, 19)) AS INTEGER)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element, compiler, **kw):
    inner = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM date_trunc('second', {inner})) AS BIGINT)"


class greatest(FunctionElement):  # noqa: N801 (reads as a SQL function)
    """The larger of two non-NULL values: SQLite's two-argument max(), PostgreSQL's greatest()."""

    inherit_cache = True


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "postgresql")
def _greatest_postgresql(element, compiler, **kw):
    return f"greatest({compiler.process(element.clauses, **kw)})"


class _DealOfChange(TableClause):
    """`deals` as the deal of each stage change: on SQLite, read through the index of deals by id
    with their team and owner ("INDEXED BY"), never through the table.

    Left to itself, SQLite without ANALYZE statistics (what a user's database has) starts from the
    team's deals and probes each one for changes in the window, or, told otherwise, looks each
    change's deal up in the table itself: about 12x and 3x slower than reading only this index,
    at 100k deals (bench/analytics.py). PostgreSQL plans the join by itself.
    """

    inherit_cache = True
    INDEX = "ix_deals_id_team_id_owner_id"  # storage.tables, migration 0007


@compiles(_DealOfChange, "sqlite")
def _deal_of_change_sqlite(element, compiler, **kw):
    text = compiler.visit_table(element, **kw)
    return f"{text} INDEXED BY {element.INDEX}" if kw.get("asfrom") else text


_DEAL = _DealOfChange("deals", column("id", Integer), column("team_id", Integer), column("owner_id", Integer))


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
        """Per cohort deal, the furthest stage it reached: its current stage or its history's
        furthest, looked up deal by deal through ix_stage_changes_deal_id_at_id_to_stage (no
        ORM rows, no table reads). A deal at the last stage (won) cannot have gone further, so its
        history is not read at all."""
        if not order:
            return []
        furthest_change = (select(func.max(_rank(_S.to_stage, order))).where(_S.deal_id == _D.id)
                           .scalar_subquery())
        top = case((_D.stage == order[-1], len(order) - 1),
                   else_=greatest(func.coalesce(_rank(_D.stage, order), 0), func.coalesce(furthest_change, 0)))
        query = (select(top.label("top"), func.count())
                 .where(_D.team_id == team_id, _window(_D.created_at, start, end)).group_by("top"))
        tops = dict(self._rows(query))
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
        advances = (select(_DEAL.c.owner_id, func.count())
                    .select_from(t.stage_changes.join(_DEAL, _DEAL.c.id == _S.deal_id))
                    .where(_DEAL.c.team_id == team_id, _window(_S.at, start, end),
                           _rank(_S.to_stage, order) > _rank(_S.from_stage, order))
                    .group_by(_DEAL.c.owner_id))
        for member_id, count in self._rows(advances):
            rows[member_id]["advances"] = count
        logged = (select(_I.author_id, func.count())
                  .where(_I.team_id == team_id, _window(_I.occurred_at, start, end),
                         _I.author_id.is_not(None), _I.kind != CAPTURED)
                  .group_by(_I.author_id))
        for member_id, count in self._rows(logged):
            rows[member_id]["interactions"] = count
        for member_id, count in self._rows(self._overdue(team_id, asof)):
            rows[member_id]["overdue_tasks"] = count
        return [RepCounts(member_id=member_id, **dict(values)) for member_id, values in sorted(rows.items())]

    @staticmethod
    def _overdue(team_id: int, asof: datetime):
        """Tasks due before `asof` and not done by then, per assignee. Two disjoint parts, each on
        its own index: never done (the partial index of open tasks) and done only later."""
        before = and_(_T.team_id == team_id, _T.due_at < asof)
        parts = union_all(select(_T.assignee_id.label("member_id")).where(before, _T.done_at.is_(None)),
                          select(_T.assignee_id.label("member_id")).where(before, _T.done_at >= asof)).subquery()
        return select(parts.c.member_id, func.count()).group_by(parts.c.member_id)

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
        # Only the changes since `since` are read: the change after one of them (in (at, id)
        # order) is never earlier, so `lead` finds the same one as over the whole history (a third
        # less time than windowing every change of the team, at 100k deals). Each deal's changes
        # come from ix_stage_changes_deal_id_at_id_to_stage, without reading the table.
        seen = (select(_S.to_stage.label("stage"), _rank(_S.to_stage, order).label("r"),
                       _rank(func.lead(_S.to_stage).over(**following), order).label("next_r"),
                       (func.lead(epoch(_S.at)).over(**following) - epoch(_S.at)).label("stay"))
                .select_from(t.deals.join(t.stage_changes, _S.deal_id == _D.id))
                .where(_D.team_id == team_id, _S.at >= since, _S.at < cutoff).subquery())
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
                 .where(seen.c.stay.is_not(None), seen.c.stage.in_(stages))
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
