"""The README's tour, run line by line as a new user would: the `text` blocks under "A short tour"
go through real `dealbot console` processes (the clock fixed by DEALBOT_FIXED_NOW), the `sh` block
between them is run as written, and each reply must do what the README's comment beside its line
says. The lines are read from README.md itself: a line added or changed there without its check
here fails the test, and so does a reply that no longer matches its comment."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import DEALBOT, dealbot_env

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[2] / "README.md"
NOW = "2026-03-04T10:00:00+08:00"  # a Wednesday: "next Friday" is 13 March, "in 3 days" Saturday 7th
PNG = b"\x89PNG\r\n\x1a\n"

# What each README line's comment promises, as patterns its reply must contain (all of them).
# The comment itself is checked too: a changed comment needs its check looked at again.
TOUR = {
    "new Acme 50k close:end of quarter": (
        "create a deal: D-1, in stage Lead", [r"^Created D-1 for Acme\.", r"Stage: Lead"]),
    "新建 华为 5万 阶段:方案演示": (
        "另一个商机，直接从方案演示开始", [r"^已新建商机 D-2（华为）", r"阶段: 方案演示"]),
    "show D-1": (
        "the deal card: stage and days vs its time limit, buttons",
        [r"^D-1 · Acme", r"Stage: Lead · day 0 of 3", r"\[1\] → First contact → move D-1 next"]),
    "check D-1 1": (
        "tick off a deliverable of the current stage", [r"^D-1: ☑ Need confirmed", r"☑ 1\. Need confirmed"]),
    "move D-1 quote": (
        "skip to Quote (warns about unchecked deliverables)",
        [r"^D-1 moved: Lead → Quote\.", r"⚠ Left Lead with 1 deliverable\(s\) unchecked: Decision maker",
         r"Skipped: First contact, Demo"]),
    "推进 D-2 下一步": ("推进到下一阶段", [r"^D-2 已推进：方案演示 → 报价"]),
    "log D-1 call: they want a revised quote by next Friday": (
        "a dated next step becomes a task", [r"^Follow-up logged on D-1\.", r"task T-1, due Fri 13 Mar 17:00"]),
    "跟进 D-2 电话：客户要求下周三前发报价": (
        "下一步自动生成任务", [r"^已记录 D-2 的跟进", r"下一步已生成任务 T-2，截止 3月11日 周三 17:00"]),
    "task send contract draft D-1 in 3 days": (
        "a task with a due date", [r"^Task T-3: send contract draft", r"Due Sat 7 Mar 17:00"]),
    "待办": ("我的待办任务", [r"^我的待办（3）", r"T-3 send contract draft", r"T-2 客户要求", r"T-1 they want"]),
    "done T-1": ("complete a task", [r"^✓ T-1 done: they want a revised quote"]),
    "won D-1 48k": (
        "won, with the final amount; its open tasks are cancelled",
        [r"^🎉 D-1 won \(¥48,000\)", r"open tasks? of D-1 (is|are) cancelled", r"T-3 send contract draft .*cancelled"]),
    "丢单 D-2 预算被砍": ("丢单并记录原因", [r"^D-2 丢单，原因：预算被砍"]),
    "deals": ("the team's open deals", [r"^Open deals \(0\)"]),  # both were closed just before
    "me": ("your profile, language and time zone",
           [r"^You are @\w+", r"Language: ", r"Time zone: Asia/Shanghai"]),
    # the tour's own changes, scored: the day's first update, one follow-up per deal, the tick,
    # both deals' first contact (the tick taken back by nobody; T-1 was done at once: no points)
    "points": ("your points this week, rule by rule",
               [r"^Points of @\w+ · 2026-W10: 12", r"Daily update before the end of the day: 1 × → 2",
                r"Follow-up logged: 2 × → 2", r"Deliverable checked: 1 × → 2", r"First contact in time: 2 × → 6"]),
    "排行榜": ("团队积分排行，以及进步最大的人", [r"^sales 积分排行榜 · 2026-W10", r"1\. @\w+ · 12 分（较上期 \+12）",
                                      r"进步最大：@\w+（\+12）"]),
    # -- after `dealbot demo`: six months of two teams' history, "now" being NOW
    "scorecard": (
        "last week: new, won, lost, win rate, cycle, funnel, per rep, stalled deals, chart",
        [r"^Scorecard · sales · 2026-W09", r"New deals \d+ · won \d+ \(¥[\d,]+\) · lost \d+",
         r"Win rate [\d.]+% · average deal cycle [\d.]+ days", r"Lead \d+ \([\d.]+%\) → First contact",
         r"Per rep:\n  @\w+: ", r"Stalled deals \(\d+\):", r"\[image\] \S+\.png"]),
    "周报 华南 本周": ("华南团队本周的周报", [r"^周报 · 华南 · 2026-W10", r"新增商机 \d+", r"\[image\] \S+\.png"]),
    "@liwei scorecard": (
        "a rep sees the team's totals and only their own row",
        [r"^Scorecard · sales", r"New deals \d+", r"Per rep:\n  @liwei: [^\n]*\n  Stalled deals"]),
    "funnel last quarter": (
        "how far last quarter's new deals got, stage by stage",
        [r"^Funnel · sales · 2025-Q4", r"Lead \d+ \([\d.]+%\) → First contact \d+ .* → Signed \d+",
         r"\[image\] \S+\.png"]),
    "预测 下个月": (
        "下个月预计成交金额，逐个商机的赢单概率及原因",
        [r"^业绩预测 · sales · 2026-04", r"预计成交：¥", r"D-\d+ \S+ · ¥[\d.]+万? · 赢单概率 \d+%",
         r"\n      \S+：离开该阶段的 \d+ 个商机中 \d+% 推进到了下一阶段", r"\[image\] \S+\.png"]),
    "show D-152": (
        "an open deal (`dealbot demo` names it): its win probability and why",
        [r"^D-152 · ", r"Win probability: \d+% · \w[^\n]*\S"]),
    "history D-12": (
        "the story of a deal: who moved it, stage by stage, amounts",
        [r"^History of D-12", r"@chenjie created it in Lead", r"@chenjie moved it from Lead to First contact",
         r"¥[\d,]+", r"marked it lost"]),
    "target @liwei 500k this quarter": (
        "a manager sets a rep's goal (目标 华南 200万 本季度: a team's)",
        [r"^Target set: @liwei · won amount ¥500,000 · 2026-Q1\.",
         r"@liwei · won amount · 2026-Q1: ¥[\d,]+ of ¥500,000 \([\d.,]+%\) · weighted pipeline ¥[\d,]+ · gap"]),
    "review closing": (
        "a manager calls this month's deals card by card: commit, best case, slip…",
        [r"^Pipeline review of sales: \d+ open deals", r"Deal 1 of \d+:", r"Expected close: .* · forecast category: ",
         r"\[1\] Commit → review D-\d+ commit closing", r"\[4\] Slip → \d\d-\d\d → review D-\d+ slip 2026-"]),
    "targets": (
        "each target: won so far, weighted pipeline, gap, needed per week, chart",
        [r"^Targets of sales · in force today", r"@liwei · won amount · 2026-Q1: ¥[\d,]+ of ¥500,000",
         r"a week needed \(\d+ days left\)", r"\[image\] \S+\.png"]),
    "健康度": (
        "各团队上周的销售健康度：八项指标并列，附近四周趋势，图表",
        [r"^销售健康度 · 2026-W09", r"^  赢单转化率：sales [\d.]+% [↑↓→]（前四周：", r" · 华南 ", r"^  客户投诉率：",
         r"\[image\] \S+\.png"]),
    "quality": (
        "records to fix, each with the command that fixes it",
        [r"^Data quality · sales: \d+ to fix", r"→ move D-\d+ next"]),
}
LINE = re.compile(r"^(?P<command>.*?\S)\s{2,}(?P<comment>\S.*)$")


def readme_tour() -> tuple[list[tuple[str, str]], list[str], list[tuple[str, str]]]:
    """The tour's lines (command, comment), the `sh` block's commands, the figures' lines."""
    section = README.read_text(encoding="utf-8").split("## A short tour", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, flags=re.S)
    kinds = [kind for kind, _ in blocks]
    assert kinds[:3] == ["text", "sh", "text"], f"the tour's blocks changed: {kinds}"
    tour, shell, figures = (body.splitlines() for _, body in blocks[:3])
    return [_split(line) for line in tour], shell, [_split(line) for line in figures]


def _split(line: str) -> tuple[str, str]:
    match = LINE.match(line)
    assert match, f"a README tour line without a comment: {line!r}"
    return match["command"], match["comment"]


def console(lines: list[str], env: dict, cwd: Path, args: tuple[str, ...] = ("console",)) -> list[str]:
    """The replies of one `dealbot console` session, one per line typed."""
    result = subprocess.run([str(DEALBOT), *args], input="\n".join(lines) + "\n", capture_output=True,
                            text=True, timeout=180, env=env, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    replies = [block for block in result.stdout.split("\n\n") if block.strip()]
    assert len(lines) <= len(replies) <= len(lines) + 1, result.stdout  # + a start-up line, if printed
    return replies[-len(lines):]


def check(pairs: list[tuple[str, str]], replies: list[str], cwd: Path) -> None:
    for (command, comment), reply in zip(pairs, replies, strict=True):
        assert command in TOUR, f"README tour line {command!r} has no check in this test"
        promised, patterns = TOUR[command]
        assert comment == promised, f"the README's comment on {command!r} changed: check it again"
        for pattern in patterns:
            assert re.search(pattern, reply, flags=re.M), f"{command!r} ({comment}): no {pattern!r} in\n{reply}"
        for image in re.findall(r"\[image\] (\S+\.png)", reply):
            assert (cwd / image).read_bytes().startswith(PNG), f"{command!r}: {image} is not a PNG"


def test_the_readme_tour_does_what_the_readme_says(database_url, tmp_path: Path):
    tour, shell, figures = readme_tour()
    assert {command for command, _ in tour + figures} == set(TOUR), "the README's tour and this test differ"
    env = dealbot_env(database_url, tmp_path, DEALBOT_FIXED_NOW=NOW)
    env.pop("DEALBOT_LOG_FILE")  # as a new user has it: the log and charts beside the database
    # As a new user has it: no DEALBOT_DATABASE_URL, so the embedded database in the data folder,
    # and `dealbot demo` puts its own database beside it.
    env.pop("DEALBOT_DATABASE_URL")
    env["DEALBOT_DATA_DIR"] = str(tmp_path / "data")

    check(tour, console([command for command, _ in tour], env, tmp_path), tmp_path)

    for line in shell:  # `export NAME=value` and `dealbot …` joined by &&, run as written
        words = shlex.split(line.split("#", 1)[0])
        if words[:1] == ["export"]:
            name, _, value = words[1].partition("=")
            env[name] = value
            continue
        for step in " ".join(words).split(" && "):
            argv = shlex.split(step)
            assert argv[0] == "dealbot", f"the tour's shell block runs {argv[0]!r}"
            if argv[-1] == "console":  # `dealbot --demo console`: the demo's own database
                check(figures, console([command for command, _ in figures], env, tmp_path, tuple(argv[1:])),
                      tmp_path)
                continue
            done = subprocess.run([str(DEALBOT), *argv[1:]], capture_output=True, text=True, timeout=300,
                                  env=env, cwd=tmp_path)
            assert done.returncode == 0, f"{step}: {done.stdout}{done.stderr}"
