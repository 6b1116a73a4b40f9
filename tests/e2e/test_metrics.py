"""/metrics of a real `dealbot run` (Telegram long polling against the fake), scraped and parsed
with prometheus-client's own parser while commands and a burst of captured group messages run
through it; the log meanwhile is JSON lines and holds neither message text nor a token."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.bootstrap import build
from bot.config import Settings
from core.chat.messages import Reply
from core.reminders.outbox import OutboxMessage, reply_to_dict
from tests.e2e.running import dealbot_running
from tests.e2e.test_capture_crash import CHATS, CUSTOMER, chat_id, seed
from tests.e2e.test_run_three_platforms import free_port
from tests.platforms.telegram import (
    FakeTelegram,
    group_chat,
    message_update,
    private_chat,
    user,
)

pytestmark = pytest.mark.slow

TOKEN = "123456:METRICS-token"
METRICS_TOKEN = "scrape-me-please-0123456789"
ALICE = user(1001, "alice")
BURST = 3000
COMMANDS = 20


def queue_for_dingtalk(database_url: str) -> None:
    """One message waiting for a platform this install does not run: the outbox's depth and age."""
    wired = build(Settings(_env_file=None, database_url=database_url), migrate=False)
    try:
        now = datetime.now(UTC)
        with wired.uow() as uow:
            uow.outbox.add(OutboxMessage(platform="dingtalk", chat_id="staff-1", kind="test",
                                         dedupe_key="metrics-test", payload={"reply": reply_to_dict(Reply(title="hi"))},
                                         not_before=now - timedelta(minutes=5), created_at=now))
            uow.commit()
    finally:
        wired.engine.dispose()


def without_quiet_hours(database_url: str) -> None:
    """The bot runs on the wall clock: from 21:00 to 08:00 in Shanghai the commitment's DM would
    wait for the morning (quiet hours), and this test is about metrics, not quiet hours."""
    wired = build(Settings(_env_file=None, database_url=database_url), migrate=False)
    try:
        with wired.uow() as uow:
            for team in uow.teams.list():
                team.settings = {**(team.settings or {}), "quiet_hours": "00:00-00:00"}
            uow.commit()
    finally:
        wired.engine.dispose()


def parse(text: str) -> dict[tuple[str, tuple], float]:
    """Every sample: (name, sorted labels) -> value. The parser raises on anything malformed."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_scraped_while_traffic_runs(database_url, tmp_path: Path):
    seed(database_url)  # alice's D-1 with CHATS linked Telegram groups
    without_quiet_hours(database_url)
    queue_for_dingtalk(database_url)
    fake = await FakeTelegram(TOKEN).start()
    metrics_port, http_port = free_port(), free_port()
    env = {"DEALBOT_HTTP_PORT": str(http_port), "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": fake.url,
           "DEALBOT_METRICS_PORT": str(metrics_port), "DEALBOT_METRICS_TOKEN": METRICS_TOKEN,
           "DEALBOT_LOG_FORMAT": "json", "DEALBOT_SCAN_SECONDS": "1"}
    from tests.e2e.conftest import dealbot_env

    url = f"http://127.0.0.1:{metrics_port}/metrics"
    auth = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    scrapes: list[dict] = []
    try:
        async with dealbot_running(dealbot_env(database_url, tmp_path, **env), tmp_path), \
                httpx.AsyncClient() as http:
            assert (await http.get(url)).status_code == 401
            assert (await http.get(url, headers={"Authorization": "Bearer wrong"})).status_code == 401
            # the public server does not serve it when it has a port of its own
            assert (await http.get(f"http://127.0.0.1:{http_port}/metrics", headers=auth)).status_code == 404

            updates = [message_update(n, CUSTOMER, group_chat(chat_id(n % CHATS)), f"message {n}",
                                      message_id=n) for n in range(1, BURST + 1)]
            await fake.push(*updates)
            for n in range(COMMANDS):  # commands alongside the burst, in alice's direct chat
                await fake.push(message_update(BURST + 1 + n, ALICE, private_chat(1001),
                                               "show D-1" if n % 2 else "nonsense-verb"))
            while fake.offset <= BURST + COMMANDS:  # scrape all along
                answer = await http.get(url, headers=auth)
                assert answer.status_code == 200
                assert answer.headers["Content-Type"].startswith("text/plain; version=")
                scrapes.append(parse(answer.text))
                await asyncio.sleep(0.02)
            await fake.wait_for("sendMessage", COMMANDS, timeout=30)

            # a dated commitment in a linked chat: a DM to alice through the outbox, whose first
            # attempt gets 429s until the SDK's own retries (3) are spent
            fake.rate_limit("sendMessage", times=4, retry_after=1)
            commitment = BURST + COMMANDS + 1
            await fake.push(message_update(commitment, CUSTOMER, group_chat(chat_id(1)), "我们下周三前给您答复",
                                           message_id=commitment))
            await fake.wait_for("sendMessage", COMMANDS + 1, timeout=30)

            async def final() -> dict:
                return parse((await http.get(url, headers=auth)).text)

            samples = await final()
            for _ in range(100):  # the counters move a moment after the platform got the send
                if value(samples, "dealbot_deliveries_total", platform="telegram", result="sent") and \
                        value(samples, "dealbot_scheduler_runs_total", job="reminders", result="ok"):
                    break
                await asyncio.sleep(0.1)
                samples = await final()
    finally:
        await fake.stop()

    assert len(scrapes) >= 2, "the burst was over before a second scrape"
    stored = [value(s, "dealbot_captured_messages_total", outcome="stored") for s in scrapes]
    assert stored == sorted(stored)  # counters only grow, scrape after scrape
    assert value(samples, "dealbot_captured_messages_total", outcome="stored") == BURST + 1
    assert value(samples, "dealbot_commands_total", verb="show", result="ok") == COMMANDS // 2
    assert value(samples, "dealbot_commands_total", verb="other", result="error") == COMMANDS // 2
    assert value(samples, "dealbot_command_seconds_count") == COMMANDS
    assert value(samples, "dealbot_command_seconds_bucket", le="+Inf") == COMMANDS
    assert value(samples, "dealbot_deliveries_total", platform="telegram", result="sent") == 1
    assert value(samples, "dealbot_deliveries_total", platform="telegram", result="rate_limited") == 1
    assert value(samples, "dealbot_rate_limited_total", platform="telegram") == 1
    assert value(samples, "dealbot_scheduler_runs_total", job="reminders", result="ok") >= 1
    assert value(samples, "dealbot_outbox_depth", platform="dingtalk", status="pending") == 1
    assert value(samples, "dealbot_outbox_oldest_age_seconds", platform="dingtalk") >= 290
    assert value(samples, "process_resident_memory_bytes") > 10_000_000

    log_lines = (tmp_path / "dealbot.log").read_text(encoding="utf-8").splitlines()
    assert log_lines
    records = [json.loads(line) for line in log_lines]  # every line is one JSON object
    assert all({"ts", "level", "logger", "message"} <= record.keys() for record in records)
    whole = "\n".join(log_lines)
    assert "message 17" not in whole and "下周三" not in whole  # no message text
    assert TOKEN.split(":")[1] not in whole and METRICS_TOKEN not in whole  # no secret
