"""Targets (core.services.targets) on the fakes: reading the verb, who may set and see which,
golden figures of attainment and pace written out by hand, and the lines in scorecard and forecast."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.analytics.reports import win_model
from core.domain.model import (
    Deal,
    DealStatus,
    Identity,
    Interaction,
    Member,
    Role,
    StageChange,
    Team,
)
from core.domain.pipeline import DEFAULT_PIPELINE
from core.language import commands as c
from core.language.errors import ParseError
from core.language.parser import ParseContext
from core.language.verbs import parse
from tests.fakes import ChatHarness, FakeUnitOfWork, FixedClock

SH = "Asia/Shanghai"
NOW = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)  # Wed 11 March 10:00 Shanghai: 21 days of March left
CTX = ParseContext(NOW, SH, DEFAULT_PIPELINE, "CNY")


def local(day: int, hour: int = 10, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC) - timedelta(hours=8)


def _deal(uow, deal_id, owner, created, stage, at, amount, currency="CNY", close=None):
    closed = stage in ("won", "lost")
    uow.stage_changes.add(StageChange(deal_id, None, stage, at, owner, owner_id=owner, advance=False))
    uow.deals.add(Deal(f"d{deal_id}", 1, owner, 1, stage, at, created, id=deal_id, amount=Decimal(amount),
                       currency=currency, status=DealStatus(stage) if closed else DealStatus.OPEN,
                       closed_at=at if closed else None, expected_close=close))


@pytest.fixture
def chat():
    uow = FakeUnitOfWork()
    uow.teams.add(Team("sales", timezone=SH, id=1))
    uow.teams.add(Team("east", timezone=SH, id=2))
    for member_id, (handle, role, team) in enumerate((("ann", Role.REP, 1), ("bo", Role.REP, 1),
                                                      ("max", Role.MANAGER, 1), ("erin", Role.REP, 2),
                                                      ("boss", Role.ADMIN, 1), ("eve", Role.MANAGER, 2)), start=1):
        uow.members.add(Member(handle, team, role, id=member_id))
        uow.members.add_identity(Identity("console", handle, member_id))
    _deal(uow, 1, 1, local(1), "won", local(2), "30000")
    _deal(uow, 2, 1, local(2), "won", local(5), "10000")
    _deal(uow, 3, 2, local(2), "won", local(7), "3500", currency="USD")  # a win; its amount is not CNY
    _deal(uow, 4, 2, local(3), "quote", local(3), "20000", close=local(20))
    _deal(uow, 5, 1, local(4), "negotiation", local(4), "50000", close=local(25))
    _deal(uow, 6, 1, local(20, month=2), "won", local(25, month=2), "99999")  # February: not March's
    uow.interactions.add(Interaction(1, "call", local(3), kind="call", author_id=1))
    uow.interactions.add(Interaction(1, "captured", local(3), kind="message", author_id=1))  # not a follow-up
    uow.interactions.add(Interaction(1, "note", local(9), kind="note", author_id=2))
    uow.commit()
    return ChatHarness(clock=FixedClock(NOW), uow=uow, admins=(("console", "boss"),))


# -- reading ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("target @alice 500k 2026-Q1", dict(handle="alice", team=None, metric="won_amount", amount="500000",
                                        period="2026-Q1")),
    ("target east 2m this month", dict(handle=None, team="east", metric="won_amount", amount="2000000",
                                       period="2026-03")),
    ("目标 华南 200万 本季度", dict(handle=None, team="华南", metric="won_amount", amount="2000000", period="2026-Q1")),
    ("目标华南 200万 本季度", dict(handle=None, team="华南", metric="won_amount", amount="2000000", period="2026-Q1")),
    ("target @bob 8 wins", dict(handle="bob", team=None, metric="won_count", amount="8", period=None)),
    ("target 40 new deals next month", dict(handle=None, team=None, metric="new_deals", amount="40",
                                            period="2026-04")),
    ("目标 @bob 60 跟进 本月", dict(handle="bob", team=None, metric="follow_ups", amount="60", period="2026-03")),
    ("target @bob off", dict(handle="bob", team=None, metric="won_amount", amount="0", period=None)),
    ("目标 @bob 取消 赢单数 本季度", dict(handle="bob", team=None, metric="won_count", amount="0", period="2026-Q1")),
])
def test_target_reads_subject_value_metric_and_period(text, expected):
    cmd = parse(text, CTX)
    assert isinstance(cmd, c.SetTarget)
    got = dict(handle=cmd.handle, team=cmd.team, metric=cmd.metric, amount=str(cmd.value.amount.normalize()),
               period=cmd.period.label if cmd.period else None)
    expected["amount"] = str(Decimal(expected["amount"]).normalize())
    assert got == expected


@pytest.mark.parametrize(("text", "key"), [
    ("target", "err.missing_arg"),
    ("target @bob", "err.missing_arg"),
    ("target east", "err.target_value"),
    ("target @bob 5k someday", "err.bad_period"),
    ("target @bob 2.5 wins", "err.count_least"),
    ("target @bob -2 wins", "err.count_least"),
    ("target @bob 0 new deals", "err.count_least"),
    ("target @bob -5k", "err.amount_not_positive"),
    ("target @bob 9999999999999", "err.target_too_large"),
])
def test_bad_targets_are_refused_with_one_message(text, key):
    with pytest.raises(ParseError) as caught:
        parse(text, CTX)
    assert caught.value.key == key


def test_a_bad_target_changes_nothing_and_says_so_in_each_language(chat):
    before = chat.counts()
    en = chat.say("max", "target @bo 2.5 wins")
    zh = chat.say("max", "目标 @bo 2.5 赢单数")
    assert en.is_error and "must be a whole number of at least 1" in en.title and "Usage: target" in en.text()
    assert zh.is_error and "必须是不小于 1 的整数" in zh.title
    en = chat.say("max", "target @bo -2 wins")  # once "an amount must be more than 0"
    zh = chat.say("max", "目标 @bo -2 赢单")
    assert en.title == "“-2”: a counted target (wins, new deals, follow-ups) must be a whole number of at least 1."
    assert zh.title == "“-2”：按数量的目标（赢单数、新商机、跟进）必须是不小于 1 的整数。"
    assert chat.counts() == before


# -- who ----------------------------------------------------------------------------------------------

def test_reps_cannot_set_targets_and_managers_only_their_teams(chat):
    before = chat.counts()
    assert chat.say("ann", "target @ann 1m").title.startswith("No permission: targets are set by managers")
    assert chat.say("max", "target @erin 1m").title.startswith("No permission: the targets of east")
    assert chat.say("max", "target east 1m").title.startswith("No permission: the targets of east")
    assert chat.say("max", "target @nobody 1m").is_error
    assert chat.counts() == before
    assert not chat.say("boss", "target @erin 1m").is_error  # an admin: any team
    assert not chat.say("eve", "target @erin 1m").is_error  # east's manager


def test_a_rep_sees_the_teams_targets_and_their_own_only(chat):
    for text in ("target @ann 100k", "target @bo 3 wins", "target sales 10 new"):
        assert not chat.say("max", text).is_error
    ann = chat.say("ann", "targets").text()
    assert "@ann" in ann and "sales · new deals" in ann and "@bo" not in ann
    manager = chat.say("max", "targets").text()
    assert "@ann" in manager and "@bo" in manager
    assert chat.say("ann", "targets east").is_error  # another team's figures: admins only
    assert "@erin" not in chat.say("boss", "targets east").text()


# -- figures ------------------------------------------------------------------------------------------

def test_golden_attainment_and_pace(chat):
    for text in ("target @ann 100k", "target @bo 3 wins", "target sales 10 new", "target @ann 4 follow-ups"):
        assert not chat.say("max", text).is_error, text
    model = win_model(chat.uow, chat.uow.teams.get(1), DEFAULT_PIPELINE, NOW)
    p_nego = Decimal(str(model.estimate("negotiation", local(4), NOW).probability))
    p_quote = Decimal(str(model.estimate("quote", local(3), NOW).probability))
    lines = chat.say("max", "targets").lines
    # ann won D-1 and D-2 in March (40,000; D-6 was February's); D-5 (50,000) is open, closing 25 March.
    # gap 60,000 over 21 days: 20,000 a week.
    weighted = f"¥{(Decimal(50000) * p_nego).quantize(Decimal('0.01')):,.0f}"
    assert lines[0] == ("sales · new deals · 2026-03: 5 of 10 (50%) · gap 5 · 2 a week needed (21 days left)")
    # ann logged one follow-up (the captured chat message is not one): 3 to go, 1 a week (7 × 3 / 21)
    assert lines[1] == "@ann · follow-ups · 2026-03: 1 of 4 (25%) · gap 3 · 1 a week needed (21 days left)"
    assert lines[2] == (f"@ann · won amount · 2026-03: ¥40,000 of ¥100,000 (40%) · weighted pipeline {weighted} · "
                        "gap ¥60,000 · ¥20,000 a week needed (21 days left)")
    # bo won D-3 (in USD: a win all the same); D-4 is open: its chance is the expected wins
    assert lines[3] == (f"@bo · wins · 2026-03: 1 of 3 (33.3%) · weighted pipeline "
                        f"{p_quote.quantize(Decimal('0.01')):.1f} · gap 2 · 1 a week needed (21 days left)")


def test_setting_again_replaces_zero_removes_and_both_are_audited(chat):
    chat.say("max", "target @ann 100k")
    again = chat.say("max", "target @ann 120k")
    assert again.title == "Target set: @ann · won amount ¥120,000 · 2026-03." and "It was ¥100,000." in again.lines
    assert len(chat.uow.targets.rows) == 1
    removed = chat.say("max", "目标 @ann 取消")
    assert removed.title == "已删除目标：@ann · 赢单金额 · 2026-03。"
    assert not chat.uow.targets.rows
    assert chat.say("max", "target @ann off").title == "@ann has no such target for 2026-03."
    actions = [(e.action, e.before, e.after) for e in chat.uow.audit.all() if e.action.startswith("target")]
    assert actions == [
        ("target.set", None, {"value": "100000.00", "currency": "CNY"}),
        ("target.set", {"value": "100000.00", "currency": "CNY"}, {"value": "120000.00", "currency": "CNY"}),
        ("target.remove", {"value": "120000.00", "currency": "CNY"}, None),
    ]


def test_scorecard_and_forecast_show_the_targets_in_force(chat):
    chat.say("max", "target @ann 100k")
    chat.say("max", "target sales 1m 2026-Q1")
    card = chat.say("max", "scorecard this week").lines
    at = card.index("Targets:")
    # the quarter: 30,000 + 10,000 in March, 99,999 in February (the USD win is not in CNY); 21 days left
    assert card[at + 1].startswith("sales · won amount · 2026-Q1: ¥139,999 of ¥1,000,000 (14%)")
    assert card[at + 1].endswith("gap ¥860,001 · ¥286,667 a week needed (21 days left)")
    forecast = chat.say("ann", "预测 本月").lines
    assert "目标完成情况：" in forecast and any(line.startswith("@ann · 赢单金额 · 2026-03：已完成 ¥4万") for line in forecast)


def test_past_periods_say_they_are_over_and_empty_lists_say_how_to_set_one(chat):
    assert "No targets for sales" in chat.say("ann", "targets").text()
    chat.say("max", "target @ann 10k last month")
    line = chat.say("max", "targets last month").lines[0]
    assert line == "@ann · won amount · 2026-02: ¥99,999 of ¥10,000 (1000%) · gap ¥0 · period over"

