"""`csat D-12 send`: the question goes to the deal's linked chat through the outbox, and the
customer's lone 1–5 answer there becomes the deal's score (core.health.surveys, a capture hook)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.conversations.suggestions import suggest_next_steps
from core.health.surveys import answer_score, record_survey_answers
from tests.unit.linked_chat import GROUP, LinkedChat

HOOKS = (suggest_next_steps, record_survey_answers)
NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


@pytest.fixture
def chat():
    return LinkedChat(NOW)


def test_the_survey_goes_to_the_linked_chat_and_the_answer_is_the_score(chat):
    sent = chat.say("alice", "csat D-1 send")
    assert sent.title.startswith("Survey sent to 1 linked chat(s) of D-1")
    [question] = chat.outbox("survey")
    assert (question.platform, question.chat_id) == ("telegram", GROUP)
    assert question.reply.title == "Acme, how satisfied are you with Acme?"
    chat.advance(hours=2)
    chat.capture("thanks, looks fine", hooks=HOOKS)  # not a score
    chat.capture("5", user="1001", name="alice", hooks=HOOKS)  # alice is a member: not the customer's answer
    assert chat.uow.feedback.scores_of(1) == []
    chat.capture("４分", hooks=HOOKS)  # full-width, as a Chinese keyboard types it
    [score] = chat.uow.feedback.scores_of(1)
    assert (score.score, score.recorded_by, score.customer_id) == (4, None, 1)
    assert chat.uow.audit.all()[-1].action == "csat.answer"
    chat.capture("2", hooks=HOOKS)  # the survey is answered: a later number is just chat
    assert len(chat.uow.feedback.scores_of(1)) == 1


def test_an_answer_too_late_or_without_a_survey_is_chat(chat):
    chat.capture("5", hooks=HOOKS)
    assert chat.uow.feedback.scores_of(1) == []
    chat.say("alice", "csat D-1 send")
    chat.advance(days=15)
    chat.capture("5", hooks=HOOKS)
    assert chat.uow.feedback.scores_of(1) == []


def test_no_linked_chat_is_one_message_and_nothing_changes(chat):
    chat.say("alice", "new Beta 10k")  # D-2, no chat linked
    before = chat.harness.counts()
    refused = chat.say("alice", "csat D-2 send")
    assert refused.is_error and refused.title.startswith("D-2 has no linked chat that records")
    assert chat.harness.counts() == before
    assert chat.say("bob", "csat D-1 send").is_error  # alice's deal


@pytest.mark.parametrize(("text", "score"), [("5", 5), (" 3 ", 3), ("4分", 4), ("2/5", 2), ("５", 5), ("1!", 1),
                                             ("6", None), ("15", None), ("5 stars, great", None), ("", None)])
def test_what_reads_as_an_answer(text, score):
    assert answer_score(text) == score


def test_the_customer_export_holds_their_scores_and_complaints(chat):
    import json

    from core.services.privacy import export_customer

    chat.say("alice", 'csat D-1 4 "quick"')
    chat.say("alice", 'complaint Acme "late invoice"')
    chat.say("alice", "resolve C-1 reissued")
    with chat.uow as uow:
        data = export_customer(uow, uow.teams.get(1), "acme", chat.clock.now())
    assert data["satisfaction"] == [{"deal": "D-1", "score": 4, "comment": "quick",
                                     "recorded_at": NOW.isoformat()}]
    assert [(c["complaint"], c["text"], c["resolution"]) for c in data["complaints"]] == [
        ("C-1", "late invoice", "reissued")]
    json.dumps(data, ensure_ascii=False)
