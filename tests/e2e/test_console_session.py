"""A team's week in the console, as separate `dealbot console` processes on one database:
English and Chinese, skipped stages, a win, losses with reasons, a next step from a Chinese
follow-up, tasks done and overdue, refusals. `dealbot export` must show exactly the result."""

from __future__ import annotations

import random

import pytest

pytestmark = pytest.mark.slow  # starts dealbot processes

DAY1 = "2026-03-02T09:00:00+08:00"  # Monday
DAY2 = "2026-03-06T10:00:00+08:00"  # Friday

MONDAY = """\
@boss me
@boss team new 华东 tz:Asia/Shanghai lang:zh
@alice me
@bob me
@carol me
@boss member @carol role:manager
@alice new Acme 50k close:2026-04-30
@alice 新建 华为 5万 阶段:方案演示
@bob new Globex $3.5k
@bob new Initech 80k stage:quote
@alice check D-1 1
@alice check D-1 2
@alice move D-1 next
@alice 推进 D-2 报价
@alice move D-1 quote
@bob move D-1 negotiation
@alice 跟进 D-2 电话：客户要求下周三前发报价
@alice task send contract draft D-1 in 3 days
@bob task call Globex CFO D-3 明天下午3点
@bob won D-1
@carol move D-4 negotiation
"""

FRIDAY = """\
@alice tasks overdue
@alice done T-2
@bob done T-3
@alice won D-1 48k
@bob lost D-3 went with a competitor
@alice 推进 D-2 谈判
@bob done T-1
@alice done T-1
@alice new Umbrella 120k stage:contact
@alice 丢单 D-5 预算被砍
@boss history D-1
@bob mvoe D-4
@alice deals mine
"""

D1, D2 = DAY1, DAY2
EXPECTED_EXPORT = f"""\
ref,title,customer,owner,team,amount,currency,status,created_at,closed_at,lost_reason,expected_close,entered_lead,entered_contact,entered_demo,entered_quote,entered_negotiation,entered_won,entered_lost,source_ref
D-1,Acme,Acme,alice,sales,48000.00,CNY,won,{D1},{D2},,2026-04-30T17:00:00+08:00,{D1},{D1},,{D1},,{D2},,
D-2,华为,华为,alice,sales,50000.00,CNY,open,{D1},,,,,,{D1},{D1},{D2},,,
D-3,Globex,Globex,bob,sales,3500.00,USD,lost,{D1},{D2},went with a competitor,,{D1},,,,,,{D2},
D-4,Initech,Initech,bob,sales,80000.00,CNY,open,{D1},,,,,,,{D1},{D1},,,
D-5,Umbrella,Umbrella,alice,sales,120000.00,CNY,lost,{D2},{D2},预算被砍,,,{D2},,,,,{D2},
"""  # and the last column, uid: each deal's own random identity


def replies(stdout: str) -> list[str]:
    return [block for block in stdout.split("\n\n") if block.strip()]


def test_a_week_in_the_console(run_dealbot_forked):
    assert len((MONDAY + FRIDAY).splitlines()) >= 30
    monday = run_dealbot_forked(["console"], stdin=MONDAY, now=DAY1)
    assert monday.returncode == 0, monday.stderr
    answers = replies(monday.stdout)
    assert len(answers) == len(MONDAY.splitlines())
    assert answers[15].startswith("✗ No permission: D-1 belongs to @alice.")
    assert "下一步已生成任务 T-1，截止 3月11日 周三 17:00" in answers[16]
    assert "Due Thu 5 Mar 17:00" in answers[17]
    assert "截止 3月3日 周二 15:00" in answers[18]
    assert answers[19].startswith("✗ No permission")
    assert answers[20].startswith("D-4 moved: Quote → Negotiation.")

    friday = run_dealbot_forked(["console"], stdin=FRIDAY, now=DAY2)
    assert friday.returncode == 0, friday.stderr
    answers = replies(friday.stdout)
    assert answers[0].startswith("Your overdue tasks (1)") and "T-2 send contract draft" in answers[0]
    assert answers[6].startswith("✗ No permission: T-1 is assigned to @alice.")
    assert answers[11].startswith("✗ I don't know the command “mvoe”.")
    assert "Traceback" not in monday.stdout + monday.stderr + friday.stdout + friday.stderr

    export = run_dealbot_forked(["export", "-"], now=DAY2)
    assert export.returncode == 0, export.stderr
    rows = [line.rsplit(",", 1) for line in export.stdout.splitlines()]
    assert [kept for kept, _ in rows] == EXPECTED_EXPORT.splitlines()
    assert rows[0][1] == "uid" and all(len(uid) == 32 for _, uid in rows[1:])


def test_export_reimports_to_the_same_state(run_dealbot_forked, tmp_path):
    run_dealbot_forked(["console"], stdin=MONDAY + FRIDAY, now=DAY1)
    first = run_dealbot_forked(["export", "-"]).stdout
    (tmp_path / "deals.csv").write_text(first, encoding="utf-8")
    again = run_dealbot_forked(["import", "deals.csv"])
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "imported: 0 created, 0 updated, 5 unchanged, 0 left alone"
    assert run_dealbot_forked(["export", "-"]).stdout == first


def test_a_bad_import_names_the_line_and_stores_nothing(run_dealbot_forked, tmp_path):
    bad = EXPECTED_EXPORT.replace("3500.00,USD", "lots,USD")
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
    result = run_dealbot_forked(["import", "bad.csv"])
    assert result.returncode == 1
    assert "line 4, amount: “lots” is not an amount." in result.stderr
    assert "Traceback" not in result.stderr
    assert run_dealbot_forked(["export", "-"]).stdout.count("\n") == 1  # the header only


def test_garbage_never_prints_a_traceback(run_dealbot_forked):
    rng = random.Random(20260304)
    alphabet = "D-1 T-7 推进报价新建丢单跟进 move new lost <>&'\";%$¥😀\u200b\u202e\\/:：@#" + "abcxyz0123"
    lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60))) for _ in range(300)]
    lines += ["\x00\x01 move", "@ #", "@alice", "#chat", "x" * 5000]
    result = run_dealbot_forked(["console"], stdin="\n".join(lines) + "\n", now=DAY1)
    assert result.returncode == 0
    assert "Traceback" not in result.stdout + result.stderr
    assert "something went wrong" not in result.stdout
