"""The health board end to end: the console on the demo's two teams (right and wrong input, both
languages), and `dealbot run` with Slack, Telegram and DingTalk pointed at their fakes, where
`health` comes with its chart as a picture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_run_three_platforms import chart_on_every_platform, platforms

pytestmark = pytest.mark.slow  # starts dealbot processes
__all__ = ["platforms"]  # the fixture, used by name

NOW = "2026-03-04T10:00:00+08:00"


def test_health_in_the_console(run_dealbot_forked):
    assert run_dealbot_forked(["demo"], now=NOW).returncode == 0
    console = run_dealbot_forked(["console"], now=NOW, stdin="\n".join([
        "health",  # boss, an admin: both teams
        "@liwei 健康度",  # a rep: the team's board
        "csat D-1 9",
        'complaint D-1 "late invoice"',
        "resolve C-1 credited",
        "数据质量",
        "health nowhere",
    ]) + "\n")
    assert console.returncode == 0, console.stderr
    assert "Traceback" not in console.stdout + console.stderr
    board, rep_board, bad_score, complaint, resolved, quality, no_team = console.stdout.split("\n\n")[:7]
    assert board.startswith("Health board · 2026-W09") and " · 华南 " in board and "[image] " in board
    assert rep_board.startswith("销售健康度 · 2026-W09") and "华南" not in rep_board
    assert bad_score.startswith("✗ “9” is not a score")
    assert "Complaint C-1 logged for" in complaint
    assert resolved.startswith("C-1 (") and "resolved." in resolved
    assert quality.startswith("数据质量 · sales：")
    assert no_team.startswith("✗ There is no team “nowhere”.")


def test_health_from_the_command_line(run_dealbot_forked):
    assert run_dealbot_forked(["demo"], now=NOW).returncode == 0
    board = run_dealbot_forked(["health", "--team", "华南", "--week", "2026-W09", "--format", "json"], now=NOW)
    assert board.returncode == 0, board.stderr
    data = json.loads(board.stdout)
    assert data["team"] == "华南" and data["weeks"] == ["2026-W05", "2026-W06", "2026-W07", "2026-W08", "2026-W09"]
    assert set(data) == {"team", "currency", "weeks", "conversion", "cycle", "output", "attainment", "discipline",
                         "first_response", "csat", "complaints"}
    assert all(len(data[figure]) == 5 for figure in ("conversion", "discipline", "csat"))
    assert all(0 <= share <= 1 for share in data["discipline"])  # every week has open deals in the demo
    text = run_dealbot_forked(["health"], now=NOW)
    assert text.stdout.startswith("Health board · 2026-W09") and "Update discipline: sales " in text.stdout
    wrong = run_dealbot_forked(["health", "--team", "nowhere"], now=NOW)
    assert wrong.returncode != 0 and "nowhere" in wrong.stderr and "Traceback" not in wrong.stderr


async def test_health_chart_arrives_as_a_picture_on_every_platform(platforms, database_url, tmp_path: Path):
    async def a_won_deal_with_its_score(platforms) -> None:
        assert "D-1" in await platforms.on_telegram("/new Beta Labs 80k close:2026-03-20")
        assert "D-1" in await platforms.on_telegram("/won D-1")
        assert "5/5" in await platforms.on_telegram("/csat D-1 5")
        board = await platforms.on_telegram("/health this week")
        assert "Satisfaction:" in board and "5/5" in board, board

    await chart_on_every_platform(platforms, database_url, tmp_path, a_won_deal_with_its_score,
                                  ("/health this week", "health this week", "健康度 本周"))
