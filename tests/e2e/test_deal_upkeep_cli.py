"""Keeping deals true in a real `dealbot console` process on the test database: edit (and an
unreadable edit that changes nothing), hand over, lose and reopen, undo, in English and Chinese;
`dealbot export` shows the result."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = pytest.mark.slow  # starts dealbot processes

NOW = "2026-03-04T10:00:00+08:00"

SESSION = """\
@boss me
@alice me
@bob me
@carol me
@boss member @carol role:manager
@alice new Acme 50k close:2026-04-30
@alice task send the quote D-1
@alice edit D-1 amount:60k close:2026-05-31 title:"Phase 2"
@alice edit D-1 amount:70k close:someday
@alice 修改 D-1 金额:8万
@bob edit D-1 amount:1k
@alice assign D-1 @bob
@bob lost D-1 budget cut
@bob reopen D-1
@bob won D-1
@bob 重开 D-1
@carol reopen D-1 quote
@carol assign D-1 @nobody
@bob undo
@carol 撤销
@carol deals won this month owner:@bob sort:amount
@alice tasks overdue team
@carol 商机 预计成交 本月
"""


def test_edit_assign_and_reopen_in_the_console(run_dealbot_forked, tmp_path):
    session = run_dealbot_forked(["console"], stdin=SESSION, now=NOW)
    assert session.returncode == 0, session.stderr
    assert "Traceback" not in session.stdout + session.stderr
    answers = [block for block in session.stdout.split("\n\n") if block.strip()]
    assert len(answers) == len(SESSION.splitlines())
    edited, unreadable, chinese, foreign = answers[7:11]
    assert edited.startswith("D-1 edited.")
    assert "Amount: ¥50,000 → ¥60,000" in edited and "Title: Acme → Phase 2" in edited
    assert "Expected close: Thu 30 Apr → Sun 31 May" in edited
    assert unreadable.startswith("✗ I can't read “someday” as a date.")
    assert chinese.startswith("D-1 已修改。") and "金额：¥6万 → ¥8万" in chinese
    assert foreign.startswith("✗ No permission: D-1 belongs to @alice.")
    handed, _, reopened, _, refused_won, by_manager, unknown, too_late, undone = answers[11:20]
    assert handed.startswith("D-1 handed over: @alice → @bob.") and "1 open task(s) went with it." in handed
    assert reopened.startswith("D-1 reopened (lost before) in Lead.")
    assert refused_won.startswith("✗ 无权限：赢单的商机（D-1）只有主管可以重开。")
    assert by_manager.startswith("D-1 reopened (won before) in Quote.")
    assert unknown.startswith("✗ I don't know @nobody yet")
    assert too_late.startswith("✗ Cannot undo D-1 marked won: D-1 changed since, by @carol.")
    assert undone.startswith("已撤销：重开 D-1。")  # won again, as before the reopen
    won, overdue, closing = answers[20:]
    assert won.startswith("Won deals (1)") and won.endswith("Total ¥80,000 · weighted ¥80,000")
    assert overdue.startswith("✗ No permission: the team's overdue tasks are for managers")
    assert closing.startswith("进行中的商机（0）") and "没有符合条件的商机。" in closing

    out = tmp_path / "deals.csv"
    export = run_dealbot_forked(["export", str(out)], now=NOW)
    assert export.returncode == 0, export.stderr
    [row] = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert (row["title"], row["amount"], row["owner"], row["status"]) == ("Phase 2", "80000.00", "bob", "won")
    assert row["closed_at"] == NOW  # the win's own moment, put back by the undo
    assert row["expected_close"].startswith("2026-05-31")
