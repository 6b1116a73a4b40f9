"""An approval's card, through the real platform SDK adapters against the local fake platforms:
alice (a rep) asks for a discount; the dispatcher sends the card to mia (a manager) as a direct
message through the adapter's own notifier, with [Approve] [Reject] [Ask a question]; alice
and bob (another rep) forge a click on mia's [Approve] (the button's command sent as themselves) and
are refused, nothing changing; mia's [Reject] without words asks for the reason; mia's [Approve] approves, and alice is
told. In Chinese on DingTalk (mia reads Chinese): the buttons carry Chinese commands."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient, TestServer

from bot.dispatcher import Dispatcher
from bot.pacing import Pacer
from bot.run import web_app
from core.approvals.machine import State
from core.domain.model import Role
from tests.access import let_in, trust

ASK = "approve D-1 discount:15% three-year deal"
BUTTONS = ["approve A-1 step:1", "reject A-1 step:1", "ask A-1 step:1"]
NOT_YOURS = "A-1 is not waiting for your decision."
OWN = "A-1 is your own request; someone else must decide it."


def approval(wired):
    with wired.uow() as uow:
        found = uow.approvals.get(1)
        return found.state, found.step, len(uow.approvals.decisions(1))


def make_manager(wired, platform: str, user_id: str, language: str | None = None) -> None:
    with wired.uow() as uow:
        member = uow.members.by_identity(platform, user_id)
        member.role, member.language = Role.MANAGER, language
        uow.commit()


async def dispatch(wired, platform: str, notifier) -> list:
    dispatcher = Dispatcher(wired.bot.uow_factory, wired.bot.clock, {platform: notifier}, pacer=Pacer({}))
    await dispatcher.run_once()
    with wired.uow() as uow:
        return [r for r in uow.outbox.list() if r.kind == "approval" and r.status == "sent"]


async def test_telegram(wired, async_handler):
    let_in(wired, "telegram", "1001", "alice")
    let_in(wired, "telegram", "1002", "mia", role="manager")
    let_in(wired, "telegram", "1003", "bob")
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
        alice, mia, bob = user(1001, "alice"), user(1002, "mia"), user(1003, "bob")
        await fake.push(message_update(fake.next_update_id(), alice, private_chat(1001), "/new Acme 50k"))
        await fake.wait_for("sendMessage", 1)
        await fake.push(message_update(fake.next_update_id(), alice, private_chat(1001), f"/{ASK}"))
        asked = (await fake.wait_for("sendMessage", 2))[-1]
        assert "A-1: a discount of 15% on D-1 asked for approval." in asked["text"]

        [sent] = await dispatch(wired, "telegram", adapter.notifier)
        assert sent.chat_id == "1002"
        card, sent_card = fake.messages()[-1], fake.sent()[-1]
        assert "Approval A-1 · D-1 Acme: a discount of 15%" in sent_card["text"]
        buttons = [b["callback_data"] for row in sent_card["reply_markup"]["inline_keyboard"] for b in row]
        assert buttons == BUTTONS

        await fake.push(callback_update(fake.next_update_id(), bob, card, BUTTONS[0]))  # forged by a rep
        forged = (await fake.wait_for("sendMessage", 4))[-1]
        assert NOT_YOURS in forged["text"] and approval(wired) == (State.PENDING, 0, 0)
        await fake.push(callback_update(fake.next_update_id(), alice, card, BUTTONS[0]))  # by the requester
        forged = (await fake.wait_for("sendMessage", 5))[-1]
        assert OWN in forged["text"] and approval(wired) == (State.PENDING, 0, 0)

        await fake.push(callback_update(fake.next_update_id(), mia, card, BUTTONS[1]))  # [Reject]: the reason?
        asks = (await fake.wait_for("sendMessage", 6))[-1]
        assert "A reason is required to reject A-1; nothing changed.</b>\nUsage: reject A-3 &lt;reason&gt;" \
            in asks["text"]  # an error with the usage, HTML-escaped
        assert approval(wired) == (State.PENDING, 0, 0)

        await fake.push(callback_update(fake.next_update_id(), mia, card, BUTTONS[0]))
        done = (await fake.wait_for("sendMessage", 7))[-1]
        assert "A-1 is approved: a discount of 15% on D-1." in done["text"]
        assert approval(wired) == (State.APPROVED, 1, 1)

        await fake.push(callback_update(fake.next_update_id(), mia, card, BUTTONS[0]))  # a second click
        again = (await fake.wait_for("sendMessage", 8))[-1]
        assert "A-1 is already approved; nothing changed." in again["text"]
        assert approval(wired) == (State.APPROVED, 1, 1)

        told = await dispatch(wired, "telegram", adapter.notifier)
        assert [r.chat_id for r in told].count("1001") == 1  # alice is told
        assert "A-1 (D-1) is approved by @mia: a discount of 15%." in fake.sent()[-1]["text"]
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
    fake.add_user("U2", "Mia")
    fake.add_user("U3", "Bob")
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

            await post(slash_command("me", user_id="U2", response_url=fake.response_url()))
            make_manager(wired, "slack", "U2")
            await post(slash_command("new Acme 50k", user_id="U1", response_url=fake.response_url()))
            await post(slash_command(ASK, user_id="U1", response_url=fake.response_url()))
            assert "A-1: a discount of 15% on D-1 asked for approval." in fake.posted[-1].text

            [sent] = await dispatch(wired, "slack", adapter.notifier)
            card = fake.posted[-1]
            assert card.via == "chat.postMessage" and card.channel == "DU2"  # the DM with mia
            values = [e["value"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]]
            assert values == BUTTONS

            await post(slash_command("me", user_id="U3", response_url=fake.response_url()))
            for forger, said in (("U3", NOT_YOURS), ("U1", OWN)):
                await post({"payload": json.dumps(block_actions(BUTTONS[0], user_id=forger, channel="DU2",
                                                                response_url=fake.response_url("forged")))})
                assert said in fake.posted[-1].text and approval(wired) == (State.PENDING, 0, 0)

            await post({"payload": json.dumps(block_actions(BUTTONS[0], user_id="U2", channel="DU2",
                                                            response_url=fake.response_url("click")))})
            assert "A-1 is approved" in fake.posted[-1].text and approval(wired) == (State.APPROVED, 1, 1)
    finally:
        await adapter.stop()
        await fake.close()


async def test_dingtalk_in_chinese(wired, async_handler):
    trust(wired, "dingtalk", "dingcorp")
    from adapters.dingtalk import DingTalkAdapter, DingTalkConfig
    from adapters.dingtalk.render import command_of
    from tests.platforms.dingtalk import FakeDingTalk

    fake = FakeDingTalk()
    await fake.start()
    adapter = DingTalkAdapter(DingTalkConfig(fake.client_id, fake.client_secret, api_url=fake.url,
                                             connect_timeout=5), async_handler)
    await adapter.start()

    async def say(text: str, user: str) -> dict | None:
        before = len(fake.replies)
        frame = await fake.send_callback(fake.message(text, user=user))
        await fake.wait_for(lambda: fake.ack_for(frame) is not None)
        await adapter.drain()
        return fake.replies[-1] if len(fake.replies) > before else None

    def text_of(reply: dict) -> str:
        return reply[reply["msgtype"]]["text"]

    try:
        await say("我", "mia")
        await say("我", "bob")
        make_manager(wired, "dingtalk", "mia", language="zh")
        await say("新建 Acme 5万", "alice")
        asked = await say("申请审批 D-1 折扣:15% 三年合同", "alice")
        assert "A-1：已提交审批（D-1，折扣 15%）。" in text_of(asked)

        await dispatch(wired, "dingtalk", adapter.notifier)
        [call] = [c for c in fake.robot_calls if c.path.endswith("batchSend")]
        assert call.body["userIds"] == ["mia"]
        commands = [command_of(v) for k, v in sorted(call.param.items()) if k.startswith("actionURL")]
        assert commands == ["批准 A-1 步骤:1", "驳回 A-1 步骤:1", "提问 A-1 步骤:1"]

        forged = await say(commands[0], "bob")  # the button's command, sent by a rep
        assert "A-1 不在等待您的审批。" in text_of(forged) and approval(wired) == (State.PENDING, 0, 0)
        forged = await say(commands[0], "alice")  # … and by the requester
        assert "A-1 是您自己提交的申请，须由他人审批。" in text_of(forged) and approval(wired) == (State.PENDING, 0, 0)
        asked_why = await say(commands[2], "mia")
        assert "⚠️ 请写出对 A-1 的问题，未做更改。\n\n用法：提问 A-3 ＜问题>" in text_of(asked_why)  # no bare <
        done = await say(commands[0], "mia")  # the button sends its command into the chat as mia
        assert "A-1 已批准：D-1，折扣 15%。" in text_of(done) and approval(wired) == (State.APPROVED, 1, 1)
    finally:
        await adapter.drain()
        await adapter.stop()
        await fake.close()
