"""The figures outside chat: `dealbot scorecard|funnel|forecast|demo`, and the chart wiring.

Charts go to charts/ beside the log file (data/charts for the console). `wire_analytics` gives a
wired Dealbot its charts; the console and these commands call it.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.bootstrap import Wired
from bot.charts import MatplotlibCharts
from core.model import Team
from core.periods import Period, month_of, parse_period, quarter_of, week_of
from core.pipeline import pipeline_of


class FiguresError(Exception):
    """A team or period the command cannot use; the message says which."""


def charts_for(wired: Wired) -> MatplotlibCharts:
    return MatplotlibCharts(Path(wired.settings.log_file).parent / "charts")


def wire_analytics(wired: Wired) -> Wired:
    wired.bot.charts = charts_for(wired)
    return wired


def _team(uow, name: str) -> Team:
    team = uow.teams.by_name(name)
    if team is None:
        known = ", ".join(t.name for t in uow.teams.list()) or "none yet (try: dealbot demo)"
        raise FiguresError(f"no team named '{name}'; teams: {known}")
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
        card = build_scorecard(uow, team, pipeline, period, now, currency or wired.settings.currency)
        image = None
        if chart:
            from core.context import Context

            ctx = Context(uow=uow, actor=None, team=team, pipeline=pipeline, now=now, lang=team.language,  # type: ignore[arg-type]
                          tz=team.timezone, source="cli:", defaults=wired.bot.defaults)
            image = charts_for(wired).scorecard(scorecard_picture(ctx, card, pipeline), team.language)
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
        report = build_forecast(uow, team, pipeline, period, now, currency or wired.settings.currency,
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
    out.write(f"demo loaded: {counts['deals']} deals ({counts['stage_changes']} stage changes), "
              f"{counts['tasks']} tasks, {counts['interactions']} follow-ups, {counts['members']} members in "
              f"teams {settings.team} and 华南\n"
              f"try: dealbot console, then: scorecard · 周报 华南 · funnel · forecast · @liwei scorecard\n")
    return 0
