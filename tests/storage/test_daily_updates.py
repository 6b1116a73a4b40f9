"""The daily update by reply on the test database (SQLite, or PostgreSQL in that run): a rep's
free-text answer is stored as a proposal and nothing else; [Confirm all] writes the follow-ups,
tasks and moves through the chat's use cases; [Skip] leaves items out; only the author decides;
a message delivered twice proposes once; strangers and group chats get no proposals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.chat.messages import Incoming
from storage.db import row_counts
from storage.tables import daily_updates, interactions, stage_changes, tasks

ANSWER = "Acme 同意下周二演示，Beta 报价已发，Gamma 没进展"


@pytest.fixture
def team(wired):
    said = iter(range(1, 1000))

    def say(who: str, text: str, platform: str = "console", **extra):
        return wired.bot.handle(Incoming(platform, who, text, user_name=who, message_id=str(next(said)), **extra))

    for who in ("boss", "alice", "bob"):
        assert not say(who, "me").is_error
    for text in ("new Acme 50k", "new Beta 20k stage:demo", "new Gamma"):
        assert not say("alice", text).is_error
    assert not say("bob", "new Delta 10k").is_error
    return wired, say


def _counts(wired) -> dict[str, int]:
    return row_counts(wired.engine)


def test_an_answer_is_a_proposal_until_confirmed(team):
    wired, say = team
    before = _counts(wired)
    reply = say("alice", ANSWER)
    assert not reply.is_error and "U-1" in reply.title
    assert [b.command for b in reply.buttons] == ["confirm U-1", "skip U-1 1", "skip U-1 2", "skip U-1 3"]
    changed = {name for name, n in _counts(wired).items() if n != before[name]}
    assert changed == {"daily_updates"}  # nothing else before confirmation

    done = say("alice", "confirm U-1")
    assert not done.is_error, done.title
    with wired.engine.connect() as conn:
        notes = conn.execute(select(interactions.c.deal_id, interactions.c.text).order_by(interactions.c.id)).all()
        moves = conn.execute(select(stage_changes.c.deal_id, stage_changes.c.to_stage)
                             .where(stage_changes.c.from_stage.is_not(None))).all()
        made = conn.execute(select(tasks.c.deal_id, tasks.c.due_at)).all()
        status = conn.execute(select(daily_updates.c.status)).scalar_one()
    assert notes == [(1, "Acme 同意下周二演示"), (2, "Beta 报价已发"), (3, "Gamma 没进展")]
    assert sorted(moves) == [(1, "demo"), (2, "quote")]
    assert [deal for deal, _ in made] == [1] and status == "confirmed"
    again = say("alice", "confirm U-1")
    assert again.is_error and "already" in again.title


def test_skipped_items_are_not_written_and_skipping_all_dismisses(team):
    wired, say = team
    say("alice", ANSWER)
    shown = say("alice", "skip U-1 2")
    assert not shown.is_error and "skip U-1 2" not in [b.command for b in shown.buttons]
    assert say("alice", "skip U-1 2").is_error  # already skipped
    assert say("alice", "skip U-1 7").is_error  # no such item
    say("alice", "confirm U-1")
    with wired.engine.connect() as conn:
        assert 2 not in set(conn.execute(select(interactions.c.deal_id)).scalars())
    say("alice", "Gamma 报价已发")
    say("alice", "skip U-2 1")
    with wired.engine.connect() as conn:
        assert conn.execute(select(daily_updates.c.status).where(daily_updates.c.id == 2)).scalar_one() == "dismissed"
    assert say("alice", "confirm U-2").is_error


def test_only_the_author_decides_and_nothing_changes_for_anyone_else(team):
    wired, say = team
    say("alice", ANSWER)
    before = _counts(wired)
    for who, text in (("bob", "confirm U-1"), ("boss", "confirm U-1"), ("bob", "skip U-1 1")):
        reply = say(who, text)
        assert reply.is_error and "U-1" in reply.title
    assert say("alice", "confirm U-99").is_error
    assert _counts(wired) == before


def test_another_reps_deals_are_not_read_into_my_update(team):
    wired, say = team
    reply = say("bob", "Acme 报价已发，Delta 演示做完了")  # Acme is alice's
    assert [line.split("：")[0].split(":")[0] for line in reply.lines if line.startswith("1.")] == ["1. D-4"]
    assert all("D-1" not in line for line in reply.lines)


def test_words_about_no_deal_and_misspelt_commands_stay_unknown(team):
    wired, say = team
    before = _counts(wired)
    assert say("alice", "hello there").is_error  # did you mean help?
    assert say("alice", "shwo D-1").is_error
    assert say("alice", "今天开了三个会").is_error  # names no deal
    assert _counts(wired) == before


def test_a_group_chat_or_a_stranger_gets_no_proposal(team):
    wired, say = team
    before = _counts(wired)
    assert say("alice", ANSWER, chat_id="G1", is_direct=False).is_error
    stranger = say("9999", ANSWER, platform="telegram")
    assert stranger.is_error and "daily_updates" not in {n for n, c in _counts(wired).items() if c != before[n]}


def test_a_message_delivered_twice_proposes_once(team):
    wired, _ = team

    def telegram(text: str, message_id: str):
        return wired.bot.handle(Incoming("telegram", "1000", text, user_name="boss", chat_id="1000",
                                         message_id=message_id))

    assert not telegram("new Zeta 5k", "1").is_error  # the admin of telegram:1000 owns D-5
    first, second = telegram("Zeta 报价已发", "2"), telegram("Zeta 报价已发", "2")  # the platform's redelivery
    assert not first.is_error and "U-1" in first.title
    assert "U-" not in second.title
    with wired.engine.connect() as conn:
        assert conn.execute(select(daily_updates.c.id)).scalars().all() == [1]
