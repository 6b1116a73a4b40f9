"""What the API does with wrong input, found in the new-user trial (2026-12-07): every id in a
path or query that no row can have is a 404 problem+json, never a 500 (a 20-digit id overflowed
the database driver); the API refuses what chat refuses, with chat's sentence; a refusal for want
of permission is a 403; pydantic's refusals are said in the caller's language. Real socket, real
test database (SQLite, or PostgreSQL in that run)."""

from __future__ import annotations

import pytest

from core.chat.messages import Incoming
from storage.db import row_counts
from tests.api.server import make_token, served

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"
HUGE = "99999999999999999999"


@pytest.fixture
def world(wired):
    say = lambda text: wired.bot.handle(Incoming("console", "boss", text))  # noqa: E731
    assert not say("new Acme 50k").is_error
    return wired


def _problem(answer, status: int, key: str) -> str:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body = answer.json()
    assert body["type"] == f"urn:dealbot:problem:{key}" and body["status"] == status
    return body["detail"]


def _stored(world) -> dict[str, int]:
    return {name: n for name, n in row_counts(world.engine).items() if name != "api_rate"}


def test_ids_no_row_can_have_are_not_found_not_a_server_error(world):
    admin = make_token(world, "ops", "admin")
    before = _stored(world)
    with served(world) as server:
        api = server.client(admin)
        assert api.get("/customers/1").status_code == 200 and api.get("/customers/C-1").status_code == 200
        for path in (f"/customers/{HUGE}", f"/customers/{HUGE}/contacts", f"/customers/C-{HUGE}",
                     "/customers/-1", "/customers/abc", "/customers/%EF%BC%91"):  # the last: a full-width 1
            assert "There is no" in _problem(api.get(path), 404, "api.not_found"), path
        assert _problem(api.get(f"/customers/{HUGE}", headers={"Accept-Language": "zh"}),
                        404, "api.not_found").startswith("没有找到")
        for path in (f"/deals/D-{HUGE}", f"/deals/{HUGE}/stage-changes", f"/deals/{HUGE}/interactions"):
            _problem(api.get(path), 404, "err.deal_not_found")
        assert _problem(api.get(f"/deals/D-{HUGE}", headers={"Accept-Language": "zh"}),
                        404, "err.deal_not_found") == f"没有找到商机 D-{HUGE}。"
        _problem(api.post(f"/deals/D-{HUGE}/move", json={"stage": "next"}), 404, "err.deal_not_found")
        _problem(api.post("/tasks", json={"title": "x", "deal": f"D-{HUGE}"}), 404, "err.deal_not_found")
        _problem(api.get(f"/webhooks/W-{HUGE}/deliveries"), 404, "api.not_found")
        _problem(api.delete(f"/webhooks/W-{HUGE}"), 404, "api.not_found")
        import base64
        cursor = base64.urlsafe_b64encode(f"d:{HUGE}{HUGE}".encode()).decode().rstrip("=")
        assert api.get("/deals", params={"cursor": cursor}).status_code == 200  # past the newest: all
        assert api.get("/customers", params={"cursor": cursor}).status_code == 200
    assert _stored(world) == before


def test_the_api_refuses_what_chat_refuses_with_chat_sentence(world):
    crm = make_token(world, "crm", "manager")
    chat = world.bot.handle(Incoming("console", "boss", "task call them D-1 due:2020-01-01"))
    assert chat.is_error and "is in the past" in chat.title
    before = _stored(world)
    with served(world) as server:
        api = server.client(crm)
        past = api.post("/tasks", json={"title": "call them", "deal": "D-1", "due": "2020-01-01"})
        assert _problem(past, 422, "err.past_date") == chat.title  # the same sentence as chat's
        zh = api.post("/tasks", json={"title": "x", "due": "2020-01-01"}, headers={"Accept-Language": "zh"})
        assert "已经过去了" in _problem(zh, 422, "err.past_date")
        assert "Fridya" in _problem(api.post("/tasks", json={"title": "x", "due": "next Fridya"}),
                                    422, "err.bad_date_part")
        assert "\\x00" in _problem(api.post("/leads", json={"company": "😀\u0000x"}), 422, "err.bad_name")
        _problem(api.post("/leads", json={"company": "Beta", "person": "Li\u202eSi"}), 422, "err.bad_name")
        _problem(api.post("/leads", json={"company": "Beta", "note": "bell\u0007"}), 422, "err.bad_text")
        _problem(api.post("/deals", json={"customer": "Acme\u0000"}), 422, "err.bad_name")
        _problem(api.post("/tasks", json={"title": "x\u0000y"}), 422, "err.bad_text")
        assert "at most 100" in _problem(api.post("/leads", json={"company": "x" * 150}), 422, "err.name_too_long")
        assert _problem(api.post("/deals", json={"customer": "Beta", "amount": -5}), 422,
                        "err.amount_not_positive") == "“-5”: an amount must be more than 0."
        _problem(api.post("/deals/D-1/lose", json={"reason": "price\u0000"}), 422, "err.bad_text")
    assert _stored(world) == before
    with served(world) as server:  # and what chat takes, the API takes as chat reads it
        api = server.client(crm)
        task = api.post("/tasks", json={"title": "call them\nabout the demo", "due": "next Friday"})
        assert task.status_code == 201, task.text
        assert task.json()["due_at"].endswith("09:00:00+00:00")  # 17:00 in Shanghai, chat's day alone
        lead = api.post("/leads", json={"company": "华为 😀", "person": "李四", "source": "展会"})
        assert lead.status_code == 201 and lead.json()["company"] == "华为 😀", lead.text
        deal = api.post("/deals", json={"customer": "Beta", "expected_close": "2026-06-30"}).json()
        assert deal["expected_close"] == "2026-06-30T09:00:00+00:00"  # 17:00 in Shanghai, as chat's close:


def test_a_rep_reopening_a_won_deal_is_forbidden_not_a_bad_request(world):
    rep = make_token(world, "form", "rep")
    with served(world) as server:
        api = server.client(rep)
        assert api.post("/deals", json={"customer": "Beta", "amount": "20k"}).status_code == 201
        assert api.post("/deals/D-2/win", json={}).json()["status"] == "won"
        refused = api.post("/deals/D-2/reopen", json={})
        assert _problem(refused, 403, "reopen.won_managers").startswith("No permission")
        zh = api.post("/deals/D-2/reopen", json={}, headers={"Accept-Language": "zh"})
        assert _problem(zh, 403, "reopen.won_managers").startswith("无权限")
        assert api.get("/deals/D-2").json()["status"] == "won"


@pytest.mark.parametrize("send, english, chinese", [
    ({"json": {}}, "customer is missing", "缺少 customer"),
    ({"json": {"customer": ""}}, "customer needs at least 1 character", "customer 至少需要 1 个字符"),
    ({"json": {"customer": "Beta", "colour": "red"}}, "colour is not a field", "colour 不是此请求的字段"),
    ({"json": {"customer": "Beta", "expected_close": "next Friday"}}, "expected_close is not a date",
     "expected_close 不是日期"),
    ({"content": b"not json", "headers": {"Content-Type": "application/json"}}, "not valid JSON",
     "不是有效的 JSON"),
])
def test_validation_problems_are_said_in_the_callers_language(world, send, english, chinese):
    crm = make_token(world, "crm", "manager")
    with served(world) as server:
        for lang, expected in (("en", english), ("zh", chinese)):
            headers = {"Accept-Language": lang} | send.get("headers", {})
            answer = server.client(crm).post("/deals", headers=headers,
                                             **{k: v for k, v in send.items() if k != "headers"})
            detail = _problem(answer, 422, "api.invalid")
            assert expected in detail, detail
            if lang == "zh":
                assert detail.startswith("请求无效") and "should" not in detail and "Input" not in detail


def test_a_query_value_out_of_range_is_said_in_chinese_too(world):
    crm = make_token(world, "crm", "manager")
    with served(world) as server:
        answer = server.client(crm, **{"Accept-Language": "zh"}).get("/deals", params={"limit": 0})
        assert "limit 不能小于 1" in _problem(answer, 422, "api.invalid")
        for limit, said in ((-2, "limit must be at least 1"), ("two", "limit must be a whole number")):
            answer = server.client(crm).get("/deals", params={"limit": limit})
            assert said in _problem(answer, 422, "api.invalid")  # once "limit is at least 1"


def test_a_task_on_deal_zero_is_not_found_not_a_task_without_a_deal(world):
    """D-0 names no deal: it was read as the number 0, which the task use case took for no deal at
    all, and stored a task on none (trial 2, 2026-12-07)."""
    admin = make_token(world, "ops", "admin")
    with served(world) as server:
        api = server.client(admin)
        before = _stored(world)
        for ref in ("D-0", "0", "D-00"):
            _problem(api.post("/tasks", json={"title": f"x {ref}", "deal": ref}), 404, "err.deal_not_found")
        assert _stored(world) == before


def test_if_match_takes_a_list_of_etags(world):
    """If-Match is a list (RFC 9110 13.1.1): the write goes ahead when one of them is the deal's
    ETag, or one is `*`; a weak tag never matches (strong comparison) (trial 2, 2026-12-07)."""
    admin = make_token(world, "ops", "admin")
    with served(world) as server:
        api = server.client(admin)
        tag = api.get("/deals/D-1").headers["etag"]
        _problem(api.patch("/deals/D-1", json={"amount": "60k"}, headers={"If-Match": f"W/{tag}"}),
                 412, "api.precondition")
        _problem(api.patch("/deals/D-1", json={"amount": "60k"}, headers={"If-Match": '"a", "b"'}),
                 412, "api.precondition")
        done = api.patch("/deals/D-1", json={"amount": "60k"}, headers={"If-Match": f'"old", {tag}'})
        assert done.status_code == 200, done.text
        done = api.patch("/deals/D-1", json={"amount": "61k"}, headers={"If-Match": '"old",*'})
        assert done.status_code == 200, done.text
        assert api.get("/deals/D-1").json()["amount"] == "61000.00"


def test_a_handle_may_be_written_with_its_at_sign(world):
    """`owner` and `assignee` are handles as chat writes them, `@boss` or `boss`; `@@boss` was said
    back, and `@boss` was unknown (trial 2, 2026-12-07). A handle longer than any is a 422."""
    admin = make_token(world, "ops", "admin")
    with served(world) as server:
        api = server.client(admin)
        made = api.post("/deals", json={"customer": "Zeta", "owner": "@boss"})
        assert made.status_code == 201 and made.json()["owner"] == "boss", made.text
        task = api.post("/tasks", json={"title": "call", "assignee": "@boss"})
        assert task.status_code == 201 and task.json()["assignee"] == "boss", task.text
        tag = made.headers["etag"]
        moved = api.patch(f"/deals/{made.json()['id']}", json={"owner": "@ops"}, headers={"If-Match": tag})
        assert moved.status_code == 200 and moved.json()["owner"] == "ops", moved.text
        before = _stored(world)
        _problem(api.post("/tasks", json={"title": "call", "assignee": "x" * 5000}), 422, "api.invalid")
        assert _stored(world) == before


def test_a_path_with_a_line_break_is_a_problem_too(world):
    """`/deals/1%0Ax` fell past the API's route (its pattern's `.` stops at a line break) to the
    server's plain-text 404 (trial 2, 2026-12-07)."""
    admin = make_token(world, "ops", "admin")
    with served(world) as server:
        api = server.client(admin)
        for path in ("/deals/1%0Ax", "/deals/1%0D%0ASet-Cookie:%20x=1", "/customers/%0A/contacts"):
            answer = api.get(path)
            assert answer.status_code == 404 and answer.headers["content-type"] == PROBLEM, path
            assert "set-cookie" not in answer.headers
