"""`dealbot demo`, then the scorecard, funnel and forecast from the command line and the console."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow  # starts dealbot processes

NOW = "2026-03-04T10:00:00+08:00"
KEYS = ["team", "week", "start", "end", "new_deals", "won", "lost", "won_amount", "win_rate", "avg_cycle_days",
        "funnel", "reps", "stale", "first_response_minutes_median", "segments"]


def test_demo_then_figures(run_dealbot_forked):
    loaded = run_dealbot_forked(["demo"], now=NOW)
    assert loaded.returncode == 0, loaded.stderr
    assert "demo loaded" in loaded.stdout
    again = run_dealbot_forked(["demo"], now=NOW)
    assert again.returncode == 2 and "already has deals" in again.stderr

    card = run_dealbot_forked(["scorecard", "--team", "sales", "--week", "2026-W09", "--format", "json"], now=NOW)
    assert card.returncode == 0, card.stderr
    data = json.loads(card.stdout)
    assert list(data) == KEYS
    assert data["week"] == "2026-W09" and data["new_deals"] > 0 and len(data["reps"]) == 4
    assert [step["stage"] for step in data["funnel"]] == ["lead", "contact", "demo", "quote", "negotiation", "won"]
    assert set(data["segments"]) == {"industry", "source", "tag"}  # the week's new deals per kind of customer
    assert sum(row["created"] for row in data["segments"]["industry"]) == data["new_deals"]

    backtest = run_dealbot_forked(["forecast", "--backtest", "--format", "json"], now=NOW)
    result = json.loads(backtest.stdout)
    assert result["beats_baseline"] and result["model_brier"] < result["baseline_brier"]
    forecast = run_dealbot_forked(["forecast", "--team", "华南", "--period", "下个月", "--format", "json"], now=NOW)
    assert json.loads(forecast.stdout)["period"] == "2026-04"
    funnel = run_dealbot_forked(["funnel", "--period", "Q4 2025"], now=NOW)
    assert funnel.stdout.startswith("sales 2025-Q4: Lead ")

    console = run_dealbot_forked(["console"], stdin="scorecard\n@liwei 周报\n", now=NOW)
    assert console.returncode == 0, console.stderr
    manager, rep = console.stdout.split("\n\n")[:2]
    assert manager.startswith("Scorecard · sales · 2026-W09") and "[image] " in manager and "@zhangmin:" in manager
    assert rep.startswith("周报 · sales · 2026-W09") and "@liwei：" in rep and "@zhangmin" not in rep
