"""The log at DEBUG while each real SDK talks to its local fake platform: no configured token or
secret (and no stream ticket) is ever written, and message text only with DEALBOT_LOG_MESSAGE_TEXT.
The log is the real file handler of bot.logs, so these read what an operator would read."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.dingtalk import DingTalkAdapter, DingTalkConfig
from adapters.slack import SlackAdapter, SlackConfig
from adapters.telegram import TelegramAdapter, TelegramConfig
from bot.config import Settings
from bot.logs import file_handler
from bot.run import web_app
from core.chat.messages import Reply
from tests.platforms.dingtalk import FakeDingTalk
from tests.platforms.slack import FakeSlack, form_body, signed_headers, slash_command
from tests.platforms.telegram import FakeTelegram, message_update, private_chat, user

SLACK_TOKEN = "xoxb-1111-2222-LOGSECRETslack"
SLACK_SIGNING = "signing-LOGSECRET-0123456789abcdef"
TELEGRAM_TOKEN = "987654:LOGSECRET-telegram_token-abcdefgh"
DINGTALK_SECRET = "ding-LOGSECRET-client-secret"
CUSTOMER = "Zanzibar Confidential Widgets"
BOSS_TG = user(1000, "boss")  # DEALBOT_ADMINS of the `wired` fixture: a member on every platform


@pytest.fixture(params=[False, True], ids=["text-off", "text-on"])
def debug_log(request, tmp_path: Path):
    """The root logger at DEBUG into dealbot's own log file (set before any SDK object exists:
    slack-bolt copies the root's level when its loggers are made)."""
    settings = Settings(_env_file=None, log_file=tmp_path / "debug.log", log_level="DEBUG",
                        log_message_text=request.param, slack_bot_token=SLACK_TOKEN,
                        slack_signing_secret=SLACK_SIGNING, telegram_bot_token=TELEGRAM_TOKEN,
                        dingtalk_client_secret=DINGTALK_SECRET)
    handler, root = file_handler(settings), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)

    def read() -> str:
        handler.flush()
        return settings.log_file.read_text(encoding="utf-8")

    read.message_text = request.param
    yield read
    root.removeHandler(handler)
    handler.close()
    root.setLevel(level)


def assert_no_secrets(log: str, message_text: bool) -> None:
    assert "LOGSECRET" not in log  # in every configured secret above
    assert "ticket=ticket-" not in log  # DingTalk's stream ticket, handed out at run time
    if not message_text:
        assert CUSTOMER not in log


async def test_slack_at_debug(debug_log, wired, async_handler):
    fake = await FakeSlack().start()
    fake.add_user("UBOSS", "Boss")
    adapter = SlackAdapter(SlackConfig(bot_token=SLACK_TOKEN, signing_secret=SLACK_SIGNING, api_url=fake.api_url,
                                       process_before_response=True), async_handler)
    await adapter.start()
    try:
        async with TestClient(TestServer(web_app(adapter.routes(), lambda: True), host="127.0.0.1")) as http:
            body = form_body(slash_command(f"new {CUSTOMER} 50k", user_id="UBOSS",
                                           response_url=fake.response_url()))
            headers = signed_headers(body, SLACK_SIGNING, content_type="application/x-www-form-urlencoded")
            assert (await http.post("/slack/events", data=body.encode(), headers=headers)).status == 200
        await adapter.notifier.send("UBOSS", Reply(title=f"{CUSTOMER} reminder"))  # a bot-token call
    finally:
        await adapter.stop()
        await fake.close()
    assert CUSTOMER in fake.posted[0].text
    log = debug_log()
    assert_no_secrets(log, debug_log.message_text)
    if debug_log.message_text:  # the switch works: the SDK's records of the request are there
        assert CUSTOMER in log


async def test_telegram_at_debug(debug_log, wired, async_handler):
    fake = await FakeTelegram(TELEGRAM_TOKEN).start()
    adapter = TelegramAdapter(TelegramConfig(token=TELEGRAM_TOKEN, api_url=fake.url, poll_timeout=1), async_handler)
    await adapter.start()
    try:
        await fake.push(message_update(fake.next_update_id(), BOSS_TG, private_chat(1000), f"/new {CUSTOMER} 50k"))
        [sent] = await fake.wait_for("sendMessage")
    finally:
        await adapter.stop()
        await fake.stop()
    assert CUSTOMER in sent["text"]
    log = debug_log()
    assert_no_secrets(log, debug_log.message_text)
    if debug_log.message_text:  # the switch works: the SDK's records of the request are there
        assert CUSTOMER in log


async def test_dingtalk_at_debug(debug_log, wired, async_handler):
    fake = FakeDingTalk(client_secret=DINGTALK_SECRET)
    await fake.start()
    adapter = DingTalkAdapter(DingTalkConfig(fake.client_id, DINGTALK_SECRET, api_url=fake.url, connect_timeout=5),
                              async_handler)
    await adapter.start()
    try:
        frame_id = await fake.send_callback(fake.message(f"new {CUSTOMER} 50k", user="boss"))
        await fake.wait_for(lambda: fake.ack_for(frame_id) is not None)
        await adapter.drain()
        await fake.wait_for(lambda: fake.replies)
        await adapter.notifier.send("user:boss", Reply(title=f"{CUSTOMER} reminder"))  # an access token
    finally:
        await adapter.stop()
        await fake.close()
    log = debug_log()
    assert_no_secrets(log, debug_log.message_text)

