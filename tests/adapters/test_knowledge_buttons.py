"""The knowledge buttons through the real platform SDK adapters against the local fake platforms:
a manager's playbook line for Demo and FAQ entry (typed in the console); a rep moves a deal into
Demo and the reply's [More] button, tapped on the platform, shows the stage's playbook; the rep
asks the FAQ and taps [Not helpful] on the answer, which puts the question among `faq gaps`.
On DingTalk, asked in Chinese: the buttons carry Chinese labels, and the commands they send into
the chat work."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient, TestServer

from bot.run import web_app
from core.chat.messages import Incoming
from tests.access import let_in, trust

LINE = "Show the dashboard first"


def prepare(wired) -> None:
    """boss (an admin, in the console) writes the Demo playbook line and the FAQ entry."""
    for text in ("me", f'playbook demo add "{LINE}"',
                 'faq add "How long is delivery?" "Two weeks after the PO." tags:delivery'):
        reply = wired.bot.handle(Incoming("console", "boss", text, user_name="boss"))
        assert not reply.is_error, reply.title


def gaps_text(wired) -> str:
    return wired.bot.handle(Incoming("console", "boss", "faq gaps", user_name="boss")).text()


async def test_telegram(wired, async_handler):
    prepare(wired)
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

        async def say(text: str) -> dict:
            before = len(fake.sent())
            await fake.push(message_update(fake.next_update_id(), alice, private_chat(1001), text))
            return (await fake.wait_for("sendMessage", before + 1))[-1]

        async def tap(message: dict, command: str) -> dict:
            before = len(fake.sent())
            await fake.push(callback_update(fake.next_update_id(), alice, message, command))
            return (await fake.wait_for("sendMessage", before + 1))[-1]

        await say("/new Acme 50k")
        moved = await say("/move D-1 demo")
        assert "playbook demo" in [b["callback_data"] for row in moved["reply_markup"]["inline_keyboard"] for b in row]
        shown = await tap(fake.messages()[-1], "playbook demo")
        assert "Playbook · Demo" in shown["text"] and LINE in shown["text"]

        answer = await say("/faq delivery")
        assert "Two weeks after the PO." in answer["text"]
        [unhelpful] = [b["callback_data"] for row in answer["reply_markup"]["inline_keyboard"] for b in row]
        assert unhelpful.startswith("faq unhelpful ")
        assert "delivery" not in gaps_text(wired).split("\n", 1)[-1]
        thanked = await tap(fake.messages()[-1], unhelpful)
        assert "faq gaps" in thanked["text"]
        assert "delivery" in gaps_text(wired)
    finally:
        await adapter.stop()
        await fake.stop()


async def test_slack(wired, async_handler):
    prepare(wired)
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
                return fake.posted[-1]

            def values(posted) -> list[str]:
                return [e["value"] for b in posted.blocks if b["type"] == "actions" for e in b["elements"]]

            await post(slash_command("new Acme 50k", user_id="U1", response_url=fake.response_url()))
            moved = await post(slash_command("move D-1 demo", user_id="U1", response_url=fake.response_url()))
            assert "playbook demo" in values(moved)
            shown = await post({"payload": json.dumps(block_actions("playbook demo", user_id="U1", channel="DU1",
                                                                    response_url=fake.response_url("more")))})
            assert LINE in shown.all_text()

            answer = await post(slash_command("faq delivery", user_id="U1", response_url=fake.response_url()))
            [unhelpful] = values(answer)
            thanked = await post({"payload": json.dumps(block_actions(unhelpful, user_id="U1", channel="DU1",
                                                                      response_url=fake.response_url("no")))})
            assert "faq gaps" in thanked.text and "delivery" in gaps_text(wired)
    finally:
        await adapter.stop()
        await fake.close()


async def test_dingtalk_in_chinese(wired, async_handler):
    prepare(wired)
    trust(wired, "dingtalk", "dingcorp")
    from adapters.dingtalk import DingTalkAdapter, DingTalkConfig
    from adapters.dingtalk.render import command_of
    from tests.platforms.dingtalk import FakeDingTalk

    fake = FakeDingTalk()
    await fake.start()
    adapter = DingTalkAdapter(DingTalkConfig(fake.client_id, fake.client_secret, api_url=fake.url,
                                             connect_timeout=5), async_handler)
    await adapter.start()

    async def say(text: str) -> dict:
        before = len(fake.replies)
        frame = await fake.send_callback(fake.message(text, user="alice"))
        await fake.wait_for(lambda: fake.ack_for(frame) is not None)
        await adapter.drain()
        assert len(fake.replies) > before
        return fake.replies[-1]

    def text_of(reply: dict) -> str:
        return json.dumps(reply, ensure_ascii=False)

    def buttons(reply: dict) -> dict[str, str]:
        """label -> the command the button sends into the chat"""
        return {b["title"]: command_of(b["actionURL"]) for b in reply.get("actionCard", {}).get("btns", [])}

    try:
        await say("新建 Acme 5万")
        moved = await say("推进 D-1 方案演示")
        more = buttons(moved)["更多"]
        shown = await say(more)  # the [More] button sends its command into the chat as alice
        assert LINE in text_of(shown)
        answer = await say("问答 delivery")
        assert "Two weeks after the PO." in text_of(answer)
        thanked = await say(buttons(answer)["没帮助"])
        assert "faq gaps" in text_of(thanked) and "delivery" in gaps_text(wired)
    finally:
        await adapter.drain()
        await adapter.stop()
        await fake.close()
