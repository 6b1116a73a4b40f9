"""The set-up pages walked in order (issue 23): every command of README.md's "Connect a chat
platform" and of docs/slack.md, docs/telegram.md and docs/dingtalk.md that can run here is run
by a real `dealbot run` process against the fake platform of tests/platforms/*.py.

Where each step is exercised (tests/e2e unless named otherwise):

README.md, "Connect a chat platform"
- `dealbot run` with no platform set stops and names what is missing: test_first_start
- `cp .env.example .env`, then `dealbot console` / `dealbot run`: test_first_start
- `/readyz` 200, then 503 with the reason: test_run_log, test_database_outage
- SIGTERM stops cleanly: every `dealbot_running` block here (exit code 0)
- `DEALBOT_ADMINS=slack:U…`; someone unknown is told their account: the Telegram walk below (`/me`)
- `me link` / `me link <code>` / `me link confirm`: test_run_three_platforms
- per-platform caveats of group recording: the three walks below (`link` on each platform)

docs/slack.md
- 1 create the app from the manifest, install, reinstall: **not here** (Slack's site)
- 2 `SLACK_BOT_TOKEN` + `SLACK_APP_TOKEN`, log `slack: bot U… in team T…, socket mode`: walk below
- 2 `DEALBOT_SELF_SERVICE=slack:T…` lets colleagues in: walk below (Bob)
- 3 HTTP mode: `SLACK_SIGNING_SECRET`, Slack's URL check answered, 401 for a bad signature, a
  command over HTTP: test_slack_http_mode_answers_slacks_url_check_and_commands below;
  the flood of forged requests: test_run_log
- 3 exposing `/slack/events` through a reverse proxy, entering the Request URL: **not here**
- 4 `/deal help`, `/deal new Acme 50k`, `@dealbot show D-1`, `deals` in a DM, `owner:@Bob Smith`,
  `/deal link D-1` (public channel joined, private one asks for an invitation), `digest here
  weekly`: walk below; Slack Connect and group DMs: tests/adapters/test_slack_live.py
- `SLACK_COMMAND` for a second app: tests/adapters/test_slack_live.py
- charts as files: test_run_three_platforms

docs/telegram.md
- 1 BotFather `/newbot`, `/setprivacy`, `/setjoingroups`: **not here** (Telegram's app); the fake
  Bot API plays privacy mode on or off and the bot an admin or not
- 2 `TELEGRAM_BOT_TOKEN`, `/me` names `telegram:<number>`, `DEALBOT_ADMINS` and restart, log
  `telegram: @… , long polling`: walk below
- 3 webhook: `TELEGRAM_WEBHOOK_URL` + `TELEGRAM_WEBHOOK_SECRET` registered with setWebhook, 403
  without the secret, 400 for a body that is not an update, back to polling removes the webhook:
  test_telegram_webhook_then_back_to_polling below; a short secret refused at start: test_run_log
- 3 the reverse proxy, the certificate, `curl …/getWebhookInfo`: **not here** (a public address)
- 4 `/start` (one short message), `help` (in parts), `new Acme 50k`, `推进 D-1 …`, `/deal 推进 D-1 …`, `/show@bot D-1` in a group, a reply
  to the bot's card, `@bot show D-1` with privacy mode off, `/link D-1` in privacy mode and then
  as an admin, `/digest here weekly`, a group becoming a supergroup: walk below
- buttons: tests/adapters/test_telegram.py

docs/dingtalk.md
- 1-3 the internal app, its robot in Stream mode, the permission, publishing: **not here**
  (DingTalk's developer console)
- 2 `DINGTALK_CLIENT_ID` / `DINGTALK_CLIENT_SECRET`, 4 `dealbot run`, log `dingtalk: stream
  connected`, `DEALBOT_SELF_SERVICE=dingtalk:<corpId>`: walk below
- 4 `help` one-to-one, `@dealbot new Acme 50k` and `@dealbot 推进 D-1 报价` in a group,
  `@dealbot 绑定 D-1` (linked, and said not to record the group's talk), `@dealbot 跟进 D-1 …`,
  `digest here weekly`: walk below
- troubleshooting `stream connection failed (… 401 …)`, retried: test_dingtalk_wrong_secret_is_logged
  below
- firewall hosts and proxy: **not here** (they name DingTalk's real hosts; tests reach only
  127.0.0.1)
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest

from bot.bootstrap import build
from bot.config import Settings
from tests.e2e.conftest import dealbot_env
from tests.e2e.running import dealbot_running
from tests.e2e.test_run_three_platforms import free_port
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
    group_chat,
    message_update,
    migrated_update,
    private_chat,
    reply_update,
    user,
)

pytestmark = pytest.mark.slow

TIMEOUT = 20


def run_env(database_url: str, tmp_path: Path, **env: str) -> dict[str, str]:
    """A `dealbot run` environment on the test database (migrated first, as `dealbot migrate` would)."""
    if database_url.startswith("sqlite"):
        build(Settings(_env_file=None, database_url=database_url)).engine.dispose()
    return dealbot_env(database_url, tmp_path, DEALBOT_HTTP_PORT=str(free_port()), **env)


def log_of(tmp_path: Path) -> str:
    return (tmp_path / "dealbot.log").read_text(encoding="utf-8")


def binding(database_url: str, platform: str, chat_id: str):
    wired = build(Settings(_env_file=None, database_url=database_url), migrate=False)
    try:
        with wired.uow() as uow:
            return uow.chat_bindings.for_chat(platform, chat_id)
    finally:
        wired.engine.dispose()


def digests(database_url: str, platform: str, chat_id: str) -> list[str]:
    wired = build(Settings(_env_file=None, database_url=database_url), migrate=False)
    try:
        with wired.uow() as uow:
            return [s.frequency for s in uow.digests.for_chat(platform, chat_id)]
    finally:
        wired.engine.dispose()


def deal_stage_and_owner(database_url: str, number: int) -> tuple[str, str]:
    wired = build(Settings(_env_file=None, database_url=database_url), migrate=False)
    try:
        with wired.uow() as uow:
            found = uow.deals.get(number)
            return found.stage, uow.members.get(found.owner_id).handle
    finally:
        wired.engine.dispose()


# -- Slack ---------------------------------------------------------------------------------------

class SlackUser:
    """Someone typing in the fake Slack workspace; each method returns what dealbot posted."""

    def __init__(self, fake: FakeSlack, user_id: str):
        self.fake, self.user_id = fake, user_id

    async def _posted_after(self, before: int):
        await self.fake.wait_until(lambda: len(self.fake.posted) > before, TIMEOUT)
        return self.fake.posted[-1]

    async def slash(self, text: str, channel: str = "C1"):
        before = len(self.fake.posted)
        command = slash_command(text, user_id=self.user_id, channel_id=channel,
                                response_url=self.fake.response_url(f"r{before}"))
        await self.fake.send_envelope("slash_commands", command, envelope_id=f"cmd-{before}", timeout=TIMEOUT)
        return await self._posted_after(before)

    async def event(self, event: dict):
        before = len(self.fake.posted)
        await self.fake.deliver_events([event_callback(event, event_id=f"Ev{before}")])
        return await self._posted_after(before)


async def test_slack_page_walked_in_socket_mode(database_url, tmp_path: Path):
    slack = await FakeSlack().start()
    slack.add_user("U1", "Alice Admin")
    slack.add_user("U2", "Bob Smith")
    slack.channels["C7"] = {"is_private": False, "is_member": False}  # public, the bot not in it
    slack.channels["G9"] = {"is_private": True, "is_member": False}  # private, the bot not invited
    env = run_env(database_url, tmp_path, SLACK_BOT_TOKEN="xoxb-walk", SLACK_APP_TOKEN="xapp-walk",
                  SLACK_API_URL=slack.api_url, DEALBOT_ADMINS="slack:U1", DEALBOT_SELF_SERVICE="slack:T1")
    alice, bob = SlackUser(slack, "U1"), SlackUser(slack, "U2")
    try:
        async with dealbot_running(env, tmp_path):
            assert "slack: bot UBOT in team T1, socket mode" in log_of(tmp_path)  # step 2

            assert "new" in (await alice.slash("help")).all_text()  # step 4: `/deal help`
            created = await alice.slash("new Acme 50k")
            assert "D-1" in created.all_text() and not created.ephemeral  # posted in the channel

            shown = await alice.event(message_event("<@UBOT> show D-1", user="U1", channel="C1",
                                                    channel_type="channel", kind="app_mention"))
            assert "Acme" in shown.all_text() and shown.channel == "C1"
            listed = await alice.event(message_event("deals", user="U1", channel="D1", channel_type="im"))
            assert "D-1" in listed.all_text() and listed.channel == "D1"

            await bob.slash("help")  # Bob says something first; the workspace's self-service lets him in
            owned = await alice.slash("new Beta 20k owner:<@U2>")  # Slack escapes `@Bob Smith` so
            assert "@bob-smith" in owned.all_text()

            joined = await alice.slash("link D-1", channel="C7")
            assert "joined" in joined.all_text() and [c.params["channel"] for c in slack.calls_to(
                "conversations.join")] == ["C7"]
            invite = await alice.slash("link D-1", channel="G9")
            assert "/invite @dealbot" in invite.all_text() and invite.ephemeral
            assert "weekly" in (await alice.slash("digest here weekly")).all_text()
    finally:
        await slack.close()
    assert deal_stage_and_owner(database_url, 2) == ("lead", "bob-smith")
    assert binding(database_url, "slack", "C7").deal_id == 1
    assert binding(database_url, "slack", "G9") is None  # nothing linked it cannot read
    assert digests(database_url, "slack", "C1") == ["weekly"]
    assert "Traceback" not in log_of(tmp_path)


async def test_slack_http_mode_answers_slacks_url_check_and_commands(database_url, tmp_path: Path):
    secret = "walk-signing-secret-0123456789abcdef"
    slack = await FakeSlack().start()
    slack.add_user("U1", "Alice Admin")
    env = run_env(database_url, tmp_path, SLACK_BOT_TOKEN="xoxb-walk", SLACK_SIGNING_SECRET=secret,
                  SLACK_API_URL=slack.api_url, DEALBOT_ADMINS="slack:U1")
    events = f"http://127.0.0.1:{env['DEALBOT_HTTP_PORT']}/slack/events"
    try:
        async with dealbot_running(env, tmp_path), aiohttp.ClientSession() as http:
            assert "socket mode" not in log_of(tmp_path)
            check = json.dumps({"token": "legacy", "challenge": "c-123", "type": "url_verification"})
            async with http.post(events, data=check, headers=signed_headers(check, secret)) as answer:
                assert answer.status == 200 and "c-123" in await answer.text()
            async with http.post(events, data=check, headers=signed_headers(check, "another-secret")) as answer:
                assert answer.status == 401
            body = form_body(slash_command("new Acme 50k", user_id="U1", response_url=slack.response_url()))
            headers = signed_headers(body, secret, content_type="application/x-www-form-urlencoded")
            async with http.post(events, data=body, headers=headers) as answer:
                assert answer.status == 200
            await slack.wait_until(lambda: any("D-1" in p.all_text() for p in slack.posted), TIMEOUT)
    finally:
        await slack.close()


# -- Telegram ------------------------------------------------------------------------------------

TG_TOKEN = "123456:WALK-telegram"
OWNER, ALICE = user(1001, "owner"), user(1002, "alice")
GROUP = group_chat(-100777)


async def tg_say(fake: FakeTelegram, text: str, chat: dict, sender: dict) -> dict:
    before = len(fake.sent())
    await fake.push(message_update(fake.next_update_id(), sender, chat, text))
    return (await fake.wait_for("sendMessage", before + 1, timeout=TIMEOUT))[-1]


async def tg_say_long(fake: FakeTelegram, text: str, chat: dict, sender: dict, last_words: str) -> list[dict]:
    """A reply longer than one Telegram message (4,096 characters) comes in parts: all of them."""
    before = len(fake.sent())
    await fake.push(message_update(fake.next_update_id(), sender, chat, text))
    count = before + 1
    while last_words not in (sent := await fake.wait_for("sendMessage", count, timeout=TIMEOUT))[-1]["text"]:
        count += 1
    return sent[before:]


async def test_telegram_page_walked_with_long_polling(database_url, tmp_path: Path):
    telegram = await FakeTelegram(TG_TOKEN).start()
    first = run_env(database_url, tmp_path, TELEGRAM_BOT_TOKEN=TG_TOKEN, TELEGRAM_API_URL=telegram.url)
    dm = private_chat(OWNER["id"])
    try:
        async with dealbot_running(first, tmp_path):  # step 2: no admin yet
            assert "telegram: @dealbot_test_bot, long polling" in log_of(tmp_path)
            assert "telegram:1001" in (await tg_say(telegram, "/me", dm, OWNER))["text"]

        # "Put that in DEALBOT_ADMINS and restart"
        async with dealbot_running(first | {"DEALBOT_ADMINS": "telegram:1001"}, tmp_path):
            welcome = await tg_say(telegram, "/start", dm, OWNER)  # step 4: a short welcome, one message
            assert "Welcome to dealbot" in welcome["text"] and "Everything I can do: help" in welcome["text"]
            assert len(await tg_say_long(telegram, "help", dm, OWNER, "help &lt;verb&gt;")) >= 2  # help, in parts
            card = await tg_say(telegram, "new Acme 50k", dm, OWNER)  # no slash in a private chat
            assert "D-1" in card["text"] and "inline_keyboard" in card["reply_markup"]
            assert "方案" in (await tg_say(telegram, "推进 D-1 方案演示", dm, OWNER))["text"]
            assert "报价" in (await tg_say(telegram, "/deal 推进 D-1 报价", dm, OWNER))["text"]

            shown = await tg_say(telegram, "/show@dealbot_test_bot D-1", GROUP, OWNER)
            assert "Acme" in shown["text"] and int(shown["chat_id"]) == GROUP["id"]
            bots_card = telegram.messages()[-1]
            before = len(telegram.sent())
            await telegram.push(reply_update(telegram.next_update_id(), OWNER, bots_card, "move D-1 next"))
            moved = (await telegram.wait_for("sendMessage", before + 1, timeout=TIMEOUT))[-1]
            assert "D-1" in moved["text"]
            assert "Acme" in (await tg_say(telegram, "@dealbot_test_bot show D-1", GROUP, OWNER))["text"]

            telegram.privacy_mode = True  # BotFather's default, and the bot no admin of the group
            refused = (await tg_say(telegram, "/link D-1", GROUP, OWNER))["text"]
            assert "privacy mode" in refused and "recorded into" not in refused
            assert binding(database_url, "telegram", str(GROUP["id"])) is None
            telegram.admin_in.add(GROUP["id"])  # the bot made an admin of the group
            assert "recorded into D-1" in (await tg_say(telegram, "/link D-1", GROUP, OWNER))["text"]
            assert "weekly" in (await tg_say(telegram, "/digest here weekly", GROUP, OWNER))["text"]

            bigger = -1009000777  # the group becomes a supergroup: a new chat id
            await telegram.push(migrated_update(telegram.next_update_id(), GROUP, bigger, OWNER))
            for _ in range(TIMEOUT * 10):
                if binding(database_url, "telegram", str(bigger)) is not None:
                    break
                await asyncio.sleep(0.1)
    finally:
        await telegram.stop()
    assert deal_stage_and_owner(database_url, 1) == ("negotiation", "owner")
    assert binding(database_url, "telegram", str(GROUP["id"])) is None
    assert binding(database_url, "telegram", str(bigger)).deal_id == 1
    assert digests(database_url, "telegram", str(bigger)) == ["weekly"]
    assert "Traceback" not in log_of(tmp_path)


async def test_telegram_webhook_then_back_to_polling(database_url, tmp_path: Path):
    secret = "walk-webhook-secret-long-enough-to-resist_guessing"
    telegram = await FakeTelegram(TG_TOKEN).start()
    env = run_env(database_url, tmp_path, TELEGRAM_BOT_TOKEN=TG_TOKEN, TELEGRAM_API_URL=telegram.url,
                  TELEGRAM_WEBHOOK_URL="https://bot.example.com/telegram/webhook",
                  TELEGRAM_WEBHOOK_SECRET=secret, DEALBOT_ADMINS="telegram:1001")
    hook = f"http://127.0.0.1:{env['DEALBOT_HTTP_PORT']}/telegram/webhook"
    update = message_update(telegram.next_update_id(), OWNER, private_chat(OWNER["id"]), "/new Acme 50k")
    try:
        async with dealbot_running(env, tmp_path), aiohttp.ClientSession() as http:
            assert telegram.webhook["url"] == "https://bot.example.com/telegram/webhook"
            assert telegram.webhook["secret_token"] == secret
            for headers, status in (({}, 403), ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, 403)):
                async with http.post(hook, json=update, headers=headers) as answer:
                    assert answer.status == status
            async with http.post(hook, data=b'{"not": "an update"}', headers={
                    "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}) as answer:
                assert answer.status == 400
            async with http.post(hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}) as answer:
                assert answer.status == 200
            assert "D-1" in (await telegram.wait_for("sendMessage", 1, timeout=TIMEOUT))[-1]["text"]

        async with dealbot_running(env | {"TELEGRAM_WEBHOOK_URL": ""}, tmp_path):  # back to polling
            assert telegram.webhook is None and [c.method for c in telegram.calls].count("deleteWebhook") >= 1
            dm = private_chat(OWNER["id"])
            assert "Acme" in (await tg_say(telegram, "/show D-1", dm, OWNER))["text"]
    finally:
        await telegram.stop()
    assert len(telegram.sent()) == 2  # the 403s and the 400 changed nothing and said nothing


# -- DingTalk ------------------------------------------------------------------------------------

DING_GROUP = "cid-acme-deal"


async def ding_say(fake: FakeDingTalk, text: str, *, group: str = "", user_id: str = "boss") -> str:
    """A message to the robot (in a group: one that @s it); the text of its answer."""
    before = len(fake.replies)
    await fake.send_callback(fake.message(text, user=user_id, group=group, at_bot=bool(group) or None))
    await fake.wait_for(lambda: len(fake.replies) > before, timeout=TIMEOUT)
    return json.dumps(fake.replies[-1], ensure_ascii=False)


async def test_dingtalk_page_walked_in_stream_mode(database_url, tmp_path: Path):
    dingtalk = FakeDingTalk()
    await dingtalk.start()
    env = run_env(database_url, tmp_path, DINGTALK_CLIENT_ID=dingtalk.client_id,
                  DINGTALK_CLIENT_SECRET=dingtalk.client_secret, DINGTALK_API_URL=dingtalk.url,
                  DINGTALK_OAPI_URL=dingtalk.url, DEALBOT_ADMINS="dingtalk:boss",
                  DEALBOT_SELF_SERVICE="dingtalk:dingcorp")  # the fake organisation's corpId
    try:
        async with dealbot_running(env, tmp_path):
            assert "dingtalk: stream connected" in log_of(tmp_path)
            assert "No deals" in await ding_say(dingtalk, "deals", user_id="alice")  # a colleague: in at once
            assert dingtalk.open_requests[0]["subscriptions"] == [
                {"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"}]

            assert "new" in await ding_say(dingtalk, "help")  # one-to-one: every message is a command
            assert "D-1" in await ding_say(dingtalk, "@dealbot new Acme 50k", group=DING_GROUP)
            assert "报价" in await ding_say(dingtalk, "@dealbot 推进 D-1 报价", group=DING_GROUP)
            linked = await ding_say(dingtalk, "@dealbot 绑定 D-1", group=DING_GROUP)
            assert "本群已绑定 D-1" in linked and "群里的聊天不会被记录" in linked  # no promise it cannot keep
            noted = await ding_say(dingtalk, "@dealbot 跟进 D-1 客户要求周三前报价", group=DING_GROUP)
            assert "D-1" in noted
            assert "weekly" in await ding_say(dingtalk, "@dealbot digest here weekly", group=DING_GROUP)
    finally:
        await dingtalk.close()
    assert binding(database_url, "dingtalk", DING_GROUP).deal_id == 1
    assert digests(database_url, "dingtalk", DING_GROUP) == ["weekly"]
    assert deal_stage_and_owner(database_url, 1) == ("quote", "boss")
    assert "Traceback" not in log_of(tmp_path)


async def test_dingtalk_wrong_secret_is_logged_and_retried(database_url, tmp_path: Path):
    dingtalk = FakeDingTalk()
    await dingtalk.start()
    env = run_env(database_url, tmp_path, DINGTALK_CLIENT_ID=dingtalk.client_id,
                  DINGTALK_CLIENT_SECRET="not-the-secret", DINGTALK_API_URL=dingtalk.url,
                  DINGTALK_OAPI_URL=dingtalk.url)
    try:
        async with dealbot_running(env, tmp_path):
            for _ in range(TIMEOUT * 10):
                if len(dingtalk.open_requests) >= 2:
                    break
                await asyncio.sleep(0.1)
    finally:
        await dingtalk.close()
    assert len(dingtalk.open_requests) >= 2 and not dingtalk.connected  # it keeps trying
    failures = [line for line in log_of(tmp_path).splitlines() if "stream connection failed" in line]
    assert failures and "401" in failures[0] and "not-the-secret" not in log_of(tmp_path)
