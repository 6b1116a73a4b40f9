"""The log of a real `dealbot run` under a flood of forged and malformed requests (Slack in HTTP
mode against the fake Slack, a Telegram webhook): every request gets a 4xx, the log grows by one
short line per request, not by the requests' bodies; no forged line, no traceback, no token; the
log, the database and its WAL are readable by the owner only; INFO is quiet."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import stat
import time
from pathlib import Path

import aiohttp
import pytest

from bot.bootstrap import build
from bot.config import Settings
from tests.e2e.conftest import dealbot_env
from tests.e2e.running import dealbot_running
from tests.e2e.test_run_three_platforms import free_port
from tests.platforms.slack import FakeSlack
from tests.platforms.telegram import FakeTelegram

pytestmark = pytest.mark.slow

SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef"
SLACK_TOKEN = "xoxb-e2e-log-token"
TG_TOKEN = "123456:E2E-log-telegram-token"
TG_SECRET = "e2e-webhook-secret-long-enough-to-resist_guessing"
FORGED = "\n2026-03-04 10:00:00,000 ERROR bot.run: FORGED admin password reset\n"
RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ \S+: ")


def sign(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()


@pytest.fixture
async def fakes():
    slack = await FakeSlack().start()
    telegram = await FakeTelegram(TG_TOKEN).start()
    yield slack, telegram
    await slack.close()
    await telegram.stop()


async def test_a_flood_of_forged_and_malformed_requests_leaves_a_short_clean_log(fakes, database_url, tmp_path):
    slack, telegram = fakes
    port = free_port()
    env = dealbot_env(database_url, tmp_path, DEALBOT_HTTP_PORT=str(port), SLACK_BOT_TOKEN=SLACK_TOKEN,
                      SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack.api_url,
                      TELEGRAM_BOT_TOKEN=TG_TOKEN, TELEGRAM_API_URL=telegram.url, TELEGRAM_WEBHOOK_SECRET=TG_SECRET,
                      TELEGRAM_WEBHOOK_URL="https://bot.example.com/telegram/webhook",
                      DEALBOT_SCAN_SECONDS="1")  # the scans run often: their lines would show
    if database_url.startswith("sqlite"):
        build(Settings(_env_file=None, database_url=database_url)).engine.dispose()
    log_path = tmp_path / "dealbot.log"
    statuses: list[int] = []
    async with dealbot_running(env, tmp_path):
        size_at_start = log_path.stat().st_size
        base = f"http://127.0.0.1:{port}"
        unit = "x" * 60 + FORGED
        big = ("text=" + unit * (1_000_000 // len(unit))).encode()  # ~1 MB, under aiohttp's limit
        async with aiohttp.ClientSession() as http:
            for _ in range(100):  # forged: 1 MB each, newlines that would forge records
                now = str(int(time.time()))
                async with http.post(f"{base}/slack/events", data=big, headers={
                        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": now,
                        "X-Slack-Signature": sign(big, now, "not-the-secret")}) as response:
                    statuses.append(response.status)
            for body in (b"\xff\xfe{", b"null", b"[1]", b'{"type": "event_', FORGED.encode()):
                now = str(int(time.time()))
                for timestamp in (now, "not-a-number"):  # signed, then a bad timestamp header
                    async with http.post(f"{base}/slack/events", data=body, headers={
                            "Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp,
                            "X-Slack-Signature": sign(body, timestamp)}) as response:
                        statuses.append(response.status)
                for secret in (TG_SECRET, "wrong"):
                    async with http.post(f"{base}/telegram/webhook", data=body, headers={
                            "Content-Type": "application/json",
                            "X-Telegram-Bot-Api-Secret-Token": secret}) as response:
                        statuses.append(response.status)
            async with http.get(f"{base}/readyz") as response:
                ready = (response.status, await response.json())
        await asyncio.sleep(3)  # a few scan rounds, to show they stay out of the log at INFO

    assert statuses[:100] == [401] * 100
    assert all(400 <= status < 500 for status in statuses[100:]), statuses[100:]
    assert ready == (200, {"ready": True, "reasons": []})
    log = log_path.read_text(encoding="utf-8")
    grown = len(log.encode()) - size_at_start
    assert grown < 40_000, f"the log grew by {grown} bytes for {len(statuses)} bad requests"
    lines = log.splitlines()
    assert all(RECORD_START.match(line) or line.startswith("    ") for line in lines)
    assert "FORGED" not in log and "Traceback" not in log
    for secret in (SLACK_TOKEN, SIGNING_SECRET, TG_TOKEN.split(":")[1], TG_SECRET):
        assert secret not in log
    refusals = [line for line in lines if "refused a" in line]
    assert len(refusals) == len(statuses)
    quiet = [line for line in lines if re.search(r" (INFO|DEBUG) (apscheduler|alembic|matplotlib|aiohttp)", line)]
    assert quiet == []

    files = [log_path]  # and the WAL dealbot made (the test made the database file itself)
    if database_url.startswith("sqlite"):
        database = Path(database_url.removeprefix("sqlite:///"))
        files += [p for p in database.parent.iterdir() if p.name.startswith(database.name + "-")]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_guessable_telegram_webhook_secret_is_refused_at_start_up(run_dealbot, tmp_path):
    result = run_dealbot(["run"], TELEGRAM_BOT_TOKEN=TG_TOKEN, TELEGRAM_WEBHOOK_SECRET="short-secret",
                         TELEGRAM_API_URL="http://127.0.0.1:9",  # nothing there, should it get that far
                         TELEGRAM_WEBHOOK_URL="https://bot.example.com/telegram/webhook", timeout=60)
    assert result.returncode == 2
    assert result.stdout.count("\n") == 1 and result.stderr == ""
    assert "TELEGRAM_WEBHOOK_SECRET must be 32 to 256 characters" in result.stdout
    log = (tmp_path / "dealbot.log").read_text(encoding="utf-8") if (tmp_path / "dealbot.log").exists() else ""
    assert "Traceback" not in log


def test_info_is_quiet_over_starts_and_charts(run_dealbot, tmp_path):
    """No Alembic lines per start, no font warning per chart: a demo, then two console sessions
    that draw every chart in both languages, leave nothing in the log."""
    assert run_dealbot(["demo"], timeout=180).returncode == 0
    for _ in range(2):
        session = run_dealbot(["console"], stdin="scorecard\n周报\nfunnel\n漏斗\nforecast\n", timeout=120)
        assert session.returncode == 0 and session.stdout.count("[image]") >= 3, session.stdout
    log = (tmp_path / "dealbot.log").read_text(encoding="utf-8") if (tmp_path / "dealbot.log").exists() else ""
    assert log == ""
