"""What a stage change keeps for the figures (core.pipeline.Pipeline.change): whose deal it was,
whether it advanced, and the deal's furthest stage. The SQL figures read these instead of the
history (storage/analytics.py); the property test holds them to the history-based definition."""

from datetime import UTC, datetime

import pytest

from core.model import Deal
from core.pipeline import DEFAULT_PIPELINE
from tests.fakes import ChatHarness

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.mark.parametrize(("before", "after", "advance"), [
    (None, "lead", False),  # creation
    ("lead", "demo", True),  # a skip forward is one advance
    ("negotiation", "won", True),
    ("quote", "demo", False),  # back
    ("quote", "lost", False),
    ("lost", "quote", False),  # reopened where it left
])
def test_an_advance_is_a_move_to_a_later_step_of_the_funnel(before, after, advance):
    assert DEFAULT_PIPELINE.is_advance(before, after) is advance


def test_the_furthest_stage_only_moves_forward_and_never_to_lost():
    deal = Deal("d", 1, 7, 1, "lead", T0, T0, id=1)
    walked = [DEFAULT_PIPELINE.change(deal, stage, T0, None, from_key=before).to_stage and deal.furthest_stage
              for before, stage in [(None, "demo"), ("demo", "quote"), ("quote", "demo"), ("demo", "lost"),
                                    ("lost", "contact")]]
    assert walked == ["demo", "quote", "quote", "quote", "quote"]


def test_a_change_remembers_whose_deal_it_was():
    deal = Deal("d", 1, 7, 1, "lead", T0, T0, id=1)
    first = DEFAULT_PIPELINE.change(deal, "demo", T0, 9, from_key="lead")
    deal.owner_id = 8
    second = DEFAULT_PIPELINE.change(deal, "quote", T0, 9, from_key="demo")
    assert [(c.owner_id, c.by_id, c.advance) for c in (first, second)] == [(7, 9, True), (8, 9, True)]


def test_chat_commands_keep_them():
    chat = ChatHarness()
    for who in ("boss", "alice"):
        chat.say(who, "me")
    chat.say("alice", "new Acme stage:contact")
    for line in ("move D-1 quote", "move D-1 demo", "lost D-1 price", "move D-1 negotiation"):
        assert not chat.say("alice", line).is_error, line
    alice = chat.uow.members.by_handle("alice").id
    changes = chat.uow.stage_changes.for_deal(1)
    assert [(c.to_stage, c.owner_id, c.advance) for c in changes] == [
        ("contact", alice, False), ("quote", alice, True), ("demo", alice, False), ("lost", alice, False),
        ("negotiation", alice, False)]
    assert chat.uow.deals.get(1).furthest_stage == "negotiation"  # reopened there: reached, not advanced
    chat.say("alice", "move D-1 won")
    assert chat.uow.deals.get(1).furthest_stage == "won"
