"""A dispatcher process for test_two_dispatchers: drains the outbox at argv[1] into the fake
platform at http://127.0.0.1:<argv[2]>/send, then prints how many rows it sent."""

from __future__ import annotations

import asyncio
import sys

import httpx

from bot.clock import SystemClock
from bot.dispatcher import Dispatcher
from bot.pacing import Pacer
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork


class HttpNotifier:
    platform = "test"

    def __init__(self, client: httpx.AsyncClient, url: str, worker: str):
        self.client, self.url, self.worker = client, url, worker

    async def send(self, chat_id, reply):
        response = await self.client.post(self.url, json={"chat": chat_id, "key": reply.title,
                                                          "worker": self.worker})
        response.raise_for_status()
        return response.json()["id"]


async def main(database_url: str, port: str, worker: str) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    async with httpx.AsyncClient(timeout=10) as client:
        notifier = HttpNotifier(client, f"http://127.0.0.1:{port}/send", worker)
        dispatcher = Dispatcher(lambda: SqlUnitOfWork(factory), SystemClock(), {"test": notifier},
                                pacer=Pacer({}), batch=50)
        idle = 0
        while idle < 5:
            handled = await dispatcher.run_once()
            idle = 0 if handled else idle + 1
            if not handled:
                await asyncio.sleep(0.05)
    engine.dispose()
    print(dispatcher.stats.sent, flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
