"""The scorecard, funnel and forecast of one team over one period, built from the Analytics port,
rounded once (core.analytics.rounding), and as the JSON that `dealbot scorecard --format json`
prints (docs/design-notes.md, "Figures").

Amount figures are in one reporting currency (the team's `currency` setting, else DEALBOT_CURRENCY,
unless asked otherwise): there are no exchange rates, so amounts in other currencies are reported
apart, each currency with its own totals (`other_amounts`, `Forecast.others`), never added in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

from core.analytics import rounding
from core.analytics.counts import Amounts, RepCounts, Totals
from core.analytics.reference import epoch
from core.analytics.winprob import Estimate, WinModel
from core.conversations.response_times import response_times
from core.domain.calendar import in_zone
from core.domain.model import Member, Role, Team, people
from core.domain.pipeline import Pipeline
from core.domain.worktime import WorkSettings
from core.language.periods import Period
from core.leads.figures import lead_figures
from core.ports.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from core.analytics.segments import SegmentRow

TREND_WEEKS = 8
LEARN_DAYS = 91  # the win-probability model learns from the stays of the last quarter


def funnel_order(pipeline: Pipeline) -> list[str]:
    return pipeline.funnel


def stage_limits(pipeline: Pipeline) -> dict[str, int]:
    return {s.key: s.sla_days for s in pipeline.open_stages if s.sla_days is not None}


def overstay_cutoffs(pipeline: Pipeline, now: datetime, factor: int) -> dict[str, datetime]:
    """Stage -> the latest entry time of a deal more than factor × the limit in whole days there."""
    return {key: now - timedelta(days=factor * days + 1) for key, days in stage_limits(pipeline).items()}


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    reached: int
    conversion: float | None  # reached(next) / reached(this)


@dataclass(frozen=True)
class RepRow:
    member: Member
    counts: RepCounts


class StaleRow(NamedTuple):  # one per stale deal, hundreds a scorecard: a tuple is cheaper to make
    deal_id: int
    stage: str
    days_in_stage: float
    sla_days: int


@dataclass
class Scorecard:
    team: Team
    period: Period
    start: datetime
    end: datetime
    currency: str
    totals: Totals
    funnel: list[FunnelStep]
    reps: list[RepRow]
    stale: list[StaleRow]
    # Captured chats (core.conversations.response_times): a customer's message to the next team member's, in working
    # minutes; the team's median, and each answering member's (median, answers).
    first_response_minutes_median: float | None = None
    first_response_by_rep: list[tuple[str, float, int]] = field(default_factory=list)  # (@handle, minutes, n)
    # The week's new deals per kind of customer (core.analytics.segments), when asked for (the JSON)
    segments: dict[str, list[SegmentRow]] = field(default_factory=dict)
    # Leads taken in during the period, per source and in all (core.leads.figures)
    leads: list[dict[str, Any]] = field(default_factory=list)

    @property
    def won_amount(self) -> Decimal:
        return self.totals.won_amount.get(self.currency, Decimal(0))

    @property
    def other_amounts(self) -> Amounts:
        return {c: a for c, a in sorted(self.totals.won_amount.items()) if c != self.currency}

    @property
    def win_rate(self) -> float | None:
        return rounding.rate(self.totals.won, self.totals.won + self.totals.lost)

    @property
    def avg_cycle_days(self) -> float | None:
        return rounding.days(self.totals.cycle_seconds, self.totals.won)

    def to_json(self) -> dict[str, Any]:
        tz = ZoneInfo(self.team.timezone)
        return {
            "team": self.team.name,
            "week": self.period.label,
            "start": self.start.astimezone(tz).isoformat(),
            "end": self.end.astimezone(tz).isoformat(),
            "new_deals": self.totals.new_deals,
            "won": self.totals.won,
            "lost": self.totals.lost,
            "won_amount": rounding.amount(self.won_amount),
            "win_rate": self.win_rate,
            "avg_cycle_days": self.avg_cycle_days,
            "funnel": [{"stage": s.stage, "reached": s.reached, "conversion": s.conversion} for s in self.funnel],
            "reps": [_rep_json(row, self.currency) for row in self.reps],
            "stale": [{"deal": f"D-{s.deal_id}", "stage": s.stage, "days_in_stage": s.days_in_stage,
                       "sla_days": s.sla_days} for s in self.stale],
            "first_response_minutes_median": self.first_response_minutes_median,
            **({"leads": self.leads} if self.leads else {}),
            **({"segments": {by: [row.to_json() for row in rows] for by, rows in self.segments.items()}}
               if self.segments else {}),
        }


def _rep_json(row: RepRow, currency: str) -> dict[str, Any]:
    c = row.counts
    return {"member": row.member.handle, "new_deals": c.new_deals, "advances": c.advances, "won": c.won,
            "won_amount": rounding.amount(c.won_amount.get(currency)), "interactions": c.interactions,
            "overdue_tasks": c.overdue_tasks}


def funnel_steps(order: list[str], reached: list[int]) -> list[FunnelStep]:
    steps = []
    for i, (stage, count) in enumerate(zip(order, reached, strict=True)):
        following = reached[i + 1] if i + 1 < len(reached) else None
        steps.append(FunnelStep(stage, count, None if following is None else rounding.rate(following, count)))
    return steps


def build_scorecard(uow: UnitOfWork, team: Team, pipeline: Pipeline, period: Period, now: datetime,
                    currency: str, only_member: int | None = None, segments: bool = False) -> Scorecard:
    """The week's figures; with only_member, the per-rep rows are cut to that member's own; with
    segments, the new deals' funnel by industry, source and tag too."""
    start, end = period.bounds(team.timezone)
    order = funnel_order(pipeline)
    analytics = uow.analytics
    counts = analytics.scorecard(team.saved_id, start, end, min(end, now), order)
    limits = stage_limits(pipeline)
    now_seconds = epoch(now)
    stale = [StaleRow(deal_id, stage, rounding.days(now_seconds - entered), limits[stage])
             for deal_id, stage, entered in analytics.stale(team.saved_id, overstay_cutoffs(pipeline, now, 1))]
    reps = _rep_rows(uow, team, counts.reps)
    responses = response_times(uow.conversations.response_pairs(team.saved_id, start, end),
                               WorkSettings.of(team.timezone, team.settings))
    answered = {rep: figure for rep, figure in responses.per_rep.items() if only_member in (None, rep)}
    if only_member is not None:
        reps = [row for row in reps if row.member.id == only_member]
    by_rep = [(member.ref(), minutes, count) for rep, (hours, count) in answered.items()
              if (member := uow.members.get(rep)) is not None and (minutes := _minutes(hours)) is not None]
    card = Scorecard(team, period, start, end, currency, counts.totals, funnel_steps(order, counts.reached), reps,
                     stale, _minutes(responses.team_median), sorted(by_rep))
    card.leads = lead_figures(uow, team, start, end)
    if segments:
        from core.analytics.segments import SEGMENTS, build_segments

        card.segments = {by: build_segments(uow, team.saved_id, pipeline, start, end, by) for by in SEGMENTS}
    return card


def _minutes(hours: float | None) -> float | None:
    return None if hours is None else round(hours * 60, 1)


def _rep_rows(uow: UnitOfWork, team: Team, counts: list[RepCounts]) -> list[RepRow]:
    """Every rep of the team, and anyone else with a figure here (a manager's own deals, an
    integration's: deals an API token made without an owner). An integration is no rep: without
    a figure it has no row."""
    members = {m.saved_id: m for m in uow.members.in_team(team.saved_id)}
    by_id = {c.member_id: c for c in counts}
    reps = {m.saved_id for m in people(members.values()) if m.role == Role.REP}
    rows = []
    for member_id in sorted(set(by_id) | reps):
        member = members.get(member_id) or uow.members.get(member_id)
        if member is not None:
            rows.append(RepRow(member, by_id.get(member_id, RepCounts(member_id))))
    return sorted(rows, key=lambda r: r.member.handle)


def trend(uow: UnitOfWork, team: Team, period: Period, weeks: int = TREND_WEEKS) -> list[tuple[Period, Totals]]:
    """The `weeks` weeks ending with the period's last week: one GROUP BY over their bounds."""
    last = period if period.kind == "week" else _week_before(period)
    periods = [last.previous(i) for i in reversed(range(weeks))]
    bounds = [p.bounds(team.timezone)[0] for p in periods] + [last.bounds(team.timezone)[1]]
    return list(zip(periods, uow.analytics.totals(team.saved_id, bounds), strict=True))


def _week_before(period: Period) -> Period:
    from core.language.periods import week_of

    return week_of(period.end - timedelta(days=1))


# -- the funnel over any period ---------------------------------------------------------------------

@dataclass
class FunnelReport:
    team: Team
    period: Period
    start: datetime
    end: datetime
    steps: list[FunnelStep]
    by: str | None = None  # `funnel by:industry`: the same cohort per kind of customer
    segments: list[SegmentRow] = field(default_factory=list)

    @property
    def overall(self) -> float | None:
        """Won / created, over the cohort."""
        return rounding.rate(self.steps[-1].reached, self.steps[0].reached) if self.steps else None

    def to_json(self) -> dict[str, Any]:
        tz = ZoneInfo(self.team.timezone)
        return {"team": self.team.name, "period": self.period.label,
                "start": self.start.astimezone(tz).isoformat(), "end": self.end.astimezone(tz).isoformat(),
                "created": self.steps[0].reached if self.steps else 0, "won_conversion": self.overall,
                "funnel": [{"stage": s.stage, "reached": s.reached, "conversion": s.conversion}
                           for s in self.steps],
                **({"by": self.by, "segments": [row.to_json() for row in self.segments]} if self.by else {})}


def build_funnel(uow: UnitOfWork, team: Team, pipeline: Pipeline, period: Period,
                 by: str | None = None) -> FunnelReport:
    start, end = period.bounds(team.timezone)
    order = funnel_order(pipeline)
    report = FunnelReport(team, period, start, end,
                          funnel_steps(order, uow.analytics.funnel(team.saved_id, start, end, order)))
    if by is not None:
        from core.analytics.segments import build_segments

        report.by, report.segments = by, build_segments(uow, team.saved_id, pipeline, start, end, by)
    return report


# -- the forecast ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ForecastDeal:
    deal_id: int
    owner_id: int
    amount: Decimal | None
    currency: str
    expected_close: datetime | None
    estimate: Estimate


@dataclass
class CurrencyForecast:
    """The forecast of the open deals in one currency."""

    expected: Decimal = Decimal(0)  # Σ amount × probability
    pipeline: Decimal = Decimal(0)  # Σ amount
    deals: int = 0


@dataclass
class Forecast:
    team: Team
    period: Period
    start: datetime
    end: datetime
    currency: str
    expected: Decimal  # Σ amount × probability, reporting currency
    pipeline_amount: Decimal  # Σ amount of the same deals
    deals: int  # open deals in every currency
    won_amount: Decimal  # already won in the period
    others: dict[str, CurrencyForecast] = field(default_factory=dict)  # each other currency apart
    top: list[ForecastDeal] = field(default_factory=list)
    won_others: Amounts = field(default_factory=dict)  # won in the period, in other currencies

    @property
    def other_amounts(self) -> Amounts:
        """The open pipeline in each other currency."""
        return {c: f.pipeline for c, f in self.others.items()}

    @property
    def own_deals(self) -> int:
        """Open deals in the reporting currency (or with no amount)."""
        return self.deals - sum(f.deals for f in self.others.values())

    def to_json(self) -> dict[str, Any]:
        tz = ZoneInfo(self.team.timezone)
        return {
            "team": self.team.name, "period": self.period.label,
            "start": self.start.astimezone(tz).isoformat(), "end": self.end.astimezone(tz).isoformat(),
            "currency": self.currency, "forecast_amount": rounding.amount(self.expected),
            "pipeline_amount": rounding.amount(self.pipeline_amount), "open_deals": self.deals,
            "won_amount": rounding.amount(self.won_amount),
            "other_currencies": {c: rounding.amount(a) for c, a in self.other_amounts.items()},
            "other_forecast_amounts": {c: rounding.amount(f.expected) for c, f in self.others.items()},
            "other_won_amounts": {c: rounding.amount(a) for c, a in self.won_others.items()},
            "deals": [{"deal": f"D-{d.deal_id}", "stage": d.estimate.stage,
                       "amount": rounding.amount(d.amount), "currency": d.currency,
                       "expected_close": in_zone(d.expected_close, tz).date().isoformat()
                       if d.expected_close else None,
                       "probability": round(d.estimate.probability, 4),
                       "similar_stays": d.estimate.similar, "moved_on": d.estimate.moved_on,
                       "days_over_limit": d.estimate.days_over} for d in self.top],
        }


def win_model(uow: UnitOfWork, team: Team, pipeline: Pipeline, cutoff: datetime) -> WinModel:
    since = cutoff - timedelta(days=LEARN_DAYS)
    exits = uow.analytics.stage_exits(team.saved_id, since, cutoff, funnel_order(pipeline), stage_limits(pipeline))
    return WinModel(pipeline, exits)


def build_forecast(uow: UnitOfWork, team: Team, pipeline: Pipeline, period: Period, now: datetime,
                   currency: str, top: int = 10, model: WinModel | None = None) -> Forecast:
    """The period's forecast; `model` is the team's win model when the caller keeps one learned
    (core.analytics.winmodels: chat replies), else it is learned here from the last quarter."""
    start, end = period.bounds(team.timezone)
    model = model or win_model(uow, team, pipeline, now)
    over, far = overstay_cutoffs(pipeline, now, 1), overstay_cutoffs(pipeline, now, 2)
    groups = uow.analytics.open_groups(team.saved_id, start, end, {k: (over[k], far[k]) for k in over})
    by_currency: dict[str, CurrencyForecast] = {}
    for g in groups:
        # a deal without an amount adds nothing to a sum: it counts with the reporting currency
        figure = by_currency.setdefault(g.currency if g.amount else currency, CurrencyForecast())
        figure.deals += g.deals
        figure.pipeline += g.amount
        figure.expected += g.amount * Decimal(str(model.probability(g.stage, g.bucket)))
    own = by_currency.pop(currency, CurrencyForecast())
    others = {c: CurrencyForecast(f.expected.quantize(Decimal("0.01")), f.pipeline, f.deals)
              for c, f in sorted(by_currency.items())}
    won = dict(uow.analytics.totals(team.saved_id, [start, end])[0].won_amount)
    deals = [ForecastDeal(d.deal_id, d.owner_id, d.amount, d.currency, d.expected_close,
                          model.estimate(d.stage, d.entered_at, now))
             for d in uow.analytics.open_deals(team.saved_id, start, end, top)]
    return Forecast(team, period, start, end, currency, own.expected.quantize(Decimal("0.01")), own.pipeline,
                    own.deals + sum(f.deals for f in others.values()), won.pop(currency, Decimal(0)), others, deals,
                    dict(sorted(won.items())))
