"""Who gets in (core on the fakes): strangers, approval, invites, self-service trust, removal with
handover, team moves, and managers giving work only inside their team."""

from __future__ import annotations

import pytest

from core.access.door import JOIN_TRIES_OVERALL, JOIN_TRIES_PER_PERSON
from core.domain.invite_codes import hash_code
from core.domain.pipeline import DEFAULT_PIPELINE
from core.language import commands as c
from core.language.errors import ParseError
from core.language.parser import ParseContext
from core.language.verbs import parse
from tests.fakes import ChatHarness, FixedClock

CTX = ParseContext(FixedClock().now(), "Asia/Shanghai", DEFAULT_PIPELINE)


@pytest.mark.parametrize(("text", "command"), [
    ("member @alice remove", c.RemoveMember("alice")),
    ("member @alice remove to:@bob", c.RemoveMember("alice", heir="bob")),
    ("成员 @alice 移除 交给:@bob", c.RemoveMember("alice", heir="bob")),
    ("成员 @alice 恢复", c.RestoreMember("alice")),
    ("member @alice team:east to:@bob", c.UpdateMember("alice", team="east", heir="bob")),
    ("member approve R-3", c.DecideAccess(3, approve=True)),
    ("member approve r3 role:manager team:east", c.DecideAccess(3, approve=True, role="manager", team="east")),
    ("成员 批准 R-3 团队:华东", c.DecideAccess(3, approve=True, team="华东")),
    ("member ignore R-3", c.DecideAccess(3, approve=False)),
    ("invite", c.CreateInvite()),
    ("invite team:east role:manager", c.CreateInvite(team="east", role="manager")),
    ("邀请 团队:华东 角色:销售", c.CreateInvite(team="华东", role="rep")),
    ("join K7M2P9X4C3QA", c.Join("k7m2p9x4c3qa")),
    ("加入 k7m2p9x4c3qa", c.Join("k7m2p9x4c3qa")),
])
def test_parses(text, command):
    assert parse(text, CTX) == command


@pytest.mark.parametrize(("text", "key"), [
    ("join", "err.bad_invite_code"), ("join 1234", "err.bad_invite_code"),
    ("join k7m2p9x4c3q0", "err.bad_invite_code"),  # 0 is not in the alphabet
    ("member approve", "err.missing_arg"), ("member approve D-3", "err.missing_arg"),
    ("member @alice fire", "err.extra_args"), ("invite east", "err.extra_args"),
    ("invite role:boss", "err.bad_role"),
    # a number no request can have was "Missing the access request (R-3)" (trial 2, 2026-12-07)
    ("member approve R-99999999999999999999999", "err.bad_request_id"), ("member ignore r1234567890", "err.bad_request_id"),
])
def test_refuses(text, key):
    with pytest.raises(ParseError) as caught:
        parse(text, CTX)
    assert caught.value.key == key


@pytest.fixture
def chat():
    h = ChatHarness(admins=(("console", "boss"), ("telegram", "1000")))
    h.say("1000", "me", platform="telegram")  # the admin on Telegram: notices go there
    h.say("boss", "team new east")
    for who in ("alice", "bob", "mia", "erin"):
        h.say(who, "me")  # console users are trusted
    h.say("boss", "member @mia role:manager")
    h.say("boss", "member @erin team:east")
    return h


def access_notices(chat) -> list:
    return [m for m in chat.uow.outbox.all() if m.kind == "access"]


# -- strangers ----------------------------------------------------------------------------------------

def test_a_stranger_asks_once_and_gets_nothing_else(chat):
    before = chat.counts()
    first = chat.say("5001", "new Acme 50k", platform="telegram")
    second = chat.say("5001", "deals", platform="telegram")
    zh = chat.say("5001", "新建 华为", platform="telegram")

    assert first.is_error and first.title.startswith("Hello! I keep this sales team's pipeline")
    assert first.lines == ["Have an invite code? Send “join <code>”.", "Your account: telegram:5001"]
    assert second.title == first.title and zh.title.startswith("您好！")
    assert chat.counts() == before | {"access": 1, "outbox": 1}  # no member, no deal, one notice
    [notice] = access_notices(chat)
    assert (notice.platform, notice.chat_id, notice.dedupe_key) == ("telegram", "1000", "access:R-1:m1")
    assert [b.label for b in notice.reply.buttons] == ["Approve as rep", "Ignore"]


def test_an_approved_stranger_is_a_rep_and_is_welcomed(chat):
    chat.say("5001", "hi", platform="telegram")
    approved = chat.say("1000", "member approve R-1", platform="telegram")

    assert approved.title == "@5001 is now rep in sales."
    member = chat.uow.members.by_identity("telegram", "5001")
    assert (member.role, chat.uow.teams.get(member.team_id).name) == ("rep", "sales")
    assert chat.say("5001", "new Acme", platform="telegram").title == "Created D-1 for Acme."
    welcome = [m for m in access_notices(chat) if m.chat_id == "5001"]
    assert [m.reply.title for m in welcome] == ["Welcome! You are now rep in sales."]
    assert chat.say("1000", "member approve R-1", platform="telegram").title == "Request R-1 was already approved."


def test_a_pending_handle_is_approved_by_the_member_command(chat):
    chat.bot.handle(_incoming("5001", "hi", name="Wang Fang"))
    assert "R-1 @wang-fang · Wang Fang (telegram)" in chat.say("boss", "member").text()
    reply = chat.say("boss", "member @wang-fang role:manager team:east")
    assert reply.title == "@wang-fang is now manager in east."


def test_an_ignored_stranger_is_answered_as_before_and_admins_are_not_told_again(chat):
    chat.say("5001", "hi", platform="telegram")
    assert chat.say("boss", "member ignore R-1").title.startswith("Request R-1 (5001) ignored")
    before = chat.counts()
    assert chat.say("5001", "hi again", platform="telegram").title.startswith("Hello!")
    assert chat.counts() == before and chat.uow.members.by_identity("telegram", "5001") is None


def test_a_rep_cannot_decide_requests(chat):
    chat.say("5001", "hi", platform="telegram")
    assert chat.say("alice", "member approve R-1").title == "No permission: member is for admins."


def test_self_service_trusts_only_the_named_workspace_and_never_an_external_sender(chat):
    import dataclasses

    chat.bot.defaults = dataclasses.replace(chat.bot.defaults, self_service=frozenset({("slack", "T1")}))
    inside = chat.bot.handle(_incoming("U1", "new Acme", platform="slack", org="T1", external=False))
    other = chat.bot.handle(_incoming("U2", "new Acme", platform="slack", org="T9", external=False))
    connect = chat.bot.handle(_incoming("U3", "new Acme", platform="slack", org="T1", external=True))

    assert inside.title == "Created D-1 for Acme."
    assert other.title.startswith("Hello!") and connect.title == "Sorry, I work only for this team's members."
    assert chat.uow.members.by_identity("slack", "U3") is None


def test_telegram_cannot_be_trusted_for_self_service():
    from pydantic import ValidationError

    from bot.config import Settings

    with pytest.raises(ValidationError, match="Telegram has no workspace"):
        Settings(_env_file=None, self_service="telegram:-100123")
    settings = Settings(_env_file=None, self_service="slack:T1, dingtalk:ding9")
    assert settings.self_service_orgs() == {("slack", "T1"), ("dingtalk", "ding9")}


def _incoming(user: str, text: str, *, platform: str = "telegram", name: str = "", **kw):
    from core.chat.messages import Incoming

    return Incoming(platform=platform, user_id=user, user_name=name or user, text=text, message_id=text, **kw)


def test_someone_who_asked_first_keeps_their_handle_once_listed_as_admin(chat):
    """The set-up pages' order: `/me` to learn your account, then DEALBOT_ADMINS and a restart."""
    import dataclasses

    chat.bot.handle(_incoming("7001", "hi", name="Olga"))  # a stranger: a request holds @olga
    chat.bot.defaults = dataclasses.replace(chat.bot.defaults,
                                            admins=chat.bot.defaults.admins | {("telegram", "7001")})
    assert chat.bot.handle(_incoming("7001", "me", name="Olga")).title == "You are @olga"
    assert chat.uow.members.by_identity("telegram", "7001").role == "admin"
    assert "R-1" not in chat.say("boss", "member").text()  # no request left waiting for an admin


# -- invites --------------------------------------------------------------------------------------------

def _code(reply) -> str:
    return reply.lines[0].split("“join ")[1].split("”")[0]


def test_an_invite_lets_one_person_in_once_and_only_its_hash_is_kept(chat):
    invite = chat.say("boss", "invite team:east role:manager")
    code = _code(invite)

    assert invite.title == "Invite to east as manager: give this code to one person only."
    [row] = chat.uow.access.invites.all()
    assert row.code_hash == hash_code(code) and code not in repr(row)
    joined = chat.say("6001", f"join {code}", platform="telegram")
    assert joined.title == "Welcome, @6001! You are now manager in east."
    assert chat.say("6002", f"join {code}", platform="telegram").title.startswith("That invite code is not valid")
    assert chat.uow.members.by_identity("telegram", "6002") is None
    assert chat.say("6001", f"join {code}", platform="telegram").title == "You are already a member (@6001)."


def test_someone_who_asked_first_and_then_joins_keeps_their_handle(chat):
    chat.bot.handle(_incoming("7002", "hi", name="Pavel"))
    joined = chat.bot.handle(_incoming("7002", f"join {_code(chat.say('boss', 'invite'))}", name="Pavel"))
    assert joined.title == "Welcome, @pavel! You are now rep in sales."


def test_an_invite_expires(chat):
    code = _code(chat.say("boss", "invite"))
    chat.clock.advance(hours=73)
    assert chat.say("6001", f"加入 {code}", platform="telegram").title.startswith("邀请码无效")


def test_an_invite_is_made_only_in_a_direct_chat(chat):
    reply = chat.bot.handle(_incoming("1000", "invite", chat_id="-100", is_direct=False))
    assert reply.title == "Ask me for an invite code in a direct chat: everyone here would see it."
    assert chat.uow.access.invites.all() == []


@pytest.mark.parametrize(("who", "text", "allowed"), [
    ("mia", "invite", True), ("mia", "invite role:manager", False), ("mia", "invite team:east", False),
    ("alice", "invite", False), ("boss", "invite team:east role:admin", True),
])
def test_who_may_invite(chat, who, text, allowed):
    reply = chat.say(who, text)
    assert reply.is_error is not allowed, reply.title
    if not allowed:
        assert reply.title.startswith("No permission: you cannot invite")


def test_guessing_codes_is_limited_per_person_and_overall(chat):
    code = _code(chat.say("boss", "invite"))
    for n in range(JOIN_TRIES_PER_PERSON):
        assert chat.say("7001", f"join aaaaaaaaaaa{n + 2}", platform="telegram").title.startswith("That invite code")
    locked = chat.say("7001", f"join {code}", platform="telegram")
    assert locked.title == "Too many wrong invite codes. Try again in an hour."  # even the right one
    chat.clock.advance(hours=1, seconds=1)
    assert chat.say("7001", f"join {code}", platform="telegram").title.startswith("Welcome")

    code = _code(chat.say("boss", "invite"))
    guessers = range(8000, 8000 + JOIN_TRIES_OVERALL // (JOIN_TRIES_PER_PERSON - 1) + 1)
    for person in guessers:
        for n in range(JOIN_TRIES_PER_PERSON - 1):
            chat.say(str(person), f"join bbbbbbbbbbb{n + 2}", platform="telegram")
    assert chat.say("9999", f"join {code}", platform="telegram").title.startswith("Too many wrong")


# -- removal, restoration, team moves -------------------------------------------------------------------

def test_removing_a_member_with_open_work_lists_it_and_changes_nothing(chat):
    chat.say("alice", "new Acme")
    chat.say("alice", "task call back D-1")
    before = chat.counts()
    reply = chat.say("boss", "member @alice remove")
    assert reply.title == "@alice still has open work: D-1, T-1. Add “to:@someone” to hand it over."
    assert chat.counts() == before and chat.uow.members.by_handle("alice").removed_at is None


def test_removing_hands_work_over_in_the_same_step_and_keeps_history(chat):
    chat.say("alice", "new Acme")
    chat.say("alice", "new Beta")
    chat.say("alice", "won D-2")
    chat.say("alice", "task call back D-1")
    reply = chat.say("boss", "成员 @alice 移除 交给:@bob")

    assert reply.title.startswith("已移除 @alice") and reply.lines == ["已移交给 @bob：D-1, T-1。"]
    alice, bob = chat.uow.members.by_handle("alice"), chat.uow.members.by_handle("bob")
    assert chat.uow.deals.get(1).owner_id == bob.id and chat.uow.tasks.get(1).assignee_id == bob.id
    assert chat.uow.deals.get(2).owner_id == alice.id  # a closed deal keeps its owner: past figures
    assert [e.action for e in chat.uow.audit.for_entity("D-1")][-1] == "deal.handover"
    assert alice not in chat.uow.members.in_team(alice.team_id)
    assert chat.say("alice", "deals").title == "Your access has been removed. Ask an admin if you need it back."
    assert chat.say("boss", "new Gamma owner:@alice").title == "@alice has been removed from the team and cannot take work."

    assert chat.say("boss", "member @alice restore").title == "@alice restored to sales."
    assert not chat.say("alice", "deals").is_error


@pytest.mark.parametrize(("text", "key_start"), [
    ("member @alice remove to:@erin", "@erin cannot take over"),  # east cannot see sales' deals
    ("member @alice remove to:@alice", "@alice cannot take over"),
    ("member @boss remove", "You cannot remove yourself."),
])
def test_a_handover_needs_an_heir_who_sees_the_work(chat, text, key_start):
    chat.say("alice", "new Acme")
    before = chat.counts()
    assert chat.say("boss", text).title.startswith(key_start)
    assert chat.counts() == before


def test_moving_a_member_to_another_team_hands_their_open_deals_over(chat):
    chat.say("alice", "new Acme")
    refused = chat.say("boss", "member @alice team:east")
    assert refused.title.startswith("@alice still has open work: D-1.")
    moved = chat.say("boss", "member @alice team:east to:@bob")
    assert moved.title == "@alice is now rep in east." and moved.lines == ["Handed over to @bob: D-1."]
    assert chat.uow.deals.get(1).owner_id == chat.uow.members.by_handle("bob").id
    assert chat.say("alice", "show D-1").title == "No permission: D-1 belongs to another team."


# -- a manager gives work only inside their team -----------------------------------------------------------

@pytest.mark.parametrize("text", ["new Acme owner:@erin", "task call back @erin"])
def test_a_manager_cannot_give_work_to_another_team(chat, text):
    before = chat.counts()
    reply = chat.say("mia", text)
    assert reply.title == "No permission: @erin is not in your team. Work goes only to members of your team."
    assert chat.counts() == before


def test_an_admins_deal_for_another_team_has_its_customer_in_that_team(chat):
    chat.say("boss", "new Acme owner:@erin")
    deal, erin = chat.uow.deals.get(1), chat.uow.members.by_handle("erin")
    assert deal.team_id == erin.team_id == chat.uow.customers.get(deal.customer_id).team_id


@pytest.mark.parametrize("setting", ["DEALBOT_SELF_SERVICE=telegram:-100123", "DEALBOT_SELF_SERVICE=slack"])
def test_a_bad_trust_setting_stops_the_cli_with_one_line(setting, monkeypatch, tmp_path, capsys):
    from bot.cli import main

    name, _, value = setting.partition("=")
    monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no .env, no data/ of the checkout
    assert main(["console"]) == 2  # bot.cli_errors: a setting the operator must fix
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.startswith("dealbot console: DEALBOT_SELF_SERVICE")
