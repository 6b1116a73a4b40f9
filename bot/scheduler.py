"""The scheduler of `dealbot run`: APScheduler jobs that run the scans (core.reminders.scans).

Every job is an idempotent scan over the database (the in-memory job store holds nothing worth
keeping): a restart loses nothing, and a run that comes late or twice is harmless. So no run is
ever dropped as a misfire (misfire_grace_time=None; APScheduler's default would drop a run more
than a second late), missed runs coalesce into one, and a job never overlaps itself. Only the
leader (bot.leader) scans; the scans run in a worker thread, the core being synchronous.

On SQLite a scan that has read while a capture burst or a command holds the write lock cannot
write any more: SQLite fails it at once with "database is locked" (waiting could deadlock). It
runs again after 0.5, 1, 2 and 4 s (such locks last milliseconds to a second) before waiting for
its next run. A scan that keeps failing (the database is away) is logged once when it starts
failing and once when it works again, not at every run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import DBAPIError

from bot.logs import request_ids
from core.app.failures import FailureStreak
from core.reminders.scans import ScanResult, Scans

log = logging.getLogger(__name__)

def scan_jobs(scans: Scans) -> dict[str, Callable[[], ScanResult]]:
    """Each job's id and the scan it runs, in their order in the interval."""
    return {"reminders": scans.reminders, "daily": scans.daily, "digests": scans.digests,
            "waiting": scans.waiting, "purge": scans.purge, "leads": scans.leads}


JOBS = ("reminders", "daily", "digests", "waiting", "purge", "leads")  # scan_jobs' ids (tests/reminders hold them equal)
JOB_DEFAULTS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


class ReminderScheduler:
    def __init__(self, scans: Scans, leadership, *, every: float = 60.0, first_after: float = 2.0,
                 is_transient: Callable[[Exception], bool] = lambda error: False,
                 attempts: int = 5, retry_pause: float = 0.5,
                 on_run: Callable[[str, str], None] | None = None):
        self.scans = scans
        self.jobs = scan_jobs(scans)
        self.leadership = leadership
        self.every, self.first_after = every, first_after
        self.is_transient = is_transient  # a lost race with another writer: worth running again at once
        self.attempts, self.retry_pause = attempts, retry_pause
        self.failures = {name: FailureStreak(log, f"scan {name}") for name in self.jobs}
        self.on_run: Callable[[str, str], None] = on_run or (lambda job, result: None)  # (job, ok|failed): metrics
        self._scheduler: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task] = set()

    def start(self) -> None:
        scheduler = AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
        first = datetime.now(UTC) + timedelta(seconds=self.first_after)
        # Spread over the interval: on SQLite a scan that has read while another committed a write
        # cannot write any more ("database is locked") and waits for its next run; apart, they meet less.
        spacing = timedelta(seconds=self.every / len(self.jobs))
        for index, name in enumerate(self.jobs):
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
            with request_ids(f"scan:{name}"):  # the scan's log lines share one request id
                result = await self._scan(name)
        except Exception as error:  # the next run picks it up
            # A database error (away, locked) is no bug: one line. Anything else once with its traceback.
            self.failures[name].failed(error, traceback=not isinstance(error, DBAPIError))
            self.on_run(name, "failed")
        else:
            self.failures[name].succeeded()
            self.on_run(name, "ok")
            if result.queued or result.folded:
                log.info("scan %s: %s queued, %s known, %s folded, %s unreachable", name, result.queued,
                         result.known, result.folded, result.unreachable)
        finally:
            if task is not None:
                self._running.discard(task)

    async def _scan(self, name: str):
        for attempt in range(1, self.attempts + 1):
            try:
                return await asyncio.to_thread(self.jobs[name])
            except Exception as error:
                if attempt == self.attempts or not self.is_transient(error):
                    raise
                await asyncio.sleep(self.retry_pause * 2 ** (attempt - 1))  # the other writer's commit is near

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
