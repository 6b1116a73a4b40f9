"""`dealbot run`: every configured platform plus one HTTP server, in one asyncio process, with the
scheduler's scans and the outbox dispatcher (bot.outbound) started after the adapters and
stopped before them.

The core is synchronous; each message runs in a worker thread (asyncio.to_thread) so one slow
database call never stalls the other platforms. SIGTERM/SIGINT stop the intake first, then wait
for the messages in flight, then close connections.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.bootstrap import Wired, build
from bot.capture import capture_writer
from bot.config import Settings
from bot.memory import freeze_startup_objects
from bot.outbound import Outbound, notifiers_of
from bot.platforms import configured_adapters, missing_settings_message
from core.dates import warm_up as warm_up_dates
from core.messages import Incoming, Reply
from storage.checkpoint import wal_checkpointer

log = logging.getLogger(__name__)
DRAIN_SECONDS = 20


class InFlight:
    """The async handler adapters get, counting messages being handled so stop can wait."""

    def __init__(self, wired: Wired):
        self._bot = wired.bot
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(self, incoming: Incoming) -> Reply:
        self._count += 1
        self._idle.clear()
        try:
            return await asyncio.to_thread(self._bot.handle, incoming)
        finally:
            self._count -= 1
            if self._count == 0:
                self._idle.set()

    async def drained(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return True
        except TimeoutError:
            return False


def web_app(routes, is_ready) -> web.Application:
    async def healthz(_request):
        return web.json_response({"ok": True})

    async def readyz(_request):
        ready = is_ready()
        return web.json_response({"ready": ready}, status=200 if ready else 503)

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    return app


async def serve(settings: Settings) -> int:
    wired = build(settings)
    handler = InFlight(wired)
    writer = capture_writer(wired)
    adapters = configured_adapters(settings, handler, writer.submit)
    if not adapters:
        print(missing_settings_message(), flush=True)
        return 2
    warm_up_dates()  # dateparser's ~0.1 s of set-up now, not on the first message with a date
    state = {"ready": False}
    app = web_app([r for a in adapters for r in a.routes()], lambda: state["ready"])
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.http_host, settings.http_port)
    await site.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    outbound = None
    checkpointer = wal_checkpointer(wired.engine)  # SQLite: the log copied back off the commits' path
    await writer.start()
    try:
        if checkpointer is not None:
            checkpointer.start()  # inside the try: the finally below stops it whatever fails next
        for adapter in adapters:
            await adapter.start()
            log.info("%s started", adapter.platform)
        outbound = Outbound(wired, notifiers_of(adapters), frozenset(a.platform for a in adapters))
        await outbound.start()
        freeze_startup_objects()  # after the adapters and SDK clients exist
        state["ready"] = True
        names = ", ".join(a.platform for a in adapters)
        print(f"dealbot running: {names}; http on {settings.http_host}:{settings.http_port}", flush=True)
        await stop.wait()
    finally:
        state["ready"] = False
        log.info("stopping: no new events, finishing those in flight")
        if outbound is not None:
            await outbound.stop()
        for adapter in adapters:
            await _stop_quietly(adapter)
        await writer.stop()  # after the adapters: what they took is stored
        if checkpointer is not None:
            await asyncio.to_thread(checkpointer.stop)  # a checkpoint under way ends first
        if not await handler.drained(DRAIN_SECONDS):
            log.warning("gave up waiting for messages in flight after %ss", DRAIN_SECONDS)
        await runner.cleanup()
        wired.engine.dispose()
    print("dealbot stopped", flush=True)
    return 0


async def _stop_quietly(adapter) -> None:
    try:
        await adapter.stop()
    except Exception:
        log.exception("stopping %s failed", adapter.platform)


def run(settings: Settings) -> int:
    return asyncio.run(serve(settings))
