"""Reminder decisions (core.reminders.rules), the snooze and digest verbs, and scans on the fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.domain.pipeline import DEFAULT_PIPELINE
from core.domain.worktime import WorkSettings
from core.language import commands as c
from core.language.errors import ParseError
from core.language.parser import ParseContext
from core.language.verbs import parse
from core.reminders.due import DealStamp, TaskStamp
from core.reminders.outbox import Kind
from core.reminders.rules import (
    MANAGERS,
    OWNER,
    deal_events,
    delivery,
    obsolete_reason,
    task_events,
)
from core.reminders.scans import Scans
from tests.fakes import ChatHarness, FixedClock

SH = ZoneInfo("Asia/Shanghai")
RULES = WorkSettings()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)


def deal(entered=None, snoozed=None, stage="lead") -> DealStamp:
    return DealStamp(id=12, owner_id=1, team_id=1, stage=stage, stage_entered_at=entered or at(2, 9),
                     snoozed_until=snoozed)


def kinds(events):
    return [(e.kind, e.at, e.to, e.key.split(":")[0]) for e in events]


def test_a_deal_breaches_when_its_whole_days_exceed_the_limit_and_escalates_later():
    everything = deal_events(deal(), 3, RULES, at(1, 0), at(20, 0))
    assert kinds(everything) == [(Kind.SLA, at(6, 9), OWNER, "sla"), (Kind.ESCALATION, at(10, 9), MANAGERS, "esc")]
    assert everything[0].key == "sla:D-12:lead:20260302T010000Z"
    assert everything[0].guard == {"deal": 12, "stage": "lead", "entered": at(2, 9).isoformat()}
    assert deal_events(deal(), 3, RULES, at(6, 9), at(20, 0))[0].kind == Kind.ESCALATION  # (after, until]


def test_a_snooze_holds_both_back_and_its_end_brings_them():
    snoozed = deal(snoozed=at(11, 10))
    assert kinds(deal_events(snoozed, 3, RULES, at(1, 0), at(11, 9))) == []
    end = deal_events(snoozed, 3, RULES, at(11, 9), at(11, 11))
    assert kinds(end) == [(Kind.SLA, at(11, 10), OWNER, "sla"), (Kind.ESCALATION, at(11, 10), MANAGERS, "esc")]
    assert end[0].key.endswith(":snooze:20260311T020000Z") and end[0].guard["snooze"] == at(11, 10).isoformat()
    assert end[1].key == "esc:D-12:lead:20260302T010000Z"  # managers hear once per stay
    early = deal(snoozed=at(3, 9))  # snoozed before the breach: ends quietly, the breach still comes
    assert kinds(deal_events(early, 3, RULES, at(1, 0), at(7, 0))) == [(Kind.SLA, at(6, 9), OWNER, "sla")]


def test_task_events_lead_due_and_snooze():
    rules = WorkSettings(task_lead=timedelta(hours=1))
    task = TaskStamp(id=7, assignee_id=3, team_id=1, due_at=at(4, 15))
    events = task_events(task, rules, at(4, 0), at(6, 0))
    assert [(e.key.split(":")[2], e.at) for e in events] == [("lead", at(4, 14)), ("due", at(4, 15))]
    assert all(e.to == 3 and not e.working_days_only for e in events)
    snoozed = TaskStamp(id=7, assignee_id=3, team_id=1, due_at=at(4, 15), snoozed_until=at(5, 15, 30))
    events = task_events(snoozed, rules, at(4, 0), at(6, 0))
    assert [(e.key, e.at) for e in events] == [("task:T-7:snooze:20260305T073000Z", at(5, 15, 30))]


def test_delivery_waits_for_the_morning_folds_what_is_too_late_and_drops_pointless_leads():
    sla = deal_events(deal(entered=at(2, 22)), 3, RULES, at(1, 0), at(20, 0))[0]  # breach Fri 22:00
    assert delivery(sla, RULES, now=at(6, 22)) == at(9, 8)
    assert delivery(sla, RULES, now=at(10, 7)) == at(10, 8)  # caught up, but not at 07:00
    assert delivery(sla, RULES, now=at(10, 8, 1)) is None  # more than 24 h after Monday 08:00
    lead = task_events(TaskStamp(7, 3, 1, at(5, 8)), WorkSettings(task_lead=timedelta(hours=1)),
                       at(1, 0), at(6, 0))[0]
    assert delivery(lead, RULES, now=at(5, 7)) is None  # 07:00 is quiet: the due reminder will do


def test_obsolete_reasons():
    chat = ChatHarness()
    chat.say("alice", "new Acme")
    chat.say("alice", "task call D-1 due:tomorrow")
    uow, now = chat.uow, chat.clock.now()
    entered = uow.deals.get(1).stage_entered_at.isoformat()
    guard = {"deal": 1, "stage": "lead", "entered": entered}
    assert obsolete_reason(uow, guard, now) is None
    chat.say("alice", "snooze D-1 2d")
    assert obsolete_reason(uow, guard, now) == "snoozed"
    assert obsolete_reason(uow, {**guard, "snooze": uow.deals.get(1).snoozed_until.isoformat()}, now) is None
    chat.say("alice", "move D-1 next")
    assert obsolete_reason(uow, guard, now) == "the deal moved"
    task = uow.tasks.get(1)
    task_guard = {"task": 1, "due": task.due_at.astimezone(UTC).isoformat()}
    assert obsolete_reason(uow, task_guard, now) is None
    chat.say("alice", "done T-1")
    assert obsolete_reason(uow, task_guard, now) == "the task is done"
    assert obsolete_reason(uow, None, now) is None


CTX = ParseContext(at(4, 10).astimezone(UTC), "Asia/Shanghai", DEFAULT_PIPELINE)


@pytest.mark.parametrize(("text", "target", "ref", "until"), [
    ("snooze D-12 2d", "deal", 12, at(6, 10)),
    ("snooze d12 2 days", "deal", 12, at(6, 10)),
    ("snooze T-7 1d", "task", 7, at(5, 10)),
    ("snooze T-7", "task", 7, at(5, 10)),
    ("snooze D-3 4h", "deal", 3, at(4, 14)),
    ("snooze D-3 1w", "deal", 3, at(11, 10)),
    ("推迟 D-12 2天", "deal", 12, at(6, 10)),
    ("推迟D-12 两天", "deal", 12, at(6, 10)),
    ("稍后提醒 T-7 3小时", "task", 7, at(4, 13)),
    ("snooze D-12 next monday", "deal", 12, at(9, 17)),
    ("推迟 D-12 下周一", "deal", 12, at(9, 17)),
])
def test_snooze_parses(text, target, ref, until):
    assert parse(text, CTX) == c.Snooze(target, ref, until)


@pytest.mark.parametrize(("text", "key"), [
    ("snooze", "err.missing_arg"), ("snooze X-1 2d", "err.bad_ref"), ("snooze D-1 soonish", "err.bad_snooze"),
    ("snooze D-1 40d", "err.snooze_too_long"), ("snooze D-1 2026-03-01", "err.past_date"),
    ("digest here sometimes", "err.extra_args"), ("digest weekly daily", "err.extra_args"),
])
def test_snooze_and_digest_errors(text, key):
    with pytest.raises(ParseError) as raised:
        parse(text, CTX)
    assert raised.value.key == key


@pytest.mark.parametrize(("text", "command"), [
    ("digest", c.ShowDigests()), ("digest here weekly", c.SubscribeDigest("weekly")),
    ("digest here", c.SubscribeDigest("weekly")), ("digest here daily", c.SubscribeDigest("daily")),
    ("推送 本群 每周", c.SubscribeDigest("weekly")), ("推送 日报", c.SubscribeDigest("daily")),
    ("digest off", c.StopDigests()), ("推送 关闭", c.StopDigests()),
])
def test_digest_parses(text, command):
    assert parse(text, CTX) == command


def _team(chat: ChatHarness):
    chat.say("boss", "me")
    chat.admit("alice", "slack")
    chat.admit("mia", "slack", role="manager")


def test_snooze_needs_the_right_to_change_the_deal():
    chat = ChatHarness()
    _team(chat)
    chat.say("alice", "new Acme", platform="slack")
    chat.say("bob", "me")
    refused = chat.say("bob", "snooze D-1 2d")
    assert refused.is_error and "No permission" in refused.title
    assert chat.say("mia", "snooze D-1 2d", platform="slack").title == \
        "Snoozed D-1 until Fri 6 Mar 10:00: no reminders about it until then."
    assert chat.say("alice", "推迟 D-1 1天", platform="slack").title == "已推迟 D-1 的提醒至 3月5日 周四 10:00，在此之前不再提醒。"
    assert [e.action for e in chat.uow.audit.for_entity("D-1")][-2:] == ["deal.snooze", "deal.snooze"]
    chat.say("alice", "won D-1", platform="slack")
    assert chat.say("alice", "snooze D-1 1d", platform="slack").is_error


def test_digest_subscriptions_are_for_managers_in_chats_that_can_be_pushed_to():
    chat = ChatHarness()
    _team(chat)
    assert chat.say("alice", "digest here weekly", platform="slack").is_error  # a rep
    assert chat.say("boss", "digest here weekly").title.startswith("I can't post here")  # the console
    reply = chat.bot.handle(_incoming("mia", "digest here weekly", "C_SALES"))
    assert reply.title == "This chat gets the weekly scorecard of sales (Mondays 09:00, Asia/Shanghai)."
    chat.bot.handle(_incoming("mia", "推送 本群 日报", "C_SALES"))
    listed = chat.bot.handle(_incoming("mia", "digest", "C_SALES"))
    assert listed.title.startswith("This chat gets: weekly scorecard · sales") and "daily summary" in listed.title
    assert chat.bot.handle(_incoming("mia", "digest off", "C_SALES")).title == "This chat gets no more scorecards."
    assert chat.uow.digests.all() == []


def _incoming(user, text, chat_id):
    from core.chat.messages import Incoming

    return Incoming(platform="slack", user_id=user, text=text, chat_id=chat_id, message_id=text, is_direct=False)


def test_a_scan_twice_stores_each_message_once_and_a_member_without_a_push_platform_gets_none():
    clock = FixedClock(at(2, 9).astimezone(UTC))
    chat = ChatHarness(clock=clock)
    _team(chat)
    chat.say("alice", "new Acme", platform="slack")
    chat.say("boss", "new Console Co")  # the console cannot be pushed to
    clock.set(at(6, 9, 1).astimezone(UTC))
    scans = Scans(lambda: chat.uow, clock, platforms={"slack"})
    first = scans.reminders()
    assert (first.queued, first.unreachable) == (1, 1)
    again = Scans(lambda: chat.uow, clock, platforms={"slack"}).reminders()  # a restart, a second replica
    assert (again.queued, again.known) == (0, 1)
    [row] = [r for r in chat.uow.outbox.all() if r.kind != "access"]  # not the welcome DMs
    # due at 09:00, found at 09:01: goes now
    assert (row.platform, row.chat_id, row.kind, row.not_before) == ("slack", "alice", "sla", at(6, 9, 1))
    assert [b.command for b in row.reply.buttons] == ["move D-1 next", "log D-1", "snooze D-1 2d", "lost D-1"]
    assert row.reply.title == "⏰ D-1 Acme has been in Lead for 4 days, 1 over its 3-day limit."


def test_reminders_speak_the_readers_language():
    clock = FixedClock(at(2, 9).astimezone(UTC))
    chat = ChatHarness(clock=clock)
    _team(chat)
    chat.say("alice", "me lang zh", platform="slack")
    chat.say("alice", "新建 华为 5万", platform="slack")
    clock.set(at(6, 9).astimezone(UTC))
    Scans(lambda: chat.uow, clock).reminders()
    [row] = [r for r in chat.uow.outbox.all() if r.kind != "access"]  # not the welcome DMs
    assert row.reply.title == "⏰ D-1 华为 已在“线索”阶段停留 4 天，超出阶段时限（3 天）1 天。"
    assert [b.label for b in row.reply.buttons] == ["推进到初步沟通", "记录跟进", "推迟 2 天", "标记丢单"]


def test_a_removed_manager_gets_no_escalation_and_a_removed_rep_no_scorecard_row():
    clock = FixedClock(at(2, 9).astimezone(UTC))
    chat = ChatHarness(clock=clock)
    _team(chat)
    chat.admit("dan", "slack", role="manager")
    chat.admit("rob", "slack")
    chat.say("alice", "new Acme", platform="slack")
    assert chat.say("boss", "member @mia remove").title.startswith("@mia removed")
    assert chat.say("boss", "member @rob remove").title.startswith("@rob removed")
    for moment in (at(6, 9, 1), at(10, 12)):
        clock.set(moment.astimezone(UTC))
        Scans(lambda: chat.uow, clock, platforms={"slack"}).reminders()
    escalations = [r.chat_id for r in chat.uow.outbox.all() if r.kind == "escalation"]
    assert escalations == ["dan"]
    rows = chat.say("dan", "scorecard this week", platform="slack").text()
    assert "@alice" in rows and "@rob" not in rows and "@mia" not in rows
