"""Satisfaction, surveys and complaints on the test database (SQLite, or PostgreSQL in that run),
through the bot as `bot.bootstrap` wires it: the SQL feedback repository (storage/health.py) and the
survey capture hook, with the clock frozen."""

from __future__ import annotations

from datetime import timedelta

from core.chat.messages import Incoming
from core.conversations.capture import ChatEvent
from core.domain.model import ChatBinding
from core.services.capture import store_captured
from storage import tables

GROUP = "-100777"


def _say(wired, text: str, n: list[int] = [0]):  # noqa: B006 (a message counter)
    n[0] += 1
    return wired.bot.handle(Incoming(platform="console", user_id="boss", user_name="boss", text=text,
                                     message_id=f"d{n[0]}"))


def _capture(wired, text: str, message_id: str) -> None:
    bot = wired.bot
    event = ChatEvent("telegram", GROUP, message_id, user_id="2001", user_name="Wang", text=text,
                      sent_at=bot.clock.now())
    with bot.writing_uow_factory() as uow:
        store_captured(uow, [event], bot.clock.now(), bot.defaults, bot.capture_hooks)
        uow.commit()


def test_a_survey_answered_in_the_linked_chat_and_complaints_through_their_life(wired):
    assert not _say(wired, "new Acme 50k").is_error
    assert _say(wired, "csat D-1 send").title.startswith("D-1 has no linked chat")
    with wired.uow() as uow:
        deal = uow.deals.get(1)
        uow.chat_bindings.add(ChatBinding("telegram", GROUP, deal.team_id, wired.bot.clock.now(), deal_id=1))
        uow.commit()
    assert _say(wired, "won D-1").buttons[0].command == "csat D-1"
    assert _say(wired, "csat D-1 send").title.startswith("Survey sent to 1 linked chat(s) of D-1")
    wired.bot.clock.advance(hours=3)
    _capture(wired, "great, thanks", "m1")
    _capture(wired, "5分", "m2")
    _capture(wired, "1", "m3")  # answered already
    assert not _say(wired, 'csat D-1 3 "slow start"').is_error
    with wired.uow() as uow:
        assert [(s.score, s.recorded_by is None, s.comment) for s in uow.feedback.scores_of(1)] == [
            (5, True, ""), (3, False, "slow start")]
        assert uow.feedback.open_survey("telegram", GROUP, wired.bot.clock.now() - timedelta(days=14),
                                        wired.bot.clock.now()) is None
    with wired.engine.connect() as connection:
        [question] = connection.execute(tables.outbox.select().where(tables.outbox.c.kind == "survey")).all()
        assert question.chat_id == GROUP and "how satisfied are you" in question.payload["reply"]["title"]

    assert _say(wired, 'complaint Acme "late invoice"').title == "Complaint C-1 logged for Acme."
    assert _say(wired, '投诉 D-1 "发票错误"').title == "已登记 Acme 的投诉 C-2。"
    assert _say(wired, "complaints").lines[0].startswith("C-2 · Acme")  # newest first
    assert _say(wired, "resolve C-1 reissued").title == "C-1 (Acme) resolved."
    assert _say(wired, "resolve C-1").title == "C-1 is already resolved."
    assert _say(wired, "complaints").title == "Open complaints: 1"
    assert _say(wired, "complaints all").title == "Complaints: 2"
    board = _say(wired, "health this week")
    satisfaction = next(line for line in board.lines if line.startswith("Satisfaction:"))
    assert "4/5" in satisfaction  # (5 + 3) / 2
    complaints = next(line for line in board.lines if line.startswith("Complaint rate:"))
    assert "100%" in complaints  # two complaints from Acme, the one customer served: 1 ÷ 1
    assert not _say(wired, "new Globex 10k").is_error
    assert not _say(wired, 'complaint Globex "rude"').is_error  # no won deal: not in the rate
    complaints = next(line for line in _say(wired, "health this week").lines if line.startswith("Complaint rate:"))
    assert "100%" in complaints and "200%" not in complaints


def test_a_repeated_score_replaces_and_extra_arguments_are_refused(wired):
    assert not _say(wired, "new Acme 50k").is_error
    for text in ("csat D-1 4", "csat D-1 4", "满意度 D-1 2分"):
        assert not _say(wired, text).is_error
    assert "Scores so far: 2" in _say(wired, "csat D-1").text()  # one score for the day, the last one
    before = _say(wired, "csat D-1 4 5")
    assert before.is_error and "Put the comment in quotes" in before.text()
    assert not _say(wired, 'complaint D-1 "late"').is_error
    assert _say(wired, "resolve C-1 C-2").is_error
    with wired.uow() as uow:
        assert [(s.score, s.comment) for s in uow.feedback.scores_of(1)] == [(2, "")]
        assert uow.feedback.complaint(1).is_open
    satisfaction = next(line for line in _say(wired, "health this week").lines if line.startswith("Satisfaction:"))
    assert "2/5" in satisfaction
