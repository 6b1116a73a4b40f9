"""Two dispatcher processes on one PostgreSQL outbox: 2,000 rows, each sent exactly once."""

from __future__ import annotations

import asyncio
import os
import random
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from storage import tables
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # starts two dispatcher processes
ROWS = 2000


async def test_two_dispatchers_send_every_row_exactly_once(make_pg_database):
    url = make_pg_database(migrated=True)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    with engine.begin() as connection:  # one statement; the rows are what the scans would write
        connection.execute(tables.outbox.insert(), [
            {"platform": "test", "chat_id": f"C{i % 200}", "kind": "digest", "dedupe_key": f"k{i}",
             "payload": {"reply": {"title": f"k{i}"}}, "not_before": now - timedelta(seconds=1),
             "created_at": now} for i in range(ROWS)])

    received: list[tuple[str, str]] = []

    async def send(request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(random.uniform(0, 0.002))
        received.append((body["key"], body["worker"]))
        return web.json_response({"id": f"m{len(received)}"})

    app = web.Application()
    app.router.add_post("/send", send)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    try:
        workers = [await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.reminders.drain_worker", url, str(port), name,
            stdout=asyncio.subprocess.PIPE, env=env) for name in ("one", "two")]
        outputs = await asyncio.wait_for(asyncio.gather(*(w.communicate() for w in workers)), 120)
    finally:
        await runner.cleanup()
    sent_by = [int(out.strip()) for out, _ in outputs]
    assert all(w.returncode == 0 for w in workers)

    keys = Counter(key for key, _ in received)
    assert len(keys) == ROWS and set(keys.values()) == {1}, "a row was sent twice or never"
    assert sum(sent_by) == ROWS and min(sent_by) > 0  # both took part
    assert Counter(worker for _, worker in received) == {"one": sent_by[0], "two": sent_by[1]}
    with SqlUnitOfWork(factory) as uow:
        assert uow.outbox.counts() == {"sent": ROWS}
    engine.dispose()
