"""Privacy: masking contact details, `forget @person`, the retention purge, a customer's export."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.conversations.privacy import mask_contacts
from core.conversations.suggestions import ERASED
from core.reminders.scans import Scans
from core.services.privacy import export_customer
from tests.unit.linked_chat import ALICE_TG, LinkedChat

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("text", "masked"), [
    ("call me on 138 1234 5678 or 13812345678", "call me on [phone] or [phone]"),
    ("手机13912345678，谢谢", "手机[phone]，谢谢"),
    ("+86 138-1234-5678", "[phone]"),
    ("+8613912345678", "[phone]"),
    ("office 010-12345678", "office [phone]"),
    ("(0755) 8888 6666", "[phone]"),
    ("+44 20 7946 0958", "[phone]"),
    ("555-123-4567", "[phone]"),
    ("mail li.wei@acme.com.cn now", "mail [email] now"),
    ("电话：13912345678，邮箱 zhang_san+crm@163.com", "电话：[phone]，邮箱 [email]"),
    # what must stay: amounts, dates, times, ids, versions, order numbers, a lone @
    ("quote ¥120,000 by 2026-03-15 15:00", "quote ¥120,000 by 2026-03-15 15:00"),
    ("价格12345678元", "价格12345678元"),
    ("D-12 order 202603150012345", "D-12 order 202603150012345"),
    ("v2.1.3 build 1234567", "v2.1.3 build 1234567"),
    ("ping @alice about it", "ping @alice about it"),
])
def test_mask_contacts(text, masked):
    assert mask_contacts(text) == masked


@pytest.fixture
def chat() -> LinkedChat:
    chat = LinkedChat()
    chat.say("boss", "me")  # a configured admin (console:boss)
    return chat


def texts(chat):
    return [i.text for i in chat.uow.interactions.all()]


def test_forget_a_contact_erases_their_messages_and_what_came_of_them(chat):
    chat.capture("I'll send the signed contract by Friday, my mobile is 13812345678")
    chat.capture("Got it, thanks", user=ALICE_TG, name="Alice")
    chat.say("alice", "keep S-1")
    reply = chat.say("boss", "forget @Li Wei")
    assert not reply.is_error and "1" in reply.title
    assert texts(chat) == ["", "Got it, thanks"]
    erased = chat.uow.interactions.all()[0]
    assert (erased.author_name, erased.author_ref) == (None, None) and erased.deleted_at is not None
    assert chat.uow.suggestions.get(1).title == ERASED
    assert chat.uow.tasks.get(1).title == ERASED
    assert chat.outbox("suggestion")[0].reply.title == ERASED
    [entry] = [e for e in chat.uow.audit.all() if e.action == "privacy.erase"]
    assert entry.entity == "privacy" and entry.after == {"kind": "contact", "messages": 1}
    assert "Li" not in json.dumps([entry.before, entry.after, entry.entity, entry.source], ensure_ascii=False)


def test_forget_a_member_erases_their_name_email_and_captured_messages(chat):
    with chat.uow as uow:
        alice = uow.members.by_handle("alice")
        alice.display_name, alice.email = "Alice Zhang", "alice@example.com"
        customer = uow.customers.get(1)
        customer.contacts = [{"name": "Alice Zhang", "email": "x@y.cn"}, {"name": "Li Wei"}]
        uow.commit()
    chat.capture("I'll call them tomorrow", user=ALICE_TG, name="Alice Zhang")
    chat.say("alice", "log D-1 called Li, all good")
    alice_id = chat.alice.id
    assert not chat.say("boss", "忘记 @alice").is_error
    alice = chat.uow.members.get(alice_id)
    assert (alice.handle, alice.display_name, alice.email) == (f"erased-{alice_id}", "", None)
    assert chat.uow.members.by_handle("alice") is None and chat.uow.members.identities(alice_id) == []
    audit = json.dumps([[e.before, e.after] for e in chat.uow.audit.all()], ensure_ascii=False)
    assert "alice" not in audit.lower() and "Alice Zhang" not in audit
    assert texts(chat) == ["", "called Li, all good"]  # her typed note stays, without her name on it
    assert all(i.author_name is None for i in chat.uow.interactions.all())
    assert chat.uow.customers.get(1).contacts == [{"name": "Li Wei"}]


def test_several_contacts_with_one_name_are_listed_to_pick_from(chat):
    chat.capture("hello", user="2001", name="Wang Wei")
    chat.capture("hi", user="2002", name="wang wei")
    before = chat.harness.counts()
    reply = chat.say("boss", "forget @Wang Wei")
    assert [b.command for b in reply.buttons] == ["forget contact:telegram:2001", "forget contact:telegram:2002"]
    assert chat.harness.counts() == before and texts(chat) == ["hello", "hi"]
    chat.say("boss", reply.buttons[1].command)
    assert texts(chat) == ["hello", ""]


def test_only_admins_forget_and_nobody_is_a_clear_no(chat):
    chat.capture("hello")
    before = chat.harness.counts()
    refused = chat.say("alice", "forget @Li Wei")
    assert refused.is_error and "admin" in refused.title
    assert chat.say("boss", "forget @nobody").is_error
    assert chat.say("boss", "forget").is_error
    assert chat.harness.counts() == before and texts(chat) == ["hello"]


def test_the_purge_erases_captured_text_past_the_retention_once_a_day(chat):
    chat.settings(capture_retention_days=30)
    chat.capture("old message", at=chat.clock.now() - timedelta(days=31))
    chat.capture("new message")
    chat.say("alice", "log D-1 typed notes are not captured text")
    chat.clock.set(chat.clock.now() - timedelta(days=400))  # an old typed note is kept too
    chat.say("alice", "log D-1 a very old note")
    chat.clock.set(datetime(2026, 3, 4, 10, 0, tzinfo=SH))
    scans = Scans(lambda: chat.uow, chat.clock)
    assert scans.purge().events == 1
    assert texts(chat) == ["", "new message", "typed notes are not captured text", "a very old note"]
    chat.capture("another old one", at=chat.clock.now() - timedelta(days=40))
    chat.clock.advance(hours=23)
    assert scans.purge().events == 0  # once a day
    chat.clock.advance(hours=2)
    assert scans.purge().events == 1
    assert [e.action for e in chat.uow.audit.all()].count("privacy.purge") == 2


def test_export_one_customer(chat):
    chat.capture("I'll send the PO on Friday")
    chat.capture("Thanks!", user=ALICE_TG, name="Alice")
    chat.say("alice", "log D-1 call: discussed the pilot")
    with chat.uow as uow:
        data = export_customer(uow, uow.teams.get(1), "acme", chat.clock.now())
        assert export_customer(uow, uow.teams.get(1), "Globex", chat.clock.now()) is None
        uow.commit()
    assert data["customer"]["name"] == "Acme" and data["deals"][0]["deal"] == "D-1"
    assert [(i["author"], i["author_kind"], i["text"]) for i in data["interactions"]] == [
        ("Li Wei", "contact", "I'll send the PO on Friday"), ("@alice", "member", "Thanks!"),
        ("@alice", "member", "discussed the pilot")]
    json.dumps(data, ensure_ascii=False)  # JSON-able as it is
    assert any(e.action == "privacy.export" for e in chat.uow.audit.all())


@pytest.mark.parametrize(("text", "name", "ref"), [
    ("forget @alice", "alice", None),
    ("forget @Wang  Wei", "Wang Wei", None),
    ("忘记 @王经理", "王经理", None),
    ("forget contact:Telegram:2001", "", ("telegram", "2001")),
    ("erase ＠alice", "alice", None),  # full-width @
])
def test_forget_reads_a_handle_a_contact_name_or_a_contact_ref(text, name, ref):
    from core.domain.pipeline import DEFAULT_PIPELINE
    from core.language import commands as c
    from core.language.parser import ParseContext
    from core.language.verbs import parse

    command = parse(text, ParseContext(datetime(2026, 3, 4, 2, 0, tzinfo=SH), "Asia/Shanghai", DEFAULT_PIPELINE))
    assert isinstance(command, c.Forget)
    assert (command.name, (command.platform, command.user_id) if ref else None) == (name, ref)


def test_help_explains_forget_in_both_languages(chat):
    assert "forget @person" in chat.say("boss", "help forget").text()
    assert "忘记 @某人" in chat.say("boss", "帮助 忘记").text()


def test_forget_takes_a_kept_next_step_out_of_the_audit_log(chat):
    chat.capture("I'll send the signed contract by Friday to li.wei@acme.cn, mobile 13812345678")
    chat.say("alice", "keep S-1")
    copied = json.dumps([[e.before, e.after] for e in chat.uow.audit.all()], ensure_ascii=False)
    assert "li.wei@acme.cn" in copied  # the task's creation copied the customer's sentence
    chat.say("boss", "forget @Li Wei")
    kept = [e for e in chat.uow.audit.all() if e.entity == "T-1"]
    assert kept and kept[0].after["title"] == ERASED and kept[0].after["from"] == "S-1"
    audit = json.dumps([[e.before, e.after, e.entity, e.source] for e in chat.uow.audit.all()],
                       ensure_ascii=False)
    for erased in ("li.wei@acme.cn", "13812345678", "signed contract", "Li Wei"):
        assert erased not in audit


def test_an_admin_cannot_forget_themselves(chat):
    before = chat.harness.counts()
    for text, words in (("forget @boss", "cannot erase yourself"), ("忘记 @boss", "不能删除自己")):
        reply = chat.say("boss", text)
        assert reply.is_error and words in reply.title
    assert chat.harness.counts() == before and chat.uow.members.by_handle("boss") is not None


@pytest.mark.parametrize(("text", "words", "left"), [
    ("deal with al and AL", ["al"], "deal with [erased] and [erased]"),  # whole words, any case
    ("王伟说好", ["王伟"], "[erased]说好"),  # Chinese has no spaces
    ("amount 2001.00, on 2001-05-02, user 2001", ["2001"], "amount 2001.00, on 2001-05-02, user [erased]"),
    ("mail li.wei@acme.cn.", ["li.wei@acme.cn"], "mail [erased]."),
    ("a b", ["a", ""], "a b"),  # one-letter words are never erased
])
def test_redaction_takes_out_whole_words_only(text, words, left):
    from core.conversations.redaction import redact, words_pattern

    pattern = words_pattern(words)
    assert (redact({"t": [text]}, pattern) if pattern else {"t": [text]}) == {"t": [left]}
def test_more_contacts_of_one_name_than_the_choices_show_are_counted(chat):
    for n in range(12):
        chat.capture(f"hello {n}", user=str(3000 + n), name="Wang Wei")
    reply = chat.say("boss", "forget @Wang Wei")
    assert len(reply.buttons) == 10
    assert reply.lines[-1] == "… and 2 more"
