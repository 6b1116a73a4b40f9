"""Approvals end to end in a real `dealbot console`, in both languages: a rep asks, the manager
decides step 1 (a second click changes nothing), the admin step 2; a rejection in Chinese; bad
input gets one sentence and no traceback; the trail is in the deal's history."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # starts a dealbot process

NOW = "2026-03-04T10:00:00+08:00"


def test_approvals_in_the_console(run_dealbot_forked):
    console = run_dealbot_forked(["console"], now=NOW, stdin="\n".join([
        "@mia me",
        "member @mia role:manager",
        "@alice new Beta 80k",
        '@alice approve D-1 discount:30% "three-year deal"',
        "@alice approve D-1 discount:abc",
        "@alice approve A-1",
        "@mia approve A-1 step:1",
        "@mia approve A-1 step:1",
        "approve A-1 step:2",
        "@alice 申请审批 D-1 折扣:8折 客户要求",
        "@mia 驳回 A-2",
        "@mia 驳回 A-2 利润太低",
        "@alice 审批",
        "history D-1",
    ]) + "\n")
    assert console.returncode == 0, console.stderr
    assert "Traceback" not in console.stdout + console.stderr
    said = console.stdout.split("\n\n")
    asked, bad, own, step, again, last, zh_asked, zh_why, zh_rejected, listed, history = said[3:14]
    assert asked.startswith("A-1: a discount of 30% on D-1 asked for approval.\n  Step 1 of 2: waiting for a manager.")
    assert bad.startswith("✗ “abc” is not a discount")
    assert own.startswith("✗ A-1 is your own request; someone else must decide it.")
    assert step.startswith("A-1: you approved step 1; it now waits for an admin.")
    assert again.startswith("✗ That step of A-1 is already decided; see approvals.")
    assert last.startswith("A-1 is approved: a discount of 30% on D-1.")
    assert zh_asked.startswith("A-2：已提交审批（D-1，折扣 20%）。")
    assert zh_why.startswith("✗ 驳回 A-2 须写明原因，未做更改。\n  用法：驳回 A-3 <原因>")
    assert zh_rejected.startswith("A-2 已驳回：利润太低")
    assert "A-2 · D-1 · 折扣 20% · 状态：已驳回" in listed and "A-1 · D-1 · 折扣 30% · 状态：已批准" in listed
    for line in ("@alice asked for approval A-1: a discount of 30%", "@mia approved step 1 of A-1",
                 "approved A-1; it is approved", "@mia rejected A-2: 利润太低"):
        assert line in history, history
