"""The DingTalk adapter: the real dingtalk-stream client and httpx against a local fake DingTalk
(tests/platforms/dingtalk.py), with the real core behind it. Assertions are on what the
fake received: acks, session-webhook replies, robot OpenAPI calls."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from adapters.dingtalk import DingTalkAdapter, DingTalkConfig, DingTalkNotifier, DingTalkSendError
from adapters.dingtalk.adapter import _cancel_until_done
from adapters.dingtalk.render import LIMIT, command_of, escape, markdown_text, robot_message
from adapters.dingtalk.translate import bot_message, command_text
from bot.delivery import RATE_LIMITED, classify
from core.chat.messages import Button, Field, Reply
from tests.access import trust
from tests.adapters.held import HeldCore
from tests.platforms.dingtalk import FakeDingTalk

GROUP = "cidGroupAcme=="


@pytest.fixture
async def fake():
    fake = FakeDingTalk()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def chat_messages() -> list:
    return []


@pytest.fixture
async def adapter(fake, async_handler, chat_messages, wired):
    trust(wired, "dingtalk", "dingcorp")  # the fake's organisation lets itself in (DEALBOT_SELF_SERVICE)
    async def capture(event):  # the hook point of chat capture
        chat_messages.append(event)

    config = DingTalkConfig(fake.client_id, fake.client_secret, api_url=fake.url, connect_timeout=5)
    adapter = DingTalkAdapter(config, async_handler, on_chat_message=capture)
    await adapter.start()
    assert adapter.connected
    yield adapter
    await adapter.drain()
    assert fake.unacked() == []  # every CALLBACK frame was acked
    await adapter.stop()


async def say(fake, adapter, text: str, **kwargs) -> dict | None:
    """Deliver one robot message; return the reply the session webhook got (None: no reply)."""
    before = len(fake.replies)
    frame_id = await fake.send_callback(fake.message(text, **kwargs))
    await fake.wait_for(lambda: fake.ack_for(frame_id) is not None)
    await adapter.drain()
    assert len(fake.replies) <= before + 1
    return fake.replies[-1] if len(fake.replies) > before else None


def text_of(reply: dict) -> str:
    return reply[reply["msgtype"]]["text"]


def deal(wired, number: int = 1):
    with wired.uow() as uow:
        return uow.deals.get(number)


# -- Stream mode end to end -----------------------------------------------------------------------


async def test_one_to_one_command_round_trip(fake, adapter, wired):
    reply = await say(fake, adapter, "new Acme 50k", user="alice")

    assert reply["msgtype"] == "actionCard"  # the deal card has buttons
    assert "D-1" in text_of(reply) and "Acme" in text_of(reply)
    assert reply["_session"] == "cid-dm-alice"
    created = deal(wired)
    assert (created.code, created.stage, int(created.amount)) == ("D-1", "lead", 50_000)
    with wired.uow() as uow:
        assert uow.members.by_identity("dingtalk", "alice").handle  # made on first contact


async def test_connection_request_and_acks(fake, adapter):
    opened = fake.open_requests[0]
    assert (opened["clientId"], opened["clientSecret"]) == (fake.client_id, fake.client_secret)
    assert opened["subscriptions"] == [{"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"}]
    assert opened["localIp"] == ""  # no UDP probe toward 8.8.8.8

    frame_id = await fake.send_callback(fake.message("help"))
    ping_id = await fake.send_ping()
    await fake.wait_for(lambda: fake.ack_for(frame_id) and fake.ack_for(ping_id))
    ack = fake.ack_for(frame_id)
    assert ack["code"] == 200 and ack["headers"]["contentType"] == "application/json"
    assert ack["data"] == '{"response": "OK"}'
    assert fake.ack_for(ping_id)["code"] == 200


async def test_chinese_mention_in_a_group(fake, adapter, wired):
    await say(fake, adapter, "@dealbot 新建 华为 5万", group=GROUP, at_bot=True)

    reply = await say(fake, adapter, "@dealbot 推进 D-1 报价", group=GROUP, at_bot=True)

    assert reply["_session"] == GROUP
    assert "已推进" in text_of(reply)
    assert deal(wired).stage == "quote"


async def test_button_click_runs_its_command_as_the_clicking_user(fake, adapter, wired):
    card = await say(fake, adapter, "new Acme 50k", user="alice")
    commands = [command_of(b["actionURL"]) for b in card["actionCard"]["btns"]]
    assert "move D-1 next" in commands  # every button sends its command text back

    refused = await say(fake, adapter, "move D-1 next", user="bob", group=GROUP, at_bot=True)
    assert refused["msgtype"] == "markdown" and "⚠️" in text_of(refused)
    assert refused["at"] == {"atUserIds": ["bob"], "isAtAll": False}  # errors @ their sender
    assert deal(wired).stage == "lead"

    moved = await say(fake, adapter, "move D-1 next", user="alice")
    assert "D-1" in text_of(moved)
    assert deal(wired).stage == "contact"


async def test_group_message_not_for_the_bot_is_ignored(fake, adapter, wired, chat_messages):
    reply = await say(fake, adapter, "@erin new Foo 1k", group=GROUP, at_bot=False, user="carol")

    assert reply is None
    assert deal(wired) is None
    # handed to the chat hook as said (chat capture), not run as a command
    assert [(e.text, e.user_id, e.external) for e in chat_messages] == [("@erin new Foo 1k", "carol", False)]


async def test_duplicate_delivery_is_handled_once(fake, adapter, wired):
    data = fake.message("new Acme 50k", msg_id="msgDup1")
    first = await fake.send_callback(data)
    again = await fake.send_callback(data)  # DingTalk redelivers with a new frame id
    repeat = await fake.send_callback(fake.message("new Other 1k"), frame_id=first)
    await fake.wait_for(lambda: all(fake.ack_for(f) for f in (first, again, repeat)))
    await adapter.drain()

    assert len(fake.replies) == 1
    assert deal(wired, 2) is None
    assert len([a for a in fake.acks if a["headers"]["messageId"] == first]) == 2  # acked both times


async def test_a_command_is_acked_only_once_it_has_committed(fake, async_handler, wired):
    """The ack tells DingTalk the message was taken: sent before the commit, a crash in between
    would lose the command (DingTalk pushes a robot message once). A duplicate arriving while
    the first still runs is acked after it, and run once."""
    core = HeldCore(async_handler)
    config = DingTalkConfig(fake.client_id, fake.client_secret, api_url=fake.url, connect_timeout=5)
    adapter = DingTalkAdapter(config, core)
    await adapter.start()
    try:
        data = fake.message("new Acme 50k", msg_id="msgSlow1")
        first = await fake.send_callback(data)
        await asyncio.wait_for(core.entered.wait(), 5)
        again = await fake.send_callback(data)
        await asyncio.sleep(0.5)
        assert (fake.ack_for(first), fake.ack_for(again)) == (None, None) and deal(wired) is None
        core.release.set()
        await fake.wait_for(lambda: fake.ack_for(first) and fake.ack_for(again))
        assert fake.ack_for(first)["code"] == 200 and deal(wired).customer_id
        await adapter.drain()
        assert len(fake.replies) == 1 and deal(wired, 2) is None
    finally:
        await adapter.stop()


async def test_expired_session_webhook_falls_back_to_the_robot_api(fake, adapter):
    reply = await say(fake, adapter, "help", user="dave", expires_in_ms=-1_000)

    assert reply is None
    [call] = fake.robot_calls
    assert call.path == "/v1.0/robot/oToMessages/batchSend"
    assert call.body["userIds"] == ["dave"] and call.body["robotCode"] == fake.client_id


async def test_stop_cancels_until_the_stream_task_ends():
    # dingtalk-stream's start() catches the first CancelledError and carries on (sleep, reconnect)
    async def swallows_one_cancel():
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            await asyncio.sleep(10)

    task = asyncio.create_task(swallows_one_cancel())
    await asyncio.sleep(0)
    await asyncio.wait_for(_cancel_until_done(task), 3)
    assert task.cancelled()


async def test_stop_ends_the_stream_and_reconnects_after_a_drop(fake, async_handler):
    config = DingTalkConfig(fake.client_id, fake.client_secret, api_url=fake.url)
    adapter = DingTalkAdapter(config, async_handler)
    await adapter.start()
    await fake.drop_connections()
    await fake.wait_for(lambda: len(fake.open_requests) == 2 and fake.connected)
    assert await say(fake, adapter, "help")

    await asyncio.wait_for(adapter.stop(), 5)
    await fake.wait_for(lambda: not fake.connected)
    assert not adapter.connected


# -- the notifier -------------------------------------------------------------------------------


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def notifier_for(fake, http, **kwargs) -> DingTalkNotifier:
    return DingTalkNotifier(fake.client_id, fake.client_secret, api_url=fake.url, http=http, **kwargs)


async def test_group_send_honours_429_then_succeeds(fake, http):
    sleeps = Sleeps()
    notifier = notifier_for(fake, http, sleep=sleeps)
    fake.fail("/v1.0/robot/groupMessages/send", 429, headers={"Retry-After": "2"})
    fake.fail("/v1.0/robot/groupMessages/send", 503)

    key = await notifier.send(f"group:{GROUP}", Reply(title="Weekly scorecard", lines=["won 3"]))

    assert key == "pqk-3"
    assert sleeps == [2.0, 2.0]  # Retry-After, then the backoff of a second failure (1 s, 2 s, …)
    calls = fake.robot_calls
    assert [c.path for c in calls] == ["/v1.0/robot/groupMessages/send"] * 3
    assert calls[-1].body["openConversationId"] == GROUP and calls[-1].body["msgKey"] == "sampleMarkdown"
    assert calls[-1].param["title"] == "Weekly scorecard"


async def test_a_long_rate_limit_goes_back_to_the_dispatcher(fake, http):
    notifier = notifier_for(fake, http, sleep=Sleeps())
    fake.fail("/v1.0/robot/groupMessages/send", 403, headers={"Retry-After": "120"},
              body={"code": "Forbidden.AccessDenied.QpsLimitForApi", "message": "qps"})

    with pytest.raises(DingTalkSendError) as raised:
        await notifier.send(GROUP, Reply(title="digest"))  # a bare id is a group's

    outcome = classify(raised.value)
    assert (outcome.kind, outcome.retry_after) == (RATE_LIMITED, 120.0)


async def test_access_token_is_fetched_once_and_refreshed_before_expiry(fake, http):
    now = [1_000.0]
    notifier = notifier_for(fake, http, clock=lambda: now[0])
    card = Reply(title="D-1 is over its time limit",
                 buttons=[Button("→ Quote", "move D-1 next"), Button("Snooze 2 days", "snooze D-1 2d")])

    await notifier.send("user:alice", card)
    await notifier.send("user:bob", Reply(title="Task due"))
    now[0] += 7200 - 299  # inside the last five minutes of the token's life
    await notifier.send("user:alice", Reply(title="Daily card"))

    assert [r["appKey"] for r in fake.token_requests] == [fake.client_id] * 2
    assert [c.token for c in fake.robot_calls] == ["tok-1", "tok-1", "tok-2"]
    first = fake.robot_calls[0]
    assert first.body["userIds"] == ["alice"] and first.body["msgKey"] == "sampleActionCard2"
    assert command_of(first.param["actionURL1"]) == "move D-1 next"


async def test_revoked_token_is_replaced(fake, http):
    notifier = notifier_for(fake, http)
    await notifier.send("user:alice", Reply(title="one"))
    fake.revoke_tokens()

    await notifier.send("user:alice", Reply(title="two"))

    assert [c.token for c in fake.robot_calls] == ["tok-1", "tok-1", "tok-2"]


async def test_unknown_user_is_a_permanent_failure(fake, http):
    notifier = notifier_for(fake, http)
    with pytest.raises(DingTalkSendError) as raised:
        await notifier.send("dm-alice:x", Reply(title="?"))
    assert raised.value.status == 400 and not raised.value.retryable


# -- rendering and translation --------------------------------------------------------------------


def test_long_reply_is_trimmed_with_a_count():
    reply = Reply(title="Open deals (400)", fields=[Field("Team", "sales")],
                  lines=[f"D-{n} Customer {n} · Lead · ¥50,000 · @rep{n} · 3d in stage" for n in range(400)])

    text = markdown_text(reply)

    assert len(text) <= LIMIT
    shown = text.count("Customer ")
    assert text.endswith(f"… and {400 - shown} more") and 50 < shown < 400
    zh = markdown_text(Reply(title="商机", lines=["x" * 900] * 10, language="zh"))
    assert len(zh) <= LIMIT and zh.endswith("…… 还有 5 条")


def test_long_reply_through_the_robot_api_stays_within_the_limit():
    _, param = robot_message(Reply(title="Scorecard", lines=["line " * 50] * 100,
                                   buttons=[Button(f"b{n}", f"show D-{n}") for n in range(7)]))
    assert len(param["text"]) <= LIMIT and "… and" in param["text"]
    assert "b5: show D-5" in param["text"]  # past the template's five buttons: typed commands
    assert command_of(param["actionURL5"]) == "show D-4"
    _, chinese = robot_message(Reply(title="周报", lines=["商机进展" * 25] * 100, language="zh"))
    assert len(json.dumps(chinese, ensure_ascii=False).encode()) <= 15_000  # msgParam's byte limit
    assert "还有" in chinese["text"]


def test_markdown_shape_and_user_text_neutralised():
    reply = Reply(title="D-1 · *Acme*", fields=[Field("Owner", "@john_doe")],
                  lines=["# not a heading", "> not a quote", "see [x](http://e.vil) <b>hi</b>"])

    text = markdown_text(reply)

    assert text.startswith("#### D-1 · ＊Acme＊\n\n- **Owner**: @john＿doe")
    assert "\n\n＃ not a heading\n\n＞ not a quote\n\n" in text
    assert "［x］(http://e.vil) ＜b>hi＜/b>" in text
    assert escape("a > b") == "a > b"  # only a leading > quotes


@pytest.mark.parametrize(("text", "robot_name", "expected"), [
    ("@dealbot 推进 D-1 报价", "", "推进 D-1 报价"),
    ("  @dealbot\u2005move D-1 next ", "", "move D-1 next"),
    ("@Deal Bot move D-1 next", "Deal Bot", "move D-1 next"),
    ("@dealbot task call @alice D-1", "", "task call @alice D-1"),
    (" move D-1 next", "", "move D-1 next"),  # DingTalk may already have cut the mention
])
def test_mention_stripped(text, robot_name, expected):
    assert command_text(text, robot_name=robot_name) == expected


def test_translation_of_a_robot_message():
    fake = FakeDingTalk()
    data = fake.message("@dealbot show D-1", user="s001", nick="王芳", group=GROUP, at_bot=True)

    message = bot_message(data)

    incoming = message.incoming
    assert (incoming.platform, incoming.user_id, incoming.user_name) == ("dingtalk", "s001", "王芳")
    assert (incoming.text, incoming.chat_id, incoming.is_direct) == ("show D-1", GROUP, False)
    assert incoming.message_id == data["msgId"] and message.addressed
    assert message.push_chat_id == f"group:{GROUP}"
    outsider = bot_message({**fake.message("help"), "senderStaffId": None})
    assert outsider.incoming.user_id.startswith("$:LWCP_v1:$") and outsider.push_chat_id == ""
    assert bot_message({**fake.message("x"), "msgtype": "picture"}) is None


# -- pictures: a chart is uploaded, then sent as a picture message --------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"chart" * 20


async def test_a_chart_is_uploaded_and_sent_as_a_picture_after_the_text(fake, http, tmp_path):
    chart = tmp_path / "chart.png"
    chart.write_bytes(PNG)
    notifier = notifier_for(fake, http, oapi_url=fake.url)

    await notifier.send(f"group:{GROUP}", Reply(title="Weekly scorecard", image_path=str(chart)))

    text, picture = fake.robot_calls
    assert text.body["msgKey"] == "sampleMarkdown"
    assert picture.body["msgKey"] == "sampleImageMsg" and picture.body["openConversationId"] == GROUP
    assert [content for _, content in fake.pictures()] == [PNG]


async def test_a_picture_that_cannot_be_uploaded_costs_the_picture_not_the_text(fake, http, tmp_path):
    chart = tmp_path / "chart.png"
    chart.write_bytes(PNG)
    notifier = notifier_for(fake, http, oapi_url=fake.url + "/nowhere")  # the upload answers 404

    key = await notifier.send("user:alice", Reply(title="Scorecard", image_path=str(chart)))

    assert key and [call.body["msgKey"] for call in fake.robot_calls] == ["sampleMarkdown"]
    assert fake.pictures() == []


@pytest.mark.slow  # 4 s in a full run on a loaded 2-core machine
async def test_a_figure_asked_in_a_chat_comes_with_its_chart(fake, adapter, wired, tmp_path):
    from bot.charts import MatplotlibCharts

    wired.bot.charts = MatplotlibCharts(tmp_path, cjk=None)
    adapter.notifier.oapi_url = fake.url
    await say(fake, adapter, "new Acme 50k", user="boss")

    reply = await say(fake, adapter, "funnel", user="boss")

    assert "Funnel" in text_of(reply)  # the text through the session webhook, then the picture
    [(call, content)] = fake.pictures()
    assert call.body["userIds"] == ["boss"] and content.startswith(b"\x89PNG")
