"""Outbound webhooks on the test database (SQLite, or PostgreSQL in that run), with the real
sender (bot.webhooks.WebhookSender, httpx) posting to a receiver on 127.0.0.1 that checks
signatures and dedupes by event id: every event arrives, exactly once after dedupe, through a
receiver outage, the receiver being away, and a sender restart; a subscription failing for days
is paused and the admins are told in chat; the CLI refuses bad input in one sentence."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import webhooks
from bot.cli_errors import CliError
from core.chat.messages import Incoming
from core.services.webhooks import WebhookError
from storage import webhooks as store
from storage.db import row_counts
from storage.tables import outbox, webhook_deliveries
from tests.api.receiver import Receiver

pytestmark = pytest.mark.slow


def _add(wired, url: str, events: str = "*") -> tuple[int, str]:
    out = io.StringIO()
    webhooks.add(wired, url, events, out)
    text = out.getvalue()
    return int(text.split(":")[0].removeprefix("webhook W-")), text.strip().splitlines()[-1]


def _say(wired, text: str, who: str = "boss"):
    reply = wired.bot.handle(Incoming("console", who, text))
    assert not reply.is_error, reply.text()
    return reply


async def _drain(sender, wired, rounds: int = 30) -> None:
    for _ in range(rounds):
        await sender.run_once()
        wired.bot.clock.advance(hours=1)  # past any backoff and lease


def _queued_ids(wired) -> set[str]:
    with wired.engine.connect() as conn:
        return set(conn.execute(select(webhook_deliveries.c.event_id)).scalars())


async def test_every_event_arrives_signed_once(wired):
    receiver = await Receiver(clock=wired.bot.clock).start()
    hook_id, secret = _add(wired, receiver.url)
    receiver.secrets.append(secret)
    _, other = _add(wired, receiver.url + "?moved", "deal.moved")
    receiver.secrets.append(other)
    _say(wired, "new Acme 50k")
    _say(wired, "move D-1 demo")
    _say(wired, "task send the deck D-1")
    _say(wired, "won D-1 48k")
    sender = webhooks.WebhookSender(wired)
    try:
        assert await sender.run_once() == 6  # five events to W-1, the move to W-2 too
    finally:
        await sender.stop()
        await receiver.stop()
    kinds = sorted(e["type"] for e in receiver.events.values())
    assert kinds == ["deal.created", "deal.moved", "deal.won", "task.cancelled", "task.created"]
    assert receiver.duplicates == 1  # W-2's copy of the move: the same event id, deduped
    assert receiver.bad_signatures == 0
    moved = next(e for e in receiver.events.values() if e["type"] == "deal.moved")
    assert moved["data"]["entity"] == "D-1" and moved["data"]["after"]["stage"] == "demo"
    assert moved["data"]["before"]["stage"] == "lead"


async def test_a_wrong_secret_is_caught_by_the_receiver(wired):
    receiver = await Receiver(secret="whsec_not-the-one", clock=wired.bot.clock).start()
    _add(wired, receiver.url)
    _say(wired, "new Acme 50k")
    sender = webhooks.WebhookSender(wired)
    try:
        assert await sender.run_once() == 0
    finally:
        await sender.stop()
        await receiver.stop()
    assert receiver.bad_signatures == 1 and not receiver.events


async def test_a_refused_change_queues_nothing(wired):
    _add(wired, "http://127.0.0.1:9/hook")
    before = row_counts(wired.engine)["webhook_deliveries"]
    reply = wired.bot.handle(Incoming("console", "boss", "move D-99 demo"))
    assert reply.is_error
    assert row_counts(wired.engine)["webhook_deliveries"] == before


async def test_every_event_exactly_once_after_an_outage_an_absence_and_a_restart(wired):
    receiver = await Receiver(clock=wired.bot.clock).start()
    _, secret = _add(wired, receiver.url)
    receiver.secrets.append(secret)
    sender = webhooks.WebhookSender(wired)
    try:
        _say(wired, "new Acme 50k")
        await sender.run_once()
        receiver.failing = True  # an outage: 503 for everything
        for n in range(5):
            _say(wired, f"new Customer{n}")
        _say(wired, "move D-1 demo")
        await sender.run_once()
        await sender.run_once()  # nothing due yet: backing off
        port = receiver.port
        await receiver.stop()  # away altogether: connections refused
        _say(wired, "move D-2 demo")
        wired.bot.clock.advance(minutes=5)
        await sender.run_once()
        await sender.stop()  # dealbot stops (a restart) ...
        receiver.failing = False
        await receiver.start(port)  # ... the receiver is back
        sender = webhooks.WebhookSender(wired)  # ... dealbot starts again
        await _drain(sender, wired)
    finally:
        await sender.stop()
        await receiver.stop()
    assert set(receiver.events) == _queued_ids(wired)  # every event, nothing else
    assert len(receiver.events) == 8  # Acme, five customers, two moves
    with wired.engine.connect() as conn:
        statuses = set(conn.execute(select(webhook_deliveries.c.status)).scalars())
        attempts = max(conn.execute(select(webhook_deliveries.c.attempts)).scalars())
    assert statuses == {"sent"} and attempts >= 3


async def test_a_webhook_failing_for_days_is_paused_and_the_admins_told(wired):
    assert not wired.bot.handle(Incoming("telegram", "1000", "me", chat_id="1000", message_id="1")).is_error
    hook_id, _ = _add(wired, "http://127.0.0.1:9/hook")  # nothing listens on port 9
    _say(wired, "new Acme 50k")
    sender = webhooks.WebhookSender(wired, pause_after=timedelta(days=3))
    try:
        for _ in range(80):  # hourly tries for more than three days
            await sender.run_once()
            wired.bot.clock.advance(hours=1)
        assert store.get(wired.engine, hook_id).paused_at is not None
        with wired.engine.connect() as conn:
            told = conn.execute(select(outbox.c.chat_id, outbox.c.kind).where(outbox.c.kind == "webhook")).all()
        assert [tuple(row) for row in told] == [("1000", "webhook")]  # once, to the admin on Telegram
        attempts_then = store.log(wired.engine, hook_id, 10)[0].attempts
        await sender.run_once()
        assert store.log(wired.engine, hook_id, 10)[0].attempts == attempts_then  # paused: no more tries
        # resumed, it sends what it missed
        receiver = await Receiver(clock=wired.bot.clock).start()
        store.remove(wired.engine, hook_id)
        _, secret = _add(wired, receiver.url)
        receiver.secrets.append(secret)
        _say(wired, "move D-1 demo")
        await sender.run_once()
        await receiver.stop()
        assert [e["type"] for e in receiver.events.values()] == ["deal.moved"]
    finally:
        await sender.stop()


async def test_resume_sends_what_a_paused_webhook_missed(wired):
    receiver = await Receiver(clock=wired.bot.clock).start()
    hook_id, secret = _add(wired, receiver.url)
    receiver.secrets.append(secret)
    with wired.bot.writing_uow_factory() as uow:
        store.pause(uow.session, hook_id, wired.bot.clock.now())
        uow.commit()
    _say(wired, "new Acme 50k")
    sender = webhooks.WebhookSender(wired)
    try:
        assert await sender.run_once() == 0
        webhooks.resume(wired, f"W-{hook_id}", io.StringIO())
        assert await sender.run_once() == 1  # the event of the paused time, sent once resumed
    finally:
        await sender.stop()
        await receiver.stop()
    assert [e["type"] for e in receiver.events.values()] == ["deal.created"]


@pytest.mark.parametrize("url, events, says", [
    ("ftp://x", "*", "is not an http(s) URL"),
    ("http://127.0.0.1:9/h", "deal.exploded", "unknown event deal.exploded"),
    ("http://127.0.0.1:9/h", "", "unknown event (none)"),
])
def test_bad_subscriptions_are_refused_in_one_sentence(wired, url, events, says):
    with pytest.raises(CliError, match=says.replace("(", r"\(").replace(")", r"\)")):
        webhooks.add(wired, url, events, io.StringIO())
    assert store.listed(wired.engine) == []


async def test_admins_manage_webhooks_through_the_api(wired):
    import asyncio

    from tests.api.server import make_token, served

    _say(wired, "me")  # the team exists
    admin = make_token(wired, "ops", "admin")
    receiver = await Receiver(clock=wired.bot.clock).start()
    with served(wired, webhook_local=True) as server:  # the receiver is on 127.0.0.1
        api = server.client(admin)
        made = await asyncio.to_thread(api.post, "/webhooks", json={"url": receiver.url, "events": ["deal.created"]},
                                       headers={"Idempotency-Key": "hook-1"})
        assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
        again = await asyncio.to_thread(api.post, "/webhooks", json={"url": receiver.url, "events": ["deal.created"]},
                                        headers={"Idempotency-Key": "hook-1"})
        assert again.json() == made.json() and len(store.listed(wired.engine)) == 1
        receiver.secrets.append(made.json()["secret"])
        bad = await asyncio.to_thread(api.post, "/webhooks", json={"url": receiver.url, "events": ["deal.exploded"]})
        assert bad.status_code == 422 and "deal.exploded" in bad.json()["detail"]
        created = await asyncio.to_thread(api.post, "/deals", json={"customer": "Acme"})
        assert created.status_code == 201
        sender = webhooks.WebhookSender(wired)
        try:
            assert await sender.run_once() == 1
        finally:
            await sender.stop()
        log = (await asyncio.to_thread(api.get, "/webhooks/W-1/deliveries")).json()["items"]
        assert [(d["event"], d["status"]) for d in log] == [("deal.created", "sent")]
        listed = (await asyncio.to_thread(api.get, "/webhooks")).json()["items"]
        assert [h["id"] for h in listed] == ["W-1"] and "secret" not in listed[0]
        assert (await asyncio.to_thread(api.delete, "/webhooks/W-1")).status_code == 204
        assert (await asyncio.to_thread(api.delete, "/webhooks/W-1")).status_code == 404
    await receiver.stop()
    event = next(iter(receiver.events.values()))
    assert event["data"]["source"] == "api:ops" and event["data"]["entity"] == "D-1"


def test_reopens_hand_overs_leads_and_approvals_are_events_too(wired):
    _add(wired, "http://127.0.0.1:9/hook")
    for text in ("new Acme 50k", "edit D-1 amount:60k", "log D-1 call: they want a demo", "lost D-1 price",
                 "reopen D-1", "lead Zeta Wang 13800138000 pool", "claim L-1", "approve D-1 discount:15% big order"):
        _say(wired, text)
    with wired.engine.connect() as conn:
        events = set(conn.execute(select(webhook_deliveries.c.event)).scalars())
    assert {"deal.updated", "deal.followed_up", "deal.reopened", "lead.created", "lead.accepted",
            "approval.requested"} <= events
    assert webhooks_events_documented() >= events


def webhooks_events_documented() -> set[str]:
    """The event names docs/api.md lists."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    return set(re.findall(r"`([a-z]+\.[a-z_]+)`", text))


# Found in the security trial (trial 2, 2026-12-07): an admin token subscribed
# http://169.254.169.254/latest (a cloud's metadata service), http://127.0.0.1:<port>/ and
# http://2130706433/ (127.0.0.1 as one number), so a token could make dealbot post into the network
# it runs in and read from each delivery's status whether something answered there; and
# https://user:pw@host/ kept its password in every list. Adding nothing is what counts.
NOT_PUBLIC = ["http://127.0.0.1:9/hook", "http://localhost/hook", "http://[::1]/hook", "http://0.0.0.0/",
              "http://2130706433/", "http://169.254.169.254/latest", "http://10.0.0.1/", "http://192.168.1.5/",
              "http://[::ffff:127.0.0.1]/", "http://[fe80::1]/", "http://224.0.0.1/"]


def test_a_token_cannot_subscribe_a_url_in_dealbots_own_network(wired):
    from tests.api.server import make_token, served

    _say(wired, "me")
    admin = make_token(wired, "ops", "admin")
    with served(wired) as server:
        api = server.client(admin)
        for url in NOT_PUBLIC:
            refused = api.post("/webhooks", json={"url": url, "events": ["deal.created"]})
            assert refused.status_code == 422 and "not a public address" in refused.json()["detail"], url
        with_password = api.post("/webhooks", json={"url": "https://user:pw@8.8.8.8/h", "events": ["*"]})
        assert with_password.status_code == 422 and "user or password" in with_password.json()["detail"]
        assert store.listed(wired.engine) == []
        made = api.post("/webhooks", json={"url": "https://8.8.8.8/hook", "events": ["*"]})  # not sent: no sender
        assert made.status_code == 201, made.text
    assert [h.url for h in store.listed(wired.engine)] == ["https://8.8.8.8/hook"]


def test_the_operator_adds_a_local_receiver_but_never_a_password():
    assert webhooks.check_url("http://127.0.0.1:9/hook") == "http://127.0.0.1:9/hook"
    assert webhooks.check_url("http://127.0.0.1:9/hook", local=True)
    with pytest.raises(WebhookError, match="user or password"):
        webhooks.check_url("https://user:pw@127.0.0.1/hook")
    with pytest.raises(WebhookError, match="user or password"):
        webhooks.check_url("https://token@crm.example.com/hook")
    with pytest.raises(WebhookError, match="not an http"):
        webhooks.check_url("http://[::1/hook")
