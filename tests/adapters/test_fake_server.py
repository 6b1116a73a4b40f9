"""The fake platforms' shared server plumbing (tests/platforms/server.py): a free port on
127.0.0.1, every request recorded with its status, websockets closed on stop, waits that fail
with the fake's state. A real aiohttp server and client."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web

from tests.platforms.server import FakeServer


class Echo(FakeServer):
    name = "fake echo"

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/ok", self._ok)
        app.router.add_get("/ws", self._socket)

    async def _ok(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        async for _ in ws:
            pass
        return ws


async def test_requests_are_recorded_and_stop_closes_the_sockets():
    async with Echo() as fake, aiohttp.ClientSession() as client:
        assert fake.url == f"http://127.0.0.1:{fake.port}" and fake.port > 0
        async with client.get(f"{fake.url}/ok") as response:
            assert await response.json() == {"ok": True}
        async with client.get(f"{fake.url}/missing") as response:
            assert response.status == 404
        ws = await client.ws_connect(f"{fake.url}/ws")
        await fake.wait_until(lambda: fake._sockets, what="the socket")
        await fake.stop()
        assert (await ws.receive()).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        await ws.close()
    assert [(r.method, r.path, r.status) for r in fake.requests[:2]] == [("GET", "/ok", 200), ("GET", "/missing", 404)]
    assert [r.path for r in fake.requests[2:]] == ["/ws"]


async def test_a_wait_that_times_out_says_which_fake_and_what_it_saw():
    async with Echo() as fake:
        with pytest.raises(AssertionError, match=r"fake echo: timed out after 0.05s waiting for nothing; 0 requests"):
            await fake.wait_until(lambda: False, timeout=0.05, what="nothing")
