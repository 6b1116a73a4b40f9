"""Someone the bot has never seen, through each platform's real SDK against its fake: they get the
short access answer and nothing else; the admins get one notice with [Approve as rep] [Ignore]
(Telegram: delivered and tapped); an outsider of a shared channel or group gets no pipeline
answer whatever they type."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.dingtalk import DingTalkAdapter, DingTalkConfig
from adapters.slack import SlackAdapter, SlackConfig
from adapters.telegram import TelegramAdapter, TelegramConfig
from bot.dispatcher import Dispatcher
from bot.pacing import Pacer
from bot.run import web_app
from core.chat.messages import Incoming
from storage.db import row_counts
from tests.platforms.dingtalk import FakeDingTalk
from tests.platforms.slack import (
    FakeSlack,
    event_callback,
    form_body,
    message_event,
    signed_headers,
    slash_command,
)
from tests.platforms.telegram import (
    FakeTelegram,
    callback_update,
    message_update,
    private_chat,
    user,
)

ACCESS_ANSWER = "you are not one yet"
OUTSIDER_ANSWER = "I work only for this team's members"
SECRET = "test-signing-secret"


def admin_writes(wired, platform: str, user_id: str) -> None:
    """The admin of DEALBOT_ADMINS (the `wired` fixture names one per platform) has met the bot."""
    reply = wired.bot.handle(Incoming(platform=platform, user_id=user_id, user_name="boss", text="me",
                                      message_id="boss-1"))
    assert not reply.is_error


def stored(wired) -> dict[str, int]:
    counts = row_counts(wired.engine)
    return {name: n for name, n in counts.items() if n and name != "alembic_version"}


def notices(wired) -> list:
    with wired.uow() as uow:
        return [m for m in uow.outbox.list() if m.kind == "access"]


# -- Telegram: long polling; the notice is delivered and tapped ------------------------------------

TOKEN = "123456:TEST-token"
STRANGER = user(4242, "mallory", "Mallory")
ADMIN = user(1000, "boss", "Boss")


@pytest.fixture
async def telegram(wired, async_handler):
    fake = await FakeTelegram(TOKEN).start()
    adapter = TelegramAdapter(TelegramConfig(token=TOKEN, api_url=fake.url, poll_timeout=1), async_handler)
    await adapter.start()
    yield fake, adapter
    await adapter.stop()
    await fake.stop()


async def tg_say(fake, text: str, sender: dict, chat: dict | None = None) -> dict:
    before = len(fake.sent())
    await fake.push(message_update(fake.next_update_id(), sender, chat or private_chat(sender["id"]), text))
    return (await fake.wait_for("sendMessage", before + 1))[-1]


async def test_telegram_a_stranger_gets_the_access_answer_and_the_admin_one_notice(telegram, wired):
    fake, adapter = telegram
    admin_writes(wired, "telegram", "1000")
    before = stored(wired)

    first = await tg_say(fake, "/new Acme 50k", STRANGER)
    second = await tg_say(fake, "/deals", STRANGER)
    third = await tg_say(fake, "/deal 商机", STRANGER)

    assert all(m["chat_id"] == "4242" and ACCESS_ANSWER in m["text"] for m in (first, second))
    assert "还不是成员" in third["text"]  # in their language
    assert stored(wired) == before | {"access_requests": 1, "outbox": 1}  # no member, no deal
    [notice] = notices(wired)
    assert notice.chat_id == "1000" and [b.command for b in notice.reply.buttons] == [
        "member approve R-1", "member ignore R-1"]

    dispatcher = Dispatcher(wired.bot.uow_factory, wired.bot.clock, {"telegram": adapter.notifier}, pacer=Pacer({}))
    assert await dispatcher.run_once() == 1
    delivered = fake.messages()[-1]
    assert delivered["chat"]["id"] == 1000 and "mallory (telegram) asked to use the bot" in delivered["text"]
    await fake.push(callback_update(fake.next_update_id(), ADMIN, delivered, "member approve R-1"))
    approved = (await fake.wait_for("sendMessage", len(fake.sent()) + 1))[-1]
    assert "@mallory is now rep in sales" in approved["text"]

    created = await tg_say(fake, "/new Acme 50k", STRANGER)
    assert "D-1" in created["text"] and ACCESS_ANSWER not in created["text"]


async def test_telegram_a_non_member_in_a_linked_group_gets_no_pipeline_answer(telegram, wired, let_in):
    fake, _ = telegram
    admin_writes(wired, "telegram", "1000")
    let_in("telegram", "1001", "alice")
    room = {"id": -100500, "type": "supergroup", "title": "Acme deal room"}
    alice = user(1001, "alice", "Alice")
    await tg_say(fake, "/new Acme 50k", alice)
    assert "recorded into D-1" in (await tg_say(fake, "/link D-1", alice, room))["text"]
    before = stored(wired)

    for text in ("/deals", "/show D-1", "/unlink", "/deal join abcdefghjkmn"):
        answer = await tg_say(fake, text, STRANGER, room)
        assert OUTSIDER_ANSWER in answer["text"] and "Acme" not in answer["text"], text

    assert stored(wired) == before  # no request, no notice: a customer is not a candidate


# -- Slack: HTTP mode; an unknown colleague, and a Slack Connect user --------------------------------

@pytest.fixture
async def slack(wired, async_handler):
    fake = await FakeSlack().start()
    fake.add_user("U1", "Alice")
    fake.add_user("UX", "Wang Li")
    fake.users["UX"]["team_id"] = "TCUSTOMER"  # a Slack Connect user: another organisation
    adapter = SlackAdapter(SlackConfig(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url,
                                       process_before_response=True), async_handler)
    await adapter.start()
    async with TestClient(TestServer(web_app(adapter.routes(), lambda: True), host="127.0.0.1")) as http:
        async def post(body: str, content_type: str):
            response = await http.post("/slack/events", data=body.encode(),
                                       headers=signed_headers(body, SECRET, content_type=content_type))
            assert response.status == 200

        yield fake, post
    await adapter.stop()
    await fake.close()


async def test_slack_a_stranger_gets_the_access_answer_and_a_connect_user_the_outsider_one(slack, wired):
    fake, post = slack
    admin_writes(wired, "slack", "UBOSS")
    before = stored(wired)

    await post(form_body(slash_command("new Acme 50k", user_id="U1", response_url=fake.response_url())),
               "application/x-www-form-urlencoded")
    await post(json.dumps(event_callback(message_event("deals", user="U1", channel="DU1", channel_type="im"),
                                         event_id="Ev1")), "application/json")
    mention = message_event("<@UBOT> deals", user="UX", channel="C1", channel_type="channel")
    await post(json.dumps(event_callback({**mention, "type": "app_mention"}, event_id="Ev2")), "application/json")
    await fake.wait_until(lambda: len(fake.posted) >= 3)

    to_alice = [p for p in fake.posted if p.via == "response_url" or p.channel == "DU1"]
    assert len(to_alice) == 2 and all(ACCESS_ANSWER in p.text for p in to_alice)
    [to_wang] = [p for p in fake.posted if p not in to_alice]
    assert OUTSIDER_ANSWER in to_wang.text and to_wang.via == "chat.postEphemeral"
    assert stored(wired) == before | {"access_requests": 1, "outbox": 1}  # Alice asked; Wang stored nothing
    [notice] = notices(wired)
    assert (notice.platform, notice.chat_id) == ("slack", "UBOSS") and "Alice" in notice.reply.title


# -- DingTalk: Stream mode; a colleague, and a sender of another corp in a group --------------------

@pytest.fixture
async def dingtalk(wired, async_handler):
    fake = FakeDingTalk()
    await fake.start()
    adapter = DingTalkAdapter(DingTalkConfig(fake.client_id, fake.client_secret, api_url=fake.url,
                                             connect_timeout=5), async_handler)
    await adapter.start()

    async def say(text: str, **kwargs) -> dict:
        before = len(fake.replies)
        frame = await fake.send_callback(fake.message(text, **kwargs))
        await fake.wait_for(lambda: fake.ack_for(frame) is not None)
        await adapter.drain()
        assert len(fake.replies) == before + 1
        reply = fake.replies[-1]
        return reply[reply["msgtype"]]["text"]

    yield say
    await adapter.stop()
    await fake.close()


async def test_dingtalk_a_stranger_gets_the_access_answer_and_another_corp_the_outsider_one(dingtalk, wired):
    say = dingtalk
    admin_writes(wired, "dingtalk", "boss")
    before = stored(wired)

    assert "还不是成员" in await say("新建 华为 5万", user="wangfang", nick="王芳")
    assert "还不是成员" in await say("商机", user="wangfang", nick="王芳")
    outsider = await say("@dealbot 商机", user="li", nick="李总", group="cidAcme==", at_bot=True, corp="custcorp")
    assert "只为本团队成员服务" in outsider

    assert stored(wired) == before | {"access_requests": 1, "outbox": 1}
    [notice] = notices(wired)
    assert (notice.platform, notice.chat_id) == ("dingtalk", "user:boss") and "王芳" in notice.reply.title
