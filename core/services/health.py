"""`health` (健康度) and `quality` (数据质量): the health board and the records to fix, as chat
replies; their lines in the weekly digest.

The board's figures are core.health.board's; a rep, a manager and an admin see the same team
figures (a team's board holds no one's deals), another team's for admins only, and an admin with
no team named sees every team side by side. `quality` lists deals: a rep sees their own, a
manager or an admin the team's. The chart is drawn after the transaction, as the scorecard's
(core.services.analytics.draw_pending).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from core.access import permissions
from core.analytics import rounding
from core.analytics.pictures import HealthPicture, Words
from core.analytics.reports import funnel_order
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.conversations.response_times import format_hours
from core.domain.amounts import format_money
from core.domain.model import DealStatus, Role, Team, people
from core.domain.pipeline import Pipeline, pipeline_of
from core.domain.worktime import team_currency
from core.health.board import HIGHER_IS_BETTER, METRICS, TeamHealth, build_health
from core.health.quality import QualityReport, check_deals, duplicate_customers
from core.language import commands as c
from core.language.dates.text import format_when
from core.language.i18n import t
from core.language.periods import Period, week_of
from core.ports.unit_of_work import UnitOfWork
from core.replies.cards import more_line
from core.services.analytics import _chart, _dates, _team, _today, _words

PERCENT = {"conversion", "attainment", "discipline", "complaints"}
LIST_LIMIT = 5


# -- health ------------------------------------------------------------------------------------------

def health_of(cmd: c.ShowHealth, ctx: Context) -> tuple[list[TeamHealth], Period]:
    if cmd.team is None and permissions.is_admin(ctx.actor):
        teams = sorted(ctx.uow.teams.list(), key=lambda team: (team.id != ctx.team.id, team.name))
    else:
        teams = [_team(ctx, cmd.team, "health")]
    period = cmd.period or week_of(_today(ctx, teams[0])).previous()
    currency = ctx.defaults.currency
    boards = [build_health(ctx.uow, team, pipeline_of(team.pipeline), period, team_currency(team.settings, currency),
                           ctx.now) for team in teams]
    return boards, boards[0].week.period


def show_health(cmd: c.ShowHealth, ctx: Context) -> Reply:
    boards, week = health_of(cmd, ctx)
    lang = ctx.lang
    reply = Reply(title=t("health.title", lang, period=week.label, dates=_dates(week, lang)), language=lang)
    reply.lines = health_lines(boards, lang)
    if any(board.week.target is None for board in boards):
        names = [board.team.name for board in boards if board.week.target is None]
        command = f"目标 {names[0]} 100万 本月" if lang == "zh" else f"target {names[0]} 1m this month"
        reply.lines.append(t("health.no_target", lang, teams=", ".join(names), command=command))
    reply.buttons = [Button(t("button.quality", lang), "quality"), Button(t("button.complaints", lang), "complaints"),
                     Button(t("button.scorecard", lang), f'scorecard team:"{boards[0].team.name}"')]
    _chart(ctx, reply, "health", lambda charts: charts.health, lambda: health_picture(boards, week))
    return reply


def health_lines(boards: list[TeamHealth], lang: str) -> list[str]:
    """A line per figure: each team's value this week, its direction against the four weeks before,
    and those weeks' values."""
    lines = []
    for metric in METRICS:
        parts = []
        for board in boards:
            values = board.trend(metric)
            shown = [_shown(metric, v, board.currency, lang) for v in values]
            parts.append(t("health.team_value", lang, team=board.team.name, value=shown[-1],
                           arrow=_arrow(metric, values), trend=" ".join(shown[:-1])))
        lines.append(t("health.metric_line", lang, metric=t(f"health.metric.{metric}", lang), values=" · ".join(parts)))
    return lines


def _shown(metric: str, value: float | None, currency: str, lang: str) -> str:
    if value is None:
        return "—"
    if metric in PERCENT:
        return rounding.percent(value)
    if metric == "cycle":
        return t("figures.days", lang, days=value)
    if metric == "output":
        return format_money(Decimal(str(value)).quantize(Decimal(1)), currency, lang)
    if metric == "first_response":
        return format_hours(value / 60, lang)
    return f"{value:.2f}".rstrip("0").rstrip(".") + "/5"


def _arrow(metric: str, values: list[float | None]) -> str:
    """↑ better or ↓ worse than the mean of the earlier weeks with the figure; → the same, or
    nothing to compare."""
    now, earlier = values[-1], [v for v in values[:-1] if v is not None]
    if now is None or not earlier:
        return "→"
    mean = sum(earlier) / len(earlier)
    if abs(now - mean) < 1e-9:
        return "→"
    better = (now > mean) == HIGHER_IS_BETTER[metric]
    return "↑" if better else "↓"


def health_picture(boards: list[TeamHealth], week: Period) -> HealthPicture:
    title = Words(t("health.title", "en", period=week.label, dates=_dates(week, "en")),
                  t("health.title", "zh", period=week.label, dates=_dates(week, "zh")))
    panels = []
    for metric in METRICS:
        label = _words(f"health.metric.{metric}")
        series = [(board.team.name, board.trend(metric)) for board in boards]
        kind = ("percent" if metric in PERCENT else "money" if metric == "output"
                else "score" if metric == "csat" else "number")
        panels.append((label, kind, series))
    return HealthPicture(title=title, weeks=[w.period.label[-3:] for w in boards[0].weeks], panels=panels,
                         currency=boards[0].currency)


def digest_lines(uow: UnitOfWork, team: Team, start: datetime, end: datetime, lang: str, currency: str,
                 now: datetime) -> list[str]:
    """The weekly digest's health board of the team (the week that ended) and its data quality line."""
    pipeline = pipeline_of(team.pipeline)
    week = week_of(start.astimezone(_zone(team)).date())
    board = build_health(uow, team, pipeline, week, team_currency(team.settings, currency))
    lines = [t("health.digest_head", lang, period=week.label), *health_lines([board], lang)]
    report = quality_report(uow, team, pipeline, now, None, since=start)  # quiet in the week that ended
    lines.append(quality_summary(report, lang))
    return lines


def _zone(team: Team) -> ZoneInfo:
    return ZoneInfo(team.timezone)


# -- quality -----------------------------------------------------------------------------------------

def quality_report(uow: UnitOfWork, team: Team, pipeline: Pipeline, now: datetime, only_member: int | None,
                   since: datetime | None = None) -> QualityReport:
    """What to fix as of `now`; a rep is quiet with nothing recorded since `since` (default: the
    start of this week)."""
    report = QualityReport()
    deals = uow.deals.find(team_id=team.saved_id, status=DealStatus.OPEN)
    if only_member is not None:
        deals = [d for d in deals if d.owner_id == only_member]
    check_deals(deals, pipeline, now, report)
    report.duplicates = duplicate_customers(list(uow.transfer.customers_of(team.saved_id)))
    week_start = since or week_of(now.astimezone(_zone(team)).date()).bounds(team.timezone)[0]
    counts = uow.analytics.scorecard(team.saved_id, week_start, now, now, funnel_order(pipeline))
    busy = {r.member_id for r in counts.reps if r.new_deals or r.advances or r.won or r.interactions}
    report.quiet_reps = sorted((m for m in people(uow.members.in_team(team.saved_id))
                                if m.role == Role.REP and m.is_active and m.saved_id not in busy
                                and only_member in (None, m.saved_id)), key=lambda m: m.handle)
    return report


def show_quality(cmd: c.ShowQuality, ctx: Context) -> Reply:
    team = _team(ctx, cmd.team, "quality")
    pipeline = pipeline_of(team.pipeline)
    mine = ctx.actor.id if ctx.actor.role == Role.REP else None
    report = quality_report(ctx.uow, team, pipeline, ctx.now, mine)
    lang = ctx.lang
    reply = Reply(title=t("quality.title", lang, team=team.name, count=report.problems), language=lang)
    if not report.problems:
        reply.lines = [t("quality.clean", lang)]
        return reply
    buttons: list[Button] = []

    def section(head: str, items: Sequence[Any], line: Callable[[Any], str], fix: Callable[[Any], Button]) -> None:
        if not items:
            return
        reply.lines.append(t(head, lang, count=len(items)))
        for item in items[:LIST_LIMIT]:
            reply.lines.append("  " + line(item))
        if len(items) > LIST_LIMIT:
            reply.lines.append("  " + more_line(lang, len(items) - LIST_LIMIT))
        buttons.append(fix(items[0]))

    def stage(key: str) -> str:
        return pipeline.get(key).name(lang) if key in pipeline.keys else key

    def missing_line(item: tuple[Any, bool, bool]) -> str:
        deal, no_amount, no_close = item
        what = [t("quality.no_amount", lang)] * no_amount + [t("quality.no_close", lang)] * no_close
        fix = " ".join(["amount:…"] * no_amount + ["close:…"] * no_close)
        return t("quality.missing_line", lang, deal=deal.code, stage=stage(deal.stage), what="、".join(what)
                 if lang == "zh" else ", ".join(what), command=f"edit {deal.code} {fix}")

    section("quality.missing_head", report.missing, missing_line,
            lambda item: Button(t("button.edit_deal", lang, deal=item[0].code), f"edit {item[0].code}"))
    section("quality.past_head", report.past_close,
            lambda deal: t("quality.past_line", lang, deal=deal.code,
                           when=_date(ctx, deal.expected_close), command=f"edit {deal.code} close:…"),
            lambda deal: Button(t("button.edit_deal", lang, deal=deal.code), f"edit {deal.code}"))
    section("quality.stale_head", report.stale,
            lambda item: t("quality.stale_line", lang, deal=item[0].code, stage=stage(item[0].stage), days=item[1],
                           command=f"move {item[0].code} next"),
            lambda item: Button(t("button.log_deal", lang, deal=item[0].code), f"log {item[0].code}"))
    section("quality.dup_head", report.duplicates,
            lambda group: t("quality.dup_line", lang, names=" ~ ".join(f"“{x.name}”" for x in group),
                            command=_merge(group)),
            lambda group: Button(t("button.merge", lang, name=group[-1].name), _merge(group)))
    section("quality.quiet_head", report.quiet_reps,
            lambda member: t("quality.quiet_line", lang, member=member.ref(), command=f"deals owner:@{member.handle}"),
            lambda member: Button(t("button.deals_of", lang, member=f"@{member.handle}"),
                                  f"deals owner:@{member.handle}"))
    reply.buttons = buttons
    return reply


def _merge(group: Sequence[Any]) -> str:
    """The newest record merged into the oldest."""
    newest, oldest = group[-1].name.replace('"', '""'), group[0].name.replace('"', '""')
    return f'merge customer "{newest}" into "{oldest}"'


def _date(ctx: Context, when: datetime | None) -> str:
    return "—" if when is None else format_when(ctx.local(when), ctx.lang, has_time=False, now=ctx.now)


def quality_summary(report: QualityReport, lang: str) -> str:
    if not report.problems:
        return t("quality.digest_clean", lang)
    return t("quality.digest", lang, missing=len(report.missing), past=len(report.past_close),
             stale=len(report.stale), duplicates=len(report.duplicates), quiet=len(report.quiet_reps))

