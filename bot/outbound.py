"""The proactive half of `dealbot run`: leadership, the scheduler's scans and the dispatcher.

Started after the adapters (their notifiers must be connected) and stopped before them: no new
scans, the dispatch round in progress finishes, then the adapters close.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.bootstrap import Wired, charts_for
from bot.dispatcher import Dispatcher
from bot.leader import leadership_for
from bot.scheduler import ReminderScheduler
from core.reminders.scans import Scans

log = logging.getLogger(__name__)


def notifiers_of(adapters) -> dict:
    """platform -> notifier, for the adapters that can push (an adapter offers `notifier`)."""
    found = {}
    for adapter in adapters:
        notifier = getattr(adapter, "notifier", None)
        if notifier is not None:
            found[getattr(notifier, "platform", None) or adapter.platform] = notifier
    return found


def digest_extras_for(wired: Wired):
    """The scorecard's funnel, forecast and chart from the analytics module, when it is there
    (the digest says what is missing otherwise)."""
    try:
        from core.services.analytics import digest_extras

        charts = charts_for(wired.settings)
    except ImportError:
        return None
    return digest_extras(charts, wired.settings.currency)


class Outbound:
    def __init__(self, wired: Wired, notifiers: dict, platforms: frozenset[str] | None = None, metrics=None):
        """`platforms`: the chat platforms this install runs (default: those with a notifier).
        Messages for them are queued even if this replica cannot send them itself. `metrics`
        (bot.metrics.Metrics) counts scans and deliveries."""
        settings = wired.settings
        self.notifiers = notifiers
        self.leadership = leadership_for(settings.database_url, settings.leader_check_seconds)
        scans = Scans(wired.bot.uow_factory, wired.bot.clock,
                      platforms=frozenset(notifiers) | (platforms or frozenset()),
                      defaults=wired.bot.defaults, digest_extras=digest_extras_for(wired))
        self.scans = scans
        self.scheduler = ReminderScheduler(scans, self.leadership, every=settings.scan_seconds,
                                           first_after=min(2.0, settings.scan_seconds),
                                           is_transient=wired.bot.is_transient,
                                           on_run=metrics.scheduler_run if metrics else None) \
            if settings.scheduler else None
        self.dispatcher = Dispatcher(wired.bot.uow_factory, wired.bot.clock, notifiers,
                                     batch=settings.dispatch_batch, max_attempts=settings.send_attempts,
                                     lease=timedelta(seconds=settings.dispatch_lease_seconds),
                                     on_outcome=metrics.delivery if metrics else None) \
            if settings.dispatch and notifiers else None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        if self.scheduler is not None:
            self._tasks.append(asyncio.create_task(self.leadership.run(self._stop), name="leadership"))
            self.scheduler.start()
        if self.dispatcher is not None:
            self._tasks.append(asyncio.create_task(self.dispatcher.run(self._stop), name="dispatcher"))
        log.info("outbound: scheduler %s, dispatcher %s (%s)", "on" if self.scheduler else "off",
                 "on" if self.dispatcher else "off", ", ".join(self.notifiers) or "no notifiers")

    async def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self.scheduler is not None:
            await self.scheduler.stop(timeout)
        if self._tasks:
            done, pending = await asyncio.wait(self._tasks, timeout=timeout)
            for task in pending:
                task.cancel()
        await self.leadership.close()
