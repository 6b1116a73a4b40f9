"""Malformed requests to every route of the one HTTP server (the real aiohttp app of bot.run,
with the real Slack and Telegram adapters behind it, the real core on the test database):
each gets a 4xx and one short log line naming the request's fault, never its content, never a
500 or a traceback, and nothing is stored or sent."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.slack import SlackAdapter, SlackConfig
from adapters.telegram import TelegramAdapter, TelegramConfig
from adapters.telegram.adapter import SECRET_HEADER
from bot.run import web_app
from storage.db import row_counts
from tests.platforms.slack import FakeSlack
from tests.platforms.telegram import FakeTelegram

SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TG_TOKEN = "123456:MALFORMED-token"
TG_SECRET = "webhook-secret-of-more-than-32-characters_0123"
MARK = "FORGED"  # in every body: no log line may carry it
FORGED_LINE = f"\n2026-03-04 10:00:00,000 ERROR dealbot: {MARK} admin password reset\n"

# (what is wrong, body, Content-Type): each is refused whether it is signed or not.
BODIES = [
    ("invalid UTF-8", b"{\"type\": \"\xff\xfe" + MARK.encode() + b"\"}", "application/json"),
    ("JSON null", b"null", "application/json"),
    ("JSON array", json.dumps([MARK, FORGED_LINE]).encode(), "application/json"),
    ("truncated JSON", json.dumps({"type": "event_callback", "text": MARK + FORGED_LINE}).encode()[:-7],
     "application/json"),
    ("not JSON", (MARK + FORGED_LINE).encode(), "application/json"),
    ("a form whose payload is not JSON", f"payload={MARK}%0A2026-03-04".encode(),
     "application/x-www-form-urlencoded"),
    ("a form whose payload is an array", b"payload=%5B%22" + MARK.encode() + b"%22%5D",
     "application/x-www-form-urlencoded"),
    ("an empty body", b"", "application/json"),
]


def slack_signature(body: bytes, timestamp: str, secret: str = SLACK_SECRET) -> str:
    return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()


@pytest.fixture
async def server(wired, async_handler):
    """The HTTP server of `dealbot run` with Slack (HTTP mode) and a Telegram webhook."""
    slack = await FakeSlack().start()
    telegram = await FakeTelegram(TG_TOKEN).start()
    adapters = [
        SlackAdapter(SlackConfig(bot_token="xoxb-malformed", signing_secret=SLACK_SECRET, api_url=slack.api_url,
                                 process_before_response=True), async_handler),
        TelegramAdapter(TelegramConfig(token=TG_TOKEN, api_url=telegram.url, webhook_secret=TG_SECRET,
                                       webhook_url="https://bot.example.com/telegram/webhook"), async_handler),
    ]
    for adapter in adapters:
        await adapter.start()
    app = web_app([route for adapter in adapters for route in adapter.routes()], lambda: True)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client, slack, telegram
    for adapter in adapters:
        await adapter.stop()
    await slack.close()
    await telegram.stop()


class Records(logging.Handler):
    """Every record any logger writes while a request is handled, as the log would hold it."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        taken, self.records = self.records, []
        return [r for r in taken if not r.name.startswith("aiohttp.access")]  # the test server's own


@pytest.fixture
def records():
    handler, root = Records(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def assert_one_short_line(taken: list[logging.LogRecord], case: str) -> None:
    loud = [r for r in taken if r.levelno >= logging.INFO]
    assert len(loud) == 1, (case, [r.getMessage() for r in loud])
    [line] = loud
    text = line.getMessage()
    assert line.exc_info is None and "\n" not in text and len(text) < 160, (case, text)
    for record in taken:
        assert MARK not in record.getMessage() and MARK not in str(record.args), (case, record.getMessage())


def nothing_happened(wired, slack: FakeSlack, telegram: FakeTelegram, before: dict) -> None:
    assert row_counts(wired.engine) == before
    assert slack.posted == [] and telegram.sent() == []


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
async def test_slack_events_refuse_malformed_bodies_with_a_4xx_and_one_line(records, server, wired, signed):
    client, slack, telegram = server
    records.take()  # what starting the server logged
    before = row_counts(wired.engine)
    for case, body, content_type in BODIES:
        timestamp = str(int(time.time()))
        signature = slack_signature(body, timestamp) if signed else "v0=" + "0" * 64
        response = await client.post("/slack/events", data=body, headers={
            "Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature})
        assert response.status == (400 if signed else 401), case
        assert MARK not in await response.text()
        assert_one_short_line(records.take(), case)
    nothing_happened(wired, slack, telegram, before)


@pytest.mark.parametrize("timestamp", ["yesterday", "", "1e9", "１７７２５９００００", "-5", "9" * 40])
async def test_slack_events_refuse_a_bad_timestamp_header(records, server, wired, timestamp):
    client, slack, telegram = server
    records.take()  # what starting the server logged
    before = row_counts(wired.engine)
    body = json.dumps({"type": "event_callback", "event": {"type": "app_mention", "text": MARK}}).encode()
    response = await client.post("/slack/events", data=body, headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": slack_signature(body, timestamp)})
    assert response.status == 401
    assert_one_short_line(records.take(), timestamp)
    nothing_happened(wired, slack, telegram, before)


async def test_a_forged_slack_request_never_writes_its_body_to_the_log(records, server, wired):
    """slack-bolt logged a refused request's whole body at INFO: 1 MB each, newlines and all."""
    client, slack, telegram = server
    records.take()  # what starting the server logged
    body = ("text=" + (MARK + FORGED_LINE) * 14_000).encode()
    assert 1_000_000 < len(body) < 1024 ** 2  # under aiohttp's limit: it reaches the adapter
    response = await client.post("/slack/events", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": slack_signature(body, str(int(time.time())), secret="not-the-secret")})
    assert response.status == 401
    taken = records.take()
    assert sum(len(r.getMessage()) for r in taken) < 500
    assert all(MARK not in r.getMessage() for r in taken)


@pytest.mark.parametrize("secret", [True, False], ids=["with-secret", "without-secret"])
async def test_telegram_webhook_refuses_malformed_bodies_with_a_4xx_and_one_line(records, server, wired, secret):
    client, slack, telegram = server
    records.take()  # what starting the server logged
    before = row_counts(wired.engine)
    cases = [*BODIES, ("an object without update_id", json.dumps({"message": MARK}).encode(), "application/json"),
             ("an update_id that is text", json.dumps({"update_id": MARK}).encode(), "application/json"),
             ("a message that is not an object", json.dumps({"update_id": 7, "message": MARK}).encode(),
              "application/json")]
    for case, body, content_type in cases:
        headers = {"Content-Type": content_type} | ({SECRET_HEADER: TG_SECRET} if secret else {})
        response = await client.post("/telegram/webhook", data=body, headers=headers)
        assert response.status == (400 if secret else 403), case
        assert_one_short_line(records.take(), case)
    nothing_happened(wired, slack, telegram, before)

