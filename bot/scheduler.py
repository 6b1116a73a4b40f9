"""The scheduler of `dealbot run`: APScheduler jobs that run the scans (core.scans).

Every job is an idempotent scan over the database (the in-memory job store holds nothing worth
keeping): a restart loses nothing, and a run that comes late or twice is harmless. So no run is
ever dropped as a misfire (misfire_grace_time=None; APScheduler's default would drop a run more
than a second late), missed runs coalesce into one, and a job never overlaps itself. Only the
leader (bot.leader) scans; the scans run in a worker thread, the core being synchronous.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core.scans import Scans

log = logging.getLogger(__name__)

JOBS = ("reminders", "daily", "digests", "waiting", "purge")
JOB_DEFAULTS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


class ReminderScheduler:
    def __init__(self, scans: Scans, leadership, *, every: float = 60.0, first_after: float = 2.0):
        self.scans = scans
        self.leadership = leadership
        self.every, self.first_after = every, first_after
        self._scheduler: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task] = set()

    def start(self) -> None:
        scheduler = AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
        first = datetime.now(UTC) + timedelta(seconds=self.first_after)
        # Spread over the interval: on SQLite a scan that has read while another committed a write
        # cannot write any more ("database is locked") and waits for its next run; apart, they meet less.
        spacing = timedelta(seconds=self.every / len(JOBS))
        for index, name in enumerate(JOBS):
            scheduler.add_job(self.run_job, "interval", args=[name], id=name, seconds=self.every,
                              next_run_time=first + index * spacing)
        scheduler.start()
        self._scheduler = scheduler

    async def run_job(self, name: str) -> None:
        if not self.leadership.is_leader:
            return
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            result = await asyncio.to_thread(getattr(self.scans, name))
            if result.queued or result.folded:
                log.info("scan %s: %s queued, %s known, %s folded, %s unreachable", name, result.queued,
                         result.known, result.folded, result.unreachable)
        except Exception:
            log.exception("scan %s failed; the next run picks it up", name)
        finally:
            if task is not None:
                self._running.discard(task)

    async def stop(self, timeout: float = 20.0) -> None:
        """No new runs; the runs in progress finish (their transaction commits or rolls back)."""
        if self._scheduler is not None:
            self._scheduler.pause()
        await asyncio.sleep(0)  # a run handed to the loop just before the pause starts, and is waited for
        running = [task for task in self._running if not task.done()]
        if running:  # before shutdown, which would cancel the task (not the thread under it)
            await asyncio.wait(running, timeout=timeout)
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
