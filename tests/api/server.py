"""The REST API over a real socket: `dealbot run`'s aiohttp server (bot.run.web_app) carrying the
API's routes (bot.api), on 127.0.0.1 in a thread of its own, for synchronous tests with httpx."""

from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager

import httpx
from aiohttp import web

from bot.api import ApiServer
from bot.run import web_app
from bot.token_cli import create


class Served:
    def __init__(self, wired, **options):
        self.wired = wired
        self.api = ApiServer(wired, **options)
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web_app(self.api.routes(), lambda: True)
        self.runner = web.AppRunner(app, handle_signals=False, access_log=None)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self._started.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())

    def start(self) -> Served:
        self._thread.start()
        assert self._started.wait(10)
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def client(self, token: str | None, **headers: str) -> httpx.Client:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.base, headers=headers, timeout=10)


@contextmanager
def served(wired, **options):
    server = Served(wired, **options).start()
    try:
        yield server
    finally:
        server.stop()


def make_token(wired, name: str, role: str, team: str = "sales", read_only: bool = False) -> str:
    import io

    out = io.StringIO()
    create(wired, name, role, team, read_only, out)
    return out.getvalue().strip().splitlines()[-1]
