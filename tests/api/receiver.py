"""A webhook receiver on 127.0.0.1, as docs/api.md tells one to be written: it checks each
delivery's signature (and that its timestamp is recent), dedupes by event id, and can be made to
fail (an outage) or to be away altogether."""

from __future__ import annotations

import hashlib
import hmac
import json

from aiohttp import web

TOLERANCE = 300  # seconds between the signature's timestamp and the receiver's clock


def verify(secret: str, header: str, body: bytes, now: float) -> bool:
    """The snippet of docs/api.md: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if "t" not in parts or "v1" not in parts or abs(now - int(parts["t"])) > TOLERANCE:
        return False
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


class Receiver:
    def __init__(self, secret: str = "", clock=None):
        self.secrets = [secret] if secret else []  # of the subscriptions posting here
        self.clock = clock  # the sender's clock: signatures carry its time
        self.failing = False
        self.events: dict[str, dict] = {}  # event id -> event, once each
        self.duplicates = 0
        self.bad_signatures = 0
        self.posts = 0
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def _hook(self, request: web.Request) -> web.Response:
        self.posts += 1
        body = await request.read()
        now = self.clock.now().timestamp()
        header = request.headers.get("Dealbot-Signature", "")
        if not any(verify(secret, header, body, now) for secret in self.secrets):
            self.bad_signatures += 1
            return web.Response(status=401)
        if self.failing:
            return web.Response(status=503)
        event = json.loads(body)
        assert event["id"] == request.headers["Dealbot-Event-Id"]
        assert event["type"] == request.headers["Dealbot-Event"]
        if event["id"] in self.events:
            self.duplicates += 1
        else:
            self.events[event["id"]] = event
        return web.Response(status=204)

    async def start(self, port: int = 0) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/hook"
        self.port = port
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
