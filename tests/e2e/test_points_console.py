"""Points, leaderboard and the pipeline review end to end in the console (a real `dealbot`
process on the demo's teams, both languages): the review's buttons show as the commands they
run, and typing one answers the card; a rep is refused; bad input is one line."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow  # starts dealbot processes

NOW = "2026-03-04T10:00:00+08:00"


def test_points_leaderboard_and_review_in_the_console(run_dealbot_forked):
    assert run_dealbot_forked(["demo"], now=NOW).returncode == 0
    first = run_dealbot_forked(["console"], now=NOW, stdin="@liuyang review closing\n")
    assert first.returncode == 0, first.stderr
    card = first.stdout
    assert card.startswith("Pipeline review of sales:") and "Deal 1 of " in card
    commit = re.search(r"\[1\] Commit → (review D-\d+ commit closing)", card)
    assert commit, card
    slip = re.search(r"→ (review D-\d+ slip \d{4}-\d\d-\d\d closing)", card)
    assert slip, card

    console = run_dealbot_forked(["console"], now=NOW, stdin="\n".join([
        f"@liuyang {commit[1]}",  # the [Commit] button, typed
        "@liwei log D-1 call: asked for the quote",
        "@liwei points",
        "@liuyang points award @liwei 5 the big demo",
        "@liwei 积分 奖励 @zhangmin 5 好",  # a rep may not
        "@liuyang 排行榜",
        "@liwei 过单",  # nor review
        "@liuyang forecast",
        "@liuyang points award @liwei zero nothing",
    ]) + "\n")
    assert console.returncode == 0, console.stderr
    assert "Traceback" not in console.stdout + console.stderr
    called, _logged, points, awarded, refused, board, rep_review, forecast, bad = console.stdout.split("\n\n")[:9]
    deal = commit[1].split()[1]
    assert called.startswith(f"{deal}: Commit.") and "Task T-" in called
    assert points.startswith("Points of @liwei · 2026-W10: ")
    assert awarded.startswith("+5 points to @liwei: the big demo")
    assert refused.startswith("✗ 无权限：由主管奖励积分")
    assert board.startswith("sales 积分排行榜 · 2026-W10") and "@liwei" in board
    assert rep_review.startswith("✗ 无权限：过单由主管进行")
    assert "Commit ¥" in forecast and "best case ¥" in forecast
    assert bad.startswith("✗ “zero”: an award of points must be a whole number from -1000 to 1000.")
