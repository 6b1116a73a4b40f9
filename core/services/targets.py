"""`target`, `targets` (目标): goals for reps and teams, and their pace in the scorecard and forecast.

A manager sets targets for their team and its members, an admin for any team; everyone sees
their team's targets, a rep only the team's own and theirs. Setting one is audited (its value
before and after). What a target shows (core.performance.targets): what was reached so far (the
scorecard's figures for the target's period), the probability-weighted open pipeline expected
to close in it, the gap, and what is needed per remaining week.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from core.access import audit, permissions
from core.analytics import rounding
from core.analytics.counts import OpenDeal, ScorecardCounts
from core.analytics.pictures import AttainmentPicture, Words
from core.analytics.reports import funnel_order, win_model
from core.analytics.winprob import WinModel
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.domain.amounts import format_money
from core.domain.model import Member, Role, Team
from core.domain.pipeline import Pipeline, pipeline_of
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.language.periods import Period, month_of
from core.performance import targets as tg
from core.performance.targets import Pace, Target
from core.ports.unit_of_work import UnitOfWork
from core.services.analytics import _chart, _team

OPEN_DEALS = 100_000  # every open deal of a period, for the weighted pipeline


def _today(team: Team, now: datetime) -> date:
    return now.astimezone(ZoneInfo(team.timezone)).date()


# -- target ------------------------------------------------------------------------------------------

def set_target(cmd: c.SetTarget, ctx: Context) -> Reply:
    actor = ctx.actor
    if actor.role == Role.REP:
        raise UserError("err.forbidden_target")
    member: Member | None = None
    if cmd.handle is not None:
        member = ctx.uow.members.by_handle(cmd.handle)
        if member is None or not member.is_active:
            raise UserError("err.member_not_found", handle=cmd.handle)
        if not member.is_person:
            raise UserError("err.integration", member=member.ref())
        team = ctx.uow.teams.get(member.team_id)
        assert team is not None
    elif cmd.team is not None:
        found = ctx.uow.teams.by_name(cmd.team)
        if found is None:
            raise UserError("err.team_not_found", name=cmd.team)
        team = found
    else:
        team = ctx.team
    if team.id != actor.team_id and not permissions.is_admin(actor):
        raise UserError("err.forbidden_target_team", team=team.name)
    period = cmd.period or month_of(_today(team, ctx.now))
    amount = cmd.metric == tg.WON_AMOUNT
    value = cmd.value.amount.quantize(Decimal("0.01")) if amount else cmd.value.amount.quantize(Decimal(1))
    target = Target(team_id=team.saved_id, member_id=member.id if member else None, metric=cmd.metric,
                    period_kind=period.kind, period_start=period.start, period_end=period.end, value=value,
                    currency=cmd.value.currency if amount else "", set_by=actor.id, set_at=ctx.now)
    who = f"@{member.handle}" if member else team.name
    if not value:
        old = ctx.uow.targets.remove(target)
        if old is None:
            raise UserError("err.target_none", who=who, period=period.label)
        _audit(ctx, target, old, None)
        return Reply(title=t("target.removed", ctx.lang, who=who, metric=_metric(old, ctx.lang),
                             period=period.label), language=ctx.lang)
    old = ctx.uow.targets.put(target)
    _audit(ctx, target, old, target)
    pipeline = pipeline_of(team.pipeline)
    pace = measure(ctx.uow, team, pipeline, [target], ctx.now, _model(ctx, team, pipeline))[0]
    reply = Reply(title=t("target.set", ctx.lang, who=who, metric=_metric(target, ctx.lang),
                          value=_value(target, target.value, ctx.lang), period=period.label), language=ctx.lang)
    if old is not None:
        reply.lines.append(t("target.replaced", ctx.lang, value=_value(old, old.value, ctx.lang)))
    reply.lines.append(pace_line(pace, who, ctx.lang))
    reply.buttons = [Button(t("button.targets", ctx.lang), f'targets team:"{team.name}" {period.label}')]
    return reply


def _audit(ctx: Context, target: Target, before: Target | None, after: Target | None) -> None:
    def snapshot(one: Target | None) -> dict[str, object] | None:
        return None if one is None else {"value": str(one.value), "currency": one.currency}

    subject = f"member:{target.member_id}" if target.member_id else f"team:{target.team_id}"
    audit.record(ctx.uow, action="target.set" if after else "target.remove",
                 entity=f"target:{subject}:{target.metric}:{target.period.label}", at=ctx.now,
                 actor_id=ctx.actor.id, source=ctx.source, before=snapshot(before), after=snapshot(after))


# -- targets -----------------------------------------------------------------------------------------

def list_targets(cmd: c.ListTargets, ctx: Context) -> Reply:
    team = _team(ctx, cmd.team, "targets")
    pipeline = pipeline_of(team.pipeline)
    today = _today(team, ctx.now)
    if cmd.period is None:
        found = list(ctx.uow.targets.of_team(team.saved_id, today))
        label = t("target.in_force", ctx.lang)
    else:
        period = cmd.period
        found = [x for x in ctx.uow.targets.of_team(team.saved_id)
                 if x.period_start < period.end and x.period_end > period.start]
        label = period.label
    found = visible(ctx.actor, found)
    reply = Reply(title=t("target.list_title", ctx.lang, team=team.name, period=label), language=ctx.lang)
    if not found:
        reply.lines = [t("target.none", ctx.lang, team=team.name)]
        return reply
    paces = measure(ctx.uow, team, pipeline, found, ctx.now, _model(ctx, team, pipeline))
    names = {m.id: f"@{m.handle}" for m in ctx.uow.members.in_team(team.saved_id)}
    reply.lines = [pace_line(p, names.get(p.target.member_id, "?") if p.target.member_id else team.name, ctx.lang)
                   for p in paces]
    reps = [p for p in paces if p.target.member_id is not None]
    if reps:
        _chart(ctx, reply, "attainment", lambda charts: charts.attainment,
               lambda: attainment_picture(team, label, reps, names))
    return reply


def visible(actor: Member, found: Sequence[Target]) -> list[Target]:
    """A rep sees the team's own targets and theirs; managers and admins all of the team's."""
    if actor.role != Role.REP:
        return list(found)
    return [x for x in found if x.member_id is None or x.member_id == actor.id]


def attainment_picture(team: Team, label: str, paces: list[Pace], names: dict[int | None, str]
                       ) -> AttainmentPicture:
    title = Words(t("target.chart_title", "en", team=team.name, period=label),
                  t("target.chart_title", "zh", team=team.name, period=label))
    bars = []
    for p in paces:
        projected = p.projected
        bars.append((names.get(p.target.member_id, "?"),
                     Words(_metric(p.target, "en"), _metric(p.target, "zh")), p.attainment,
                     None if projected is None else float(projected / p.target.value)))
    return AttainmentPicture(title=title, bars=bars,
                             labels={"done": Words(t("target.chart_done", "en"), t("target.chart_done", "zh")),
                                     "projected": Words(t("target.chart_projected", "en"),
                                                        t("target.chart_projected", "zh"))})


# -- pace --------------------------------------------------------------------------------------------

def _model(ctx: Context, team: Team, pipeline: Pipeline) -> WinModel:
    if ctx.win_models is not None:
        return ctx.win_models.get(ctx.uow, team, pipeline, ctx.now)
    return win_model(ctx.uow, team, pipeline, ctx.now)


def measure(uow: UnitOfWork, team: Team, pipeline: Pipeline, targets: Sequence[Target], now: datetime,
            model: WinModel) -> list[Pace]:
    """The pace of each target (of one team): the figures are read once per period."""
    order = funnel_order(pipeline)
    by_period: dict[Period, tuple[ScorecardCounts, list[OpenDeal]]] = {}
    paces = []
    for target in targets:
        period = target.period
        if period not in by_period:
            start, end = period.bounds(team.timezone)
            by_period[period] = (uow.analytics.scorecard(team.saved_id, start, end, now, order),
                                 uow.analytics.open_deals(team.saved_id, start, end, OPEN_DEALS))
        counts, deals = by_period[period]
        paces.append(Pace(target, tg.done(target, counts), tg.weighted(target, deals, model, now),
                          tg.days_left(period, now, team.timezone)))
    return paces


def pace_lines(ctx: Context, team: Team, pipeline: Pipeline, period: Period) -> list[str]:
    """The scorecard's and forecast's lines: the targets in force on the period's first day."""
    found = visible(ctx.actor, ctx.uow.targets.of_team(team.saved_id, period.start)) if ctx.actor else []
    if not found:
        return []
    names = {m.id: f"@{m.handle}" for m in ctx.uow.members.in_team(team.saved_id)}
    paces = measure(ctx.uow, team, pipeline, found, ctx.now, _model(ctx, team, pipeline))
    return [t("target.head", ctx.lang)] + [
        pace_line(p, names.get(p.target.member_id, "?") if p.target.member_id else team.name, ctx.lang)
        for p in paces]


def _metric(target: Target, lang: str) -> str:
    return t(f"target.metric.{target.metric}", lang)


def _value(target: Target, value: Decimal, lang: str) -> str:
    if target.metric == tg.WON_AMOUNT:
        return format_money(value, target.currency, lang)
    return f"{value.quantize(Decimal(1)):,}" if value == value.to_integral_value() else f"{value:,.1f}"


def pace_line(pace: Pace, who: str, lang: str) -> str:
    target = pace.target
    parts = [t("target.line", lang, who=who, metric=_metric(target, lang), period=target.period.label,
               done=_value(target, pace.done, lang), value=_value(target, target.value, lang),
               pct=rounding.percent(pace.attainment))]
    if pace.weighted is not None and pace.days_left:  # an open deal no longer closes in a past period
        weighted = pace.weighted.quantize(Decimal(1)) if target.metric == tg.WON_AMOUNT else pace.weighted
        parts.append(t("target.weighted", lang, amount=_value(target, weighted, lang)))
    parts.append(t("target.gap", lang, gap=_value(target, pace.gap, lang)))
    per_week = pace.per_week
    if per_week is None:
        parts.append(t("target.over", lang))
    elif pace.gap:
        parts.append(t("target.per_week", lang, need=_value(target, per_week, lang), days=pace.days_left))
    return " · ".join(parts)
