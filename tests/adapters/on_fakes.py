"""A real SDK adapter on its local fake platform, for the tests that click buttons through it:
Telegram polling the fake Bot API, Slack's signed HTTP endpoint served locally in front of the
fake Web API, DingTalk's stream connected to the fake gateway. Each is an async context manager
that starts the fake and the adapter and stops both, however the block ends:

    async with telegram_on_fake(async_handler) as telegram:
        reply = await telegram.say(user(1001, "alice"), "/new Acme 50k")
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from adapters.base import AsyncHandler
from bot.run import web_app
from tests.platforms.dingtalk import FakeDingTalk
from tests.platforms.slack import (
    FakeSlack,
    Posted,
    block_actions,
    form_body,
    signed_headers,
    slash_command,
)
from tests.platforms.telegram import FakeTelegram, callback_update, message_update, private_chat

TELEGRAM_TOKEN = "123456:TEST-token"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass
class OnFake:
    fake: Any  # the fake platform (tests.platforms)
    adapter: Any  # the real adapter (adapters), started on it


class OnTelegram(OnFake):
    fake: FakeTelegram

    async def say(self, who: dict, text: str) -> dict:
        """`who` (tests.platforms.telegram.user) writes `text` in their private chat; the reply."""
        before = len(self.fake.sent())
        chat = private_chat(who["id"])
        await self.fake.push(message_update(self.fake.next_update_id(), who, chat, text))
        return (await self.fake.wait_for("sendMessage", before + 1))[-1]

    async def tap(self, who: dict, message: dict, command: str) -> dict:
        """`who` taps the button of `message` (as Telegram holds it) that sends `command`; the reply."""
        before = len(self.fake.sent())
        await self.fake.push(callback_update(self.fake.next_update_id(), who, message, command))
        return (await self.fake.wait_for("sendMessage", before + 1))[-1]


def inline_buttons(sent: dict) -> list[str]:
    """The callback data of a sent Telegram message's buttons, row by row."""
    return [b["callback_data"] for row in sent["reply_markup"]["inline_keyboard"] for b in row]


@asynccontextmanager
async def telegram_on_fake(handler: AsyncHandler) -> AsyncIterator[OnTelegram]:
    from adapters.telegram import TelegramAdapter, TelegramConfig

    async with FakeTelegram(TELEGRAM_TOKEN) as fake:
        adapter = TelegramAdapter(TelegramConfig(token=TELEGRAM_TOKEN, api_url=fake.url, poll_timeout=1), handler)
        await adapter.start()
        try:
            yield OnTelegram(fake, adapter)
        finally:
            await adapter.stop()


@dataclass
class OnSlack(OnFake):
    fake: FakeSlack
    http: TestClient  # serves the adapter's routes (/slack/events)

    async def post(self, fields: dict) -> Posted | None:
        """A signed form POST to /slack/events, which must succeed; the last message Slack got."""
        body = form_body(fields)
        headers = signed_headers(body, SLACK_SECRET, content_type="application/x-www-form-urlencoded")
        response = await self.http.post("/slack/events", data=body.encode(), headers=headers)
        assert response.status == 200
        return self.fake.posted[-1] if self.fake.posted else None

    async def command(self, text: str, user_id: str) -> Posted | None:
        """`user_id` types the slash command `text`; the last message Slack got."""
        return await self.post(slash_command(text, user_id=user_id, response_url=self.fake.response_url()))

    async def click(self, value: str, user_id: str, channel: str, name: str = "click") -> Posted | None:
        """`user_id` clicks the button carrying `value` in `channel`; the last message Slack got."""
        payload = block_actions(value, user_id=user_id, channel=channel, response_url=self.fake.response_url(name))
        return await self.post({"payload": json.dumps(payload)})


def block_buttons(posted: Posted) -> list[str]:
    """The values of a Slack message's buttons, block by block."""
    return [e["value"] for b in posted.blocks if b["type"] == "actions" for e in b["elements"]]


@asynccontextmanager
async def slack_on_fake(handler: AsyncHandler, users: dict[str, str]) -> AsyncIterator[OnSlack]:
    """`users`: Slack user id -> display name, known to the fake before the adapter starts."""
    from adapters.slack import SlackAdapter, SlackConfig

    async with FakeSlack() as fake:
        for user_id, name in users.items():
            fake.add_user(user_id, name)
        adapter = SlackAdapter(SlackConfig(bot_token="xoxb-test", signing_secret=SLACK_SECRET,
                                           api_url=fake.api_url, process_before_response=True), handler)
        await adapter.start()
        try:
            async with TestClient(TestServer(web_app(adapter.routes(), lambda: True), host="127.0.0.1")) as http:
                yield OnSlack(fake, adapter, http)
        finally:
            await adapter.stop()


class OnDingTalk(OnFake):
    fake: FakeDingTalk

    async def say(self, text: str, user: str = "alice") -> dict | None:
        """`user` writes `text` to the bot; once acknowledged and handled, the reply (None if none)."""
        before = len(self.fake.replies)
        frame = await self.fake.send_callback(self.fake.message(text, user=user))
        await self.fake.wait_for(lambda: self.fake.ack_for(frame) is not None)
        await self.adapter.drain()
        return self.fake.replies[-1] if len(self.fake.replies) > before else None

    def sent_commands(self) -> tuple[list[str], list[str]]:
        """The one direct message sent (batchSend): its recipients, and the commands its buttons send."""
        from adapters.dingtalk.render import command_of

        [call] = [c for c in self.fake.robot_calls if c.path.endswith("batchSend")]
        return call.body["userIds"], [command_of(v) for k, v in sorted(call.param.items()) if k.startswith("actionURL")]


@asynccontextmanager
async def dingtalk_on_fake(handler: AsyncHandler) -> AsyncIterator[OnDingTalk]:
    from adapters.dingtalk import DingTalkAdapter, DingTalkConfig

    async with FakeDingTalk() as fake:
        adapter = DingTalkAdapter(DingTalkConfig(fake.client_id, fake.client_secret, api_url=fake.url,
                                                 connect_timeout=5), handler)
        await adapter.start()
        try:
            yield OnDingTalk(fake, adapter)
        finally:
            await adapter.drain()
            await adapter.stop()
