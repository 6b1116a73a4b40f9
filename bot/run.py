"""`dealbot run`: every configured platform plus one HTTP server, in one asyncio process, with the
scheduler's scans and the outbox dispatcher (bot.outbound) started after the adapters and
stopped before them.

The core is synchronous; each message runs in a worker thread (asyncio.to_thread) so one slow
database call never stalls the other platforms. SIGTERM/SIGINT stop the intake first, then wait
for the messages in flight, then close connections.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import signal
import time
from datetime import timedelta

from aiohttp import web

from bot.api import ApiServer
from bot.bootstrap import Wired, build
from bot.capture import capture_writer
from bot.config import Settings
from bot.logs import request_ids
from bot.memory import freeze_startup_objects
from bot.metrics import Metrics, metrics_app, metrics_route
from bot.outbound import Outbound, notifiers_of
from bot.platforms import api_only_message, chat_mover, configured_adapters
from bot.readiness import Readiness
from bot.webhooks import WebhookSender
from core.chat.messages import Incoming, Reply
from core.language.dates.text import warm_up as warm_up_dates
from storage.checkpoint import wal_checkpointer
from storage.outbox import backlog

log = logging.getLogger(__name__)
DRAIN_SECONDS = 20


class InFlight:
    """The async handler adapters get, counting messages being handled so stop can wait."""

    def __init__(self, wired: Wired, metrics: Metrics | None = None):
        self._bot = wired.bot
        self._metrics = metrics
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(self, incoming: Incoming) -> Reply:
        self._count += 1
        self._idle.clear()
        started, reply = time.perf_counter(), None
        try:
            with request_ids(f"{incoming.platform}:{incoming.chat_id}:{incoming.message_id}"):
                reply = await asyncio.to_thread(self._bot.handle, incoming)
            return reply
        finally:
            self._count -= 1
            if self._count == 0:
                self._idle.set()
            if self._metrics is not None:
                self._metrics.command(incoming, reply, time.perf_counter() - started)

    async def drained(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return True
        except TimeoutError:
            return False


def web_app(routes, is_ready) -> web.Application:
    """The one HTTP server's routes. `is_ready()` answers True/False, or (awaitable) the reasons
    dealbot is not ready: /readyz says them, with 503."""

    async def healthz(_request):
        return web.json_response({"ok": True})

    async def readyz(_request):
        answer = is_ready()
        if inspect.isawaitable(answer):
            answer = await answer
        reasons = [] if answer is True else ["not ready"] if answer is False else list(answer)
        return web.json_response({"ready": not reasons, "reasons": reasons}, status=503 if reasons else 200)

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    return app


def metrics_for(wired: Wired) -> Metrics | None:
    """The process's metrics when /metrics is switched on (bot.metrics), else None: no counting."""
    if not wired.settings.metrics_enabled:
        return None
    metrics = Metrics(backlog=lambda now: backlog(wired.engine, now))
    metrics.watch_engine(wired.engine)
    return metrics


async def serve(settings: Settings) -> int:
    # scorecard, funnel and forecast asked in chat come with a chart
    wired = build(settings, charts=True, migrate=True if settings.migrate_on_start else None)
    metrics = metrics_for(wired)
    handler = InFlight(wired, metrics)
    writer = capture_writer(wired, metrics)
    try:
        # a Telegram group that becomes a supergroup keeps its link (chat_mover)
        adapters = configured_adapters(settings, handler, writer.submit, chat_mover(wired))
    except ValueError as error:  # a setting a platform refuses (e.g. a short webhook secret)
        print(f"dealbot run: {error}", flush=True)
        wired.engine.dispose()
        return 2
    if not adapters:  # a team on the REST API / lead web form only: the HTTP server is the intake
        print(api_only_message(), flush=True)
    warm_up_dates()  # dateparser's ~0.1 s of set-up now, not on the first message with a date
    readiness = Readiness(wired.engine)
    routes = [r for a in adapters for r in a.routes()]
    if metrics is not None and settings.metrics_port is None:  # token-protected on the main server
        routes.append(("GET", "/metrics", metrics_route(metrics, settings.metrics_token)))
    api = ApiServer(wired, rate_per_minute=settings.api_rate_per_minute, max_body=settings.api_max_body,
                    webhook_local=settings.webhook_local)
    app = web_app(routes + api.routes(), readiness.reasons)
    # No access log: a line per Slack event or Telegram update is noise at INFO; refused
    # requests are logged by the adapters, one short line each.
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.http_host, settings.http_port)
    await site.start()
    runners = [runner]
    if metrics is not None and settings.metrics_port is not None:
        metrics_runner = web.AppRunner(metrics_app(metrics, settings.metrics_token), handle_signals=False,
                                       access_log=None)
        await metrics_runner.setup()
        runners.append(metrics_runner)
        await web.TCPSite(metrics_runner, settings.metrics_host, settings.metrics_port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    outbound = webhooks = None
    checkpointer = wal_checkpointer(wired.engine)  # SQLite: the log copied back off the commits' path
    await writer.start()
    try:
        if checkpointer is not None:
            checkpointer.start()  # inside the try: the finally below stops it whatever fails next
        for adapter in adapters:
            await adapter.start()
            log.info("%s started", adapter.platform)
        outbound = Outbound(wired, notifiers_of(adapters), frozenset(a.platform for a in adapters), metrics)
        await outbound.start()
        webhooks = WebhookSender(wired, poll_seconds=settings.webhook_poll_seconds,
                                 pause_after=timedelta(days=settings.webhook_pause_days))
        await webhooks.start()
        freeze_startup_objects()  # after the adapters and SDK clients exist
        readiness.serving = True
        names = ", ".join(a.platform for a in adapters) or "api only"
        print(f"dealbot running: {names}; http on {settings.http_host}:{settings.http_port}; "
              f"data: {settings.database_label()}", flush=True)
        await stop.wait()
    finally:
        readiness.serving = False
        log.info("stopping: no new events, finishing those in flight")
        if outbound is not None:
            await outbound.stop()
        if webhooks is not None:
            await webhooks.stop()
        for adapter in adapters:
            await _stop_quietly(adapter)
        await writer.stop()  # after the adapters: what they took is stored
        if checkpointer is not None:
            await asyncio.to_thread(checkpointer.stop)  # a checkpoint under way ends first
        if not await handler.drained(DRAIN_SECONDS):
            log.warning("gave up waiting for messages in flight after %ss", DRAIN_SECONDS)
        for each in runners:
            await each.cleanup()
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
