"""`scorecard`, `funnel`, `forecast` (docs/design-notes.md): the figures as chat replies, with a chart.

Managers and admins see a row per rep; a rep sees the team's totals and their own row. The
figures of another team are for admins. Charts are drawn by the Charts port (bot/charts.py), in
the worker thread that runs the command, never on the event loop, and after the command's
transaction (`draw_pending`): what a chart shows is read in it, but drawing takes up to a second,
which on SQLite would hold the write lock a command takes. A chart that fails to draw costs the
image, not the reply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from core.access import permissions
from core.analytics import rounding
from core.analytics.explain import reasons
from core.analytics.pictures import ForecastPicture, FunnelPicture, ScorecardPicture, Words
from core.analytics.reports import (
    Forecast,
    FunnelReport,
    FunnelStep,
    Scorecard,
    build_forecast,
    build_funnel,
    build_scorecard,
    trend,
)
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.conversations.response_times import format_hours
from core.domain.amounts import format_money
from core.domain.calendar import in_zone
from core.domain.model import Role, Team
from core.domain.pipeline import Pipeline, pipeline_of
from core.domain.worktime import team_currency
from core.language import commands as c
from core.language.dates.text import format_when
from core.language.errors import UserError
from core.language.i18n import t
from core.language.periods import Period, month_of, quarter_of, week_of
from core.ports.analytics import Charts
from core.ports.unit_of_work import UnitOfWork
from core.replies.cards import more_line

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


def _currency(ctx: Context, team: Team) -> str:
    return team_currency(team.settings, ctx.defaults.currency)


def _today(ctx: Context, team: Team) -> date:
    return ctx.now.astimezone(ZoneInfo(team.timezone)).date()


def _dates(period: Period, lang: str) -> str:
    start = datetime.combine(period.start, time(0))  # the label names the period's year already
    first = format_when(start, lang, has_time=False, now=start)
    last = format_when(datetime.combine(period.end - timedelta(days=1), time(0)), lang, has_time=False, now=start)
    return f"{first} – {last}"


def _money(amount: Decimal | None, currency: str, lang: str) -> str:
    return format_money(amount or Decimal(0), currency, lang)


def _amounts(amounts: dict[str, Any], lang: str) -> str:
    return " + ".join(format_money(a, cur, lang) for cur, a in amounts.items())


def _in_each_currency(amounts: dict[str, Any], currency: str, lang: str) -> str:
    """¥48,000 + $5,000: the reporting currency first, never added to another."""
    ordered = {currency: amounts.get(currency, Decimal(0))} | {c: a for c, a in sorted(amounts.items()) if c != currency}
    return _amounts({c: a for c, a in ordered.items() if a or c == currency}, lang)


def _pct(value: float | None) -> str:
    return rounding.percent(value)


def _stage(pipeline: Pipeline, key: str, lang: str) -> str:
    return pipeline.get(key).name(lang) if key in pipeline.keys else key


# -- scorecard -----------------------------------------------------------------------------------

def scorecard_of(cmd: c.ShowScorecard, ctx: Context) -> tuple[Scorecard, Pipeline]:
    """The scorecard the actor may see (chat and the REST API): a rep's has their own row only."""
    team = _team(ctx, cmd.team, "scorecard")
    pipeline = pipeline_of(team.pipeline)
    period = cmd.period or week_of(_today(ctx, team)).previous()
    mine = ctx.actor.id if ctx.actor.role == Role.REP else None
    return build_scorecard(ctx.uow, team, pipeline, period, ctx.now, _currency(ctx, team), only_member=mine), pipeline


def show_scorecard(cmd: c.ShowScorecard, ctx: Context) -> Reply:
    card, pipeline = scorecard_of(cmd, ctx)
    reply = scorecard_reply(card, pipeline, ctx.lang)
    reply.lines += _pace_lines(ctx, card.team, pipeline, card.period)
    if card.leads:  # the team's lead figures (core.leads.figures): the last row is the total
        total = card.leads[-1]
        hours = total["response_hours_median"]
        reply.lines.append(t("figures.leads", ctx.lang, leads=total["leads"], deals=total["deals"],
                             rate=_pct(total["conversion"]),
                             response="—" if hours is None else format_hours(hours, ctx.lang)))
    _chart(ctx, reply, "scorecard", lambda charts: charts.scorecard, lambda: scorecard_picture(ctx, card, pipeline))
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
                                 amount=_in_each_currency(n.won_amount, currency, lang)))
    reply.lines.append(t("figures.stale_head", lang, count=len(card.stale)))
    for s in card.stale[:LIST_LIMIT]:
        reply.lines.append(t("figures.stale_line", lang, deal=f"D-{s.deal_id}", stage=_stage(pipeline, s.stage, lang),
                             days=s.days_in_stage, sla=s.sla_days))
    if len(card.stale) > LIST_LIMIT:
        reply.lines.append(more_line(lang, len(card.stale) - LIST_LIMIT, "deals stale"))
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


SEGMENT_LIMIT = 15


def segment_lines(report: FunnelReport, pipeline: Pipeline, lang: str) -> list[str]:
    """`funnel by:industry`: a line per kind of customer, most deals first; the rest counted."""
    lines = [t("figures.by_head", lang, by=t(f"figures.by.{report.by}", lang))]
    for row in report.segments[:SEGMENT_LIMIT]:
        value = row.value if row.value is not None else t("figures.by_none", lang)
        lines.append(t("figures.by_line", lang, value=value, created=row.created, won=row.won,
                       rate=_pct(row.conversion), funnel=funnel_line(row.steps, pipeline, lang)))
    if len(report.segments) > SEGMENT_LIMIT:
        lines.append(t("list.more_plain", lang, count=len(report.segments) - SEGMENT_LIMIT))
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


def _words(key: str, **params: object) -> Words:
    return Words(t(key, "en", **params), t(key, "zh", **params))


def _funnel_picture(steps: list[FunnelStep], pipeline: Pipeline, title: Words) -> FunnelPicture:
    return FunnelPicture(title, [(Words(_stage(pipeline, s.stage, "en"), _stage(pipeline, s.stage, "zh")), s.reached)
                                 for s in steps])


@dataclass(frozen=True)
class PendingChart:
    """A chart whose content is known, to be drawn once the transaction is over."""

    kind: str  # scorecard | funnel | forecast: for the log
    draw: Callable[[Any, str], str]  # the Charts method that draws this kind
    picture: object
    lang: str


def _chart(ctx: Context, reply: Reply, kind: str, draw: Callable[[Charts], Callable[[Any, str], str]],
           picture: Callable[[], object]) -> None:
    """Read what the chart shows now (in the transaction); draw_pending draws it later with
    draw(charts), the Charts method for this kind."""
    if ctx.charts is None:
        return
    try:
        reply.pending_chart = PendingChart(kind, draw(ctx.charts), picture(), ctx.lang)
    except Exception:  # a chart is a bonus: the figures still go out
        log.exception("reading the %s chart's figures failed", kind)


def draw_pending(reply: Reply) -> Reply:
    """Draw the reply's chart, if it has one waiting, into its image_path."""
    pending = reply.pending_chart
    if isinstance(pending, PendingChart):
        reply.pending_chart = None
        try:
            reply.image_path = pending.draw(pending.picture, pending.lang)
        except Exception:  # a chart is a bonus: the figures still go out
            log.exception("drawing the %s chart failed", pending.kind)
    return reply


def _pace_lines(ctx: Context, team: Team, pipeline: Pipeline, period: Period) -> list[str]:
    """The targets in force on the period's first day, with their pace (core.services.targets)."""
    from core.services.targets import pace_lines  # it reads this module's helpers

    return pace_lines(ctx, team, pipeline, period)


def _review_lines(ctx: Context, reply: Reply, team: Team, pipeline: Pipeline, period: Period,
                  report: Forecast) -> None:
    """Commit, best case and weighted pipeline against the target (core.services.review), and
    for a manager a [Review] button."""
    from core.services.review import forecast_lines, is_reviewer  # it reads this module's helpers

    sums = len(forecast_sums(report, ctx.lang))  # after the sums, before the deals
    reply.lines[sums:sums] = forecast_lines(ctx, team, pipeline, period, report)
    if is_reviewer(ctx, team):
        reply.buttons.append(Button(t("button.review", ctx.lang), f'review {team.name} closing'))


# -- funnel --------------------------------------------------------------------------------------

def funnel_of(cmd: c.ShowFunnel, ctx: Context) -> tuple[Team, Pipeline, Period, FunnelReport]:
    team = _team(ctx, cmd.team, "funnel")
    pipeline = pipeline_of(team.pipeline)
    period = cmd.period or quarter_of(_today(ctx, team))
    return team, pipeline, period, build_funnel(ctx.uow, team, pipeline, period, cmd.by)


def show_funnel(cmd: c.ShowFunnel, ctx: Context) -> Reply:
    team, pipeline, period, report = funnel_of(cmd, ctx)
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
    if report.by is not None:
        reply.lines += segment_lines(report, pipeline, lang)
    title = Words(t("figures.funnel_title", "en", team=team.name, period=period.label, dates=_dates(period, "en")),
                  t("figures.funnel_title", "zh", team=team.name, period=period.label, dates=_dates(period, "zh")))
    _chart(ctx, reply, "funnel", lambda charts: charts.funnel, lambda: _funnel_picture(report.steps, pipeline, title))
    reply.buttons = [Button(t("button.scorecard", lang), f'scorecard team:"{team.name}"'),
                     Button(t("button.forecast", lang), f'forecast team:"{team.name}"')]
    return reply


# -- forecast ------------------------------------------------------------------------------------

def show_forecast(cmd: c.ShowForecast, ctx: Context) -> Reply:
    report, pipeline = forecast_of(cmd, ctx, top=LIST_LIMIT)
    reply = forecast_reply(report, pipeline, ctx.lang)
    team = _team(ctx, cmd.team, "forecast")
    _review_lines(ctx, reply, team, pipeline, cmd.period or month_of(_today(ctx, team)), report)
    reply.lines += _pace_lines(ctx, team, pipeline, cmd.period or month_of(_today(ctx, team)))
    if report.deals:
        _chart(ctx, reply, "forecast", lambda charts: charts.forecast, lambda: forecast_picture(report))
    return reply


def forecast_of(cmd: c.ShowForecast, ctx: Context, *, top: int) -> tuple[Forecast, Pipeline]:
    team = _team(ctx, cmd.team, "forecast")
    pipeline = pipeline_of(team.pipeline)
    period = cmd.period or month_of(_today(ctx, team))
    # The model the deal cards use, learned at most once an hour (an hour's new stays barely move
    # shares learned from a quarter); learning it is most of a forecast's time on a long history.
    model = ctx.win_models.get(ctx.uow, team, pipeline, ctx.now) if ctx.win_models is not None else None
    return build_forecast(ctx.uow, team, pipeline, period, ctx.now, _currency(ctx, team), top=top,
                          model=model), pipeline


def forecast_picture(report: Forecast) -> ForecastPicture:
    """The deals the reply lists (the largest expected amounts), in the reporting currency."""
    currency = report.currency
    lines = {lang: t("figures.forecast_sum", lang, expected=_money(report.expected.quantize(Decimal(1)), currency, lang),
                     count=report.deals, pipeline=_money(report.pipeline_amount, currency, lang))
             for lang in ("en", "zh")}
    title = {lang: t("figures.forecast_title", lang, team=report.team.name, period=report.period.label,
                     dates=_dates(report.period, lang)) for lang in ("en", "zh")}
    deals = [(f"D-{d.deal_id}", float(d.amount or 0), d.estimate.probability)
             for d in report.top if d.currency == currency]
    return ForecastPicture(title=Words(title["en"], title["zh"]), currency=currency,
                           expected_label=Words(lines["en"], lines["zh"]), deals=deals,
                           labels={"amount": _words("chart.deal_amount"), "expected": _words("chart.expected")})


def forecast_sums(report: Forecast, lang: str) -> list[str]:
    """The expected sum of each currency (never added to another's), then what was already won."""
    currency = report.currency
    lines = [] if report.deals else [t("figures.forecast_none", lang)]
    sums = [(currency, report.expected, report.pipeline_amount, report.own_deals)] if report.own_deals else []
    sums += [(other, f.expected, f.pipeline, f.deals) for other, f in report.others.items()]
    for code, expected, pipeline_amount, count in sums:
        lines.append(t("figures.forecast_sum", lang, expected=_money(expected.quantize(Decimal(1)), code, lang),
                       count=count, pipeline=_money(pipeline_amount, code, lang)))
    won = _in_each_currency({currency: report.won_amount} | report.won_others, currency, lang)
    return [*lines, t("figures.forecast_won", lang, amount=won)]


def forecast_reply(report: Forecast, pipeline: Pipeline, lang: str) -> Reply:
    tz = ZoneInfo(report.team.timezone)
    reply = Reply(title=t("figures.forecast_title", lang, team=report.team.name, period=report.period.label,
                          dates=_dates(report.period, lang)), language=lang)
    reply.lines = forecast_sums(report, lang)
    for deal in report.top:
        close = (format_when(in_zone(deal.expected_close, tz), lang, has_time=False, now=report.start)
                 if deal.expected_close else "—")
        reply.lines.append(t("figures.forecast_deal", lang, deal=f"D-{deal.deal_id}",
                             stage=_stage(pipeline, deal.estimate.stage, lang),
                             amount=_money(deal.amount, deal.currency, lang),
                             probability=f"{deal.estimate.probability:.0%}", close=close))
        reply.lines.append("    " + reasons(deal.estimate, pipeline, lang))
    if report.deals > len(report.top):  # the open deals listed are the largest expected amounts
        reply.lines.append(more_line(lang, report.deals - len(report.top)))
    reply.buttons = [Button(f"D-{d.deal_id}", f"show D-{d.deal_id}") for d in report.top[:3]]
    return reply


def digest_extras(charts: Charts | None = None, currency: str = "CNY") -> Callable[
        [UnitOfWork, Team, datetime, datetime, str], tuple[list[str], str | None]]:
    """The weekly digest's funnel and forecast lines and chart (core.reminders.scans.DigestExtras)."""

    def extras(uow: UnitOfWork, team: Team, start: datetime, end: datetime, lang: str
               ) -> tuple[list[str], str | None]:
        from core.chat.context import Defaults

        pipeline = pipeline_of(team.pipeline)
        local = start.astimezone(ZoneInfo(team.timezone)).date()
        period = week_of(local)
        reporting = team_currency(team.settings, currency)
        card = build_scorecard(uow, team, pipeline, period, end, reporting)
        forecast = build_forecast(uow, team, pipeline, month_of(local + timedelta(days=7)), end, reporting, top=3)
        lines = [t("figures.funnel_head", lang, count=card.funnel[0].reached, period=period.label),
                 funnel_line(card.funnel, pipeline, lang)]
        lines += forecast_sums(forecast, lang)
        if end - start >= timedelta(days=6):  # the weekly digest carries the health board (core.services.health)
            from core.services.health import digest_lines

            lines += digest_lines(uow, team, start, end, lang, reporting, end)
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
