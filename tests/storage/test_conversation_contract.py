"""The conversation, suggestion and privacy repositories: one contract, three backends (the fakes,
SQLite and PostgreSQL), so tests/fakes/ cannot drift from storage/conversations.py and
storage/privacy.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from core.conversations.response_times import ResponsePair
from core.conversations.suggestions import ERASED, dm_key
from core.domain.model import (
    ChatBinding,
    Customer,
    Deal,
    Identity,
    Interaction,
    Member,
    Suggestion,
    SuggestionStatus,
    Task,
    Team,
)
from core.ports.unit_of_work import UnitOfWork
from core.reminders.outbox import OutboxMessage
from storage import tables as t
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeUnitOfWork

T0 = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
H = timedelta(hours=1)
NewUow = Callable[[], UnitOfWork]


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_uow(request: pytest.FixtureRequest) -> Iterator[NewUow]:
    if request.param == "fake":
        fake = FakeUnitOfWork()
        yield lambda: fake
        return
    engine = make_engine(request.getfixturevalue(f"{request.param}_url"))
    factory = make_session_factory(engine)
    yield lambda: SqlUnitOfWork(factory)
    engine.dispose()


class Chat:
    """A team, alice (a member), Acme with one deal; chat g1 bound to the deal, g2 to Acme."""

    def __init__(self, new_uow: NewUow):
        self.new_uow = new_uow
        self.count = 0
        with new_uow() as uow:
            self.team = uow.teams.add(Team(name="Sales")).id
            self.alice = uow.members.add(Member(handle="alice", team_id=self.team, display_name="Alice A",
                                                email="alice@example.com")).id
            self.acme = uow.customers.add(Customer(name="Acme", team_id=self.team,
                                                   contacts=[{"name": "Li Wei", "email": "li@acme.cn"}])).id
            self.deal = uow.deals.add(Deal(title="Acme", customer_id=self.acme, owner_id=self.alice,
                                           team_id=self.team, stage="lead", stage_entered_at=T0,
                                           created_at=T0)).id
            for chat, deal, customer in (("g1", self.deal, None), ("g2", None, self.acme)):
                uow.chat_bindings.add(ChatBinding("telegram", chat, self.team, T0, bound_by=self.alice,
                                                  deal_id=deal, customer_id=customer))
            uow.commit()

    def say(self, at: datetime, who: str = "li", chat: str = "g1", text: str = "hello", kind: str = "message",
            ref: str = "2001") -> int:
        """A captured message from the contact Li Wei (who="li") or alice (who="alice")."""
        self.count += 1
        member = who == "alice"
        item = Interaction(
            team_id=self.team, text=text, occurred_at=at, kind=kind,
            deal_id=self.deal if chat == "g1" else None, customer_id=self.acme,
            author_id=self.alice if member else None, author_kind="member" if member else "contact",
            author_ref="1001" if member else ref, author_name="Alice A" if member else "Li Wei",
            platform="telegram", chat_id=chat, message_id=f"m{self.count}" if kind == "message" else None,
        )
        with self.new_uow() as uow:
            stored = uow.interactions.add_captured([item]) if kind == "message" else [uow.interactions.add(item)]
            uow.commit()
            return stored[0].id


@pytest.fixture
def chat(new_uow) -> Chat:
    return Chat(new_uow)


# -- response times ----------------------------------------------------------------------------------

def test_each_contact_message_waits_until_the_next_member_message_in_its_chat(chat):
    chat.say(T0)
    chat.say(T0 + H)
    chat.say(T0 + 90 * timedelta(minutes=1), who="alice", chat="g2")  # another chat: no answer here
    chat.say(T0 + 100 * timedelta(minutes=1), who="alice", kind="note")  # a typed note is no answer
    chat.say(T0 + 2 * H, who="alice")
    chat.say(T0 + 3 * H)
    with chat.new_uow() as uow:
        pairs = uow.conversations.response_pairs(chat.team, T0, T0 + 4 * H)
        inside = uow.conversations.response_pairs(chat.team, T0 + H, T0 + 3 * H)
    assert pairs == [ResponsePair(T0, T0 + 2 * H, chat.alice), ResponsePair(T0 + H, T0 + 2 * H, chat.alice),
                     ResponsePair(T0 + 3 * H, None, None)]
    assert inside == [ResponsePair(T0 + H, T0 + 2 * H, chat.alice)]  # [start, end)


def test_a_wait_is_named_by_the_message_that_started_it(chat):
    chat.say(T0, who="alice")
    first = chat.say(T0 + H)
    chat.say(T0 + 2 * H)  # the same wait: not a second one
    on_customer_chat = chat.say(T0 + H, chat="g2")
    with chat.new_uow() as uow:
        waits = uow.conversations.waiting(chat.team, T0, T0 + 3 * H)
        early = uow.conversations.waiting(chat.team, T0, T0 + H - timedelta(seconds=1))
        later_window = uow.conversations.waiting(chat.team, T0 + H, T0 + 3 * H)
    assert [w.interaction_id for w in waits] == [first, on_customer_chat]
    assert waits[0].text == "hello" and waits[0].author_name == "Li Wei" and waits[0].deal_id == chat.deal
    assert early == []
    assert later_window == []  # (since, until]: the wait began at since, so it is not in it


def test_an_answer_or_capture_off_ends_the_wait(chat):
    chat.say(T0)
    chat.say(T0 + 2 * H, chat="g2")
    chat.say(T0 + H, who="alice")
    with chat.new_uow() as uow:
        uow.chat_bindings.for_chat("telegram", "g2").capturing = False
        uow.commit()
    with chat.new_uow() as uow:
        assert uow.conversations.waiting(chat.team, T0 - H, T0 + 5 * H) == []


def test_the_deal_card_wait_is_the_latest_unanswered_message_of_its_chats(chat):
    chat.say(T0)
    chat.say(T0 + H, text="still there?")
    with chat.new_uow() as uow:
        assert uow.conversations.unanswered(chat.deal, None).text == "still there?"
    chat.say(T0 + 2 * H, chat="g2", text="on the customer's chat")
    with chat.new_uow() as uow:
        assert uow.conversations.unanswered(chat.deal, chat.acme).text == "on the customer's chat"
        assert uow.conversations.unanswered(chat.deal, None).text == "still there?"
    chat.say(T0 + 3 * H, who="alice")
    chat.say(T0 + 3 * H, who="alice", chat="g2")
    with chat.new_uow() as uow:
        assert uow.conversations.unanswered(chat.deal, chat.acme) is None


# -- suggestions -----------------------------------------------------------------------------------

def _suggestion(chat: Chat, interaction_id: int | None, **fields) -> Suggestion:
    return Suggestion(team_id=chat.team, owner_id=chat.alice, title="I'll send it Friday", due_at=T0 + 48 * H,
                      created_at=T0, deal_id=chat.deal, interaction_id=interaction_id, **fields)


def _stored(chat: Chat) -> tuple[int, Suggestion]:
    """A captured message and the suggestion made of it, committed."""
    message = chat.say(T0, text="I'll send it Friday")
    with chat.new_uow() as uow:
        made = uow.suggestions.add(_suggestion(chat, message, rule="en.will"))
        uow.commit()
    return message, made


def test_suggestions_are_stored_once_per_message(chat):
    message, made = _stored(chat)
    with chat.new_uow() as uow:
        loaded = uow.suggestions.get(made.id)
        assert (loaded.title, loaded.due_at, loaded.status, loaded.rule) == (
            "I'll send it Friday", T0 + 48 * H, SuggestionStatus.PENDING, "en.will")
        with pytest.raises(Exception):  # noqa: B017 - IntegrityError in SQL, ValueError in the fake
            uow.suggestions.add(_suggestion(chat, message))
            uow.commit()


def test_suggestions_added_together_each_get_the_id_of_their_own_row(chat):
    messages = [chat.say(T0 + n * H, text=f"I'll send part {n} Friday") for n in range(3)]
    made = [_suggestion(chat, message, rule=f"part {n}") for n, message in enumerate(messages)]
    made.append(_suggestion(chat, None, rule="not from a message"))
    with chat.new_uow() as uow:
        uow.suggestions.add_all(list(reversed(made)))
        uow.commit()
    assert len({s.id for s in made}) == 4 and None not in {s.id for s in made}
    with chat.new_uow() as uow:
        for suggestion in made:
            loaded = uow.suggestions.get(suggestion.id)
            assert (loaded.rule, loaded.interaction_id) == (suggestion.rule, suggestion.interaction_id)


def test_a_decision_is_saved_and_read_back(chat):
    _, made = _stored(chat)
    with chat.new_uow() as uow:
        loaded = uow.suggestions.get(made.id)
        loaded.status, loaded.decided_at, loaded.decided_by = SuggestionStatus.DISMISSED, T0 + H, chat.alice
        uow.suggestions.save(loaded)
        uow.commit()
    with chat.new_uow() as uow:
        again = uow.suggestions.get(made.id)
        assert (again.status, again.decided_at, again.decided_by, again.task_id, again.title) == (
            SuggestionStatus.DISMISSED, T0 + H, chat.alice, None, "I'll send it Friday")
        assert uow.suggestions.get(made.id + 1000) is None


def test_a_suggestion_is_a_row_of_suggestions_field_for_column():
    # Suggestions are plain rows (storage.orm): get() builds one from a row's columns, so a field
    # without a column, or a column without a field, would fail there.
    assert {f.name for f in dataclasses.fields(Suggestion)} == set(t.suggestions.columns.keys())


def test_deal_people_are_each_deal_with_its_owner_their_accounts_and_its_customer(chat):
    with chat.new_uow() as uow:
        uow.members.add_identity(Identity("telegram", "1001", chat.alice))
        uow.members.add_identity(Identity("slack", "UA", chat.alice))
        bob = uow.members.add(Member(handle="bob", team_id=chat.team)).id
        globex = uow.customers.add(Customer(name="Globex", team_id=chat.team)).id
        other = uow.deals.add(Deal(title="Solo", customer_id=globex, owner_id=bob, team_id=chat.team,
                                   stage="lead", stage_entered_at=T0, created_at=T0)).id
        uow.commit()
    with chat.new_uow() as uow:
        found = uow.suggestions.deal_people([chat.deal, other, 999])
        assert set(found) == {chat.deal, other}
        acme, solo = found[chat.deal], found[other]
        assert (acme.deal.id, acme.owner.handle, acme.customer_name, acme.team.name) == (chat.deal, "alice", "Acme",
                                                                                         "Sales")
        assert (acme.deal.title, acme.deal.created_at, acme.owner.email) == ("Acme", T0, "alice@example.com")
        assert sorted((i.platform, i.user_id) for i in acme.identities) == [("slack", "UA"), ("telegram", "1001")]
        assert (solo.deal.title, solo.owner.handle, solo.identities, solo.customer_name) == ("Solo", "bob", (), "Globex")


# -- privacy ---------------------------------------------------------------------------------------

def test_erasing_a_contact_erases_their_messages_and_what_came_of_them(chat):
    theirs = chat.say(T0, text="I'll send it Friday, call me on 13812345678")
    other = chat.say(T0 + H, ref="2002", text="from someone else")
    mine = chat.say(T0 + 2 * H, who="alice", text="thanks")
    with chat.new_uow() as uow:
        task = uow.tasks.add(Task(title="I'll send it Friday", assignee_id=chat.alice, team_id=chat.team,
                                  created_at=T0, deal_id=chat.deal))
        suggestion = uow.suggestions.add(_suggestion(chat, theirs, status=SuggestionStatus.KEPT, task_id=task.id))
        uow.outbox.add(OutboxMessage("telegram", "1001", "suggestion", dm_key(suggestion.id, chat.alice),
                                     {"reply": {"title": "I'll send it Friday"}}, T0, T0))
        uow.commit()
    with chat.new_uow() as uow:
        assert uow.privacy.erase_contact("telegram", "2001", T0 + 5 * H) == 1
        uow.commit()
    with chat.new_uow() as uow:
        assert uow.privacy.erase_contact("telegram", "2001", T0 + 6 * H) == 0  # nothing of theirs is left
        rows = {i.id: i for i in uow.interactions.for_chat("telegram", "g1", limit=10)}
        assert theirs not in rows and rows[other].text == "from someone else" and rows[mine].text == "thanks"
        assert uow.suggestions.get(suggestion.id).title == ERASED
        assert uow.tasks.get(task.id).title == ERASED
        sent = uow.outbox.list()[0]
        assert sent.payload["reply"]["title"] == ERASED and str(sent.status) == "skipped"
        assert uow.privacy.contacts_named(None, "li wei") == [("telegram", "2002", "Li Wei")]
        # the tombstone keeps the message's place: a redelivery of it is a duplicate
        again = Interaction(team_id=chat.team, text="I'll send it Friday", occurred_at=T0, kind="message",
                            platform="telegram", chat_id="g1", message_id="m1", author_kind="contact")
        assert uow.interactions.add_captured([again]) == []


def test_erasing_a_member_erases_their_captured_messages_and_their_name(chat):
    captured = chat.say(T0, who="alice", text="my mobile is 13812345678")
    note = chat.say(T0 + H, who="alice", kind="note", text="called them")
    with chat.new_uow() as uow:
        assert uow.privacy.erase_member(chat.alice, T0 + 2 * H) == 1
        uow.commit()
    with chat.new_uow() as uow:
        exported = {i.id: i for i in uow.privacy.customer_interactions(chat.acme)}
        assert captured not in exported
        assert exported[note].text == "called them" and exported[note].author_name is None


def test_purge_erases_captured_text_past_retention_only(chat):
    old = chat.say(T0 - 400 * 24 * H, text="old news")
    note = chat.say(T0 - 400 * 24 * H, who="alice", kind="note", text="a typed note stays")
    recent = chat.say(T0, text="recent")
    with chat.new_uow() as uow:
        assert uow.privacy.purge_captured(chat.team, T0 - 365 * 24 * H, T0) == 1
        assert uow.privacy.purge_captured(chat.team, T0 - 365 * 24 * H, T0) == 0
        uow.commit()
    with chat.new_uow() as uow:
        left = {i.id: i.text for i in uow.privacy.customer_interactions(chat.acme)}
    assert left == {note: "a typed note stays", recent: "recent"}
    assert old not in left


def test_contacts_by_name_and_a_customer_export(chat):
    chat.say(T0, text="one")
    chat.say(T0 + H, ref="2002", chat="g2", text="two")
    chat.say(T0 + 2 * H, who="alice", text="three")
    with chat.new_uow() as uow:
        assert uow.privacy.contacts_named(chat.team, "LI WEI") == [("telegram", "2001", "Li Wei"),
                                                                   ("telegram", "2002", "Li Wei")]
        assert uow.privacy.contacts_named(chat.team, "Li") == []
        assert [i.text for i in uow.privacy.customer_interactions(chat.acme)] == ["one", "two", "three"]
        assert [c.name for c in uow.privacy.customers_with_contacts()] == ["Acme"]
