"""SqlAnalytics: the scorecard, funnel and forecast figures as GROUP BY queries (core.ports.analytics.Analytics).

Each method reads one team's rows inside a time window through an index that holds every column
it reads (migrations 0004, 0007, 0008, 0009) and returns exact aggregates; nothing is rounded here.
Two figures read what was kept when a stage changed instead of the deals' histories: the funnel
reads Deal.furthest_stage, the advances per rep StageChange.owner_id and .advance.
Durations are whole seconds computed in SQL by `epoch()`, which SQLite and PostgreSQL evaluate
identically (timestamps are stored as naive UTC). Results are sorted in Python where the order
matters, or in SQL by time and id only, so no database collation leaks into them. The scorecard's
statements are built once and run with parameters: building them on every call cost about 6 ms of
a 40 ms scorecard at 100k deals (bench/README.md, "analytics.py").
core.analytics.reference is the definition; tests/storage/test_analytics_property.py holds both
databases to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache

from sqlalchemy import (
    BigInteger,
    Integer,
    and_,
    bindparam,
    case,
    column,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
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
    ScorecardCounts,
    StageExits,
    StaleDeal,
    Totals,
)
from core.analytics.reference import CAPTURED, DAY
from core.domain.model import DealStatus
from core.domain.pipeline import LOST, WON
from storage import segments
from storage import tables as t
from storage.types import UTCDateTime

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


class _LoggedFollowUps(TableClause):
    """`interactions` read through its partial index of typed follow-ups by (team, author, time)
    on SQLite ("INDEXED BY"): without ANALYZE statistics (dealbot never runs it) SQLite prefers the
    (team, time) index and then sorts every follow-up of the window by author, twice as slow at
    100k deals (bench/analytics.py). PostgreSQL plans it by itself."""

    inherit_cache = True
    INDEX = "ix_interactions_logged_team_id_author_id_occurred_at"  # storage.tables, migration 0009


@compiles(_LoggedFollowUps, "sqlite")
def _logged_follow_ups_sqlite(element, compiler, **kw):
    text = compiler.visit_table(element, **kw)
    return f"{text} INDEXED BY {element.INDEX}" if kw.get("asfrom") else text


_LOGGED_TABLE = _LoggedFollowUps("interactions", *(column(name, t.interactions.c[name].type)
                                                   for name in ("team_id", "author_id", "occurred_at", "kind")))
# Its partial index leaves captured chat messages out: the query says so in the same words, as a
# literal, for both databases to see that the index covers it.
_NOT_CAPTURED = _LOGGED_TABLE.c.kind != literal_column(f"'{CAPTURED}'")
# "Any member", to the per-rep counts: an IN over the members' ids walks each member's range of a
# (team, member, time) index in member order, so SQLite needs no sort for the GROUP BY. Exact:
# those columns are foreign keys to members, and NULL is never IN.
_MEMBERS = select(t.members.c.id)


def _rank(column, order: Sequence[str]):
    """The stage's position in the funnel order; NULL for lost and unknown stages."""
    return case({key: i for i, key in enumerate(order)}, value=column, else_=None) if order else null()


def _window(column, start, end):
    return and_(column >= start, column < end)


# The scorecard's and the funnel's statements are built once per funnel order (functools.cache),
# with these parameters, instead of on every call: building one cost as much as running a small one.
_TEAM = bindparam("team", type_=Integer())
_START, _END, _ASOF = (bindparam(name, type_=UTCDateTime()) for name in ("start", "end", "asof"))


def _top(order: tuple[str, ...]):
    """Per deal, the furthest stage of `order` it reached, as its rank: the further of its current
    stage and the furthest its history reached (Deal.furthest_stage, kept when a stage changes),
    the first stage when neither is in the order. Read from the index of deals created in a window."""
    if not order:
        return literal_column("0", Integer)
    return greatest(func.coalesce(_rank(_D.stage, order), 0), func.coalesce(_rank(_D.furthest_stage, order), 0))


@cache
def _funnel_statement(order: tuple[str, ...]):
    return (select(_top(order).label("top"), func.count())
            .where(_D.team_id == _TEAM, _window(_D.created_at, _START, _END)).group_by("top"))


def _reached(tops: dict[int, int], order: Sequence[str]) -> list[int]:
    return [sum(count for top, count in tops.items() if top >= rank) for rank in range(len(order))]


# The parts of the scorecard's one statement: what each row counts. Every row is
# (part, key, status, currency, count, amount, seconds, top); key is the member.
_CLOSED, _CREATED, _ADVANCES, _LOGGED, _OVERDUE = range(5)


def _part(part: int, key, *columns, top=None):
    """A row of the scorecard statement; the columns that this part does not have are NULL."""
    return select(literal_column(str(part), Integer), key, *columns, *(null() for _ in range(5 - len(columns))),
                  null() if top is None else top)


@cache
def _scorecard_statement(order: tuple[str, ...]):
    """Every figure of the scorecard but the stale deals, in one round trip: a UNION ALL of one
    GROUP BY per figure, each on its own covering index. The closed deals come first: their
    column types (status, Money) are the ones the rows are read with."""
    in_team, created = _D.team_id == _TEAM, _window(_D.created_at, _START, _END)
    closed = (_part(_CLOSED, _D.owner_id, _D.status, _D.currency, func.count(), func.sum(_D.amount),
                    # only won deals have a cycle: lost ones are not timed (fewer strftime calls)
                    func.sum(case((_D.status == _WON, epoch(_D.closed_at) - epoch(_D.created_at)), else_=None)))
              .where(in_team, _D.status != _OPEN, _window(_D.closed_at, _START, _END))
              .group_by(_D.owner_id, _D.status, _D.currency))
    # The week's new deals per owner and its cohort funnel, from one read of the same index.
    new = (_part(_CREATED, _D.owner_id, null(), null(), func.count(), top=_top(order).label("top"))
           .where(in_team, created).group_by(_D.owner_id, "top"))
    # Credited to whoever owned the deal when it advanced (StageChange.owner_id).
    advances = (_part(_ADVANCES, _S.owner_id, null(), null(), func.count())
                .where(_S.team_id == _TEAM, _S.advance == true(), _S.owner_id.in_(_MEMBERS),
                       _window(_S.at, _START, _END))
                .group_by(_S.owner_id))
    logged_by = _LOGGED_TABLE.c
    logged = (_part(_LOGGED, logged_by.author_id, null(), null(), func.count())
              .where(logged_by.team_id == _TEAM, logged_by.author_id.in_(_MEMBERS), _NOT_CAPTURED,
                     _window(logged_by.occurred_at, _START, _END))
              .group_by(logged_by.author_id))
    # Tasks due before `asof` and not done by then: two disjoint parts, each on its own index
    # (never done: the partial index of open tasks by assignee; done only later, by done time).
    never_done = (_part(_OVERDUE, _T.assignee_id, null(), null(), func.count())
                  .where(_T.team_id == _TEAM, _T.assignee_id.in_(_MEMBERS), _T.done_at.is_(None), _T.due_at < _ASOF)
                  .group_by(_T.assignee_id))
    done_later = (_part(_OVERDUE, _T.assignee_id, null(), null(), func.count())
                  .where(_T.team_id == _TEAM, _T.due_at < _ASOF, _T.done_at >= _ASOF).group_by(_T.assignee_id))
    return union_all(closed, new, advances, logged, never_done, done_later)


@cache
def _stale_statement(stages: tuple[str, ...]):
    """Open deals in each stage since before its own moment: one range of
    ix_deals_team_id_status_stage_stage_entered_at per stage (an OR of them made SQLite read every
    open deal of the team), longest waiting first."""
    parts = union_all(*(select(_D.id, _D.stage, epoch(_D.stage_entered_at).label("entered"), _D.stage_entered_at)
                        .where(_D.team_id == _TEAM, _D.status == _OPEN, _D.stage == stage,
                               _D.stage_entered_at <= bindparam(f"entered_{i}", type_=UTCDateTime()))
                        for i, stage in enumerate(stages))).subquery()
    return (select(parts.c.id, parts.c.stage, parts.c.entered)
            .order_by(parts.c.stage_entered_at, parts.c.id))


_REP_FIGURE = {_ADVANCES: "advances", _LOGGED: "interactions", _OVERDUE: "overdue_tasks"}


class SqlAnalytics:
    def __init__(self, session: Session):
        self._session = session

    def _rows(self, query, params=None):
        return self._session.execute(query, params).all()

    # -- the scorecard ----------------------------------------------------------------------------
    def totals(self, team_id: int, bounds: Sequence[datetime]) -> list[Totals]:
        windows = list(zip(bounds, bounds[1:], strict=False))
        if not windows:
            return []

        def bucket(moment):
            return case(*((_window(moment, s, e), i) for i, (s, e) in enumerate(windows)), else_=None)

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
        tops = dict(self._rows(_funnel_statement(tuple(order)), {"team": team_id, "start": start, "end": end}))
        return _reached(tops, order)

    def funnel_by(self, team_id: int, start: datetime, end: datetime, order: Sequence[str],
                  by: str) -> dict[str | None, list[int]]:
        return segments.funnel_by(self._session, team_id, start, end, order, by, _top(tuple(order)), _window,
                                  _reached)

    def scorecard(self, team_id: int, start: datetime, end: datetime, asof: datetime,
                  order: Sequence[str]) -> ScorecardCounts:
        params = {"team": team_id, "start": start, "end": end, "asof": asof}
        totals: dict = defaultdict(int)
        totals["won_amount"] = {}
        reps: dict[int, dict] = defaultdict(lambda: defaultdict(int))
        tops: dict[int, int] = {}
        for part, key, status, currency, count, amount, seconds, top in self._rows(
                _scorecard_statement(tuple(order)), params):
            if part == _CLOSED:
                if status != _WON:
                    totals["lost"] += count
                    continue
                rep = reps[key]
                totals["won"] += count
                rep["won"] += count
                totals["cycle_seconds"] += int(seconds)
                if amount is not None:
                    totals["won_amount"][currency] = totals["won_amount"].get(currency, 0) + amount
                    rep.setdefault("won_amount", {})[currency] = amount
            elif part == _CREATED:
                reps[key]["new_deals"] += count
                totals["new_deals"] += count
                tops[top] = tops.get(top, 0) + count
            else:  # the overdue tasks come in two parts
                reps[key][_REP_FIGURE[part]] += count
        return ScorecardCounts(Totals(**totals), _reached(tops, order),
                               [RepCounts(member_id=member_id, **values) for member_id, values in sorted(reps.items())])

    def stale(self, team_id: int, entered_by: Mapping[str, datetime]) -> list[StaleDeal]:
        if not entered_by:
            return []
        stages = tuple(entered_by)
        params = {"team": team_id, **{f"entered_{i}": entered_by[stage] for i, stage in enumerate(stages)}}
        return [StaleDeal(*row) for row in self._rows(_stale_statement(stages), params)]


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
