"""The APScheduler wiring: jobs run the scans on the leader only, a late run is never dropped,
stop waits for a scan in progress; and the proactive half of `dealbot run` starts and stops."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest

from bot.scheduler import JOB_DEFAULTS, JOBS, ReminderScheduler
from core.reminders.scans import ScanResult


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

    def leads(self):
        return self._scan("leads")


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
    assert tuple(scheduler.jobs) == JOBS
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
    from core.reminders.outbox import OutboxMessage
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


# --- SQLite's write lock: a scan runs again quietly ------------------------------------------------


def hold_write_lock(path: str, seconds: float) -> threading.Thread:
    """Another connection takes SQLite's write lock (as a capture burst does) for `seconds`."""
    import sqlite3

    taken = threading.Event()

    def hold():
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(10)
    return thread


def sqlite_scans(wired, database_url):
    from sqlalchemy.engine import make_url

    from core.chat.messages import Incoming
    from core.reminders.scans import Scans

    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    reply = wired.bot.handle(Incoming(platform="console", user_id="boss", user_name="boss", text="new Acme 50k",
                                      chat_id="console", message_id="1", is_direct=True))
    assert not reply.is_error  # a team to scan, so the scan writes its mark
    return Scans(wired.bot.uow_factory, wired.bot.clock, defaults=wired.bot.defaults), make_url(database_url).database


def reminders_mark(wired):
    with wired.uow() as uow:
        return uow.reminders.mark("reminders")


@pytest.mark.slow
async def test_a_scan_that_meets_sqlites_write_lock_runs_again_without_a_word(wired, database_url, caplog):
    from storage.db import is_transient

    scans, path = sqlite_scans(wired, database_url)
    scheduler = ReminderScheduler(scans, Flag(True), is_transient=is_transient)
    holder = hold_write_lock(path, 3.0)  # the first attempts fail at once: a read cannot wait to write
    with caplog.at_level(logging.WARNING):
        await scheduler.run_job("reminders")
    holder.join()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert reminders_mark(wired) is not None  # the scan ran and committed


@pytest.mark.slow
async def test_a_scan_that_keeps_meeting_the_lock_says_so_once_without_a_traceback(wired, database_url, caplog):
    from storage.db import is_transient

    scans, path = sqlite_scans(wired, database_url)
    scheduler = ReminderScheduler(scans, Flag(True), is_transient=is_transient, attempts=2, retry_pause=0.1)
    holder = hold_write_lock(path, 3.0)
    with caplog.at_level(logging.WARNING):
        await scheduler.run_job("reminders")
    holder.join()
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "scan reminders" in record.getMessage() and "database is locked" in record.getMessage()
    assert record.exc_info is None
    assert reminders_mark(wired) is None
