"""The REST API over a real socket (bot.run.web_app carrying bot.api on 127.0.0.1), on the test
database (SQLite, or PostgreSQL in that run): what each endpoint answers, idempotent POSTs, ETag
conflicts between two writers, the rate limit, bad requests (one problem+json, nothing stored),
tokens (read-only, revoked, last use) and the audit trail under the token's name.
Who may do what is in tests/storage/test_permission_matrix.py."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from bot.token_cli import list_tokens, revoke
from core.chat.messages import Incoming
from storage.db import row_counts
from storage.tables import audit_entries, members
from tests.access import let_in
from tests.api.server import make_token, served

pytestmark = pytest.mark.slow  # each test serves HTTP on a socket

PROBLEM = "application/problem+json"


@pytest.fixture
def world(wired):
    """boss (admin) made D-1 for Acme with a task; `crm` is a manager token of sales."""
    say = lambda text: wired.bot.handle(Incoming("console", "boss", text))  # noqa: E731
    assert not say("new Acme 50k").is_error
    assert not say("task send the deck D-1").is_error
    assert not say("log D-1 call: they want a demo").is_error
    return wired


@pytest.fixture
def crm(world):
    return make_token(world, "crm", "manager")


def _stored(world) -> dict[str, int]:
    """Rows per table but the token buckets of the shared rate limit, which count every request."""
    return {name: n for name, n in row_counts(world.engine).items() if name != "api_rate"}


def _is_problem(answer, status: int, key: str) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body = answer.json()
    assert body["type"] == f"urn:dealbot:problem:{key}" and body["status"] == status and body["detail"]
    return body


def test_every_endpoint_answers_with_chat_data(world, crm):
    with served(world) as server:
        api = server.client(crm)
        listed = api.get("/deals").json()
        assert [d["id"] for d in listed["items"]] == ["D-1"] and listed["next_cursor"] is None
        deal = api.get("/deals/D-1")
        assert deal.json()["customer"]["name"] == "Acme" and deal.json()["amount"] == "50000.00"
        assert deal.headers["etag"].startswith('"')
        assert api.get("/deals/1").json()["id"] == "D-1"  # the number alone works too
        created = api.post("/deals", json={"customer": "Beta", "amount": "20k", "stage": "demo",
                                           "expected_close": "2026-06-30"})
        assert created.status_code == 201
        beta = created.json()
        assert (beta["id"], beta["stage"], beta["owner"], beta["amount"]) == ("D-2", "demo", "crm", "20000.00")
        assert beta["expected_close"].startswith("2026-06-")
        patched = api.patch("/deals/D-2", json={"title": "Beta renewal", "amount": 25000},
                            headers={"If-Match": created.headers["etag"]})
        assert patched.json()["title"] == "Beta renewal" and patched.json()["amount"] == "25000.00"
        moved = api.post("/deals/D-2/move", json={"stage": "报价"})  # a stage's name, in either language
        assert moved.json()["stage"] == "quote"
        assert api.post("/deals/D-2/move", json={"stage": "next"}).json()["stage"] == "negotiation"
        assert api.post("/deals/D-2/win", json={"amount": "24k"}).json()["status"] == "won"
        lost = api.post("/deals/D-1/lose", json={"reason": "price"}).json()
        assert (lost["status"], lost["lost_reason"]) == ("lost", "price")
        changes = api.get("/deals/D-2/stage-changes").json()["items"]
        assert [(c["from"], c["to"]) for c in changes] == [(None, "demo"), ("demo", "quote"),
                                                           ("quote", "negotiation"), ("negotiation", "won")]
        notes = api.get("/deals/D-1/interactions").json()["items"]
        assert notes and "demo" in notes[0]["text"]
        assert api.get("/customers/1").json()["name"] == "Acme"
        assert [x["name"] for x in api.get("/customers").json()["items"]] == ["Beta", "Acme"]
        # closing D-1 cancelled its task, as in chat: no open task left
        assert api.get("/tasks").json()["items"] == []
        task = api.post("/tasks", json={"title": "send the contract", "deal": "D-2", "due": "2026-03-06T10:00:00"})
        assert task.status_code == 201, task.text
        assert (task.json()["id"], task.json()["deal"], task.json()["assignee"]) == ("T-2", "D-2", "crm")
        assert task.json()["due_at"] == "2026-03-06T02:00:00+00:00"  # 10:00 in the team's zone, Shanghai
        assert [x["id"] for x in api.get("/tasks").json()["items"]] == ["T-2"]
        _is_problem(api.post("/tasks", json={"title": "x", "assignee": "nobody"}), 404, "err.member_not_found")
        card = api.get("/figures/scorecard", params={"week": "this week"}).json()
        assert card["team"] == "sales" and card["won"] == 1 and card["lost"] == 1
        assert api.get("/figures/funnel").json()["created"] == 2
        assert api.get("/figures/forecast").json()["team"] == "sales"
        assert api.get("/openapi.json").json()["info"]["title"] == "dealbot"
        docs = server.client(None).get("/docs")  # the description of the API is public, no data in it
        assert docs.status_code == 200 and "openapi.json" in docs.text


def test_the_pages_of_a_long_list_join_up(world, crm):
    for n in range(7):
        world.bot.handle(Incoming("console", "boss", f"new Customer{n}"))
    with served(world) as server:
        api, seen, cursor = server.client(crm), [], None
        while True:
            page = api.get("/deals", params={"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
            seen += [d["id"] for d in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [f"D-{n}" for n in range(8, 0, -1)]
        _is_problem(api.get("/deals", params={"cursor": "nonsense!"}), 400, "api.bad_cursor")


def test_a_post_sent_twice_with_one_idempotency_key_creates_one_deal(world, crm):
    with served(world) as server:
        api = server.client(crm)
        first = api.post("/deals", json={"customer": "Beta"}, headers={"Idempotency-Key": "form-17"})
        again = api.post("/deals", json={"customer": "Beta"}, headers={"Idempotency-Key": "form-17"})
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json() and again.headers["idempotent-replayed"] == "true"
        counts = row_counts(world.engine)
        other = api.post("/deals", json={"customer": "Gamma"}, headers={"Idempotency-Key": "form-17"})
        _is_problem(other, 409, "api.idempotency_conflict")
        assert row_counts(world.engine)["deals"] == counts["deals"] == 2
        # a move retried after a lost answer moves once
        moves = [api.post("/deals/D-2/move", json={"stage": "next"}, headers={"Idempotency-Key": "m1"})
                 for _ in range(2)]
        assert [m.json()["stage"] for m in moves] == ["contact", "contact"]


def test_the_second_of_two_writers_with_the_same_etag_is_refused(world, crm):
    other = make_token(world, "erp", "manager")
    with served(world) as server:
        one, two = server.client(crm), server.client(other)
        tag = one.get("/deals/D-1").headers["etag"]
        assert two.get("/deals/D-1").headers["etag"] == tag
        assert one.patch("/deals/D-1", json={"amount": "60k"}, headers={"If-Match": tag}).status_code == 200
        late = two.patch("/deals/D-1", json={"amount": "70k"}, headers={"If-Match": tag})
        _is_problem(late, 412, "api.precondition")
        assert one.get("/deals/D-1").json()["amount"] == "60000.00"  # no lost update
        _is_problem(two.patch("/deals/D-1", json={"amount": "70k"}), 428, "api.if_match_required")
        stale = two.post("/deals/D-1/move", json={"stage": "demo"}, headers={"If-Match": tag})
        _is_problem(stale, 412, "api.precondition")
        fresh = two.get("/deals/D-1").headers["etag"]
        assert two.post("/deals/D-1/move", json={"stage": "demo"}, headers={"If-Match": fresh}).status_code == 200


def test_a_token_over_its_rate_is_told_when_to_come_back(world, crm):
    other = make_token(world, "erp", "manager")
    with served(world, rate_per_minute=3) as server:
        api = server.client(crm)
        assert [api.get("/deals/D-1").status_code for _ in range(3)] == [200, 200, 200]
        refused = api.get("/deals/D-1")
        _is_problem(refused, 429, "api.rate_limited")
        assert int(refused.headers["retry-after"]) >= 1
        assert server.client(other).get("/deals/D-1").status_code == 200  # per token


@pytest.mark.parametrize("body, key", [
    ({}, "api.invalid"),  # no customer
    ({"customer": "Beta", "colour": "red"}, "api.invalid"),  # a field the API does not know
    ({"customer": "Beta", "amount": "lots"}, "err.err.bad_amount"),  # chat's key and sentence
    ({"customer": "Beta", "amount": True}, "err.err.bad_amount"),  # JSON true is no amount (was ¥1.00)
    ({"customer": "Beta", "amount": False}, "err.err.bad_amount"),
    ({"customer": "Beta", "stage": "heaven"}, "err.api.bad_stage"),
    ({"customer": "Beta", "stage": "won"}, "err.err.unknown_stage"),  # a deal starts open
    ({"customer": "Beta", "expected_close": "someday"}, "api.invalid"),
    ({"customer": "x" * 300}, "api.invalid"),
])
def test_a_bad_body_gets_one_problem_and_stores_nothing(world, crm, body, key):
    key = key.removeprefix("err.")
    with served(world) as server:
        before = _stored(world)
        answer = server.client(crm).post("/deals", json=body)
        _is_problem(answer, 422, key)
        assert _stored(world) == before


def test_broken_json_and_huge_bodies_are_refused(world, crm):
    with served(world, max_body=1024) as server:
        api = server.client(crm)
        before = _stored(world)
        broken = api.post("/deals", content=b"{not json", headers={"content-type": "application/json"})
        _is_problem(broken, 422, "api.invalid")
        huge = api.post("/deals", content=json.dumps({"customer": "x" * 5000}).encode(),
                        headers={"content-type": "application/json"})
        _is_problem(huge, 413, "api.too_large")
        _is_problem(api.post("/deals/D-1/lose", json={"reason": ""}), 422, "api.invalid")
        _is_problem(api.post("/deals/D-99/win", json={}), 404, "err.deal_not_found")
        _is_problem(api.get("/deals/nonsense"), 404, "err.deal_not_found")
        _is_problem(api.patch("/deals/D-1", json={}, headers={"If-Match": "*"}), 422, "api.nothing_to_change")
        assert _stored(world) == before


def test_errors_speak_the_language_asked_for(world, crm):
    with served(world) as server:
        api = server.client(crm, **{"Accept-Language": "zh-CN"})
        assert "没有找到商机 D-99" in api.get("/deals/D-99").json()["detail"]
        assert "金额" in api.post("/deals", json={"customer": "B", "amount": "lots"}).json()["detail"]
        assert "请求无效" in api.post("/deals", json={}).json()["detail"]


def test_tokens_read_only_revoked_and_last_used(world, crm):
    reader = make_token(world, "bi", "admin", read_only=True)
    with served(world) as server:
        assert server.client(reader).get("/deals/D-1").status_code == 200
        before = _stored(world)
        _is_problem(server.client(reader).post("/deals/D-1/win", json={}), 403, "api.read_only")
        assert _stored(world) == before
        _is_problem(server.client("dbt_made-up").get("/deals"), 401, "api.unauthorized")
        _is_problem(server.client(None).get("/deals"), 401, "api.unauthorized")
        revoke(world, "bi", io.StringIO())
        _is_problem(server.client(reader).get("/deals/D-1"), 401, "api.unauthorized")
    shown = io.StringIO()
    list_tokens(world, shown)
    lines = {line.split()[0]: line for line in shown.getvalue().splitlines()}
    assert "last used 2026-03-04T02:00:00" in lines["bi"] and "revoked" in lines["bi"]
    assert "last used never" in lines["crm"] and "live" in lines["crm"]
    with world.engine.connect() as connection:  # only the hash is stored
        stored = connection.exec_driver_sql("SELECT token_hash FROM api_tokens").scalars().all()
    assert reader not in stored and crm not in stored


def test_writes_are_audited_under_the_tokens_name(world, crm):
    with served(world) as server:
        server.client(crm).post("/deals/D-1/move", json={"stage": "demo"})
    with world.engine.connect() as connection:
        row = connection.execute(
            select(audit_entries.c.action, audit_entries.c.source, members.c.handle)
            .join(members, members.c.id == audit_entries.c.actor_id)
            .where(audit_entries.c.entity == "D-1").order_by(audit_entries.c.id.desc())).first()
    assert tuple(row) == ("deal.move", "api:crm", "crm")


def test_reopen_and_contacts_answer_as_chat_does(world, crm):
    say = lambda text: world.bot.handle(Incoming("console", "boss", text))  # noqa: E731
    assert not say('contact Acme "王经理" role:采购 phone:13800001111 email:wang@example.com').is_error
    assert not say("lost D-1 price").is_error
    with served(world) as server:
        api = server.client(crm)
        people = api.get("/customers/1/contacts").json()["items"]
        assert people == [{"name": "王经理", "role": "采购", "phone": "13800001111", "email": "wang@example.com",
                           "platform": None, "user_id": None, "captured": False, "last_message_at": None}]
        _is_problem(api.get("/customers/99/contacts"), 404, "api.not_found")
        reopened = api.post("/deals/D-1/reopen", json={"stage": "报价"})
        assert reopened.status_code == 200, reopened.text
        assert (reopened.json()["status"], reopened.json()["stage"]) == ("open", "quote")
        _is_problem(api.post("/deals/D-1/reopen", json={}), 422, "reopen.open")  # open already: nothing changes
        _is_problem(api.post("/deals/D-1/reopen", json={"stage": "nowhere"}), 422, "api.bad_stage")
        changes = api.get("/deals/D-1/stage-changes").json()["items"]
        assert [c["to"] for c in changes][-2:] == ["lost", "quote"]  # the history is kept


def test_patch_cannot_raise_an_amount_past_the_gate_without_its_approval(world, crm):
    """PATCH /deals is gated like `edit`: one problem+json naming the approval needed, nothing
    stored; an approved approval of the amount lets it through."""
    say = lambda user, text: world.bot.handle(Incoming("console", user, text))  # noqa: E731
    with world.uow() as uow:
        team = uow.teams.by_name("sales")
        team.settings = {**(team.settings or {}), "approvals": [
            {"when": "amount", "over": "200k", "approvers": ["admin"], "stages": ["quote"]}]}
        uow.commit()
    assert not say("boss", "move D-1 negotiation").is_error  # ¥50,000: past Quote, under the rule
    with served(world) as server:
        api = server.client(crm)
        tag = api.get("/deals/D-1").headers["etag"]
        before = _stored(world)
        refused = _is_problem(api.patch("/deals/D-1", json={"amount": "2m"}, headers={"If-Match": tag}),
                              422, "approval.amount_needed")
        assert refused["detail"] == ("D-1 is in or past Quote, where an amount over ¥200,000 needs approval; "
                                     "¥2,000,000 has none. Ask first: approve D-1 amount:2000000")
        assert _stored(world) == before and api.get("/deals/D-1").json()["amount"] == "50000.00"
        zh = api.patch("/deals/D-1", json={"amount": "2m"}, headers={"If-Match": tag, "Accept-Language": "zh"})
        assert _is_problem(zh, 422, "approval.amount_needed")["detail"].startswith("D-1 已到报价或之后")
        assert not say("boss", "approve D-1 amount:2m").is_error  # asked by the admin …
        let_in(world, "telegram", "31", "root", role="admin")
        assert not world.bot.handle(Incoming("telegram", "31", "approve A-1", message_id="x1")).is_error  # … decided
        done = api.patch("/deals/D-1", json={"amount": "2m"}, headers={"If-Match": tag})
        assert done.status_code == 200 and done.json()["amount"] == "2000000.00"


def test_a_token_of_the_default_team_is_made_before_dealbot_first_started(wired):
    """The new-user trial: `dealbot token create crm-sync --role manager` on a fresh install
    refused, the default team being made only at dealbot's first start."""
    token = make_token(wired, "crm-sync", "manager", team=wired.settings.team)
    assert token.startswith("dbt_")
    with wired.uow() as uow:
        assert uow.members.by_handle("crm-sync").team_id == uow.teams.by_name(wired.settings.team).id
