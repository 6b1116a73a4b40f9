"""A reminder card's button, clicked in the real platform SDK adapters (against the local fake
platforms of tests/adapters), moves the deal: the scan queues the card, the dispatcher sends it
through the adapter's own notifier as a direct message, the owner clicks [→ First contact].

The deal is made on Wednesday 4 March 10:00 (Shanghai); the lead stage allows 3 days, so it is
over its limit on Sunday 8 March 10:00, and the reminder waits for Monday 08:00.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aiohttp.test_utils import TestClient, TestServer

from bot.dispatcher import Dispatcher
from bot.pacing import Pacer
from bot.run import web_app
from core.reminders.scans import Scans
from tests.access import let_in, trust

MONDAY_MORNING = datetime(2026, 3, 9, 0, 5, tzinfo=UTC)  # 08:05 in Shanghai
MOVE = "move D-1 next"


async def remind(wired, platform: str, notifier) -> None:
    """What `dealbot run` does on Monday morning: scan, then dispatch."""
    wired.bot.clock.set(MONDAY_MORNING)
    scan = Scans(wired.bot.uow_factory, wired.bot.clock, platforms={platform}).reminders()
    assert scan.queued == 1
    dispatcher = Dispatcher(wired.bot.uow_factory, wired.bot.clock, {platform: notifier}, pacer=Pacer({}))
    assert await dispatcher.run_once() == 1
    with wired.uow() as uow:
        [row] = [r for r in uow.outbox.list() if r.kind != "access"]  # not the welcome of let_in
    assert (row.kind, row.status, row.subject) == ("sla", "sent", "D-1")


def stage(wired) -> str:
    with wired.uow() as uow:
        return uow.deals.get(1).stage


async def test_telegram(wired, async_handler):
    let_in(wired, "telegram", "1001", "alice")
    from adapters.telegram import TelegramAdapter, TelegramConfig
    from tests.platforms.telegram import (
        FakeTelegram,
        callback_update,
        message_update,
        private_chat,
        user,
    )

    fake = await FakeTelegram("123456:TEST-token").start()
    adapter = TelegramAdapter(TelegramConfig(token="123456:TEST-token", api_url=fake.url, poll_timeout=1),
                              async_handler)
    await adapter.start()
    try:
        alice = user(1001, "alice")
        await fake.push(message_update(fake.next_update_id(), alice, private_chat(1001), "/new Acme 50k"))
        await fake.wait_for("sendMessage", 1)

        await remind(wired, "telegram", adapter.notifier)
        card = fake.messages()[-1]
        sent = fake.sent()[-1]
        assert sent["chat_id"] == "1001" and "over its 3-day limit" in sent["text"]
        buttons = [b["callback_data"] for row in sent["reply_markup"]["inline_keyboard"] for b in row]
        assert buttons == [MOVE, "log D-1", "snooze D-1 2d", "lost D-1"]

        await fake.push(callback_update(fake.next_update_id(), alice, card, MOVE))
        moved = (await fake.wait_for("sendMessage", 3))[-1]
        assert "D-1" in moved["text"] and stage(wired) == "contact"
    finally:
        await adapter.stop()
        await fake.stop()


async def test_slack(wired, async_handler):
    trust(wired, "slack", "T1")  # the fake workspace lets itself in
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
                response = await http.post("/slack/events", data=body.encode(), headers=headers)
                assert response.status == 200

            await post(slash_command("new Acme 50k", user_id="U1", response_url=fake.response_url()))
            await remind(wired, "slack", adapter.notifier)
            card = fake.posted[-1]
            assert card.via == "chat.postMessage" and card.channel == "DU1"  # the DM with alice
            values = [e["value"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]]
            assert values == [MOVE, "log D-1", "snooze D-1 2d", "lost D-1"]

            payload = block_actions(MOVE, user_id="U1", channel="DU1", response_url=fake.response_url("click"))
            await post({"payload": json.dumps(payload)})
        assert "D-1 moved" in fake.posted[-1].text and stage(wired) == "contact"
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
        await say("new Acme 50k")
        await remind(wired, "dingtalk", adapter.notifier)
        [call] = [c for c in fake.robot_calls if c.path.endswith("batchSend")]
        assert call.body["userIds"] == ["alice"]
        commands = [command_of(v) for k, v in sorted(call.param.items()) if k.startswith("actionURL")]
        assert commands == [MOVE, "log D-1", "snooze D-1 2d", "lost D-1"]
        await say(commands[0])  # the button sends its command into the chat as alice
        assert stage(wired) == "contact"
    finally:
        await adapter.drain()
        await adapter.stop()
        await fake.close()
