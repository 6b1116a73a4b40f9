"""Refusals that say what is wrong and what to do, in the user's language, and change nothing:
points of another team's member, a review call on a deal that does not exist or is another team's,
a complaint on a deal that does not exist (never "create it: new D-…"), counts below 1, and a
snooze too long to compute."""

from __future__ import annotations

import pytest

from tests.fakes import ChatHarness


@pytest.fixture
def chat():
    """sales: mia (manager), alice; West: wes (manager), carol. alice has D-1, carol D-2."""
    h = ChatHarness()
    said = [*((who, "me") for who in ("boss", "alice", "mia", "wes", "carol")),
            *(("boss", line) for line in ("team new West", "member @mia role:manager",
                                          "member @wes role:manager team:West", "member @carol team:West")),
            ("alice", "new Acme 50k"), ("carol", "new Beta 20k")]
    assert not [reply.text() for who, text in said if (reply := h.say(who, text)).is_error]
    return h


def refused(chat, who: str, text: str) -> str:
    before = chat.counts()
    reply = chat.say(who, text)
    assert reply.is_error, reply.text()
    assert chat.counts() == before
    return reply.title


def test_points_of_another_teams_member(chat):
    assert refused(chat, "mia", "points @carol") == (
        "@carol is in another team: a manager sees the points of their own team's members. "
        "Yours: points · your team's: leaderboard")
    assert refused(chat, "mia", "积分 @carol") == (
        "@carol 属于其他团队：主管只能查看本团队成员的积分。查看自己的：积分 · 本团队排行：排行榜")
    assert refused(chat, "mia", "points award @carol 5 nice") == (
        "@carol is in another team: a manager awards points to their own team's members.")
    assert refused(chat, "mia", "积分 奖励 @carol 5 好") == "@carol 属于其他团队：主管只能给本团队成员奖励积分。"
    assert refused(chat, "mia", "points @nobody").startswith("I don't know @nobody yet")  # unknown: as before


def test_a_review_call_on_a_missing_or_another_teams_deal(chat):
    assert refused(chat, "mia", "review D-999999 commit") == (
        "There is no deal D-999999: check its number on the review card. Start the review with: review")
    assert refused(chat, "mia", "过单 D-999999 承诺") == "没有找到商机 D-999999：请核对过单卡片上的编号。开始过单：过单"
    assert refused(chat, "mia", "review D-2 commit") == (
        "D-2 belongs to another team: a manager reviews their own team's deals. Start with: review")
    assert refused(chat, "wes", "过单 D-1 承诺") == "D-1 属于其他团队：主管只能过本团队的商机。开始过单：过单"
    assert chat.say("mia", "review D-1 commit").title == "D-1: Commit."
    assert chat.say("boss", "review D-2 best").title == "D-2: Best case."  # an admin reviews any team


@pytest.mark.parametrize("text", [
    "complaint D-999999 late delivery", 'complaint D-999999 "late delivery"', "complaint D-999999: late",
    "complaint D-99999999999 late", "complaint #999999 late",
])
def test_a_complaint_on_a_deal_that_does_not_exist_says_so(chat, text):
    assert refused(chat, "mia", text).startswith(
        f"There is no deal D-{text.split()[1].strip('D-#:')}, so nothing was logged. Name an existing deal")


@pytest.mark.parametrize("text", ["投诉 D-999999 交货晚", "投诉 D-999999：交货晚"])
def test_a_complaint_on_a_deal_that_does_not_exist_in_chinese(chat, text):
    assert refused(chat, "mia", text).startswith("没有找到商机 D-999999，投诉未登记。")


def test_a_complaint_names_a_deal_or_a_customer(chat):
    assert refused(chat, "mia", "complaint T-5 late") == (
        "“T-5” is not a deal or a customer: a complaint is logged on a deal (D-12) or a customer's name "
        "(quoted if it looks like an id).")
    assert refused(chat, "mia", "投诉 C-1 交货晚").startswith("“C-1”不是商机或客户")
    logged = chat.say("mia", "投诉 D-1：交货晚")
    assert logged.title == "已登记 Acme 的投诉 C-1。" and logged.lines == ["“交货晚”"]


@pytest.mark.parametrize(("who", "text", "title"), [
    ("alice", "check D-1 -2", "“-2”: the deliverable number must be a whole number of at least 1."),
    ("alice", "勾选 D-1 0", "“0”：输出物序号必须是不小于 1 的整数。"),
    ("alice", "skip U-1 -2", "“-2”: the item number must be a whole number from 1 to 99."),
    ("alice", "approve A-1 step:-2", "“-2”: the approval step must be a whole number from 1 to 20."),
    ("mia", "target @alice -2 wins",
     "“-2”: a counted target (wins, new deals, follow-ups) must be a whole number of at least 1."),
    ("mia", "points award @alice 99999999 x", "“99999999”: an award of points must be a whole number from -1000 to 1000."),
    ("alice", "snooze D-1 99999999999d", "Snooze for at most 30 days."),
    ("alice", "推迟 D-1 99999999999天", "最多推迟 30 天。"),
])
def test_counts_say_which_whole_numbers_they_take(chat, who, text, title):
    assert refused(chat, who, text) == title


@pytest.mark.parametrize(("who", "text", "title"), [
    ("mia", "onboard -2", "“-2” is not a user; write @name."),
    ("mia", "带新人 D-12", "“D-12”不是有效的用户，请写成 @用户名。"),
    ("mia", "assign D-1 -2", "“-2” is not a user; write @name."),
    ("boss", "member T-7", "“T-7” is not a user; write @name."),
    ("mia", 'contact D-1 "Wang"',
     "No customer “D-1” in your team: that is an id (D-12, T-7), and here a customer's name belongs, e.g. Acme."),
    ("mia", "联系人列表 T-7", "你的团队没有客户“T-7”：这是编号（如 D-12、T-7），此处应写客户名称，例如 Acme。"),
    ("mia", "pool D-999999", "There is no team “D-999999”."),
    ("mia", "pool West", "Only admins see another team's pool (West)."),
    ("mia", "complaints D-999999", "I don't know what to do with “D-999999”."),
])
def test_ids_and_numbers_where_a_name_belongs(chat, who, text, title):
    assert refused(chat, who, text) == title
