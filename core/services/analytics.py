"""`scorecard`, `funnel`, `forecast` (DESIGN.md §5): the figures as chat replies, with a chart.

Managers and admins see a row per rep; a rep sees the team's totals and their own row. The
figures of another team are for admins. Charts are drawn by the Charts port (bot/charts.py), in
the worker thread that runs the command, never on the event loop; a chart that fails to draw
costs the image, not the reply.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from core import commands as c
from core import permissions
from core.amounts import format_money
from core.analytics import rounding
from core.analytics.explain import reasons
from core.analytics.pictures import FunnelPicture, ScorecardPicture, Words
from core.analytics.reports import (
    Forecast,
    FunnelStep,
    Scorecard,
    build_forecast,
    build_funnel,
    build_scorecard,
    trend,
)
from core.context import Context
from core.dates import format_when
from core.errors import UserError
from core.i18n import t
from core.messages import Button, Reply
from core.model import Role, Team
from core.periods import Period, month_of, quarter_of, week_of
from core.pipeline import Pipeline, pipeline_of
from core.responses import format_hours

log = logging.getLogger(__name__)
LIST_LIMIT = 5


def _team(ctx: Context, name: str | None, verb: str) -> Team:
    if name is None:
        return ctx.team
    team = ctx.uow.teams.by_name(name)
    if team is None:
        raise UserError("err.team_not_found", verb=verb, name=name)
    if team.id != ctx.actor.team_id and not permissions.is_admin(ctx.actor):
        raise UserError("err.forbidden_team", team=team.name, command=verb)
    return team


def _today(ctx: Context, team: Team):
    return ctx.now.astimezone(ZoneInfo(team.timezone)).date()


def _dates(period: Period, lang: str) -> str:
    first = format_when(datetime.combine(period.start, time(0)), lang, has_time=False)
    last = format_when(datetime.combine(period.end - timedelta(days=1), time(0)), lang, has_time=False)
    return f"{first} – {last}"


def _money(amount: Decimal | None, currency: str, lang: str) -> str:
    return format_money(amount or Decimal(0), currency, lang)


def _amounts(amounts: dict, lang: str) -> str:
    return " + ".join(format_money(a, cur, lang) for cur, a in amounts.items())


def _pct(value: float | None) -> str:
    return rounding.percent(value)


def _stage(pipeline: Pipeline, key: str, lang: str) -> str:
    return pipeline.get(key).name(lang) if key in pipeline.keys else key


# -- scorecard -----------------------------------------------------------------------------------

def show_scorecard(cmd: c.ShowScorecard, ctx: Context) -> Reply:
    team = _team(ctx, cmd.team, "scorecard")
    pipeline = pipeline_of(team.pipeline)
    period = cmd.period or week_of(_today(ctx, team)).previous()
    mine = ctx.actor.id if ctx.actor.role == Role.REP else None
    card = build_scorecard(ctx.uow, team, pipeline, period, ctx.now, ctx.defaults.currency, only_member=mine)
    reply = scorecard_reply(card, pipeline, ctx.lang)
    reply.image_path = _draw(ctx, "scorecard", lambda: scorecard_picture(ctx, card, pipeline))
    return reply


def scorecard_reply(card: Scorecard, pipeline: Pipeline, lang: str) -> Reply:
    currency = card.currency
    reply = Reply(title=t("figures.scorecard_title", lang, team=card.team.name, period=card.period.label,
                          dates=_dates(card.period, lang)), language=lang)
    cycle = card.avg_cycle_days
    reply.lines = [
        t("figures.totals", lang, new=card.totals.new_deals, won=card.totals.won,
          amount=_money(card.won_amount, currency, lang), lost=card.totals.lost),
        t("figures.rates", lang, rate=_pct(card.win_rate),
          cycle="—" if cycle is None else t("figures.days", lang, days=cycle)),
    ]
    if card.other_amounts:
        reply.lines.append(t("figures.other_currencies", lang, amounts=_amounts(card.other_amounts, lang)))
    reply.lines.append(t("figures.funnel_head", lang, count=card.funnel[0].reached if card.funnel else 0,
                         period=card.period.label))
    reply.lines.append(funnel_line(card.funnel, pipeline, lang))
    if card.reps:
        reply.lines.append(t("figures.reps_head", lang))
        for row in card.reps:
            n = row.counts
            reply.lines.append(t("figures.rep_line", lang, member=row.member.ref(), new=n.new_deals,
                                 advances=n.advances, won=n.won, logged=n.interactions, overdue=n.overdue_tasks,
                                 amount=_money(n.won_amount.get(currency), currency, lang)))
    reply.lines.append(t("figures.stale_head", lang, count=len(card.stale)))
    for s in card.stale[:LIST_LIMIT]:
        reply.lines.append(t("figures.stale_line", lang, deal=f"D-{s.deal_id}", stage=_stage(pipeline, s.stage, lang),
                             days=s.days_in_stage, sla=s.sla_days))
    reply.lines += first_response_lines(card, lang)
    name = card.team.name
    reply.buttons = [Button(t("button.funnel", lang), f'funnel team:"{name}"'),
                     Button(t("button.forecast", lang), f'forecast team:"{name}"')]
    if card.stale:
        reply.buttons.append(Button(t("button.stale", lang), "deals stale"))
    return reply


def first_response_lines(card: Scorecard, lang: str) -> list[str]:
    """The team's median first response in linked chats, then each answering member's."""
    if card.first_response_minutes_median is None:
        return [t("figures.first_response_none", lang)]
    lines = [t("figures.first_response", lang, median=format_hours(card.first_response_minutes_median / 60, lang))]
    for member, minutes, count in card.first_response_by_rep:
        lines.append(t("figures.first_response_rep", lang, member=member,
                       median=format_hours(minutes / 60, lang), count=count))
    return lines


def funnel_line(steps: list[FunnelStep], pipeline: Pipeline, lang: str) -> str:
    parts = []
    for i, step in enumerate(steps):
        part = f"{_stage(pipeline, step.stage, lang)} {step.reached}"
        if i:
            part = f"({_pct(steps[i - 1].conversion)}) → {part}"
        parts.append(part)
    return " ".join(parts)


def scorecard_picture(ctx: Context, card: Scorecard, pipeline: Pipeline) -> ScorecardPicture:
    weeks = trend(ctx.uow, card.team, card.period)
    title = Words(t("figures.scorecard_title", "en", team=card.team.name, period=card.period.label,
                    dates=_dates(card.period, "en")),
                  t("figures.scorecard_title", "zh", team=card.team.name, period=card.period.label,
                    dates=_dates(card.period, "zh")))
    return ScorecardPicture(
        title=title, currency=card.currency, funnel=_funnel_picture(card.funnel, pipeline, _words("chart.funnel")),
        trend_title=_words("chart.trend", weeks=len(weeks)),
        trend=[(p.label[-3:], float(tot.won_amount.get(card.currency, 0)), rounding.rate(tot.won, tot.won + tot.lost))
               for p, tot in weeks],
        reps_title=_words("chart.reps"),
        reps=[(row.member.handle, float(row.counts.won_amount.get(card.currency, 0))) for row in card.reps],
        labels={"won_amount": _words("chart.won_amount"), "win_rate": _words("chart.win_rate")},
    )


def _words(key: str, **params) -> Words:
    return Words(t(key, "en", **params), t(key, "zh", **params))


def _funnel_picture(steps: list[FunnelStep], pipeline: Pipeline, title: Words) -> FunnelPicture:
    return FunnelPicture(title, [(Words(_stage(pipeline, s.stage, "en"), _stage(pipeline, s.stage, "zh")), s.reached)
                                 for s in steps])


def _draw(ctx: Context, kind: str, picture) -> str | None:
    if ctx.charts is None:
        return None
    try:
        return getattr(ctx.charts, kind)(picture(), ctx.lang)
    except Exception:  # a chart is a bonus: the figures still go out
        log.exception("drawing the %s chart failed", kind)
        return None


# -- funnel --------------------------------------------------------------------------------------

def show_funnel(cmd: c.ShowFunnel, ctx: Context) -> Reply:
    team = _team(ctx, cmd.team, "funnel")
    pipeline = pipeline_of(team.pipeline)
    period = cmd.period or quarter_of(_today(ctx, team))
    report = build_funnel(ctx.uow, team, pipeline, period)
    lang = ctx.lang
    reply = Reply(title=t("figures.funnel_title", lang, team=team.name, period=period.label,
                          dates=_dates(period, lang)), language=lang)
    created = report.steps[0].reached if report.steps else 0
    if not created:
        reply.lines = [t("figures.funnel_empty", lang)]
        return reply
    reply.lines = [t("figures.funnel_head", lang, count=created, period=period.label),
                   funnel_line(report.steps, pipeline, lang),
                   t("figures.funnel_overall", lang, rate=_pct(report.overall))]
    title = Words(t("figures.funnel_title", "en", team=team.name, period=period.label, dates=_dates(period, "en")),
                  t("figures.funnel_title", "zh", team=team.name, period=period.label, dates=_dates(period, "zh")))
    reply.image_path = _draw(ctx, "funnel", lambda: _funnel_picture(report.steps, pipeline, title))
    reply.buttons = [Button(t("button.scorecard", lang), f'scorecard team:"{team.name}"'),
                     Button(t("button.forecast", lang), f'forecast team:"{team.name}"')]
    return reply


# -- forecast ------------------------------------------------------------------------------------

def show_forecast(cmd: c.ShowForecast, ctx: Context) -> Reply:
    team = _team(ctx, cmd.team, "forecast")
    pipeline = pipeline_of(team.pipeline)
    period = cmd.period or month_of(_today(ctx, team))
    # The model the deal cards use, learned at most once an hour (an hour's new stays barely move
    # shares learned from a quarter); learning it is most of a forecast's time on a long history.
    model = ctx.win_models.get(ctx.uow, team, pipeline, ctx.now) if ctx.win_models is not None else None
    report = build_forecast(ctx.uow, team, pipeline, period, ctx.now, ctx.defaults.currency, top=LIST_LIMIT,
                            model=model)
    return forecast_reply(report, pipeline, ctx.lang)


def forecast_reply(report: Forecast, pipeline: Pipeline, lang: str) -> Reply:
    currency, tz = report.currency, ZoneInfo(report.team.timezone)
    reply = Reply(title=t("figures.forecast_title", lang, team=report.team.name, period=report.period.label,
                          dates=_dates(report.period, lang)), language=lang)
    if not report.deals:
        reply.lines.append(t("figures.forecast_none", lang))
    else:
        expected = report.expected.quantize(Decimal(1))
        reply.lines.append(t("figures.forecast_sum", lang, expected=_money(expected, currency, lang),
                             count=report.deals, pipeline=_money(report.pipeline_amount, currency, lang)))
    reply.lines.append(t("figures.forecast_won", lang, amount=_money(report.won_amount, currency, lang)))
    if report.other_amounts:
        reply.lines.append(t("figures.forecast_other", lang, amounts=_amounts(report.other_amounts, lang)))
    for deal in report.top:
        close = format_when(deal.expected_close.astimezone(tz), lang, has_time=False) if deal.expected_close else "—"
        reply.lines.append(t("figures.forecast_deal", lang, deal=f"D-{deal.deal_id}",
                             stage=_stage(pipeline, deal.estimate.stage, lang),
                             amount=_money(deal.amount, deal.currency, lang),
                             probability=f"{deal.estimate.probability:.0%}", close=close))
        reply.lines.append("    " + reasons(deal.estimate, pipeline, lang))
    reply.buttons = [Button(f"D-{d.deal_id}", f"show D-{d.deal_id}") for d in report.top[:3]]
    return reply


def digest_extras(charts=None, currency: str = "CNY"):
    """The weekly digest's funnel and forecast lines and chart (core.scans.DigestExtras)."""

    def extras(uow, team: Team, start: datetime, end: datetime, lang: str):
        from core.context import Defaults

        pipeline = pipeline_of(team.pipeline)
        local = start.astimezone(ZoneInfo(team.timezone)).date()
        period = week_of(local)
        card = build_scorecard(uow, team, pipeline, period, end, currency)
        forecast = build_forecast(uow, team, pipeline, month_of(local + timedelta(days=7)), end, currency, top=3)
        lines = [t("figures.funnel_head", lang, count=card.funnel[0].reached, period=period.label),
                 funnel_line(card.funnel, pipeline, lang)]
        lines += forecast_reply(forecast, pipeline, lang).lines[:2]
        image = None
        if charts is not None:
            try:
                ctx = Context(uow=uow, actor=None, team=team, pipeline=pipeline, now=end, lang=lang,  # type: ignore[arg-type]
                              tz=team.timezone, source="scheduler:", defaults=Defaults())
                image = charts.scorecard(scorecard_picture(ctx, card, pipeline), lang)
            except Exception:
                log.exception("drawing the digest chart failed")
        return lines, image

    return extras
