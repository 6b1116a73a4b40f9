"""The APScheduler wiring: jobs run the scans on the leader only, a late run is never dropped,
stop waits for a scan in progress; and the proactive half of `dealbot run` starts and stops."""

from __future__ import annotations

import asyncio
import threading
import time

from bot.scheduler import JOB_DEFAULTS, JOBS, ReminderScheduler
from core.scans import ScanResult


class CountingScans:
    def __init__(self, delay: float = 0.0):
        self.calls: list[str] = []
        self.delay = delay
        self.finished = 0
        self._lock = threading.Lock()

    def _scan(self, name):
        with self._lock:
            self.calls.append(name)
        time.sleep(self.delay)
        self.finished += 1
        return ScanResult(name)

    def reminders(self):
        return self._scan("reminders")

    def daily(self):
        return self._scan("daily")

    def digests(self):
        return self._scan("digests")

    def waiting(self):
        return self._scan("waiting")

    def purge(self):
        return self._scan("purge")


class Flag:
    def __init__(self, is_leader: bool):
        self.is_leader = is_leader


async def _until(condition, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_no_run_is_dropped_as_a_misfire():
    # APScheduler 3 drops runs more than 1 s late by default; every scan here must run however late.
    assert JOB_DEFAULTS == {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


async def test_jobs_scan_on_the_leader_only():
    scans, leader = CountingScans(), Flag(False)
    scheduler = ReminderScheduler(scans, leader, every=0.05, first_after=0.01)
    scheduler.start()
    try:
        await asyncio.sleep(0.2)
        assert scans.calls == []
        leader.is_leader = True
        await _until(lambda: set(scans.calls) == set(JOBS))
    finally:
        await scheduler.stop()


async def test_a_late_run_still_runs():
    scans = CountingScans()
    scheduler = ReminderScheduler(scans, Flag(True), every=0.3, first_after=0.05)
    scheduler.start()
    try:
        time.sleep(1.6)  # the event loop is stuck well past the run time (and past 1 s of grace)
        await _until(lambda: len(scans.calls) >= len(JOBS))
        assert sorted(scans.calls[:len(JOBS)]) == sorted(JOBS)  # coalesced: once each, not a burst
    finally:
        await scheduler.stop()


async def test_stop_waits_for_a_scan_in_progress():
    scans = CountingScans(delay=0.3)
    scheduler = ReminderScheduler(scans, Flag(True), every=10, first_after=0.01)
    scheduler.start()
    await _until(lambda: scans.calls)
    await scheduler.stop()
    assert scans.finished == len(scans.calls)


async def test_outbound_sends_what_is_queued_and_stops(wired):
    from datetime import timedelta

    from bot.clock import SystemClock
    from bot.outbound import Outbound, notifiers_of
    from core.outbox import OutboxMessage
    from tests.fakes import RecordingNotifier

    wired.bot.clock = SystemClock()
    wired.settings.scan_seconds = 0.05
    now = wired.bot.clock.now()
    with wired.uow() as uow:
        uow.outbox.add(OutboxMessage(platform="telegram", chat_id="42", kind="digest", dedupe_key="k1",
                                     payload={"reply": {"title": "hello"}}, not_before=now - timedelta(seconds=1),
                                     created_at=now))
        uow.commit()

    class Adapter:
        platform = "telegram"
        notifier = RecordingNotifier("telegram")

    class Console:
        platform = "console"

    notifiers = notifiers_of([Adapter(), Console()])
    assert list(notifiers) == ["telegram"]
    outbound = Outbound(wired, notifiers)
    await outbound.start()
    try:
        await _until(lambda: Adapter.notifier.sent)
        await _until(lambda: _mark(wired) is not None)  # the scans ran (this replica leads)
        assert [(chat, reply.title) for chat, reply in Adapter.notifier.sent] == [("42", "hello")]
    finally:
        await outbound.stop(timeout=5)
    with wired.uow() as uow:
        assert uow.outbox.counts() == {"sent": 1}


def _mark(wired):
    with wired.uow() as uow:
        return uow.reminders.mark("reminders")
