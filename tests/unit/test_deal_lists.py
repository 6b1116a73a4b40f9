"""`deals` with filters, sorting and the totals at the foot, and `tasks overdue team`, on the
fakes (core.services.deal_lists). Wednesday 4 March 2026 is "now"; Shanghai the clock."""

from __future__ import annotations

from datetime import date

import pytest

from core.domain.pipeline import DEFAULT_PIPELINE
from core.language import commands as c
from core.language.errors import ParseError
from core.language.parser import ParseContext
from core.language.periods import Period
from core.language.verbs import parse
from tests.fakes import ChatHarness, FixedClock

CTX = ParseContext(FixedClock().now(), "Asia/Shanghai", DEFAULT_PIPELINE)


@pytest.fixture
def chat():
    h = ChatHarness()
    for who in ("boss", "alice", "bob", "mia"):
        h.say(who, "me")
    h.say("boss", "member @mia role:manager")
    h.say("alice", "new Acme 150k close:2026-03-20")  # D-1, lead (5 %)
    h.say("alice", "new Beta 50k close:2026-05-10 stage:quote")  # D-2, quote (45 %)
    h.say("bob", "new Acme 300k close:2026-03-25 stage:negotiation")  # D-3 (70 %)
    h.say("bob", "new Gamma USD 200k")  # D-4, won below
    h.say("bob", "won D-4")
    h.say("alice", "new Delta 20k")  # D-5, lost below
    h.say("alice", "lost D-5 price")
    return h


def _codes(reply) -> list[str]:
    return [line.split()[0] for line in reply.lines if line.startswith("D-")]


def test_reads_the_filters():
    command = parse("deals won last quarter owner:@Bob customer:Acme amount>=100k sort:amount", CTX)
    assert isinstance(command, c.ListDeals)
    assert (command.status, command.owner, command.customer, command.sort) == ("won", "bob", "Acme", "amount")
    assert command.closed_in == Period("quarter", date(2025, 10, 1), date(2026, 1, 1))
    assert command.amount is not None and command.amount[0] == ">=" and command.amount[1].amount == 100000
    chinese = parse("商机 预计成交 本月 负责人:@bob 金额>10万 排序:成交", CTX)
    assert isinstance(chinese, c.ListDeals)
    assert chinese.closing_in == Period("month", date(2026, 3, 1), date(2026, 4, 1))
    assert (chinese.owner, chinese.sort, chinese.status) == ("bob", "close", "open")
    assert parse("商机 丢单", CTX) == c.ListDeals(status="lost")
    assert parse("deals signed", CTX) == c.ListDeals(status="won")
    assert parse("tasks overdue team", CTX) == parse("待办 团队 逾期", CTX) == c.ListTasks(scope="overdue_team")


@pytest.mark.parametrize(("text", "key"), [
    ("deals closing", "err.missing_arg"),
    ("deals closing someday", "err.bad_period"),
    ("deals sort:size", "deals.bad_sort"),
    ("deals amount>lots", "err.bad_amount"),
    ("deals owner:bob!", "err.bad_handle"),
])
def test_refuses_to_read(text, key):
    with pytest.raises(ParseError) as caught:
        parse(text, CTX)
    assert caught.value.key == key


def test_the_foot_has_the_total_and_the_weighted_total(chat):
    reply = chat.say("alice", "deals")
    assert _codes(reply) == ["D-3", "D-2", "D-1"]
    # 150k × 5 % + 50k × 45 % + 300k × 70 % = 7.5k + 22.5k + 210k
    assert reply.lines[-1] == "Total ¥500,000 · weighted ¥240,000"


def test_closing_this_month_sorted_by_amount(chat):
    reply = chat.say("alice", "deals closing this month sort:amount")
    assert _codes(reply) == ["D-3", "D-1"]
    assert reply.lines[0].endswith("closes Wed 25 Mar")
    assert reply.lines[-1] == "Total ¥450,000 · weighted ¥217,500"


def test_owner_customer_amount_and_sort_by_close(chat):
    assert _codes(chat.say("alice", "deals owner:@bob")) == ["D-3"]
    assert _codes(chat.say("alice", "deals customer:acme sort:close")) == ["D-1", "D-3"]
    assert _codes(chat.say("alice", "deals amount>100k")) == ["D-3", "D-1"]
    assert _codes(chat.say("alice", "deals amount<=50k")) == ["D-2"]
    assert _codes(chat.say("alice", "deals mine sort:amount")) == ["D-1", "D-2"]


def test_won_and_lost_in_a_period(chat):
    won = chat.say("alice", "deals won this quarter")
    assert won.title == "Won deals (1)" and _codes(won) == ["D-4"]
    assert won.lines[-1] == "Total $200,000 · weighted $200,000"
    assert _codes(chat.say("alice", "deals won last quarter")) == []
    lost = chat.say("alice", "商机 丢单")
    assert lost.title == "丢单的商机（1）" and lost.lines[-1] == "合计 ¥2万 · 加权 ¥0"


def test_nothing_matching_says_so(chat):
    reply = chat.say("alice", "deals closing 2027")
    assert reply.lines == ["No deal matches."]
    unknown = chat.say("alice", "deals customer:Nope")
    assert unknown.is_error and unknown.title == "There is no customer “Nope” in your team."


def test_overdue_team_tasks_are_for_managers(chat):
    chat.say("alice", "task send the quote D-1 due:tomorrow")
    chat.say("bob", "task call D-3 due:tomorrow")
    chat.clock.advance(days=3)
    refused = chat.say("alice", "tasks overdue team")
    assert refused.is_error and refused.title.startswith("No permission: the team's overdue tasks are for managers")
    reply = chat.say("mia", "tasks overdue team")
    assert reply.title == "Team's overdue tasks (2)"
    assert [line.split()[0] for line in reply.lines] == ["T-1", "T-2"]
