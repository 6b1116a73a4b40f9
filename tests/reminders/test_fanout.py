"""Pacing against fake platforms that answer 429 past their documented limits.

A Monday scorecard to 500 subscribed chats on each of Slack, Telegram and DingTalk, sent
through the real SDK clients (slack_sdk, python-telegram-bot; httpx for DingTalk's robot API):
every message arrives once, none fails, and no limit is ever crossed. Then two dispatchers that
do not share their pacing (two replicas) push one burst into the same Slack channels: the
platform answers 429, Retry-After is honoured, and still nothing is lost or sent twice.
The figures are printed (-s) for bench/README.md.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.clock import SystemClock
from bot.dispatcher import Dispatcher
from bot.pacing import Pacer
from core.domain.model import Team
from core.reminders.outbox import DigestSubscription, OutboxMessage
from core.reminders.scans import Scans
from tests.fakes import FixedClock
from tests.platforms.limits import FakePlatforms
from tests.reminders.sim import SHANGHAI

CHATS = 500


class SlackNotifier:
    platform = "slack"

    def __init__(self, base_url: str):
        self.client = AsyncWebClient(token="xoxb-test", base_url=base_url)

    async def send(self, chat_id, reply):
        response = await self.client.chat_postMessage(channel=chat_id, text=reply.title)
        return response["ts"]


class TelegramNotifier:
    platform = "telegram"

    def __init__(self, base_url: str):
        self.bot = Bot("123:TEST", base_url=base_url, request=HTTPXRequest(connection_pool_size=64))

    async def send(self, chat_id, reply):
        message = await self.bot.send_message(chat_id=int(chat_id), text=reply.title)
        return message.message_id


class DingTalkNotifier:
    platform = "dingtalk"

    def __init__(self, url: str):
        self.client, self.url = httpx.AsyncClient(timeout=10), url

    async def send(self, chat_id, reply):
        response = await self.client.post(self.url, json={"chat": chat_id, "text": reply.title})
        response.raise_for_status()
        return response.json()["processQueryKey"]


@pytest.fixture
async def platforms():
    fake = await FakePlatforms().start()
    yield fake
    await fake.stop()


def _last_monday_nine() -> datetime:
    now = datetime.now(UTC).astimezone(SHANGHAI)
    monday = (now - timedelta(days=now.weekday())).replace(hour=9, minute=0, second=0, microsecond=0)
    return monday if monday <= now else monday - timedelta(days=7)


async def _drain(dispatchers, uow_factory, total: int, timeout: float) -> float:
    started = time.monotonic()
    stop = asyncio.Event()
    tasks = [asyncio.create_task(d.run(stop, poll=0.05)) for d in dispatchers]
    try:
        while True:
            with uow_factory() as uow:
                counts = uow.outbox.counts()
            if counts.get("sent", 0) + counts.get("failed", 0) >= total:
                return time.monotonic() - started
            assert time.monotonic() - started < timeout, f"not drained: {counts}"
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await asyncio.gather(*tasks)


@pytest.mark.slow  # 30 s in a full run on a loaded 2-core machine
async def test_a_500_chat_digest_fan_out_stays_within_every_limit(platforms, uow_factory):
    chats = {"slack": [f"C{i:04d}" for i in range(CHATS)],
             "telegram": [str(-1000 - i) for i in range(CHATS)],  # groups
             "dingtalk": [f"cid{i:04d}" for i in range(CHATS)]}
    with uow_factory() as uow:
        team = uow.teams.add(Team(name="sales", timezone="Asia/Shanghai"))
        for platform, ids in chats.items():
            for chat in ids:
                uow.digests.add(DigestSubscription(team.id, platform, chat, "weekly", datetime.now(UTC)))
        uow.commit()
    # The Monday 09:00 scan writes one row per chat.
    scan = Scans(uow_factory, FixedClock(_last_monday_nine() + timedelta(minutes=1))).digests()
    assert scan.queued == 3 * CHATS

    notifiers = {"slack": SlackNotifier(platforms.at("/slack/api/")),
                 "telegram": TelegramNotifier(platforms.at("/telegram/bot")),
                 "dingtalk": DingTalkNotifier(platforms.at("/dingtalk/robot/send"))}
    dispatcher = Dispatcher(uow_factory, SystemClock(), notifiers)
    took = await _drain([dispatcher], uow_factory, 3 * CHATS, timeout=120)

    got = Counter((platform, chat) for platform, chat, _, _ in platforms.received)
    assert set(got.values()) == {1} and len(got) == 3 * CHATS
    with uow_factory() as uow:
        assert uow.outbox.counts() == {"sent": 3 * CHATS}
    finished = {p: max(t for q, _, _, t in platforms.received if q == p) - min(t for *_, t in platforms.received)
                for p in chats}
    print(f"\nfan-out: {3 * CHATS} messages to {CHATS} chats on each platform in {took:.1f} s "
          f"(slack {finished['slack']:.1f} s, telegram {finished['telegram']:.1f} s, "
          f"dingtalk {finished['dingtalk']:.1f} s); 429s: {dict(platforms.rejected) or 0}; "
          f"dispatcher: {dispatcher.stats}")
    assert platforms.lockouts == 0  # DingTalk's ten-minute lockout: never
    # Paced to the documented limits: unpaced, Telegram alone would answer ~470 429s here. A
    # machine stalling the event loop can still bunch a few requests; they are retried.
    assert sum(platforms.rejected.values()) <= CHATS // 50


@pytest.mark.slow  # 3.5 s in a full run on a loaded 2-core machine
async def test_replicas_that_do_not_share_pacing_meet_429s_and_lose_nothing(platforms, uow_factory):
    now = datetime.now(UTC)
    with uow_factory() as uow:
        for i in range(20):
            uow.outbox.add(OutboxMessage(platform="slack", chat_id=f"C{i % 5}", kind="daily",
                                         dedupe_key=f"k{i}", payload={"reply": {"title": f"k{i}"}},
                                         not_before=now, created_at=now))
        uow.commit()
    notifiers = {"slack": SlackNotifier(platforms.at("/slack/api/"))}
    replicas = [Dispatcher(uow_factory, SystemClock(), notifiers, pacer=Pacer(), batch=10) for _ in range(2)]
    took = await _drain(replicas, uow_factory, 20, timeout=60)
    texts = Counter(text for _, _, text, _ in platforms.received)
    assert len(texts) == 20 and set(texts.values()) == {1}
    with uow_factory() as uow:
        assert uow.outbox.counts() == {"sent": 20}
    seen = sum(d.stats.rate_limited for d in replicas)
    print(f"\ntwo unshared pacers, 20 messages to 5 Slack channels: {took:.1f} s, {seen} 429s honoured")
    assert seen == platforms.rejected["slack"] > 0
