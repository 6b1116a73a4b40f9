"""The HTTP plumbing every fake platform server shares: one aiohttp app on 127.0.0.1 and a free
port, started and stopped by the test, its websockets closed on stop, every request recorded.

A fake names its routes (`routes`) and keeps what it knows of its platform (calls, messages,
frames); this base keeps what is the same for all of them:

- `await Fake(...).start()` returns the fake, serving at `url` (http://127.0.0.1:<port>);
- `await fake.stop()` (or `close()`, or `async with`) closes its websockets and the server;
- `requests`: every request it got, in order (method, path, monotonic time, status);
- `await fake.wait_until(condition)`: poll until a condition on its state holds, or fail the test.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Self

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    at: float
    status: int


class FakeServer:
    name = "fake platform"  # for timeout messages

    def __init__(self) -> None:
        self.port = 0
        self.url = ""
        self.requests: list[Request] = []
        self._sockets: list[web.WebSocketResponse] = []  # open websockets, closed on stop
        self._runner: web.AppRunner | None = None

    def routes(self, app: web.Application) -> None:
        """Add the platform's routes to `app`."""
        raise NotImplementedError(f"{type(self).__name__} must name its routes")

    async def start(self) -> Self:
        app = web.Application(middlewares=[self._recording])
        self.routes(app)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    async def before_stop(self) -> None:
        """What a fake does before its sockets close (e.g. wake its long polls)."""

    async def stop(self) -> None:
        await self.before_stop()
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    close = stop

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def wait_until(self, condition: Callable[[], Any], timeout: float = 5.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                waited = f" for {what}" if what else ""
                raise AssertionError(f"{self.name}: timed out after {timeout}s waiting{waited}; {self.describe()}")
            await asyncio.sleep(0.01)

    def describe(self) -> str:
        """What a timed-out wait shows of the fake's state."""
        return f"{len(self.requests)} requests"

    @web.middleware
    async def _recording(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        finally:
            self.requests.append(Request(request.method, request.path, time.monotonic(), status))
