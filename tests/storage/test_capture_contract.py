"""The repository contract of chat capture, on the fakes, SQLite and PostgreSQL: chat bindings,
captured messages in bulk (duplicates skipped), edits, deletions (tombstones), deal activity, and
members by platform identity. The store_captured service on top of them, on all three too."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.chat.context import Defaults
from core.conversations.capture import (
    Action,
    Attachment,
    CapturedMessage,
    CaptureTarget,
    ChatEvent,
    Outcome,
)
from core.domain.model import ChatBinding, DealStatus, Identity, Member
from core.services.capture import store_captured
from tests.storage import test_repository_contract as contract
from tests.storage.test_repository_contract import T0, NewUow, World

# The same fixtures as the main contract: the fakes, SQLite and PostgreSQL.
backend, new_uow, world = contract.backend, contract.new_uow, contract.world


def message(n: int, **overrides):
    fields = dict(platform="slack", chat_id="C1", message_id=f"m{n}", kind="message",
                  text=f"message {n}", occurred_at=T0 + timedelta(minutes=n))
    return fields | overrides


def row(world: World, **fields) -> CapturedMessage:
    return CapturedMessage(team_id=world.team, **fields)


def test_bindings_by_chat_deal_and_in_bulk(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal = uow.deals.add(world.deal()).id
        uow.chat_bindings.add(ChatBinding("slack", "C1", world.team, T0, world.alice, deal_id=deal))
        uow.chat_bindings.add(ChatBinding("telegram", "-100", world.team, T0, customer_id=world.acme))
        uow.commit()
    with new_uow() as uow:
        found = uow.chat_bindings.for_chat("slack", "C1")
        assert (found.deal_id, found.customer_id, found.bound_by, found.capturing) == (deal, None, world.alice, True)
        assert found.bound_at == T0
        assert uow.chat_bindings.for_chat("slack", "-100") is None
        targets = uow.chat_bindings.targets({("slack", "C1"), ("telegram", "-100"), ("slack", "C2")})
        assert targets == {  # a deal binding's customer is the deal's; the team's zone and settings
            ("slack", "C1"): CaptureTarget(world.team, deal, world.acme, True, "Asia/Shanghai", None),
            ("telegram", "-100"): CaptureTarget(world.team, None, world.acme, True, "Asia/Shanghai", None),
        }
        assert [b.chat_id for b in uow.chat_bindings.for_deal(deal)] == ["C1"]
        found.capturing = False
        uow.commit()
    with new_uow() as uow:
        found = uow.chat_bindings.for_chat("slack", "C1")
        assert found.capturing is False
        uow.chat_bindings.remove(found)
        uow.commit()
    with new_uow() as uow:
        assert uow.chat_bindings.for_chat("slack", "C1") is None
        assert uow.chat_bindings.for_chat("telegram", "-100") is not None


def test_targets_carry_the_settings_that_decide_how_text_is_stored(new_uow: NewUow, world: World):
    with new_uow() as uow:
        uow.teams.get(world.other_team).settings = {"mask_contacts": True}
        uow.chat_bindings.add(ChatBinding("slack", "C9", world.other_team, T0, customer_id=world.globex))
        uow.commit()
    with new_uow() as uow:
        target = uow.chat_bindings.targets({("slack", "C9")})[("slack", "C9")]
        assert (target.team_timezone, target.team_settings) == ("UTC", {"mask_contacts": True})


def test_one_binding_per_chat(new_uow: NewUow, world: World):
    with new_uow() as uow:
        uow.chat_bindings.add(ChatBinding("slack", "C1", world.team, T0, customer_id=world.acme))
        uow.commit()
    with new_uow() as uow, pytest.raises(Exception):  # noqa: B017  (IntegrityError / ValueError)
        uow.chat_bindings.add(ChatBinding("slack", "C1", world.team, T0, customer_id=world.acme))


def test_captured_messages_in_bulk_skip_duplicates(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal = uow.deals.add(world.deal()).id
        first = uow.interactions.add_captured([row(world, deal_id=deal, **message(n)) for n in (1, 2)])
        assert [i.message_id for i in first] == ["m1", "m2"] and all(i.id for i in first)
        uow.commit()
    with new_uow() as uow:
        again = [row(world, deal_id=deal, **message(n)) for n in (2, 3, 3, 4)]
        again[0].text = "changed"
        stored = uow.interactions.add_captured(again)
        assert [i.message_id for i in stored] == ["m3", "m4"]
        assert stored[0] is again[1]  # the objects given, with their ids
        uow.commit()
    with new_uow() as uow:
        rows = uow.interactions.for_chat("slack", "C1")
        assert [(i.message_id, i.text) for i in rows] == [("m4", "message 4"), ("m3", "message 3"),
                                                          ("m2", "message 2"), ("m1", "message 1")]
        assert len({i.id for i in rows}) == 4
        assert rows[-1].occurred_at == T0 + timedelta(minutes=1)  # exact, aware UTC
        assert rows[-1].deal_id == deal and rows[-1].kind == "message"
        assert uow.interactions.for_chat("slack", "C2") == []


def test_author_fields_round_trip(new_uow: NewUow, world: World):
    with new_uow() as uow:
        uow.interactions.add_captured([row(world, **message(1), author_kind="contact", author_ref="UX",
                                           author_name="王经理")])
        uow.commit()
    with new_uow() as uow:
        [found] = uow.interactions.for_chat("slack", "C1")
        assert (found.author_kind, found.author_ref, found.author_name, found.author_id) == (
            "contact", "UX", "王经理", None)
        assert (found.edited_at, found.deleted_at) == (None, None)


def test_edits_apply_in_time_order_and_not_to_deleted_messages(new_uow: NewUow, world: World):
    with new_uow() as uow:
        uow.interactions.add_captured([row(world, **message(n)) for n in (1, 2)])
        assert uow.interactions.edit_captured("slack", "C1", "m1", "second edit", T0 + timedelta(hours=2))
        assert not uow.interactions.edit_captured("slack", "C1", "m1", "first edit", T0 + timedelta(hours=1))
        assert not uow.interactions.edit_captured("slack", "C1", "m9", "never stored", T0)
        uow.commit()
    with new_uow() as uow:
        tombstone = row(world, **message(2), deleted_at=T0 + timedelta(hours=3))
        assert uow.interactions.delete_captured(tombstone)
        assert not uow.interactions.delete_captured(tombstone)  # once
        assert not uow.interactions.edit_captured("slack", "C1", "m2", "too late", T0 + timedelta(hours=4))
        uow.commit()
    with new_uow() as uow:
        assert [(i.message_id, i.text, i.edited_at) for i in uow.interactions.for_chat("slack", "C1")] == [
            ("m1", "second edit", T0 + timedelta(hours=2))]
        # the tombstone keeps the key: a late redelivery of the message is a duplicate
        assert uow.interactions.add_captured([row(world, **message(2))]) == []


def test_deleting_a_message_never_stored_keeps_it_out(new_uow: NewUow, world: World):
    with new_uow() as uow:
        assert not uow.interactions.delete_captured(row(world, **message(5), deleted_at=T0))
        assert uow.interactions.add_captured([row(world, **message(5))]) == []
        uow.commit()
    with new_uow() as uow:
        assert uow.interactions.for_chat("slack", "C1") == []


def test_deleted_messages_are_not_on_the_deal(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal = uow.deals.add(world.deal()).id
        uow.interactions.add_captured([row(world, deal_id=deal, **message(n)) for n in (1, 2)])
        uow.interactions.delete_captured(row(world, deal_id=deal, **message(1), deleted_at=T0))
        uow.commit()
    with new_uow() as uow:
        assert [i.message_id for i in uow.interactions.for_deal(deal)] == ["m2"]


def test_activity_moves_forward_only(new_uow: NewUow, world: World):
    later, earlier = T0 + timedelta(days=2), T0 + timedelta(days=1)
    with new_uow() as uow:
        one = uow.deals.add(world.deal()).id
        two = uow.deals.add(world.deal(last_activity_at=later)).id
        won = uow.deals.add(world.deal(status=DealStatus.WON, closed_at=T0)).id
        other = uow.deals.add(world.deal(customer_id=world.globex, team_id=world.other_team)).id
        uow.commit()
    with new_uow() as uow:
        uow.deals.get(one)  # a deal already loaded sees the new time too
        uow.deals.record_activity({one: earlier, two: earlier})
        assert uow.deals.get(one).last_activity_at == earlier
        uow.commit()
    with new_uow() as uow:
        assert uow.deals.get(two).last_activity_at == later  # never back
        uow.deals.record_customer_activity({world.acme: later + timedelta(hours=1)})
        uow.commit()
    with new_uow() as uow:
        times = {d: uow.deals.get(d).last_activity_at for d in (one, two, won, other)}
        assert times == {one: later + timedelta(hours=1), two: later + timedelta(hours=1), won: None,
                         other: None}


def test_members_by_identities(new_uow: NewUow, world: World):
    with new_uow() as uow:
        uow.members.add_identity(Identity("slack", "U1", world.alice))
        uow.members.add_identity(Identity("slack", "U2", world.bob))
        uow.members.add_identity(Identity("telegram", "U1", world.bob))
        uow.commit()
    with new_uow() as uow:
        found = uow.members.by_identities("slack", ["U1", "U2", "U3"])
        assert {user: m.handle for user, m in found.items()} == {"U1": "alice", "U2": "bob"}
        assert uow.members.by_identities("slack", []) == {}


# --- the service on each backend --------------------------------------------------------------------


def event(n: int, **overrides) -> ChatEvent:
    fields = dict(platform="slack", chat_id="C1", message_id=f"m{n}", user_id="UX", user_name="Wang",
                  text=f"message {n}", sent_at=T0 + timedelta(minutes=n), external=True)
    return ChatEvent(**(fields | overrides))


def test_store_captured_on_every_backend(new_uow: NewUow, world: World):
    now = T0 + timedelta(hours=1)
    defaults = Defaults(team_name="Sales East", self_service=frozenset({("slack", "T1")}))
    with new_uow() as uow:
        deal = uow.deals.add(world.deal()).id
        uow.members.add_identity(Identity("slack", "U1", world.alice))
        uow.chat_bindings.add(ChatBinding("slack", "C1", world.team, T0, deal_id=deal))
        uow.chat_bindings.add(ChatBinding("slack", "C3", world.team, T0, deal_id=deal, capturing=False))
        uow.commit()
    seen = []
    events = [event(1), event(2, user_id="U1", external=False), event(1), event(3, chat_id="C2"),
              event(4, chat_id="C3"), event(5, user_id="U5", user_name="Newcomer", external=False, org="T1"),
              event(2, action=Action.EDIT, text="edited", user_id="U1"),
              event(1, action=Action.DELETE, text=""), event(9, action=Action.EDIT)]
    with new_uow() as uow:
        outcomes = store_captured(uow, events, now, defaults,
                                  hooks=[lambda uow, stored, at: seen.extend(i.message_id for i in stored)])
        uow.commit()
    assert outcomes == [Outcome.STORED, Outcome.STORED, Outcome.DUPLICATE, Outcome.UNBOUND, Outcome.PAUSED,
                        Outcome.STORED, Outcome.EDITED, Outcome.DELETED, Outcome.UNKNOWN]
    assert seen == ["m1", "m2", "m5"]
    with new_uow() as uow:
        rows = {i.message_id: i for i in uow.interactions.for_chat("slack", "C1")}
        assert sorted(rows) == ["m2", "m5"]
        assert (rows["m2"].text, rows["m2"].author_kind, rows["m2"].author_id) == ("edited", "member", world.alice)
        newcomer = uow.members.by_identity("slack", "U5")  # a colleague of a trusted workspace
        assert isinstance(newcomer, Member) and rows["m5"].author_id == newcomer.id
        assert all(r.customer_id == world.acme and r.deal_id == deal for r in rows.values())
        assert uow.deals.get(deal).last_activity_at == T0 + timedelta(minutes=5)


def test_a_colleague_of_an_untrusted_workspace_is_recorded_as_a_contact(new_uow: NewUow, world: World):
    """Capture lets no one in: an unknown sender the platform calls internal becomes a member only
    where a first message to the bot would make them one (DEALBOT_SELF_SERVICE)."""
    with new_uow() as uow:
        deal = uow.deals.add(world.deal()).id
        uow.chat_bindings.add(ChatBinding("slack", "C1", world.team, T0, deal_id=deal))
        uow.commit()
    with new_uow() as uow:
        store_captured(uow, [event(1, user_id="U5", external=False, org="T1")], T0, Defaults())
        uow.commit()
    with new_uow() as uow:
        [row] = uow.interactions.for_chat("slack", "C1")
        assert (row.author_kind, row.author_id, row.author_ref) == ("contact", None, "U5")
        assert uow.members.by_identity("slack", "U5") is None


def test_bulk_rows_are_stored_as_the_orm_stores_them(new_uow: NewUow, world: World, backend: str):
    """The bulk INSERT bypasses the ORM: its values must land in the same form (on SQLite,
    datetimes are text in one fixed format), or comparisons between the two would go wrong."""
    if backend == "fake":
        pytest.skip("the fakes store objects, not rows")
    on_the_second = T0.replace(microsecond=0)
    with new_uow() as uow:
        uow.interactions.add(world.interaction(occurred_at=on_the_second, message_id="typed"))
        uow.interactions.add_captured([row(world, **message(1, occurred_at=on_the_second))])
        uow.commit()
    with new_uow() as uow:
        stored = uow.session.execute(sa.text(
            "SELECT message_id, CAST(occurred_at AS TEXT) FROM interactions ORDER BY message_id")).all()
    assert stored[0][1] == stored[1][1]


def test_a_nul_byte_from_a_platform_is_dropped_not_fatal(new_uow: NewUow, world: World):
    """PostgreSQL's text cannot hold NUL (SQLite's can): a platform that sends one in a message, an
    edit, a sender's name or a file name must not fail the batch it arrives in — the byte carries
    nothing, so it is dropped on both databases alike."""
    with new_uow() as uow:
        deal = uow.deals.add(world.deal()).id
        uow.chat_bindings.add(ChatBinding("slack", "C1", world.team, T0, deal_id=deal))
        uow.commit()
    events = [event(1, text="quote\x00 sent", user_name="Wa\x00ng"), event(2),
              event(2, action=Action.EDIT, text="\x00edited\x00"),
              event(3, text="", attachments=(Attachment(kind="file", name="q\x00.pdf"),))]
    with new_uow() as uow:
        outcomes = store_captured(uow, events, T0, Defaults())
        uow.commit()
    assert outcomes == [Outcome.STORED, Outcome.STORED, Outcome.EDITED, Outcome.STORED]
    with new_uow() as uow:
        rows = {i.message_id: i.text for i in uow.interactions.for_chat("slack", "C1")}
    assert rows["m1"] == "quote sent" and rows["m2"] == "edited"
    assert "\x00" not in rows["m3"] and "q.pdf" in rows["m3"]
