"""The figures outside chat: `dealbot scorecard|funnel|forecast|demo`, and the chart wiring.

Charts go to charts/ beside the log file (the data folder's charts/ by default): bot.bootstrap.charts_for;
`build(settings, charts=True)` gives the Dealbot of the console, `dealbot run` and these commands its charts.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.bootstrap import Wired, charts_for
from bot.cli_errors import no_such_team
from core.domain.model import Team
from core.domain.pipeline import pipeline_of
from core.domain.worktime import team_currency
from core.language.periods import Period, month_of, parse_period, quarter_of, week_of


class FiguresError(Exception):
    """A team or period the command cannot use; the message says which."""


def _team(uow, name: str) -> Team:
    team = uow.teams.by_name(name)
    if team is None:
        raise FiguresError(no_such_team(name, uow.teams.list()))
    return team


def _period(text: str | None, team: Team, now: datetime, default) -> Period:
    today = now.astimezone(ZoneInfo(team.timezone)).date()
    if not text:
        return default(today)
    period = parse_period(text, today)
    if period is None:
        raise FiguresError(f"'{text}' is not a period: try 2026-W10, last week, this month, 2026-03 or Q3")
    return period


def scorecard(wired: Wired, team_name: str, week: str | None, fmt: str, currency: str | None,
              chart: str | None, out: TextIO) -> int:
    from core.analytics.reports import build_scorecard
    from core.services.analytics import scorecard_picture, scorecard_reply

    now = wired.bot.clock.now()
    with wired.uow() as uow:
        team = _team(uow, team_name)
        period = _period(week, team, now, lambda today: week_of(today).previous())
        if period.kind != "week":
            raise FiguresError(f"'{week}' is not a week: try 2026-W10, this week or last week")
        pipeline = pipeline_of(team.pipeline)
        card = build_scorecard(uow, team, pipeline, period, now,
                               currency or team_currency(team.settings, wired.settings.currency),
                               segments=fmt == "json")  # the JSON has the week per kind of customer
        image = None
        if chart:
            from core.chat.context import Context

            ctx = Context(uow=uow, actor=None, team=team, pipeline=pipeline, now=now, lang=team.language,  # type: ignore[arg-type]
                          tz=team.timezone, source="cli:", defaults=wired.bot.defaults)
            image = charts_for(wired.settings).scorecard(scorecard_picture(ctx, card, pipeline), team.language)
    if fmt == "json":
        out.write(json.dumps(card.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(scorecard_reply(card, pipeline, team.language).text() + "\n")
    if image:
        Path(chart).write_bytes(Path(image).read_bytes())
        print(f"chart: {chart}", file=out if fmt != "json" else None)
    return 0


def funnel(wired: Wired, team_name: str, period_text: str | None, fmt: str, out: TextIO) -> int:
    from core.analytics.reports import build_funnel
    from core.services.analytics import funnel_line

    now = wired.bot.clock.now()
    with wired.uow() as uow:
        team = _team(uow, team_name)
        period = _period(period_text, team, now, quarter_of)
        pipeline = pipeline_of(team.pipeline)
        report = build_funnel(uow, team, pipeline, period)
    if fmt == "json":
        out.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(f"{team.name} {period.label}: {funnel_line(report.steps, pipeline, team.language)}\n")
    return 0


def forecast(wired: Wired, team_name: str, period_text: str | None, fmt: str, currency: str | None,
             backtest: bool, out: TextIO) -> int:
    from core.analytics.backtest import run_backtest
    from core.analytics.reports import build_forecast
    from core.services.analytics import forecast_reply

    now = wired.bot.clock.now()
    with wired.uow() as uow:
        team = _team(uow, team_name)
        pipeline = pipeline_of(team.pipeline)
        if backtest:
            result = run_backtest(uow, team, pipeline)
            if fmt == "json":
                out.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
            else:
                out.write(_backtest_text(result))
            return 0
        period = _period(period_text, team, now, month_of)
        report = build_forecast(uow, team, pipeline, period, now,
                                currency or team_currency(team.settings, wired.settings.currency),
                                top=10_000 if fmt == "json" else 10)
    if fmt == "json":
        out.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(forecast_reply(report, pipeline, team.language).text() + "\n")
    return 0


def _backtest_text(result) -> str:
    if not result.predictions:
        return f"{result.team}: no closed deals to test on yet\n"
    verdict = "beats" if result.beats_baseline else "does not beat"
    return (f"{result.team}: {result.predictions} predictions ({result.won} won) at {len(result.snapshots)} moments "
            f"from {result.snapshots[0]:%Y-%m-%d} to {result.snapshots[-1]:%Y-%m-%d}\n"
            f"  Brier score, model:          {result.model_brier:.4f}\n"
            f"  Brier score, stage defaults: {result.baseline_brier:.4f}\n"
            f"  the model {verdict} the stage defaults (lower is better)\n")


def demo(wired: Wired, out: TextIO) -> int:
    from core.services.demo import DemoError, default_teams, load_demo

    settings = wired.settings
    with wired.uow() as uow:
        try:
            counts = load_demo(uow, wired.bot.clock.now(), default_teams(settings.team, settings.timezone,
                                                                         settings.language), settings.currency)
        except DemoError as err:
            raise FiguresError(str(err)) from None
        uow.commit()
        example = _open_deal_to_show(uow, settings.team)
    console = "dealbot --demo console" if settings.demo else "dealbot console"
    out.write(f"demo loaded into {settings.database_label()}: {counts['deals']} deals "
              f"({counts['stage_changes']} stage changes), {counts['tasks']} tasks, {counts['interactions']} "
              f"follow-ups, {counts['members']} members in teams {settings.team} and 华南\n"
              f"try: {console}, then: scorecard · 周报 华南 · funnel · forecast · @liwei scorecard · "
              f"show {example}\n")
    return 0


def _open_deal_to_show(uow, team_name: str) -> str:
    """The first open deal that got as far as a quote: its card has a win probability and why."""
    from core.domain.model import DealStatus

    team = uow.teams.by_name(team_name)
    for stage in ("quote", "negotiation", "demo"):
        deals = uow.deals.find(team_id=team.id, status=DealStatus.OPEN, stage=stage)
        if deals:
            return f"D-{min(deal.id for deal in deals)}"
    return "D-1"


def remove_demo_database(settings) -> None:
    """An older demo goes, so `dealbot demo` always starts from an empty database."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.demo_database}{suffix}").unlink(missing_ok=True)


def health(wired: Wired, team_name: str, week: str | None, fmt: str, out: TextIO) -> int:
    """`dealbot health`: the team's health board (core.health.board), as the chat shows it or as JSON."""
    from core.health.board import build_health
    from core.services.analytics import _dates
    from core.services.health import health_lines

    now = wired.bot.clock.now()
    with wired.uow() as uow:
        team = _team(uow, team_name)
        period = _period(week, team, now, lambda today: week_of(today).previous())
        board = build_health(uow, team, pipeline_of(team.pipeline), period,
                             team_currency(team.settings, wired.settings.currency), now)
    if fmt == "json":
        out.write(json.dumps(board.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        from core.language.i18n import t

        lang = team.language
        out.write(t("health.title", lang, period=board.week.period.label, dates=_dates(board.week.period, lang)) + "\n")
        out.write("\n".join(health_lines([board], lang)) + "\n")
    return 0
