"""`me link`: one person's two accounts become one member, and nobody else's can.

Each former attack (issue 14 §2) has a test here that fails on the old linking: a code shown
to a group, a stranger redeeming it, an admin impersonated by whoever redeemed their code,
unlimited guessing. The core runs on the in-memory fakes;
tests/storage/test_app_on_database.py (test_linking_accounts_merges_members_on_the_database) runs
the flow on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from core.access.linking import ACCOUNT_FAILURES, GLOBAL_FAILURES, hash_code
from core.chat.messages import Incoming
from core.domain.model import Identity, Member, Role
from tests.fakes import ChatHarness

CODE = "12345678"


@pytest.fixture
def chat():
    """boss (admin, console), alice (rep: console + telegram 7001) and mallory (rep, telegram 6666),
    made members explicitly; alice's second account, slack U_ALICE, is a member of its own."""
    h = ChatHarness(new_code=lambda: CODE)
    h.say("boss", "me")
    with h.uow as uow:
        team_id = uow.teams.by_name("sales").id
        for handle, platform, user_id in (("alice", "telegram", "7001"), ("mallory", "telegram", "6666"),
                                          ("alice-slack", "slack", "U_ALICE")):
            member = uow.members.add(Member(handle=handle, team_id=team_id, role=Role.REP, display_name=handle))
            uow.members.add_identity(Identity(platform, user_id, member.id))
        uow.commit()
    return h


def say(chat: ChatHarness, platform: str, user: str, text: str, *, group: bool = False):
    chat._count += 1
    return chat.bot.handle(Incoming(platform=platform, user_id=user, user_name=user, text=text,
                                    chat_id="-100" if group else user, message_id=str(chat._count),
                                    is_direct=not group))


def member_of(chat, platform, user) -> int:
    return chat.uow.members.by_identity(platform, user).id


def test_the_owner_links_a_second_account_after_confirming_it():
    h = ChatHarness(new_code=lambda: CODE)
    h.say("alice", "new Acme")
    with h.uow as uow:
        uow.members.add_identity(Identity("slack", "U_ALICE", uow.members.add(
            Member(handle="alice-s", team_id=1, role=Role.REP)).id))
        uow.commit()
    say(h, "slack", "U_ALICE", "new Beta")  # the second account's own deal, for now
    # alice (console) asks in her direct chat, her slack account redeems, alice confirms
    assert h.say("alice", "me link").title.startswith(f"Your link code is {CODE}.")
    asked = say(h, "slack", "U_ALICE", f"me link {CODE}")
    assert not asked.is_error and "confirm on your console account" in asked.title
    assert h.uow.members.by_identity("slack", "U_ALICE").handle == "alice-s"  # nothing merged yet
    done = h.say("alice", "me link confirm")
    assert done.title == "Linked: your slack account is now @alice too; your deals and tasks are one."
    alice = h.uow.members.by_handle("alice")
    assert member_of(h, "slack", "U_ALICE") == alice.id
    assert {d.owner_id for d in h.uow.deals.all()} == {alice.id}
    assert h.uow.members.by_handle("alice-s") is None
    assert h.uow.links.all() == []


def test_the_asker_gets_a_direct_message_with_confirm_and_cancel(chat):
    assert not say(chat, "telegram", "7001", "me link").is_error
    asked = say(chat, "slack", "U_ALICE", f"me link {CODE}")
    assert "I have sent it a message on telegram" in asked.lines[0]
    [dm] = chat.uow.outbox.all()
    request = chat.uow.links.all()[0]
    assert (dm.platform, dm.chat_id, dm.kind) == ("telegram", "7001", "link")
    assert "slack:U_ALICE" in dm.reply.title and "@alice" in dm.reply.title
    assert [b.command for b in dm.reply.buttons] == [f"me link confirm {request.id}", f"me link cancel {request.id}"]
    say(chat, "telegram", "7001", dm.reply.buttons[0].command)  # alice clicks [Confirm]
    assert member_of(chat, "slack", "U_ALICE") == member_of(chat, "telegram", "7001")


# -- attack 1: a code shown to a group ---------------------------------------------------------------

@pytest.mark.parametrize("text, words", [("me link", "only in a direct chat"), ("我 绑定", "只在与我的私聊中显示")])
def test_no_code_is_made_or_shown_in_a_group(chat, text, words):
    before = chat.counts()
    reply = say(chat, "telegram", "7001", text, group=True)
    assert reply.is_error and words in reply.title
    assert CODE not in reply.text()
    assert chat.counts() == before


def test_a_code_typed_into_a_group_is_void_for_everyone(chat):
    say(chat, "telegram", "7001", "me link")
    shown = say(chat, "slack", "U_ALICE", f"me link {CODE}", group=True)
    assert shown.is_error and "no longer works" in shown.title
    later = say(chat, "telegram", "6666", f"me link {CODE}")  # someone in that group tries it
    assert later.is_error and "wrong or has expired" in later.title
    assert chat.uow.links.all() == [] and chat.uow.outbox.all() == []


# -- attack 2: a stranger redeeming somebody's code ----------------------------------------------------

def test_a_stranger_redeeming_a_code_gains_nothing_and_the_owner_can_cancel(chat):
    say(chat, "telegram", "7001", "me link")
    mallory = member_of(chat, "telegram", "6666")
    say(chat, "telegram", "6666", f"me link {CODE}")  # mallory read it over alice's shoulder
    assert member_of(chat, "telegram", "6666") == mallory  # not alice: nothing merged
    refused = say(chat, "telegram", "6666", "me link confirm 1")  # she cannot confirm for alice
    assert refused.is_error and member_of(chat, "telegram", "6666") == mallory
    [dm] = chat.uow.outbox.all()
    assert "telegram:6666" in dm.reply.title  # alice sees who it is
    cancelled = say(chat, "telegram", "7001", dm.reply.buttons[1].command)
    assert cancelled.title == "Cancelled: the accounts stay separate."
    assert say(chat, "telegram", "7001", "me link confirm").is_error  # nothing left to confirm
    assert member_of(chat, "telegram", "6666") == mallory
    assert say(chat, "slack", "U_ALICE", f"me link {CODE}").is_error  # the code was used up


def test_a_code_works_once_and_only_for_minutes(chat):
    say(chat, "telegram", "7001", "me link")
    chat.clock.advance(minutes=6)
    late = say(chat, "slack", "U_ALICE", f"me link {CODE}")
    assert late.is_error and "wrong or has expired" in late.title
    say(chat, "telegram", "7001", "me link")
    say(chat, "slack", "U_ALICE", f"me link {CODE}")
    again = say(chat, "telegram", "6666", f"me link {CODE}")
    assert again.is_error and len(chat.uow.outbox.all()) == 1


def test_a_confirmation_comes_too_late_after_ten_minutes(chat):
    say(chat, "telegram", "7001", "me link")
    say(chat, "slack", "U_ALICE", f"me link {CODE}")
    chat.clock.advance(minutes=11)
    assert say(chat, "telegram", "7001", "me link confirm").is_error
    assert chat.uow.members.by_identity("slack", "U_ALICE").handle == "alice-slack"


def test_codes_are_stored_hashed():
    h = ChatHarness(new_code=lambda: CODE)
    h.say("alice", "me link")
    [request] = h.uow.links.all()
    assert request.code_hash == hash_code(CODE) and CODE not in request.code_hash


# -- attack 3: an admin impersonated (the redeemer used to become the asker) ------------------------------

def test_redeeming_an_admins_code_does_not_make_the_redeemer_the_admin(chat):
    assert chat.say("boss", "me link").title.startswith("Your link code is")  # the console admin
    say(chat, "telegram", "6666", f"me link {CODE}")
    for attempt in ("me link confirm", "me link confirm 1", "我 绑定 确认"):
        assert say(chat, "telegram", "6666", attempt).is_error
    mallory = chat.uow.members.by_identity("telegram", "6666")
    assert mallory.handle == "mallory" and mallory.role == Role.REP
    assert say(chat, "telegram", "6666", "team new Evil").is_error  # still no admin rights
    assert [i.platform for i in chat.uow.members.identities(chat.uow.members.by_handle("boss").id)] == ["console"]


# -- attack 4: guessing ------------------------------------------------------------------------------

def test_wrong_codes_lock_the_account_even_for_the_right_code(chat):
    say(chat, "telegram", "7001", "me link")
    for guess in range(ACCOUNT_FAILURES):
        assert "wrong or has expired" in say(chat, "telegram", "6666", f"me link {guess:08d}").title
    locked = say(chat, "telegram", "6666", f"me link {CODE}")
    assert locked.is_error and "locked for it for an hour" in locked.title
    assert chat.uow.outbox.all() == []  # the right code did nothing for the guesser
    assert not say(chat, "slack", "U_ALICE", f"me link {CODE}").is_error  # alice's own account still can


def test_guesses_from_many_accounts_pause_linking_for_everyone_for_a_while(chat):
    accounts = [f"bot-{n}" for n in range(GLOBAL_FAILURES)]  # a guessing attack over many members
    with chat.uow as uow:
        for user in accounts:
            uow.members.add_identity(Identity("telegram", user, uow.members.add(Member(handle=user, team_id=1)).id))
        uow.commit()
    say(chat, "telegram", "7001", "me link")
    for n, user in enumerate(accounts):
        say(chat, "telegram", user, f"me link {n:08d}")
    paused = say(chat, "slack", "U_ALICE", f"me link {CODE}")
    assert paused.is_error and "paused for a few minutes" in paused.title
    chat.clock.advance(minutes=8)
    say(chat, "telegram", "7001", "me link")  # her first code expired meanwhile: a new one
    chat.clock.advance(minutes=3)  # the guesses are older than the window now
    assert not say(chat, "slack", "U_ALICE", f"me link {CODE}").is_error


def test_chinese_answers(chat):
    assert "您的绑定验证码是" in say(chat, "telegram", "7001", "我 绑定").title
    assert "验证码错误或已过期" in say(chat, "telegram", "6666", "我 绑定 00000000").title
