"""`POST /api/v1/leads` over a real socket (a web form, an ad platform, an e-mail parser): the lead
is checked and offered as chat's `lead` is, idempotent with a key, refused whole when a field is
bad; and the scorecard JSON's `leads` figures per source. Who may: the API permission matrix."""

from __future__ import annotations

import pytest

from core.chat.messages import Incoming
from storage.db import row_counts
from tests.api.server import make_token, served

pytestmark = pytest.mark.slow  # each test serves HTTP on a socket


@pytest.fixture
def world(wired):
    """boss (admin); alice and bob, reps of sales on Telegram; bob owns Acme (D-1)."""
    ids = iter(range(1, 1000))

    def say(user, text):
        return wired.bot.handle(Incoming("telegram", user, text, chat_id=user, message_id=str(next(ids))))

    assert not say("1000", "me").is_error
    for n, user in enumerate(("11", "12"), start=1):
        wired.bot.handle(Incoming("telegram", user, "hi", user_name=("alice", "bob")[n - 1], chat_id=user,
                                  message_id=str(next(ids))))
        assert not say("1000", f"member approve R-{n} role:rep team:sales").is_error
    assert not say("12", "new Acme 50k").is_error
    assert not say("12", 'contact Acme "Wang" phone:+86-138-0013-8000').is_error
    wired.say = say
    return wired


def test_a_posted_lead_is_offered_and_a_known_customers_goes_to_its_owner(world):
    form = make_token(world, "webform", "rep")
    with served(world) as server:
        api = server.client(form)
        made = api.post("/leads", json={"company": "Zulu Ltd", "person": "Li", "email": "li@zulu.cn",
                                        "source": "web"}, headers={"Idempotency-Key": "form-1"})
        assert made.status_code == 201, made.text
        body = made.json()
        assert body["id"] == "L-1" and body["status"] == "offered" and body["owner"] in ("alice", "bob")
        assert body["offer_due"] and body["channel"] == "api" and body["matched_by"] is None
        again = api.post("/leads", json={"company": "Zulu Ltd", "person": "Li", "email": "li@zulu.cn",
                                         "source": "web"}, headers={"Idempotency-Key": "form-1"})
        assert again.json() == body and again.headers["idempotent-replayed"] == "true"
        known = api.post("/leads", json={"company": "Someone", "phone": "13800138000", "source": "ads"}).json()
        assert known["status"] == "assigned" and known["owner"] == "bob" and known["matched_by"] == "phone"
        before = row_counts(world.engine)
        bad = api.post("/leads", json={"company": "X", "phone": "12"})
        assert bad.status_code == 422 and bad.json()["type"] == "urn:dealbot:problem:cust.bad_phone"
        assert api.post("/leads", json={"person": "nobody"}).status_code == 422
        assert row_counts(world.engine) == before
    with world.uow() as uow:
        dms = [m for m in uow.outbox.list() if m.kind == "lead"]
    assert {m.subject for m in dms} == {"L-1", "L-2"} and all(m.platform == "telegram" for m in dms)


def test_the_scorecard_json_counts_leads_by_source(world):
    form = make_token(world, "webform", "rep")
    boss = make_token(world, "bi", "admin")
    with served(world) as server:
        for n, source in enumerate(("web", "web", "expo")):
            assert server.client(form).post("/leads", json={"company": f"Co{n}", "source": source}).status_code == 201
        owner = {"alice": "11", "bob": "12"}
        for lead in ("L-1", "L-3"):
            with world.uow() as uow:
                holder = uow.members.get(uow.leads.get(int(lead[2:])).owner_id).handle
            assert not world.say(owner[holder], f"lead {lead} accept").is_error
        world.bot.clock.advance(days=7)
        card = server.client(boss).get("/figures/scorecard?team=sales").json()
    rows = {row["source"]: row for row in card["leads"]}
    assert rows["web"]["leads"] == 2 and rows["web"]["deals"] == 1 and rows["web"]["conversion"] == 0.5
    assert rows["expo"]["accepted"] == 1 and rows["expo"]["response_hours_median"] == 0.0
    assert rows[None]["leads"] == 3 and rows[None]["deals"] == 2


def test_a_posted_lead_repeating_an_open_lead_is_a_409_and_bad_contacts_a_422(world):
    form = make_token(world, "webform", "rep")
    with served(world) as server:
        api = server.client(form)
        first = api.post("/leads", json={"company": "Zulu Ltd", "email": "li@zulu.cn"})
        assert first.status_code == 201, first.text
        before = row_counts(world.engine)
        again = api.post("/leads", json={"company": "Other", "email": "LI@zulu.cn"})
        assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
        problem = again.json()
        assert problem["type"] == "urn:dealbot:problem:lead.duplicate"
        assert problem["detail"].startswith("Zulu Ltd is already lead L-1, with @"), problem
        for bad in ({"company": "Foo", "phone": "12345"}, {"company": "Foo", "email": "bad@email"}):
            assert api.post("/leads", json=bad).status_code == 422
        assert row_counts(world.engine) == before
