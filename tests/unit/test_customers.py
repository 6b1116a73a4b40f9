"""`customer Acme` (客户): reading the verb in both languages, the card, the lifecycle moved by
deals, setting fields, and bad input changing nothing (core on the in-memory fakes)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.domain.pipeline import DEFAULT_PIPELINE
from core.language import commands as c
from core.language.errors import ParseError
from core.language.parser import ParseContext
from core.language.verbs import parse
from tests.fakes import ChatHarness, FixedClock
from tests.unit.linked_chat import ALICE_TG, LinkedChat

CTX = ParseContext(FixedClock().now(), "Asia/Shanghai", DEFAULT_PIPELINE)


@pytest.mark.parametrize(("text", "command"), [
    ("customer Acme", c.ShowCustomer("Acme")),
    ("客户 Acme", c.ShowCustomer("Acme")),
    ("customer Acme Group", c.ShowCustomer("Acme Group")),
    ('customer "Acme: Inc"', c.ShowCustomer("Acme: Inc")),
    ("client 华为技术", c.ShowCustomer("华为技术")),
    ('customer Acme industry:能源 source:展会 tag:重点 name:"Acme Group"',
     c.SetCustomer("Acme", new_name="Acme Group", industry="能源", source="展会", tags_added=("重点",))),
    ("客户 Acme 行业：能源 来源:展会 标签:重点 标签:VIP", c.SetCustomer("Acme", industry="能源", source="展会",
                                                           tags_added=("重点", "VIP"))),
    ("customer Acme tag:-重点 industry:-", c.SetCustomer("Acme", industry="", tags_removed=("重点",))),
    ("customer Acme owner:@bob lifecycle:former", c.SetCustomer("Acme", owner="bob", lifecycle="churned")),
    ("客户 Acme 生命周期:商机", c.SetCustomer("Acme", lifecycle="prospect")),
    ("customer Acme lifecycle:Opportunity", c.SetCustomer("Acme", lifecycle="prospect")),
    ("customer name:x", c.ShowCustomer("name:x")),  # the first word is always the name's
])
def test_parses(text, command):
    assert parse(text, CTX) == command


@pytest.mark.parametrize(("text", "key"), [
    ("customer", "err.missing_arg"),
    ("customer Acme colour:red", "err.bad_option"),
    ("customer Acme industry:", "cust.empty_value"),
    ("customer Acme tag:", "cust.empty_value"),
    ("customer Acme industry:a industry:b", "cust.option_twice"),
    ("customer Acme industry:能源 extra", "err.extra_args"),
    ("customer Acme lifecycle:bogus", "cust.bad_lifecycle"),
    ("customer Acme owner:not/a/handle", "err.bad_handle"),
    ("customer Acme industry:" + "x" * 101, "err.name_too_long"),
])
def test_bad_input_is_one_message(text, key):
    with pytest.raises(ParseError) as caught:
        parse(text, CTX)
    assert caught.value.key == key



@pytest.fixture
def team() -> ChatHarness:
    """boss (admin), alice and bob (reps) and mia (manager) of boss's team, on the console."""
    harness = ChatHarness()
    for who in ("boss", "alice", "bob", "mia"):
        harness.say(who, "me")
    assert not harness.say("boss", "member @mia role:manager").is_error
    return harness


def _customer(harness: ChatHarness, name: str = "Acme"):
    return next(c for c in harness.uow.customers.all() if c.name == name)


def test_deals_move_the_lifecycle_and_the_card_shows_the_totals(team):
    assert not team.say("alice", "new Acme 50k").is_error
    assert _customer(team).lifecycle == "prospect"  # a lead with a deal is an opportunity
    team.say("alice", "new Acme 20k")
    team.say("alice", "new Acme 5k")
    team.say("alice", "task send the deck D-1")
    team.say("alice", "log D-1 call: they liked the demo")
    card = team.say("bob", "customer acme")  # any member of the team sees the card
    assert card.title == "Customer Acme · opportunity"
    fields = {f.label: f.value for f in card.fields}
    assert fields["Open deals"] == "3 · ¥75,000"
    assert fields["Won (lifetime)"] == "0 · —"
    assert fields["Owner"] == "@alice (owner of D-1)"
    assert "T-1 send the deck · D-1" in card.lines
    assert any("call: they liked the demo" in line for line in card.lines)
    assert not team.say("alice", "won D-2").is_error
    assert not team.say("alice", "lost D-3 price").is_error
    assert _customer(team).lifecycle == "customer"  # the first won deal makes a customer
    fields = {f.label: f.value for f in team.say("alice", "客户 Acme").fields}
    assert fields["累计赢单"] == "1 个 · ¥2万"
    assert fields["进行中商机"] == "1 个 · ¥5万"
    assert fields["丢单"] == "1 个 · ¥5,000"
    assert [e.action for e in team.uow.audit.all()].count("customer.lifecycle") == 1


def test_a_former_customer_who_wins_again_is_a_customer(team):
    team.say("alice", "new Acme 50k")
    assert not team.say("mia", "customer Acme lifecycle:former").is_error
    assert team.say("alice", "customer Acme").title == "Customer Acme · former customer"
    team.say("alice", "new Acme 10k")  # a new deal does not move a former customer back
    assert _customer(team).lifecycle == "churned"
    team.say("alice", "won D-2")
    assert _customer(team).lifecycle == "customer"


def test_setting_fields_shows_old_and_new_and_is_audited(team):
    team.say("alice", "new Acme 50k")
    reply = team.say("alice", 'customer Acme industry:能源 source:展会 tag:重点 tag:VIP name:"Acme Group"')
    assert reply.title == "客户 Acme Group 已更新。"  # answered in the language it was asked in
    assert "名称：Acme → Acme Group" in reply.lines
    assert "标签：— → 重点, VIP" in reply.lines
    customer = _customer(team, "Acme Group")
    assert (customer.industry, customer.source, customer.tags, customer.aliases) == ("能源", "展会", ["重点", "VIP"],
                                                                                    ["Acme"])
    entry = [e for e in team.uow.audit.all() if e.action == "customer.update"][-1]
    assert entry.before["name"] == "Acme" and entry.after["name"] == "Acme Group"
    assert team.say("alice", "customer Acme").title.startswith("Customer Acme Group")  # the old name finds it
    assert not team.say("alice", "new Acme 1k").is_error  # and a new deal joins it
    assert len(team.uow.customers.all()) == 1
    reply = team.say("alice", "customer Acme tag:-vip industry:- lifecycle:lead")
    assert "Industry: 能源 → —" in reply.lines and "Lifecycle: opportunity → lead" in reply.lines
    customer = _customer(team, "Acme Group")
    assert (customer.industry, customer.tags) == (None, ["重点"])
    entries = len(team.uow.audit.all())
    assert team.say("alice", "customer Acme lifecycle:lead").title == "Acme Group: nothing to change, it is so already."
    assert len(team.uow.audit.all()) == entries


def test_who_may_change_a_customer(team):
    team.say("alice", "new Acme 50k")
    before = team.counts()
    refused = team.say("bob", "customer Acme industry:energy")  # not his deal, not his customer
    assert refused.is_error and "Only the owner of Acme" in refused.title
    assert team.counts() == before and _customer(team).industry is None
    assert not team.say("mia", "customer Acme owner:@bob").is_error  # a manager hands it over
    assert team.say("alice", "customer Acme industry:energy").is_error  # now bob's, not alice's
    assert not team.say("bob", "customer Acme industry:energy").is_error
    assert team.say("bob", "customer Acme owner:@alice").is_error  # a rep gives no customer away
    assert team.say("boss", "customer Acme tag:key").is_error is False  # an admin, from any team


def test_another_teams_customer_is_not_even_named(team):
    team.say("boss", "team new east")
    assert not team.say("boss", "member @mia team:east").is_error
    team.say("alice", "new Acme 5k")
    reply = team.say("mia", "customer Acme")
    assert reply.is_error and reply.title.startswith("No customer “Acme” in your team")
    assert team.say("mia", "customer Acme industry:x").is_error
    assert _customer(team).industry is None


def test_unknown_customer_and_a_taken_name_change_nothing(team):
    team.say("alice", "new Acme 50k")
    team.say("alice", "new Beta 50k")
    before = team.counts()
    assert team.say("alice", "customer Nope").is_error
    taken = team.say("alice", 'customer Acme industry:x name:"beta"')
    assert taken.is_error and "Another customer is already called" in taken.title
    assert team.counts() == before and _customer(team).industry is None


def test_the_card_has_the_contacts_and_the_response_time_in_linked_chats():
    sh = ZoneInfo("Asia/Shanghai")
    chat = LinkedChat(datetime(2026, 3, 4, 10, tzinfo=sh))  # a Wednesday
    chat.capture("Any update on the quote?", at=datetime(2026, 3, 4, 10, tzinfo=sh))
    chat.capture("Is it ready?", at=datetime(2026, 3, 4, 11, tzinfo=sh))
    chat.capture("Sending it now", user=ALICE_TG, name="Alice", at=datetime(2026, 3, 4, 12, tzinfo=sh))
    with chat.uow as uow:
        next(iter(uow.customers.all())).contacts = [{"name": "王经理", "role": "采购", "email": "wang@acme.cn"}]
        uow.commit()
    card = chat.say("alice", "customer Acme")
    fields = {f.label: f.value for f in card.fields}
    assert fields["Our response time"] == "1.5 h median over 2 answers"  # 2 h and 1 h
    assert "王经理 · 采购 · wang@acme.cn" in card.lines
    assert any("Li Wei" in line and "Is it ready?" in line for line in card.lines)


# -- contacts ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "command"), [
    ('contact Acme "王经理" role:采购 phone:138 0013 8000 email:wang@acme.cn',
     None),  # phone with spaces needs quotes: see the next case
    ('contact Acme "王经理" role:采购 phone:"+86 138-0013-8000" email:wang@acme.cn',
     c.SetContact("Acme", "王经理", role="采购", phone="+86 138-0013-8000", email="wang@acme.cn")),
    ('联系人 Acme Group "王伟" 角色:CTO 手机:13800138000', c.SetContact("Acme Group", "王伟", role="CTO",
                                                                 phone="13800138000")),
    ("contact Acme Wang", c.SetContact("Acme", "Wang")),
    ("contact Acme Wang role:-", c.SetContact("Acme", "Wang", role="")),
    ('contact Acme "Wang" remove', c.SetContact("Acme", "Wang", remove=True)),
    ("联系人 Acme 王经理 删除", c.SetContact("Acme", "王经理", remove=True)),
    ("contacts Acme Group", c.ListContacts("Acme Group")),
    ("通讯录 华为", c.ListContacts("华为")),
    ("联系人列表 华为", c.ListContacts("华为")),
])
def test_contact_parses(text, command):
    if command is None:
        with pytest.raises(ParseError):
            parse(text, CTX)
    else:
        assert parse(text, CTX) == command


@pytest.mark.parametrize(("text", "key"), [
    ("contact", "err.missing_arg"),
    ("contact Acme", "err.missing_arg"),
    ('contact Acme "Wang" Li', "err.extra_args"),
    ("contact Acme Wang phone:call-me", "cust.bad_phone"),
    ("contact Acme Wang phone:1234", "cust.bad_phone"),
    ("contact Acme Wang email:wang@acme", "cust.bad_email"),
    ("contact Acme Wang fax:123456", "err.bad_option"),
    ("contact Acme Wang remove role:x", "err.extra_args"),
    ("contacts", "err.missing_arg"),
])
def test_contact_bad_input(text, key):
    with pytest.raises(ParseError) as caught:
        parse(text, CTX)
    assert caught.value.key == key


def test_contacts_added_changed_removed_audited(team):
    team.say("alice", "new Acme 50k")
    added = team.say("alice", 'contact Acme "Wang Wei" role:buyer email:wang@acme.cn')
    assert added.title == "Contact Wang Wei added to Acme." and added.lines == ["Wang Wei · buyer · wang@acme.cn"]
    changed = team.say("alice", 'contact acme "wang wei" phone:13800138000 role:-')
    assert changed.title == "Contact wang wei of Acme changed."
    assert _customer(team).contacts == [{"name": "Wang Wei", "phone": "13800138000", "email": "wang@acme.cn"}]
    assert team.say("alice", 'contact Acme "Wang Wei" phone:13800138000').title.endswith("it is so already.")
    listed = team.say("bob", "contacts Acme")
    assert listed.title == "Contacts of Acme (1)" and listed.lines == ["Wang Wei · 13800138000 · wang@acme.cn"]
    before = team.counts()
    assert "Only the owner of Acme" in team.say("bob", 'contact Acme "Li" role:x').title
    assert team.say("alice", 'contact Acme "Nobody" remove').title == "Acme has no contact “Nobody”."
    assert team.counts() == before
    assert team.say("alice", 'contact Acme "Wang Wei" remove').title == "Contact Wang Wei removed from Acme."
    assert _customer(team).contacts == []
    assert [e.action for e in team.uow.audit.all()].count("customer.contact") == 3


def test_people_who_write_in_linked_chats_are_contacts_and_join_typed_ones():
    chat = LinkedChat()
    chat.capture("Any update on the quote?")  # Li Wei, 2001, of the customer's side
    chat.capture("I am Zhang, their CFO", user="2002", name="Zhang San")
    listed = chat.say("alice", "contacts Acme")
    assert listed.title == "Contacts of Acme (2)"
    assert listed.lines[0].startswith("Li Wei · from the linked chat (telegram), last wrote")
    joined = chat.say("alice", 'contact Acme "Li Wei" role:purchasing')
    assert joined.lines == ["Li Wei · purchasing · in the linked chat (telegram)"]
    entry = next(iter(chat.uow.customers.all())).contacts[0]
    assert (entry["platform"], entry["user_id"]) == ("telegram", "2001")
    listed = chat.say("alice", "contacts Acme")
    assert listed.title == "Contacts of Acme (2)"  # Li Wei once: typed and captured joined up
    assert listed.lines[0] == "Li Wei · purchasing · in the linked chat (telegram)"
    assert listed.lines[1].startswith("Zhang San · from the linked chat")
    card = chat.say("alice", "customer Acme")
    assert "Contacts (2):" in card.lines


# -- merge ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "command"), [
    ('merge customer "Acme Inc" into Acme', c.MergeCustomers("Acme Inc", "Acme")),
    ("merge Acme Inc into Acme Group", c.MergeCustomers("Acme Inc", "Acme Group")),
    ("合并 客户 Acme公司 到 Acme", c.MergeCustomers("Acme公司", "Acme")),
    ('合并客户 "Into Ltd" 并入 Acme', c.MergeCustomers("Into Ltd", "Acme")),  # a quoted "into" is a name's
])
def test_merge_parses(text, command):
    assert parse(text, CTX) == command


@pytest.mark.parametrize("text", ["merge", "merge customer", "merge customer Acme", "merge customer into Acme",
                                  "merge customer Acme into"])
def test_merge_bad_input(text):
    with pytest.raises(ParseError) as caught:
        parse(text, CTX)
    assert caught.value.key == "err.missing_arg"


def test_merge_moves_everything_and_is_audited(team):
    team.say("alice", "new Acme 50k")
    team.say("alice", 'new "Acme Inc" 20k')
    team.say("alice", "won D-2")
    team.say("alice", 'new "Acme Inc" 5k')
    team.say("alice", "task call them D-3")
    team.say("alice", "log D-3 met the buyer")
    team.say("alice", 'contact "Acme Inc" Wang role:cto')
    team.say("alice", 'contact Acme wang role:buyer')  # the same person: not added twice
    team.say("alice", 'customer "Acme Inc" tag:vip industry:energy')
    before = team.counts()
    assert team.say("alice", 'merge customer "Acme Inc" into Acme').title == "Only managers and admins merge customers."
    assert team.say("mia", "merge Acme into acme").title == "Those are one customer already: Acme."
    assert team.counts() == before
    reply = team.say("mia", 'merge customer "Acme Inc" into Acme')
    assert reply.title == "Merged Acme Inc into Acme."
    assert reply.lines[0] == "Moved: 2 deal(s), 1 open task(s), 1 follow-up(s), 0 contact(s)."
    (acme,) = team.uow.customers.all()
    assert {d.customer_id for d in team.uow.deals.all()} == {acme.id}
    assert (acme.aliases, acme.tags, acme.industry, acme.lifecycle) == (["Acme Inc"], ["vip"], "energy", "customer")
    assert [entry["name"] for entry in acme.contacts] == ["wang"]
    fields = {f.label: f.value for f in reply.fields}
    assert fields["Won (lifetime)"] == "1 · ¥20,000" and fields["Open deals"] == "2 · ¥55,000"
    entry = [e for e in team.uow.audit.all() if e.action == "customer.merge"][-1]
    assert entry.before["merged"]["name"] == "Acme Inc" and entry.after["deals"] == ["D-2", "D-3"]
    assert not team.say("alice", 'new "Acme Inc" 1k').is_error  # the old name finds the one customer
    assert len(team.uow.customers.all()) == 1


def test_merge_keeps_to_one_team(team):
    team.say("boss", "team new east")
    team.say("boss", "member @bob team:east")
    team.say("alice", "new Acme 5k")
    team.say("bob", "new Beta 5k")
    before = team.counts()
    assert team.say("mia", "merge Beta into Acme").title.startswith("No customer “Beta” in your team")
    refused = team.say("boss", "merge Beta into Acme")
    assert refused.title == "Beta and Acme are customers of different teams; only one team's customers merge."
    assert team.counts() == before


# -- segments: funnel by:industry|source|tag -------------------------------------------------------

@pytest.mark.parametrize(("text", "by"), [
    ("funnel by:industry", "industry"),
    ("funnel this quarter by:source", "source"),
    ("漏斗 按:标签", "tag"),
    ("漏斗 上个月 按：行业", "industry"),
    ("funnel last quarter", None),
])
def test_funnel_by_parses(text, by):
    command = parse(text, CTX)
    assert isinstance(command, c.ShowFunnel) and command.by == by


def test_funnel_by_a_bad_kind_is_one_message():
    with pytest.raises(ParseError) as caught:
        parse("funnel by:colour", CTX)
    assert caught.value.key == "figures.bad_by"


def test_funnel_by_industry_and_tag_and_the_scorecard_json(team):
    from core.analytics.reports import build_scorecard
    from core.domain.pipeline import DEFAULT_PIPELINE
    from core.language.periods import week_of

    for text in ("new Acme 50k", "new Acme 10k", "new Beta 20k", "new Gamma 5k", "won D-1"):
        assert not team.say("alice", text).is_error
    team.say("alice", "customer Acme industry:energy tag:vip tag:key")
    team.say("alice", "customer Beta industry:retail tag:vip")
    reply = team.say("mia", "funnel this quarter by:industry")
    head = reply.lines.index("By industry (new deals · won · conversion):")
    assert [line.split(" — ")[0] for line in reply.lines[head + 1:]] == [
        "energy: 2 · 1 · 50%", "retail: 1 · 0 · 0%", "(not set): 1 · 0 · 0%"]  # most deals first, unset last
    tags = team.say("mia", "漏斗 本季度 按:标签")
    assert [line.split(" — ")[0] for line in tags.lines[-3:]] == ["vip：3 · 1 · 33.3%", "key：2 · 1 · 50%",
                                                                   "（未设置）：1 · 0 · 0%"]
    with team.uow as uow:
        team_row = uow.teams.get(uow.members.by_handle("alice").team_id)
        card = build_scorecard(uow, team_row, DEFAULT_PIPELINE, week_of(team.clock.now().date()), team.clock.now(),
                               "CNY", segments=True)
    data = card.to_json()["segments"]
    assert set(data) == {"industry", "source", "tag"}
    assert data["industry"][0] == {"value": "energy", "created": 2, "won": 1, "won_conversion": 0.5,
                                   "funnel": data["industry"][0]["funnel"]}
    assert data["source"] == [{"value": None, "created": 4, "won": 1, "won_conversion": 0.25,
                               "funnel": data["source"][0]["funnel"]}]
