"""A lead's offer reaches the chosen rep as a direct message on each platform, through the real
SDK adapters against the local fake platforms: the lead is taken in (the console), the dispatcher
sends the DM through the adapter's own notifier, and the rep's [Accept] click there makes the
customer and the deal; on Telegram a [Pass] offers the next lead on to the next rep."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient, TestServer

from bot.dispatcher import Dispatcher
from bot.pacing import Pacer
from bot.run import web_app
from core.chat.messages import Incoming
from tests.access import let_in, trust

ACCEPT, PASS = "lead L-1 accept", "lead L-1 pass"


def take_in(wired, text: str = "lead Acme Wang 13800138000 source:expo") -> None:
    reply = wired.bot.handle(Incoming("console", "boss", text))
    assert not reply.is_error, reply.text()


async def send_dms(wired, platform: str, notifier) -> list:
    dispatcher = Dispatcher(wired.bot.uow_factory, wired.bot.clock, {platform: notifier}, pacer=Pacer({}))
    await dispatcher.run_once()
    with wired.uow() as uow:
        rows = [r for r in uow.outbox.list() if r.kind == "lead"]
    assert rows and all(r.status == "sent" for r in rows), [(r.status, r.last_error) for r in rows]
    return rows


def lead_state(wired, lead_id: int = 1):
    with wired.uow() as uow:
        lead = uow.leads.get(lead_id)
        owner = uow.members.get(lead.owner_id) if lead.owner_id else None
        return str(lead.status), owner.handle if owner else None, lead.deal_id


async def test_telegram(wired, async_handler):
    let_in(wired, "telegram", "1001", "alice")
    let_in(wired, "telegram", "1002", "bob")
    from adapters.telegram import TelegramAdapter, TelegramConfig
    from tests.platforms.telegram import FakeTelegram, callback_update, user

    fake = await FakeTelegram("123456:TEST-token").start()
    adapter = TelegramAdapter(TelegramConfig(token="123456:TEST-token", api_url=fake.url, poll_timeout=1),
                              async_handler)
    await adapter.start()
    try:
        take_in(wired)
        take_in(wired, "lead Beta")
        await send_dms(wired, "telegram", adapter.notifier)
        sent = {m["chat_id"]: m for m in fake.sent()}
        assert set(sent) == {"1001", "1002"}  # round robin: L-1 to alice, L-2 to bob
        offer = sent["1001"]
        assert "A new lead for you, L-1" in offer["text"] and "Acme" in offer["text"]
        buttons = [b["callback_data"] for row in offer["reply_markup"]["inline_keyboard"] for b in row]
        assert buttons == [ACCEPT, PASS]
        card = next(m for m in fake.messages() if m.get("chat", {}).get("id") == 1001)
        await fake.push(callback_update(fake.next_update_id(), user(1002, "bob"), fake.messages()[-1], "lead L-2 pass"))
        await fake.push(callback_update(fake.next_update_id(), user(1001, "alice"), card, ACCEPT))
        await fake.wait_for("sendMessage", 4)
        assert lead_state(wired) == ("accepted", "alice", 1)
        assert lead_state(wired, 2)[:2] == ("offered", "alice")  # bob passed: the next rep's turn
    finally:
        await adapter.stop()
        await fake.stop()


async def test_slack(wired, async_handler):
    trust(wired, "slack", "T1")
    from adapters.slack import SlackAdapter, SlackConfig
    from tests.platforms.slack import (
        FakeSlack,
        block_actions,
        form_body,
        signed_headers,
        slash_command,
    )

    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    fake = await FakeSlack().start()
    fake.add_user("U1", "Alice")
    adapter = SlackAdapter(SlackConfig(bot_token="xoxb-test", signing_secret=secret, api_url=fake.api_url,
                                       process_before_response=True), async_handler)
    await adapter.start()
    try:
        async with TestClient(TestServer(web_app(adapter.routes(), lambda: True), host="127.0.0.1")) as http:
            async def post(fields: dict):
                body = form_body(fields)
                headers = signed_headers(body, secret, content_type="application/x-www-form-urlencoded")
                assert (await http.post("/slack/events", data=body.encode(), headers=headers)).status == 200

            await post(slash_command("me", user_id="U1", response_url=fake.response_url()))  # alice joins
            take_in(wired)
            await send_dms(wired, "slack", adapter.notifier)
            dm = fake.posted[-1]
            assert dm.via == "chat.postMessage" and dm.channel == "DU1" and "A new lead for you, L-1" in dm.all_text()
            values = [e["value"] for b in dm.blocks if b["type"] == "actions" for e in b["elements"]]
            assert values == [ACCEPT, PASS]
            payload = block_actions(ACCEPT, user_id="U1", channel="DU1", response_url=fake.response_url("click"))
            await post({"payload": json.dumps(payload)})
        assert "L-1 accepted: D-1 for Acme" in fake.posted[-1].text
        assert lead_state(wired)[0] == "accepted"
    finally:
        await adapter.stop()
        await fake.close()


async def test_dingtalk(wired, async_handler):
    trust(wired, "dingtalk", "dingcorp")
    from adapters.dingtalk import DingTalkAdapter, DingTalkConfig
    from adapters.dingtalk.render import command_of
    from tests.platforms.dingtalk import FakeDingTalk

    fake = FakeDingTalk()
    await fake.start()
    adapter = DingTalkAdapter(DingTalkConfig(fake.client_id, fake.client_secret, api_url=fake.url,
                                             connect_timeout=5), async_handler)
    await adapter.start()

    async def say(text: str) -> None:
        frame = await fake.send_callback(fake.message(text, user="alice"))
        await fake.wait_for(lambda: fake.ack_for(frame) is not None)
        await adapter.drain()

    try:
        await say("me")  # alice joins
        take_in(wired, "线索 华为 王经理 13800138000 来源:展会")
        await send_dms(wired, "dingtalk", adapter.notifier)
        [call] = [c for c in fake.robot_calls if c.path.endswith("batchSend")]
        assert call.body["userIds"] == ["alice"]
        commands = [command_of(v) for k, v in sorted(call.param.items()) if k.startswith("actionURL")]
        assert commands == [ACCEPT, PASS]
        await say(commands[0])  # the button sends its command into the chat as alice
        status, owner, deal = lead_state(wired)
        assert (status, owner) == ("accepted", "alice") and deal == 1
    finally:
        await adapter.drain()
        await adapter.stop()
        await fake.close()
