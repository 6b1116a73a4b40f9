"""Response time in working hours, the deal card's unanswered line, the one nudge, the scorecard."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.conversations.response_times import (
    ResponsePair,
    response_times,
    working_hours_before,
    working_seconds,
)
from core.domain.worktime import SettingsError, WorkSettings
from core.reminders.rules import obsolete_reason
from core.reminders.scans import Scans
from tests.unit.linked_chat import ALICE_TG, LinkedChat

SH = ZoneInfo("Asia/Shanghai")
RULES = WorkSettings()  # Monday to Friday, 09:00-18:00 in Shanghai


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)  # 2 March 2026 is a Monday


@pytest.mark.parametrize(("start", "end", "hours"), [
    (at(4, 10), at(4, 12), 2),  # inside one working day
    (at(4, 17), at(5, 10), 2),  # 17-18, then 09-10
    (at(6, 17), at(9, 10), 2),  # Friday evening to Monday: the weekend does not count
    (at(7, 12), at(8, 20), 0),  # all weekend
    (at(4, 7), at(4, 8), 0),  # before opening
    (at(4, 20), at(5, 9), 0),  # overnight
    (at(4, 12), at(4, 11), 0),  # backwards
    (at(2, 9), at(9, 9), 45),  # a whole working week
])
def test_working_seconds(start, end, hours):
    assert working_seconds(RULES, start, end) == hours * 3600


def test_working_hours_follow_the_team_setting():
    night_shift = RULES.with_value("working_hours", "08:00-20:00").with_value("working_days", "mon-sat")
    assert working_seconds(night_shift, at(6, 17), at(9, 10)) == (3 + 12 + 2) * 3600
    with pytest.raises(SettingsError):
        RULES.with_value("working_hours", "18:00-09:00")


@settings(max_examples=200, deadline=None)
@given(end=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
       hours=st.floats(min_value=0.01, max_value=200))
def test_working_hours_before_is_the_inverse_of_working_seconds(end, hours):
    start = working_hours_before(RULES, end, hours)
    assert start <= end
    assert abs(working_seconds(RULES, start, end) - hours * 3600) < 1e-3


def test_medians_per_team_and_per_answering_rep():
    pairs = [ResponsePair(at(4, 10), at(4, 11), 1), ResponsePair(at(4, 10), at(4, 13), 1),
             ResponsePair(at(4, 10), at(4, 16), 2), ResponsePair(at(6, 17), at(9, 10), 2),
             ResponsePair(at(9, 10))]
    figures = response_times(pairs, RULES)
    assert (figures.answered, figures.unanswered) == (4, 1)
    assert figures.team_median == 2.5  # 1, 2, 3 (weekend-free), 6 -> (2 + 3) / 2
    assert figures.per_rep == {1: (2.0, 2), 2: (4.0, 2)}
    assert response_times([], RULES).team_median is None


# -- through the linked chat on the fakes -------------------------------------------------------------

@pytest.fixture
def chat() -> LinkedChat:
    return LinkedChat(at(4, 10))


def scan(chat: LinkedChat):
    return Scans(lambda: chat.uow, chat.clock).waiting()


def test_one_nudge_after_four_working_hours(chat):
    chat.capture("Any update on the quote?")
    chat.clock.set(at(4, 13, 59))
    assert scan(chat).queued == 0
    chat.clock.set(at(4, 14, 1))
    assert scan(chat).queued == 1
    chat.capture("Hello??", at=at(4, 14, 30))  # the same wait: no second nudge
    for hour in (15, 17):
        chat.clock.set(at(4, hour))
        assert scan(chat).queued == 0
    chat.clock.set(at(5, 11))
    assert scan(chat).queued == 0
    [nudge] = chat.outbox("waiting")
    assert (nudge.platform, nudge.chat_id) == ("telegram", ALICE_TG)
    assert "Acme" in nudge.reply.title and "4 h" in nudge.reply.title
    assert [b.command for b in nudge.reply.buttons] == ["show D-1"]
    assert "quote" not in nudge.reply.text()  # the words stay on the deal card


def test_a_new_wait_after_an_answer_gets_its_own_nudge(chat):
    chat.capture("Any update on the quote?")
    chat.clock.set(at(4, 15))
    scan(chat)
    chat.capture("Sending it now", user=ALICE_TG, name="Alice", at=at(4, 15))
    chat.capture("Thanks, one more question", at=at(4, 16))
    chat.clock.set(at(5, 11))  # 16-18 and 09-11: four working hours
    assert scan(chat).queued == 1
    assert len(chat.outbox("waiting")) == 2


def test_the_nudge_waits_for_the_morning_and_an_answer_cancels_it(chat):
    chat.settings(response_nudge_hours=1)
    chat.capture("Could you call me?", at=at(4, 17, 30))
    chat.clock.set(at(4, 22))  # 17:30 + 30 min today, + 30 min tomorrow 09:00-09:30: not yet
    assert scan(chat).queued == 0
    chat.clock.set(at(5, 9, 31))
    assert scan(chat).queued == 1
    [nudge] = chat.outbox("waiting")
    assert obsolete_reason(chat.uow, nudge.guard, chat.clock.now()) is None
    chat.capture("Calling you now", user=ALICE_TG, name="Alice", at=at(5, 9, 40))
    assert obsolete_reason(chat.uow, nudge.guard, chat.clock.now()) == "answered"


def test_the_deal_card_shows_the_last_unanswered_customer_message(chat):
    chat.capture("我们下周想先看一下合同模板")
    chat.clock.set(at(4, 12))
    card = chat.say("alice", "show D-1").text()
    assert "⏳" in card and "我们下周想先看一下合同模板" in card and "2 h" in card and "Li Wei" in card
    chat.capture("OK, sending it today", user=ALICE_TG, name="Alice", at=at(4, 12))
    assert "⏳" not in chat.say("alice", "show D-1").text()


def test_the_scorecard_has_the_median_first_response(chat):
    chat.capture("Question one")  # Wed 10:00
    chat.capture("Answer", user=ALICE_TG, name="Alice", at=at(4, 11, 30))
    chat.capture("Question two", at=at(4, 12))
    chat.capture("Answer two", user=ALICE_TG, name="Alice", at=at(4, 12, 30))
    chat.clock.set(at(9, 10))
    reply = chat.say("alice", "scorecard last week")
    assert "(median, working time): 1 h" in reply.text()  # 90 and 30 minutes
    assert "@alice: 1 h (2 answered)" in reply.text()


def test_a_team_without_nudges(chat):
    chat.settings(response_nudge_hours=0)
    chat.capture("Any update?")
    chat.clock.set(at(6, 10))
    assert scan(chat).queued == 0
