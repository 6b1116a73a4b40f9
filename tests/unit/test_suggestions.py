"""Suggested tasks: a dated commitment in a linked chat -> a [Keep] [Dismiss] DM -> a captured task.

The clock stands at Wed 4 Mar 2026 10:00 in Shanghai (the team's zone)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.domain.model import SuggestionStatus, TaskOrigin
from core.reminders.rules import obsolete_reason
from tests.unit.linked_chat import ALICE_TG, LinkedChat

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def chat() -> LinkedChat:
    return LinkedChat()


def test_a_chinese_commitment_becomes_a_dm_to_the_owner_with_the_due_date(chat):
    chat.capture("好的，下周三前给报价")
    [offer] = chat.outbox("suggestion")
    assert (offer.platform, offer.chat_id, offer.dedupe_key) == ("telegram", ALICE_TG, "suggest:S-1:m1")
    reply = offer.reply
    assert "D-1" in reply.title and "Acme" in reply.title
    assert "好的，下周三前给报价" in reply.text() and "Wed 11 Mar" in reply.text()
    assert [(b.label, b.command) for b in reply.buttons] == [("Keep", "keep S-1"), ("Dismiss", "dismiss S-1")]
    suggestion = chat.uow.suggestions.get(1)
    assert suggestion.due_at == datetime(2026, 3, 11, 17, 0, tzinfo=SH)
    assert (suggestion.owner_id, suggestion.deal_id, suggestion.rule) == (chat.alice.id, 1, "zh.elided")
    assert "Why: a commitment in “给 + 报价”, the date from “下周三前”" in reply.text()


def test_messages_without_a_dated_commitment_suggest_nothing(chat):
    for text in ("I'll send it over", "Can you send the quote by Friday?", "The meeting moved to Friday",
                 "收到，谢谢", "明天来不及发合同了"):
        chat.capture(text)
    assert chat.outbox("suggestion") == [] and chat.uow.suggestions.all() == []


def test_keep_creates_a_captured_task_once(chat):
    chat.capture("I'll send the revised quote by Friday")
    kept = chat.say("alice", "keep S-1")
    assert not kept.is_error and "T-1" in kept.title
    [task] = chat.uow.tasks.all()
    assert task.origin == TaskOrigin.CAPTURED
    assert (task.title, task.deal_id, task.assignee_id) == ("I'll send the revised quote by Friday", 1, chat.alice.id)
    assert task.due_at == datetime(2026, 3, 6, 17, 0, tzinfo=SH)
    before = chat.harness.counts()
    again = chat.say("alice", "keep S-1")
    assert "already kept as T-1" in again.title and not again.is_error
    other = chat.say("alice", "dismiss S-1")
    assert "already kept" in other.title
    assert chat.harness.counts() == before


def test_dismiss_records_the_no_and_a_second_click_changes_nothing(chat):
    chat.capture("我们周五之前会把POC报告发过去")
    reply = chat.say("alice", "忽略 S-1")
    assert "已忽略 S-1" in reply.title
    assert chat.uow.suggestions.get(1).status == SuggestionStatus.DISMISSED
    before = chat.harness.counts()
    assert "已于" in chat.say("alice", "保留 S-1").title
    assert chat.uow.tasks.all() == [] and chat.harness.counts() == before


def test_only_the_owner_or_a_manager_decides(chat):
    chat.capture("I'll send the revised quote by Friday")
    reply = chat.say("bob", "keep S-1")
    assert reply.is_error and "@alice" in reply.title
    assert chat.uow.suggestions.get(1).status == SuggestionStatus.PENDING
    assert chat.say("alice", "keep S-9").is_error
    assert chat.say("alice", "keep X-1").is_error


def test_a_decided_suggestion_is_not_offered_any_more(chat):
    chat.capture("I'll send the revised quote by Friday")
    [offer] = chat.outbox("suggestion")
    assert obsolete_reason(chat.uow, offer.guard, chat.clock.now()) is None
    chat.say("alice", "keep S-1")
    assert obsolete_reason(chat.uow, offer.guard, chat.clock.now()) == "already decided"


def test_a_late_delivered_message_is_read_on_its_own_clock(chat):
    written = datetime(2026, 3, 3, 9, 0, tzinfo=SH)  # Tuesday: its "tomorrow" is Wednesday
    chat.capture("I'll send it tomorrow at 3pm", at=written)
    assert chat.uow.suggestions.get(1).due_at == datetime(2026, 3, 4, 15, 0, tzinfo=SH)
    chat.capture("I'll send it tomorrow at 9am", at=written)  # Wednesday 09:00 is already past now
    assert len(chat.uow.suggestions.all()) == 1


def test_a_quiet_hour_holds_the_dm_until_morning():
    chat = LinkedChat(datetime(2026, 3, 4, 22, 30, tzinfo=SH))
    chat.capture("I'll send the contract tomorrow")
    [offer] = chat.outbox("suggestion")
    assert offer.not_before == datetime(2026, 3, 5, 8, 0, tzinfo=SH)


def test_masking_applies_before_storing_and_to_the_suggestion(chat):
    chat.settings(mask_contacts=True)
    chat.capture("I'll call you tomorrow on 138 1234 5678, or mail li.wei@acme.cn")
    [stored] = chat.uow.interactions.all()
    assert stored.text == "I'll call you tomorrow on [phone], or mail [email]"
    assert "138" not in chat.uow.suggestions.get(1).title
    chat.settings(mask_contacts=False)
    chat.capture("my number is 13812345678")
    assert chat.uow.interactions.all()[-1].text == "my number is 13812345678"


def test_a_customer_linked_chat_offers_it_to_the_owner_of_the_customers_open_deal(chat):
    from core.domain.model import ChatBinding

    with chat.uow as uow:
        uow.chat_bindings.add(ChatBinding("telegram", "-100999", chat.alice.team_id, chat.clock.now(),
                                          bound_by=chat.alice.id, customer_id=1))
        uow.commit()
    chat.capture("我们会在3天后安排工程师上门", chat="-100999")
    suggestion = chat.uow.suggestions.get(1)
    assert (suggestion.deal_id, suggestion.owner_id) == (1, chat.alice.id)
    chat.say("alice", "lost D-1 budget cut")
    chat.capture("Will confirm the delivery date by Thursday", chat="-100999")
    second = chat.uow.suggestions.get(2)
    assert (second.deal_id, second.customer_id, second.owner_id) == (None, 1, chat.alice.id)
    assert chat.outbox("suggestion")[-1].reply.title == "Next step spotted with Acme"


def test_the_dm_says_which_words_made_the_commitment_and_the_date_in_the_owners_language(chat):
    chat.say("alice", "me lang zh")
    chat.capture("报价单我明早发您")
    [offer] = chat.outbox("suggestion")
    assert "依据：承诺“我明早发 + 报价单”，日期“明早”" in offer.reply.text()
    suggestion = chat.uow.suggestions.get(1)
    assert (suggestion.cue, suggestion.date_words) == ("我明早发 + 报价单", "明早")


def test_a_dismissed_suggestion_stays_as_a_labelled_example(chat):
    from core.conversations.suggestions import example_row

    chat.capture("我下周出差，明天先把资料给您")
    chat.say("alice", "dismiss S-1")
    [decided] = chat.uow.suggestions.decided(["dismissed"])
    row = example_row(decided)
    assert row[:5] == ["zh", "customer", "dismissed", "-", "我下周出差，明天先把资料给您"]
    assert row[7:] == ["2026-03-05 17:00", "zh.elided", "给 + 资料", "明天", "S-1"]
