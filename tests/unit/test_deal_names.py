"""A deal's name on its card and in the replies that name it: the customer once. A new deal's
title is its customer's name (core.services.deals), so "D-1 · Acme — Acme" said it twice."""

from __future__ import annotations

import pytest

from core.replies.cards import deal_name
from core.services.demo import default_teams, load_demo
from tests.fakes import ChatHarness


@pytest.mark.parametrize(("create", "show", "summary", "title", "summary_title"), [
    ("new Acme 50k", "show D-1", "summary D-1", "D-1 · Acme", "Summary of D-1 · Acme"),
    ("新建 华为 5万", "查看 D-1", "摘要 D-1", "D-1 · 华为", "D-1 摘要 · 华为"),
])
def test_a_new_deal_names_its_customer_once_in_both_languages(create, show, summary, title, summary_title):
    chat = ChatHarness()
    assert not chat.say("alice", create).is_error
    assert chat.say("alice", show).title == title
    assert chat.say("alice", summary).title == summary_title


def test_a_title_of_its_own_follows_the_customer():
    chat = ChatHarness()
    chat.say("alice", "new Acme 50k")
    chat.say("alice", 'edit D-1 title:"Phase 2"')
    assert chat.say("alice", "show D-1").title == "D-1 · Acme — Phase 2"
    chat.say("alice", 'edit D-1 title:"Acme Phase 3"')
    assert chat.say("alice", "show D-1").title == "D-1 · Acme Phase 3"


@pytest.mark.parametrize(("customer", "title", "name"), [
    ("Acme", "Acme", "Acme"),
    ("Acme", "ACME ", "Acme"),
    ("Acme", "", "Acme"),
    ("Acme", "Phase 2", "Acme — Phase 2"),
    ("Acme", "Acme renewal", "Acme renewal"),
    ("A", "Apple upgrade", "A — Apple upgrade"),  # the customer's name is not a word of the title
    ("华为", "华为二期", "华为二期"),
    ("华为", "二期", "华为 — 二期"),
    (None, "Phase 2", "Phase 2"),
])
def test_deal_name(customer, title, name):
    assert deal_name(customer, title) == name


def test_every_demo_deal_is_titled_after_its_own_customer():
    chat = ChatHarness()
    chat.say("boss", "me")
    load_demo(chat.uow, chat.clock.now(), default_teams("sales", "Asia/Shanghai", "en"))
    deals = chat.uow.deals.find()
    assert len(deals) > 100
    for deal in deals:
        assert deal.title == chat.uow.customers.get(deal.customer_id).name, deal.code
    assert chat.say("boss", f"show {deals[0].code}").title == f"{deals[0].code} · {deals[0].title}"
