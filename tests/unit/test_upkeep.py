"""Keeping deals true on the fakes: `edit`, `assign`, `reopen` (core.services.upkeep) — what each
changes, what the reply says, the audit entry, and that a refusal or an unreadable part changes
nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.domain.model import DealStatus
from core.domain.pipeline import DEFAULT_PIPELINE
from core.language import commands as c
from core.language.errors import ParseError
from core.language.parser import ParseContext
from core.language.verbs import parse
from core.reminders.outbox import Kind
from tests.fakes import ChatHarness, FixedClock

CTX = ParseContext(FixedClock().now(), "Asia/Shanghai", DEFAULT_PIPELINE)


@pytest.fixture
def chat():
    h = ChatHarness(admins=(("console", "boss"),))
    h.say("boss", "me")
    h.say("boss", "team new east")
    for who in ("alice", "bob", "mia", "erin"):
        h.say(who, "me")
    h.say("boss", "member @mia role:manager")
    h.say("boss", "member @erin team:east")
    h.say("alice", "new Acme 50k close:2026-03-31")  # D-1
    return h


def _state(h):
    """Every row of every table, to show a refusal changed nothing."""
    def fields(row):  # without what a mapped class adds (_sa_instance_state, once mappers started)
        return repr({k: v for k, v in vars(row).items() if not k.startswith("_")})

    return {name: sorted(map(fields, getattr(h.uow, name).rows.values())) for name in h.uow._REPOS}


@pytest.mark.parametrize(("text", "command"), [
    ("edit D-12 amount:60k", c.EditDeal(12, amount=parse("won D-1 60k", CTX).amount)),  # type: ignore[attr-defined]
    ('edit D-12 title:"Phase 2"', c.EditDeal(12, title="Phase 2")),
    ("edit D-12", c.EditDeal(12)),
    ("assign D-12 @Bob", c.AssignDeal(12, "bob")),
    ("assign D-12 to @bob", c.AssignDeal(12, "bob")),
    ("转交 D-12 给 @bob", c.AssignDeal(12, "bob")),
    ("reopen D-12", c.ReopenDeal(12)),
    ("重开 D-12 报价", c.ReopenDeal(12, "quote")),
    ("reopen d12 to negotiation", c.ReopenDeal(12, "negotiation")),
])
def test_parses(text, command):
    assert parse(text, CTX) == command


def test_edit_reads_every_field_in_both_languages():
    english = parse('edit D-1 close:next month title:"Phase 2" amount:USD 5000', CTX)
    assert isinstance(english, c.EditDeal)
    assert (english.amount.amount, english.amount.currency) == (Decimal("5000"), "USD")  # type: ignore[union-attr]
    assert english.title == "Phase 2" and english.close is not None
    chinese = parse("修改 D-1 金额:6万 预计成交:下月底 标题:二期", CTX)
    assert isinstance(chinese, c.EditDeal)
    assert chinese.amount.amount == Decimal("60000") and chinese.title == "二期"  # type: ignore[union-attr]
    assert chinese.close is not None and chinese.close.month == 4  # the end of next month (now: March)


@pytest.mark.parametrize(("text", "key"), [
    ("edit", "err.missing_arg"),
    ("edit D-1 60k", "err.extra_args"),
    ("edit D-1 amount:-5k title:ok", "err.amount_not_positive"),
    ("edit D-1 amount:lots", "err.bad_amount"),
    ("edit D-1 close:someday title:ok", "err.bad_date"),
    ("edit D-1 amount:", "edit.empty_option"),
    ("edit D-1 owner:@bob", "err.bad_option"),
    ("assign D-1", "err.missing_arg"),
    ("assign D-1 bob alice", "err.extra_args"),
    ("assign D-1 @b!b", "err.bad_handle"),
    ("reopen D-1 nowhere", "err.unknown_stage"),
])
def test_refuses_to_read(text, key):
    with pytest.raises(ParseError) as caught:
        parse(text, CTX)
    assert caught.value.key == key


def test_edit_changes_any_subset_and_shows_old_and_new(chat):
    reply = chat.say("alice", 'edit D-1 amount:60k close:2026-04-30 title:"Phase 2"')
    assert not reply.is_error and reply.title == "D-1 edited."
    assert reply.lines == ["Amount: ¥50,000 → ¥60,000", "Expected close: Tue 31 Mar → Thu 30 Apr",
                           "Title: Acme → Phase 2"]
    deal = chat.uow.deals.get(1)
    assert (deal.amount, deal.title, deal.expected_close.date().isoformat()) == (
        Decimal("60000.00"), "Phase 2", "2026-04-30")
    entry = chat.uow.audit.for_entity("D-1")[-1]
    assert entry.action == "deal.edit"
    assert entry.before["title"] == "Acme" and entry.before["amount"] == "50000.00"
    assert set(entry.after) == {"title", "amount", "expected_close"}
    only = chat.say("alice", "修改 D-1 标题:二期")
    assert only.title == "D-1 已修改。" and only.lines == ["标题：Phase 2 → 二期"]
    assert chat.uow.deals.get(1).amount == Decimal("60000.00")  # untouched


def test_edit_with_an_unreadable_part_changes_nothing(chat):
    before = _state(chat)
    reply = chat.say("alice", 'edit D-1 amount:60k close:someday title:"Phase 2"')
    assert reply.is_error and "someday" in reply.title
    assert _state(chat) == before


def test_the_edit_button_asks_and_changes_nothing(chat):
    card = chat.say("alice", "show D-1")
    assert "edit D-1" in [b.command for b in card.buttons]
    audit = len(chat.uow.audit.rows)
    reply = chat.say("alice", "edit D-1")
    assert not reply.is_error and reply.title.startswith("What should change on D-1?")
    assert len(chat.uow.audit.rows) == audit


def test_edit_to_the_same_values_records_nothing(chat):
    audit = len(chat.uow.audit.rows)
    reply = chat.say("alice", "edit D-1 amount:50k title:Acme")
    assert not reply.is_error and reply.title == "D-1 already says so; nothing changed."
    assert len(chat.uow.audit.rows) == audit


def test_a_rep_edits_only_their_own_deal(chat):
    before = _state(chat)
    reply = chat.say("bob", "edit D-1 amount:1k")
    assert reply.is_error and reply.title.startswith("No permission: D-1 belongs to @alice")
    assert _state(chat) == before
    assert not chat.say("mia", "edit D-1 amount:1k").is_error  # the team's manager may


def test_assign_moves_the_deal_and_the_owners_open_tasks(chat):
    chat.say("alice", "task send the quote D-1")  # T-1, alice's
    chat.say("mia", "task check the contract D-1 @mia")  # T-2, given to mia on purpose
    chat.say("alice", "task old one D-1")  # T-3, done: stays as it was
    chat.say("alice", "done T-3")
    reply = chat.say("alice", "assign D-1 @bob")
    assert not reply.is_error, reply.text()
    assert reply.title == "D-1 handed over: @alice → @bob."
    assert "1 open task(s) went with it." in reply.lines
    bob = chat.uow.members.by_handle("bob")
    assert chat.uow.deals.get(1).owner_id == bob.id
    assignees = {t.code: chat.uow.members.get(t.assignee_id).handle for t in chat.uow.tasks.rows.values()}
    assert assignees == {"T-1": "bob", "T-2": "mia", "T-3": "alice"}
    actions = [e.action for e in chat.uow.audit.rows.values()][-2:]
    assert actions == ["deal.assign", "task.assign"]
    history = chat.say("mia", "history D-1")
    assert any("@alice handed it over: @alice → @bob" in line for line in history.lines)


def test_the_new_owner_gets_the_card_in_a_direct_message_in_their_language(chat):
    chat.admit("2000", "telegram", name="wang")
    chat.say("2000", "me lang zh", platform="telegram")
    reply = chat.say("alice", "assign D-1 @wang")
    assert not reply.is_error, reply.text()
    assert reply.lines[-1] == "@wang gets the card in a direct message."
    [message] = [m for m in chat.uow.outbox.rows.values() if m.kind == Kind.ASSIGNED]
    assert (message.platform, message.chat_id, message.subject) == ("telegram", "2000", "D-1")
    card = message.reply
    assert card.title.startswith("D-1 · Acme") and card.lines[0] == "@alice 把 D-1 转交给了您。"
    assert card.language == "zh"


def test_a_manager_taking_a_deal_is_told_by_the_reply_alone(chat):
    reply = chat.say("mia", "assign D-1 @mia")
    assert reply.title == "D-1 handed over: @alice → @mia." and reply.lines == []
    assert not [m for m in chat.uow.outbox.rows.values() if m.kind == "assigned"]


def test_assign_refusals_change_nothing(chat):
    before = _state(chat)
    cases = [
        ("bob", "assign D-1 @bob", "No permission: D-1 belongs to @alice"),  # not his to give
        ("alice", "assign D-1 @nobody", "I don't know @nobody yet"),
        ("alice", "assign D-1 @erin", "No permission: @erin is not in your team"),
        ("alice", "assign D-1 @alice", "D-1 is already @alice's."),
        ("boss", "assign D-1 @erin", "@erin is in another team than D-1"),
    ]
    for who, text, start in cases:
        reply = chat.say(who, text)
        assert reply.is_error and reply.title.startswith(start), (text, reply.title)
    assert _state(chat) == before
    chat.say("alice", "lost D-1 price")
    closed = chat.say("alice", "assign D-1 @bob")
    assert closed.is_error and closed.title.startswith("D-1 is lost; only open deals are handed over")


def test_reopen_a_lost_deal_into_the_stage_it_closed_from(chat):
    chat.say("alice", "move D-1 demo")
    chat.say("alice", "lost D-1 price")
    reply = chat.say("alice", "reopen D-1")
    assert not reply.is_error, reply.text()
    assert reply.title == "D-1 reopened (lost before) in Demo."
    deal = chat.uow.deals.get(1)
    assert (deal.status, deal.stage, deal.closed_at, deal.lost_reason) == (DealStatus.OPEN, "demo", None, None)
    changes = [(s.from_stage, s.to_stage) for s in chat.uow.stage_changes.for_deal(1)]
    assert changes[-2:] == [("demo", "lost"), ("lost", "demo")]  # the history keeps the close
    assert chat.uow.audit.for_entity("D-1")[-1].action == "deal.reopen"


def test_only_a_manager_reopens_a_won_deal(chat):
    chat.say("alice", "won D-1")
    before = _state(chat)
    refused = chat.say("alice", "reopen D-1")
    assert refused.is_error and refused.title == "No permission: only a manager reopens a won deal (D-1)."
    assert _state(chat) == before
    reply = chat.say("mia", "重开 D-1 谈判")
    assert not reply.is_error and reply.title == "D-1 已重开（原为赢单），阶段：谈判。"
    assert chat.uow.deals.get(1).status == DealStatus.OPEN


@pytest.mark.parametrize(("text", "start"), [
    ("reopen D-1", "D-1 is open; only a won or lost deal is reopened."),
    ("reopen D-9", "There is no deal D-9."),
])
def test_reopen_refusals(chat, text, start):
    before = _state(chat)
    reply = chat.say("alice", text)
    assert reply.is_error and reply.title.startswith(start)
    assert _state(chat) == before


def test_reopen_into_a_closed_stage_is_refused(chat):
    chat.say("alice", "lost D-1 price")
    reply = chat.say("alice", "reopen D-1 won")
    assert reply.is_error and reply.title == "D-1 can only be reopened into an open stage, not Signed."


def test_a_reopened_win_leaves_the_figures(chat):
    chat.say("alice", "won D-1")
    assert chat.uow.deals.get(1).closed_at == datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
    chat.say("mia", "reopen D-1")
    won = [d for d in chat.uow.deals.rows.values() if d.status == DealStatus.WON]
    assert won == []
