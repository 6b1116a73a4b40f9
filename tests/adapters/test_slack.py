"""The Slack adapter: real slack_bolt / slack_sdk against the local fake Slack, the real core
behind it. Every message the fake received is checked with slack_sdk's own Block Kit models."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.models.blocks import Block

from adapters.slack import SlackAdapter, SlackConfig, SlackNotifier
from adapters.slack.adapter import ACK_DEADLINE
from adapters.slack.notifier import make_client
from adapters.slack.render import MAX_BLOCKS, render
from adapters.slack.translate import as_handle, command_text, mentioned_user_ids
from bot.run import web_app
from core.chat.messages import Button, Field, Incoming, Reply
from tests.access import trust
from tests.adapters.held import HeldCore
from tests.platforms import slack as fake_slack
from tests.platforms.slack import (
    FakeSlack,
    Posted,
    block_actions,
    event_callback,
    form_body,
    message_event,
    signed_headers,
    slash_command,
)

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def assert_valid_blocks(blocks: list[dict]) -> None:
    assert 0 < len(blocks) <= MAX_BLOCKS
    for block in blocks:
        Block.parse(block).validate_json()  # raises SlackObjectFormationError on any broken limit
    action_ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(action_ids) == len(set(action_ids))


def button_values(posted: Posted) -> list[str]:
    return [e["value"] for b in posted.blocks if b["type"] == "actions" for e in b["elements"]]


@pytest.fixture
async def fake():
    fake = await FakeSlack().start()
    for user_id, name in [("U1", "Alice"), ("U2", "Bob Smith"), ("U3", "Carol"), ("UBOSS", "Boss"),
                          ("U7", "Dave")]:
        fake.add_user(user_id, name)
    yield fake
    for posted in fake.posted:
        assert posted.text.strip(), posted  # every message carries its plain-text fallback
        assert_valid_blocks(posted.blocks)
    await fake.close()


@dataclass
class Harness:
    fake: FakeSlack
    adapter: SlackAdapter
    http: TestClient
    wired: object
    chatter: list[Incoming]

    async def post(self, body: str, content_type: str, *, timestamp: int | None = None,
                   secret: str = SECRET, retry: int | None = None):
        headers = signed_headers(body, secret, timestamp=timestamp, content_type=content_type)
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.http.post("/slack/events", data=body.encode(), headers=headers)

    async def slash(self, text: str, user: str = "U1", **kwargs):
        body = form_body(slash_command(text, user_id=user, response_url=self.fake.response_url(), **kwargs))
        return await self.post(body, "application/x-www-form-urlencoded")

    async def event(self, event: dict, event_id: str, retry: int | None = None):
        return await self.post(json.dumps(event_callback(event, event_id=event_id)), "application/json",
                               retry=retry)

    async def click(self, value: str, user: str):
        payload = block_actions(value, user_id=user, response_url=self.fake.response_url("click"))
        return await self.post(form_body({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def deals(self) -> list[tuple[str, str, str]]:
        """(code, stage, owner handle) of every deal, oldest first."""
        with self.wired.uow() as uow:
            return [(d.code, d.stage, uow.members.get(d.owner_id).handle) for d in reversed(uow.deals.find())]

    def member(self, user_id: str):
        with self.wired.uow() as uow:
            member = uow.members.by_identity("slack", user_id)
            return None if member is None else (member.handle, member.display_name)


@pytest.fixture
async def slack(fake, wired, async_handler):
    trust(wired, "slack", fake_slack.TEAM_ID)  # its people let themselves in (DEALBOT_SELF_SERVICE)
    chatter: list[Incoming] = []

    async def on_chat_message(incoming: Incoming) -> None:
        chatter.append(incoming)

    config = SlackConfig(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url,
                         process_before_response=True)
    adapter = SlackAdapter(config, async_handler, on_chat_message=on_chat_message)
    await adapter.start()
    async with TestClient(TestServer(web_app(adapter.routes(), lambda: True), host="127.0.0.1")) as http:
        yield Harness(fake, adapter, http, wired, chatter)
    await adapter.stop()


# --- HTTP mode: slash commands, clicks, mentions, DMs ---------------------------------------------


async def test_slash_command_creates_the_deal_and_answers_on_the_response_url(slack):
    response = await slack.slash("new Acme 50k", user="U1")
    assert response.status == 200
    [answer] = slack.fake.posted
    assert answer.via == "response_url" and not answer.ephemeral
    assert answer.raw["response_type"] == "in_channel"
    assert "D-1" in answer.all_text() and "Acme" in answer.text
    assert answer.blocks[0]["type"] == "header"
    assert "move D-1 next" in button_values(answer)
    assert slack.deals() == [("D-1", "lead", "alice")]
    assert slack.member("U1") == ("alice", "Alice")  # the display name from users.info


async def test_a_click_runs_the_button_command_as_the_person_who_clicked(slack):
    await slack.slash("new Acme 50k", user="U2")
    [card] = slack.fake.posted
    assert "move D-1 next" in button_values(card)

    await slack.click("move D-1 next", user="U3")  # a rep who does not own D-1
    refusal = slack.fake.posted[-1]
    assert refusal.ephemeral and refusal.via == "response_url"
    assert "No permission" in refusal.text and "@bob-smith" in refusal.text
    assert slack.deals() == [("D-1", "lead", "bob-smith")]

    await slack.click("move D-1 next", user="U2")  # the owner
    moved = slack.fake.posted[-1]
    assert not moved.ephemeral and moved.raw["replace_original"] is False
    assert "D-1 moved" in moved.text
    await slack.click("move D-1 next", user="UBOSS")  # an admin
    assert slack.deals() == [("D-1", "demo", "bob-smith")]


async def test_chinese_command_gets_a_chinese_reply(slack):
    await slack.slash("新建 华为 5万", user="U1")
    [answer] = slack.fake.posted
    assert "已新建商机 D-1" in answer.text
    assert "负责人" in answer.all_text()


async def test_a_mention_in_a_channel_and_a_direct_message_run_commands(slack):
    await slack.event(message_event("me", user="U2", channel="DU2", channel_type="im"), "Ev1")
    [profile] = slack.fake.posted
    assert profile.via == "chat.postMessage" and profile.channel == "DU2"
    assert "@bob-smith" in profile.text

    mention = message_event("<@UBOT> new Acme 50k owner:<@U2|bob>", user="UBOSS", channel="C1",
                            channel_type="channel", kind="app_mention", ts="1772590000.000200")
    await slack.event(mention, "Ev2")
    created = slack.fake.posted[-1]
    assert created.via == "chat.postMessage" and created.channel == "C1" and "D-1" in created.text
    assert slack.deals() == [("D-1", "lead", "bob-smith")]  # <@U2> became @bob-smith
    # users.info once per person: U2's answer was remembered from the DM
    assert [c.params["user"] for c in slack.fake.calls_to("users.info")] == ["U2", "UBOSS"]

    wrong = message_event("<@UBOT> move D-9 next", user="U1", channel="C1", channel_type="channel",
                          kind="app_mention", ts="1772590000.000300", thread_ts="1772590000.000250")
    await slack.event(wrong, "Ev3")
    error = slack.fake.posted[-1]
    assert error.via == "chat.postEphemeral" and error.raw["user"] == "U1" and "D-9" in error.text
    assert error.raw["thread_ts"] == "1772590000.000250"


async def test_channel_chatter_bots_and_edits_do_not_reach_the_core(slack):
    await slack.event(message_event("hello team, call at 3?", user="U7", channel="C1", channel_type="channel"),
                      "Ev1")
    # the message.channels copy of a mention: the app_mention event runs it, not this one
    await slack.event(message_event("<@UBOT> new Acme 50k", user="U7", channel="C1", channel_type="channel"),
                      "Ev2")
    await slack.event(message_event("new Bots 1k", user="U7", channel="DU7", channel_type="im",
                                    bot_id="B9"), "Ev3")
    await slack.event(message_event("new Edited 1k", user="U7", channel="DU7", channel_type="im",
                                    subtype="message_changed"), "Ev4")
    assert slack.fake.posted == []
    assert slack.member("U7") is None and slack.deals() == []
    assert [(e.text, e.chat_id, e.action) for e in slack.chatter] == [("hello team, call at 3?", "C1", "new")]


async def test_a_redelivered_event_is_handled_once(slack):
    event = message_event("new Acme 50k", user="U1", channel="DU1", channel_type="im")
    assert (await slack.event(event, "EvSame")).status == 200
    assert (await slack.event(event, "EvSame", retry=1)).status == 200
    assert slack.deals() == [("D-1", "lead", "alice")]
    assert len(slack.fake.posted) == 1


async def test_a_429_is_waited_out_as_retry_after_says(slack):
    slack.fake.rate_limit("chat.postMessage", retry_after=1)
    started = time.monotonic()
    await slack.event(message_event("new Acme 50k", user="U1", channel="DU1", channel_type="im"), "Ev1")
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in slack.fake.calls_to("chat.postMessage")] == [429, 200]
    [answer] = slack.fake.posted
    assert "D-1" in answer.text


async def test_bad_or_stale_signatures_are_refused_and_change_nothing(slack):
    body = form_body(slash_command("new Acme 50k", user_id="U1", response_url=slack.fake.response_url()))
    forged = await slack.post(body, "application/x-www-form-urlencoded", secret="not-the-secret")
    stale = await slack.post(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 600)
    assert (forged.status, stale.status) == (401, 401)
    assert slack.deals() == [] and slack.fake.posted == []


async def test_the_request_url_check_is_answered(slack):
    body = json.dumps({"token": "legacy", "challenge": "c-123", "type": "url_verification"})
    response = await slack.post(body, "application/json")
    assert response.status == 200 and "c-123" in await response.text()


async def test_over_http_a_slash_command_is_acked_before_the_answer(fake, wired, async_handler):
    """Production settings (process_before_response off): Slack gets its 200 once the command
    has committed, the reply follows on the response_url."""
    trust(wired, "slack", fake_slack.TEAM_ID)
    adapter = SlackAdapter(SlackConfig(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url),
                           async_handler)
    await adapter.start()
    async with TestClient(TestServer(web_app(adapter.routes(), lambda: True), host="127.0.0.1")) as http:
        body = form_body(slash_command("new Acme 50k", user_id="U1", response_url=fake.response_url()))
        headers = signed_headers(body, SECRET, content_type="application/x-www-form-urlencoded")
        response = await http.post("/slack/events", data=body.encode(), headers=headers)
        assert response.status == 200 and await response.text() == ""
        await fake.wait_until(lambda: fake.posted)
        assert "D-1" in fake.posted[0].text
        await adapter.stop()
        refused = await http.post("/slack/events", data=body.encode(), headers=headers)
        assert refused.status == 503  # stopping: Slack retries the event later


# --- Socket Mode ----------------------------------------------------------------------------------


async def test_socket_mode_acks_envelopes_and_answers(fake, wired, async_handler):
    trust(wired, "slack", fake_slack.TEAM_ID)
    config = SlackConfig(bot_token="xoxb-test", app_token="xapp-test", api_url=fake.api_url)
    adapter = SlackAdapter(config, async_handler)
    assert adapter.routes() == []
    await adapter.start()
    try:
        command = slash_command("new Acme 50k", user_id="U1", response_url=fake.response_url())
        ack = await fake.send_envelope("slash_commands", command, envelope_id="env-1")
        assert ack["envelope_id"] == "env-1"
        await fake.wait_until(lambda: fake.posted)
        assert "D-1" in fake.posted[0].text and fake.posted[0].via == "response_url"

        dm = event_callback(message_event("show D-1", user="U1", channel="DU1", channel_type="im"), event_id="Ev9")
        ack = await fake.send_envelope("events_api", dm, envelope_id="env-2")
        assert ack["envelope_id"] == "env-2"
        await fake.wait_until(lambda: len(fake.posted) == 2)
        assert fake.posted[1].channel == "DU1" and "Acme" in fake.posted[1].text
        assert [c.method for c in fake.calls].count("apps.connections.open") == 1
    finally:
        await adapter.stop()


async def socket_mode_adapter(fake: FakeSlack, core) -> SlackAdapter:
    adapter = SlackAdapter(SlackConfig(bot_token="xoxb-test", app_token="xapp-test", api_url=fake.api_url), core)
    await adapter.start()
    return adapter


async def test_socket_mode_acks_a_command_only_once_it_has_committed(fake, wired, async_handler):
    """An ack tells Slack not to deliver the event again: sent before the commit, a crash in
    between would lose the command. A retry arriving meanwhile waits for the first delivery."""
    trust(wired, "slack", fake_slack.TEAM_ID)
    core = HeldCore(async_handler)
    adapter = await socket_mode_adapter(fake, core)
    try:
        dm = event_callback(message_event("new Acme 50k", user="U1", channel="DU1", channel_type="im"),
                            event_id="Ev1")
        first = asyncio.create_task(fake.send_envelope("events_api", dm, envelope_id="env-1", timeout=10))
        await asyncio.wait_for(core.entered.wait(), 5)
        retry = asyncio.create_task(fake.send_envelope("events_api", dm, envelope_id="env-2", timeout=10))
        await asyncio.sleep(0.5)
        assert fake.acks == {} and not first.done() and not retry.done()
        core.release.set()
        await asyncio.gather(first, retry)
        await fake.wait_until(lambda: fake.posted)
        with wired.uow() as uow:
            assert [d.code for d in uow.deals.find()] == ["D-1"]
        assert len(fake.posted) == 1 and "D-1" in fake.posted[0].text
    finally:
        await adapter.stop()


async def test_a_slash_command_still_running_is_acked_at_the_deadline_and_answered_later(
        fake, wired, async_handler):
    """Slack never retries a slash command; unacked after 3 s it shows the person an error. So
    one that has not settled by ACK_DEADLINE (a chart being drawn) is acked then, not before."""
    trust(wired, "slack", fake_slack.TEAM_ID)
    core = HeldCore(async_handler)
    adapter = await socket_mode_adapter(fake, core)
    try:
        command = slash_command("new Acme 50k", user_id="U1", response_url=fake.response_url())
        began = time.monotonic()
        await fake.send_envelope("slash_commands", command, envelope_id="env-1", timeout=10)
        assert ACK_DEADLINE <= time.monotonic() - began < ACK_DEADLINE + 2 and fake.posted == []
        core.release.set()
        await fake.wait_until(lambda: fake.posted)
        assert "D-1" in fake.posted[0].text and fake.posted[0].via == "response_url"
    finally:
        await adapter.stop()


# --- the notifier ---------------------------------------------------------------------------------


async def test_notifier_opens_the_dm_posts_and_uploads_the_chart(fake, tmp_path):
    chart = tmp_path / "scorecard.png"
    chart.write_bytes(b"\x89PNG fake chart")
    notifier = SlackNotifier(make_client("xoxb-test", fake.api_url))

    ts = await notifier.send("U1", Reply(title="Weekly scorecard", lines=["3 new deals"],
                                         image_path=str(chart)))
    assert ts == "1772590000.000001"
    assert fake.calls_to("conversations.open")[0].params["users"] == "U1"
    [posted] = fake.posted
    assert posted.channel == "DU1" and "3 new deals" in posted.text
    assert fake.uploads == {"F1": b"\x89PNG fake chart"}
    assert fake.calls_to("files.completeUploadExternal")[0].params["channel_id"] == "DU1"

    await notifier.send("C9", Reply(title="To a channel"))
    assert fake.posted[-1].channel == "C9" and len(fake.calls_to("conversations.open")) == 1
    assert await notifier.send_image("U1", str(chart), "Funnel") == "F2"


# --- rendering and translation, without the network -----------------------------------------------


def test_a_long_reply_stays_within_slack_limits():
    reply = Reply(title="Open deals (200) " + "x" * 200,
                  lines=[f"D-{n} Customer {n} · Lead · ¥50,000" for n in range(200)],
                  fields=[Field(f"Field {n}", "value") for n in range(15)],
                  buttons=[Button(f"Button {n} " + "long " * 20, f"show D-{n}") for n in range(30)])
    message = render(reply)
    assert_valid_blocks(message.blocks)
    text = json.dumps(message.blocks, ensure_ascii=False)
    assert "D-0 Customer 0" in text and "D-199 Customer 199" in text  # 200 short lines all fit
    assert [len(b["fields"]) for b in message.blocks if "fields" in b] == [10, 5]
    assert [len(b["elements"]) for b in message.blocks if b["type"] == "actions"] == [25, 5]

    huge = Reply(title="History", lines=[f"{n} " + "word " * 400 for n in range(200)], language="en")
    message = render(huge, command="history D-1")
    assert_valid_blocks(message.blocks)
    last = message.blocks[-1]["text"]["text"]
    assert "more — narrow `history D-1` to see the rest" in last
    shown = [line for b in message.blocks[1:] for line in b["text"]["text"].split("\n")][:-1]
    assert [line.split()[0] for line in shown] == [str(n) for n in range(len(shown))]
    assert f"… and {200 - len(shown)} more" in last

    zh = render(Reply(title="操作日志", lines=["很长的一行" * 700] * 200, language="zh"))
    assert_valid_blocks(zh.blocks)
    assert "…… 还有" in zh.blocks[-1]["text"]["text"]


def test_markup_in_data_is_escaped_and_errors_are_marked():
    assert render(Reply()).blocks == [{"type": "section", "text": {"type": "mrkdwn", "text": "…"}}]
    message = render(Reply(title="No such deal", lines=["A&B <!channel>"], is_error=True))
    assert message.text.startswith("⚠️ No such deal")
    assert "A&amp;B &lt;!channel&gt;" in message.blocks[1]["text"]["text"]
    assert message.blocks[0]["type"] == "section"


def test_slack_markup_becomes_plain_command_text():
    raw = "<@UBOT>  new A&amp;B 50k owner:<@U2|bob> see <https://a.example/x|the deck> in <#C1|sales> <!here>"
    assert mentioned_user_ids(raw) == [("UBOT", ""), ("U2", "bob")]
    assert command_text(raw, bot_user_id="UBOT", handles={"U2": "bob-smith"}) == \
        "new A&B 50k owner:@bob-smith see the deck in #sales @here"
    assert command_text("<@UBOT> task call <@U3>", bot_user_id="UBOT") == "task call @u3"
    assert as_handle("Bob Smith") == "bob-smith" and as_handle("王 小明") == "王-小明"
