"""Targets end to end: the console on the demo's team, and `dealbot run` with Slack, Telegram and
DingTalk pointed at their fakes, where `targets` comes with its attainment chart as a picture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.test_run_three_platforms import chart_on_every_platform, platforms

pytestmark = pytest.mark.slow  # starts dealbot processes
__all__ = ["platforms"]  # the fixture, used by name

NOW = "2026-03-04T10:00:00+08:00"


def test_targets_in_the_console(run_dealbot_forked):
    assert run_dealbot_forked(["demo"], now=NOW).returncode == 0
    console = run_dealbot_forked(["console"], now=NOW, stdin="\n".join([
        "target @liwei 500k",  # boss, an admin
        "目标 sales 40 新商机 本季度",
        "@liwei target @liwei 1m",  # a rep may not
        "@liwei 目标列表",
        "targets",
        "target @liwei 2.5 wins",
        "forecast",
    ]) + "\n")
    assert console.returncode == 0, console.stderr
    assert "Traceback" not in console.stdout + console.stderr
    set_rep, set_team, refused, rep_sees, boss_sees, bad, forecast = console.stdout.split("\n\n")[:7]
    assert set_rep.startswith("Target set: @liwei · won amount ¥500,000 · 2026-03.")
    assert "@liwei · won amount · 2026-03: ¥" in set_rep and "a week needed (28 days left)" in set_rep
    assert set_team.startswith("已设定目标：sales · 新商机 40 · 2026-Q1。")
    assert refused.startswith("✗ No permission: targets are set by managers and admins.")
    assert rep_sees.startswith("sales 的目标 · 当前生效") and "@liwei · 赢单金额" in rep_sees
    assert boss_sees.startswith("Targets of sales · in force today") and "[image] " in boss_sees
    assert bad.startswith("✗ “2.5”: a counted target (wins, new deals, follow-ups) must be a whole number of at least 1.")
    assert "Targets:" in forecast and "@liwei · won amount · 2026-03" in forecast


async def test_targets_chart_arrives_as_a_picture_on_every_platform(platforms, database_url, tmp_path: Path):
    async def a_won_deal_and_a_target(platforms) -> None:
        assert "D-1" in await platforms.on_telegram("/new Beta Labs 80k close:2026-03-20")
        assert "D-1" in await platforms.on_telegram("/won D-1")
        me = await platforms.on_telegram("/me")
        handle = re.search(r"@([\w.\-]+)", me)[1]
        answer = await platforms.on_telegram(f"/target @{handle} 100k")
        assert f"Target set: @{handle}" in answer and "¥80,000 of ¥100,000 (80%)" in answer, answer

    await chart_on_every_platform(platforms, database_url, tmp_path, a_won_deal_and_a_target,
                                  ("/targets", "targets", "目标列表"))
