"""What a stage change keeps for the figures (core.domain.model.Deal.move_to): whose deal it was,
whether it advanced, and the deal's furthest stage. The SQL figures read these instead of the
history (storage/analytics.py); the property test holds them to the history-based definition."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.domain.model import Deal, DealStatus
from core.domain.pipeline import DEFAULT_PIPELINE
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
    deal = Deal.new(DEFAULT_PIPELINE, stage="demo", at=T0, title="d", customer_id=1, owner_id=7, team_id=1, id=1)
    walked = [deal.creation(None, DEFAULT_PIPELINE) and deal.furthest_stage]
    walked += [deal.move_to(stage, T0, None, DEFAULT_PIPELINE) and deal.furthest_stage
               for stage in ("quote", "demo", "lost", "contact")]
    assert walked == ["demo", "quote", "quote", "quote", "quote"]


def test_a_change_remembers_whose_deal_it_was():
    deal = Deal("d", 1, 7, 1, "lead", T0, T0, id=1)
    first = deal.move_to("demo", T0, 9, DEFAULT_PIPELINE)
    deal.owner_id = 8
    second = deal.move_to("quote", T0, 9, DEFAULT_PIPELINE)
    assert [(c.from_stage, c.to_stage, c.owner_id, c.by_id, c.advance) for c in (first, second)] == [
        ("lead", "demo", 7, 9, True), ("demo", "quote", 8, 9, True)]


def test_a_move_changes_the_stage_the_status_and_nothing_else():
    t1, t2, t3 = T0 + timedelta(days=1), T0 + timedelta(days=2), T0 + timedelta(days=3)
    deal = Deal("d", 1, 7, 1, "quote", T0, T0, id=1, amount=Decimal(5000))
    lost = deal.move_to("lost", t1, 9, DEFAULT_PIPELINE, lost_reason="price")
    assert (deal.stage, deal.stage_entered_at, deal.status, deal.closed_at, deal.lost_reason) == (
        "lost", t1, DealStatus.LOST, t1, "price")
    assert (lost.from_stage, lost.to_stage, lost.at, lost.advance) == ("quote", "lost", t1, False)
    deal.move_to("negotiation", t2, 9, DEFAULT_PIPELINE)  # reopened
    assert (deal.stage, deal.status, deal.closed_at, deal.lost_reason) == ("negotiation", DealStatus.OPEN, None, None)
    won = deal.move_to("won", t3, 9, DEFAULT_PIPELINE)
    assert (deal.status, deal.closed_at, deal.furthest_stage, won.advance) == (DealStatus.WON, t3, "won", True)
    assert (deal.amount, deal.created_at, deal.last_activity_at) == (Decimal(5000), T0, None)  # not a stage's


def test_replaying_a_history_is_creating_and_moving_the_deal():
    entered = [("contact", T0), ("quote", T0 + timedelta(days=2)), ("lost", T0 + timedelta(days=5))]
    replayed = Deal("d", 1, 7, 1, "won", T0, T0, id=1, furthest_stage="won")
    changes = replayed.replay(entered, None, DEFAULT_PIPELINE)
    made = Deal.new(DEFAULT_PIPELINE, stage="contact", at=T0, title="d", customer_id=1, owner_id=7, team_id=1, id=1)
    expected = [made.creation(None, DEFAULT_PIPELINE), made.move_to("quote", entered[1][1], None, DEFAULT_PIPELINE),
                made.move_to("lost", entered[2][1], None, DEFAULT_PIPELINE)]
    assert list(map(_fields, changes)) == list(map(_fields, expected))
    assert (replayed.stage, replayed.status, replayed.furthest_stage) == (made.stage, made.status, made.furthest_stage)
    assert replayed.replay([], None, DEFAULT_PIPELINE) == [] and replayed.furthest_stage is None


def _fields(change) -> tuple:
    return (change.deal_id, change.from_stage, change.to_stage, change.at, change.by_id, change.owner_id,
            change.advance)


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
