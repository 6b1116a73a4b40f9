"""A Chinese commitment in a linked group becomes a suggested task, through each real SDK adapter
against its local fake platform: the message goes through the capture writer (bot/capture.py)
into the real core and database, the next-step hook queues a DM to the deal's owner, the
dispatcher sends it through the adapter's notifier, and the owner's tap on [Keep] makes the task
(origin `captured`) with the right due date. A second tap changes nothing.

The clock stands at Wed 4 Mar 2026 10:00 in Shanghai, so 下周三前 is Wed 11 Mar 17:00 there.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.capture import CaptureWriter, store_with
from bot.dispatcher import Dispatcher
from bot.pacing import Pacer
from bot.run import web_app
from core.domain.model import TaskOrigin
from tests.access import let_in, trust
from tests.platforms import slack as fake_slack

DUE = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
COMMITMENT = "好的，下周三前给报价"
SENT_AT = int(datetime(2026, 3, 4, 2, 0, tzinfo=UTC).timestamp())  # the platforms' timestamp: the bot's now


@pytest.fixture
async def writer(wired):
    writer = CaptureWriter(store_with(wired.bot))
    await writer.start()
    yield writer
    await writer.stop()


async def send_offer(wired, platform: str, notifier) -> None:
    """What `dealbot run`'s dispatcher does with the queued DM."""
    dispatcher = Dispatcher(wired.bot.uow_factory, wired.bot.clock, {platform: notifier}, pacer=Pacer({}))
    assert await dispatcher.run_once() == 1
    with wired.uow() as uow:
        [row] = [r for r in uow.outbox.list() if r.kind == "suggestion"]
    assert (row.status, row.subject) == ("sent", "S-1")


def the_task(wired):
    with wired.uow() as uow:
        tasks = uow.tasks.find(deal_id=1)
        suggestion = uow.suggestions.get(1)
    return tasks, suggestion


def assert_kept(wired) -> None:
    tasks, suggestion = the_task(wired)
    [task] = tasks
    assert (task.title, task.due_at, task.origin, task.deal_id) == (COMMITMENT, DUE, TaskOrigin.CAPTURED, 1)
    assert (suggestion.status, suggestion.task_id) == ("kept", task.id)


async def test_telegram(wired, async_handler, writer):
    let_in(wired, "telegram", "1001", "alice")
    from adapters.telegram import TelegramAdapter, TelegramConfig
    from tests.platforms.telegram import (
        FakeTelegram,
        callback_update,
        group_chat,
        message_update,
        private_chat,
        user,
    )

    token = "123456:TEST-token"
    alice, wang, room = user(1001, "alice", "Alice"), user(2001, first_name="Wang"), group_chat(-100500, "Acme")
    fake = await FakeTelegram(token).start()
    adapter = TelegramAdapter(TelegramConfig(token=token, api_url=fake.url, poll_timeout=1), async_handler,
                              on_chat_message=writer.submit)
    await adapter.start()

    async def say(text: str, chat: dict, sender: dict = alice) -> None:
        before = len(fake.sent())
        await fake.push(message_update(fake.next_update_id(), sender, chat, text))
        await fake.wait_for("sendMessage", before + 1)

    try:
        await say("/new Acme 50k", private_chat(1001))
        await say("/link D-1", room)
        update = message_update(fake.next_update_id(), wang, room, COMMITMENT, 7)
        update["message"]["date"] = SENT_AT
        await fake.push(update)
        await fake.wait_confirmed(update["update_id"])

        await send_offer(wired, "telegram", adapter.notifier)
        offer = fake.sent()[-1]
        card = fake.messages()[-1]
        assert offer["chat_id"] == "1001" and COMMITMENT in offer["text"] and "Due Wed 11 Mar" in offer["text"]
        buttons = [b["callback_data"] for row in offer["reply_markup"]["inline_keyboard"] for b in row]
        assert buttons == ["keep S-1", "dismiss S-1"]

        before = len(fake.sent())
        await fake.push(callback_update(fake.next_update_id(), alice, card, "keep S-1"))
        kept = (await fake.wait_for("sendMessage", before + 1))[-1]
        assert "Task T-1 created" in kept["text"]
        assert_kept(wired)
        await fake.push(callback_update(fake.next_update_id(), alice, card, "keep S-1"))
        again = (await fake.wait_for("sendMessage", before + 2))[-1]
        assert "already kept as T-1" in again["text"]
        assert len(the_task(wired)[0]) == 1
    finally:
        await adapter.stop()
        await fake.stop()


async def test_slack(wired, async_handler, writer):
    trust(wired, "slack", fake_slack.TEAM_ID)
    from adapters.slack import SlackAdapter, SlackConfig
    from tests.platforms.slack import (
        FakeSlack,
        block_actions,
        event_callback,
        form_body,
        message_event,
        signed_headers,
        slash_command,
    )

    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    fake = await FakeSlack().start()
    fake.add_user("U1", "Alice")
    fake.add_user("UX", "Wang Li")
    adapter = SlackAdapter(SlackConfig(bot_token="xoxb-test", signing_secret=secret, api_url=fake.api_url,
                                       process_before_response=True), async_handler, on_chat_message=writer.submit)
    await adapter.start()
    try:
        async with TestClient(TestServer(web_app(adapter.routes(), lambda: True), host="127.0.0.1")) as http:
            async def post(body: str, content_type: str) -> None:
                headers = signed_headers(body, secret, content_type=content_type)
                response = await http.post("/slack/events", data=body.encode(), headers=headers)
                assert response.status == 200

            async def slash(text: str, channel: str) -> None:
                await post(form_body(slash_command(text, user_id="U1", channel_id=channel, channel_name="acme",
                                                   response_url=fake.response_url())),
                           "application/x-www-form-urlencoded")

            async def click(command: str) -> None:
                payload = block_actions(command, user_id="U1", channel="DU1", response_url=fake.response_url("c"))
                await post(form_body({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

            await slash("new Acme 50k", "DU1")
            await slash("link D-1", "C9")
            said = message_event(COMMITMENT, user="UX", channel="C9", channel_type="channel",
                                 ts="1772590001.000100", user_team="TACME", source_team="TACME")
            await post(json.dumps(event_callback(said, event_id="Ev1")), "application/json")

            await send_offer(wired, "slack", adapter.notifier)
            offer = fake.posted[-1]
            assert offer.channel == "DU1" and COMMITMENT in offer.all_text()
            assert "Due Wed 11 Mar" in offer.all_text()
            values = [e["value"] for b in offer.blocks if b["type"] == "actions" for e in b["elements"]]
            assert values == ["keep S-1", "dismiss S-1"]

            await click("keep S-1")
            assert "Task T-1 created" in fake.posted[-1].all_text()
            assert_kept(wired)
            await click("keep S-1")
            assert "already kept as T-1" in fake.posted[-1].all_text()
            assert len(the_task(wired)[0]) == 1
    finally:
        await adapter.stop()
        await fake.close()


async def test_dingtalk(wired, async_handler, writer):
    trust(wired, "dingtalk", "dingcorp")
    from adapters.dingtalk import DingTalkAdapter, DingTalkConfig
    from adapters.dingtalk.render import command_of
    from tests.platforms.dingtalk import FakeDingTalk

    group = "cidAcmeGroup=="
    fake = FakeDingTalk()
    await fake.start()
    adapter = DingTalkAdapter(DingTalkConfig(fake.client_id, fake.client_secret, api_url=fake.url,
                                             connect_timeout=5), async_handler, on_chat_message=writer.submit)
    await adapter.start()

    async def deliver(data: dict) -> None:
        frame = await fake.send_callback(data)
        await fake.wait_for(lambda: fake.ack_for(frame) is not None)
        await adapter.drain()
        assert fake.ack_for(frame)["code"] == 200

    try:
        await deliver(fake.message("新建 Acme 5万", user="alice"))
        await deliver(fake.message("我 语言 中文", user="alice"))
        await deliver(fake.message("@dealbot 绑定 D-1", user="alice", group=group, at_bot=True))
        said = fake.message(COMMITMENT, user="wang", nick="王经理", group=group, at_bot=False, corp="dingcorp-acme")
        await deliver({**said, "createAt": SENT_AT * 1000})

        await send_offer(wired, "dingtalk", adapter.notifier)
        [call] = [c for c in fake.robot_calls if c.path.endswith("batchSend")]
        assert call.body["userIds"] == ["alice"]
        text = json.dumps(call.param, ensure_ascii=False)
        assert COMMITMENT in text and "截止 3月11日 周三" in text and "是否保留为任务" in text
        commands = [command_of(v) for k, v in sorted(call.param.items()) if k.startswith("actionURL")]
        assert commands == ["keep S-1", "dismiss S-1"]

        await deliver(fake.message(commands[0], user="alice"))  # the button sends its command as alice
        assert_kept(wired)
        await deliver(fake.message(commands[0], user="alice"))
        assert "已于" in json.dumps(fake.replies[-1], ensure_ascii=False)
        assert len(the_task(wired)[0]) == 1
    finally:
        await adapter.drain()
        await adapter.stop()
        await fake.close()
