"""`undo` on the fakes (core.services.undo): one's own last change, within ten minutes, put back
field by field with the history kept; refused (changing nothing) when it is too old, already
undone, or someone changed the same deal or task since."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.domain.model import DealStatus
from core.domain.pipeline import DEFAULT_PIPELINE
from core.language import commands as c
from core.language.errors import ParseError
from core.language.parser import ParseContext
from core.language.verbs import parse
from tests.fakes import ChatHarness, FixedClock


@pytest.fixture
def chat():
    h = ChatHarness()
    for who in ("boss", "alice", "bob", "mia"):
        h.say(who, "me")
    h.say("boss", "member @mia role:manager")
    h.say("alice", "new Acme 50k")  # D-1
    h.say("alice", "task call the CFO D-1")  # T-1
    return h


def _state(h):
    def fields(row):  # without what a mapped class adds (_sa_instance_state, once mappers started)
        return repr({k: v for k, v in vars(row).items() if not k.startswith("_")})

    return {name: sorted(map(fields, getattr(h.uow, name).rows.values())) for name in h.uow._REPOS}


def test_reads():
    ctx = ParseContext(FixedClock().now(), "Asia/Shanghai", DEFAULT_PIPELINE)
    assert parse("undo", ctx) == parse("撤销", ctx) == c.Undo()
    with pytest.raises(ParseError):
        parse("undo D-1", ctx)


def test_undo_a_move_moves_back_and_keeps_both_in_the_history(chat):
    chat.say("alice", "move D-1 demo")
    reply = chat.say("alice", "undo")
    assert reply.title == "Undone: the move of D-1." and "Lead" in reply.lines[0]
    assert chat.uow.deals.get(1).stage == "lead"
    changes = [(s.from_stage, s.to_stage) for s in chat.uow.stage_changes.for_deal(1)]
    assert changes == [(None, "lead"), ("lead", "demo"), ("demo", "lead")]
    entry = chat.uow.audit.for_entity("D-1")[-1]
    assert entry.action == "undo" and entry.after["action"] == "deal.move"
    again = chat.say("alice", "undo")
    assert again.is_error and again.title == "Your last change (the move of D-1) is already undone."


def test_undo_a_win_reopens_the_deal_its_amount_and_its_tasks(chat):
    chat.say("alice", "won D-1 70k")
    assert chat.uow.tasks.get(1).cancelled_at is not None
    reply = chat.say("alice", "撤销")
    assert reply.title == "已撤销：D-1 标记赢单。"
    deal = chat.uow.deals.get(1)
    assert (deal.status, deal.stage, deal.amount, deal.closed_at) == (DealStatus.OPEN, "lead", Decimal("50000.00"), None)
    task = chat.uow.tasks.get(1)
    assert (task.done_at, task.cancelled_at) == (None, None)


def test_undo_a_loss_and_a_reopen(chat):
    chat.say("alice", "lost D-1 price")
    closed_at = chat.uow.deals.get(1).closed_at
    chat.say("alice", "reopen D-1")
    chat.say("alice", "undo")  # the reopen: lost again, as it was
    deal = chat.uow.deals.get(1)
    assert (deal.status, deal.lost_reason, deal.closed_at) == (DealStatus.LOST, "price", closed_at)


def test_undo_an_edit_a_hand_over_a_tick_and_a_done_task(chat):
    chat.say("alice", 'edit D-1 amount:60k title:"Phase 2"')
    chat.say("alice", "undo")
    deal = chat.uow.deals.get(1)
    assert (deal.title, deal.amount) == ("Acme", Decimal("50000.00"))
    chat.say("alice", "check D-1 1")
    chat.say("alice", "undo")
    assert chat.uow.deals.get(1).deliverables_done == []
    chat.say("alice", "done T-1")
    assert chat.say("alice", "undo").title == "Undone: completing T-1."
    assert chat.uow.tasks.get(1).done_at is None
    chat.say("alice", "assign D-1 @bob")
    assert chat.say("alice", "undo").title == "Undone: handing D-1 over."  # not hers any more, but her change
    alice = chat.uow.members.by_handle("alice").id
    assert chat.uow.deals.get(1).owner_id == chat.uow.tasks.get(1).assignee_id == alice


def test_undo_a_task_made_by_mistake_cancels_it(chat):
    reply = chat.say("alice", "undo")
    assert reply.title == "Undone: creating T-1."
    assert chat.uow.tasks.get(1).cancelled_at is not None


def test_nothing_changes_when_someone_changed_it_since(chat):
    chat.say("alice", "move D-1 demo")
    chat.say("mia", "move D-1 quote")
    before = _state(chat)
    reply = chat.say("alice", "undo")
    assert reply.is_error and reply.title.startswith("Cannot undo the move of D-1: D-1 changed since, by @mia.")
    assert _state(chat) == before


def test_only_the_last_ten_minutes(chat):
    chat.say("alice", "move D-1 demo")
    chat.clock.advance(minutes=11)
    before = _state(chat)
    reply = chat.say("alice", "undo")
    assert reply.is_error and reply.title == "You have changed nothing in the last 10 minutes that I can undo."
    assert _state(chat) == before


def test_someone_elses_change_is_not_yours_to_undo(chat):
    chat.say("alice", "move D-1 demo")
    reply = chat.say("bob", "undo")
    assert reply.is_error and reply.title.startswith("You have changed nothing")
    assert chat.uow.deals.get(1).stage == "demo"
