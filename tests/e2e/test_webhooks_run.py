"""Webhooks on real `dealbot run` processes: a receiver on 127.0.0.1 checks signatures and
dedupes by event id; it fails for a while (an outage), dealbot is restarted meanwhile, and in the
end the receiver has seen every event exactly once (after dedupe), no more, no fewer."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy import create_engine, select

from storage.tables import webhook_deliveries
from tests.api.receiver import Receiver
from tests.e2e.conftest import dealbot_env
from tests.e2e.running import dealbot_running
from tests.e2e.test_run_three_platforms import free_port
from tests.platforms.telegram import FakeTelegram

pytestmark = pytest.mark.slow

TG_TOKEN = "123456:E2E-webhooks-telegram-token"


class WallClock:
    @staticmethod
    def now():
        from datetime import UTC, datetime

        return datetime.now(UTC)


async def _until(check, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "timed out"
        await asyncio.sleep(0.2)


async def test_every_event_once_through_an_outage_and_a_restart(run_dealbot_forked, database_url, tmp_path):
    assert run_dealbot_forked(["console"], stdin="new Acme 50k\n").returncode == 0
    receiver = await Receiver(clock=WallClock()).start()
    added = run_dealbot_forked(["webhook", "add", receiver.url, "--events", "deal.created,deal.moved"])
    assert added.returncode == 0, added.stderr
    receiver.secrets.append(added.stdout.strip().splitlines()[-1])
    token = run_dealbot_forked(["token", "create", "crm", "--role", "manager"]).stdout.strip().splitlines()[-1]
    telegram = await FakeTelegram(TG_TOKEN).start()
    port = free_port()
    env = dealbot_env(database_url, tmp_path, DEALBOT_HTTP_PORT=str(port), TELEGRAM_BOT_TOKEN=TG_TOKEN,
                      TELEGRAM_API_URL=telegram.url, DEALBOT_WEBHOOK_POLL_SECONDS="0.2")
    api = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/api/v1", headers={"Authorization": f"Bearer {token}"})
    try:
        async with dealbot_running(env, tmp_path):
            for n in range(3):
                assert (await api.post("/deals", json={"customer": f"Customer{n}"})).status_code == 201
            await _until(lambda: len(receiver.events) == 3)
            receiver.failing = True  # the outage begins
            assert (await api.post("/deals/D-2/move", json={"stage": "demo"})).status_code == 200
            assert (await api.post("/deals/D-3/move", json={"stage": "demo"})).status_code == 200
            await _until(lambda: receiver.posts >= 5)  # tried, refused
        # dealbot is stopped; a change made meanwhile in the console is queued all the same
        assert run_dealbot_forked(["console"], stdin="move D-4 quote\n", DEALBOT_CONSOLE_USER="boss").returncode == 0
        receiver.failing = False  # the receiver is back
        async with dealbot_running(env, tmp_path):
            await _until(lambda: len(receiver.events) == 6)
            await asyncio.sleep(1)  # nothing more comes
    finally:
        await api.aclose()
        await telegram.stop()
        await receiver.stop()
    engine = create_engine(database_url)
    with engine.connect() as conn:
        queued = set(conn.execute(select(webhook_deliveries.c.event_id)).scalars())
        statuses = set(conn.execute(select(webhook_deliveries.c.status)).scalars())
    engine.dispose()
    assert set(receiver.events) == queued and len(queued) == 6 and statuses == {"sent"}
    assert receiver.bad_signatures == 0
    kinds = sorted(e["type"] for e in receiver.events.values())
    assert kinds == ["deal.created"] * 3 + ["deal.moved"] * 3
    log = run_dealbot_forked(["webhook", "log", "W-1"])
    assert log.returncode == 0 and log.stdout.count(" sent ") == 6
