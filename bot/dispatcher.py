"""The dispatcher: sends due outbox rows through each platform's notifier, paced, with retries.

A round claims a batch (a hold that expires, see storage.outbox), skips the rows whose reason
is gone (core.reminders.rules.obsolete_reason: the deal moved, the task was done), then sends each
destination's rows in order, concurrently across destinations. Every outcome is written to the
row as soon as it is known:

- sent: the platform's message id is kept;
- 429: the destination is blocked for Retry-After and the row waits that long (not an attempt);
- 5xx, network errors, timeouts: retried with exponential backoff; after the last attempt the
  row is kept as failed with its error (`dealbot outbox` lists them);
- other errors (a chat that does not exist, a bot that was removed): failed at once.

Deal news (core.notify.news) for one chat claimed in one round goes out as one message (at
most GROUP_LIMIT events in each): the rows of a bundle share every outcome — sent with one
platform message id, retried, failed or put back together.

A destination whose pacing would hold a row for long has its rows put back with a later
not_before instead of holding the batch, so one busy group never delays the others.

A send that crashes the process after the platform accepted the message but before the row
says so is sent again when the hold expires: the one case where "never twice" gives way to
"never lost". A graceful stop finishes the sends in flight and puts the rest of the round back
(due at once, for the next process), so restarts never cause it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.delivery import PERMANENT, RATE_LIMITED, classify
from bot.pacing import Pacer
from core.app.failures import FailureStreak
from core.notify.news import GROUP_LIMIT, combine
from core.ports.clock import Clock
from core.ports.reminders import OutboxRepository
from core.ports.unit_of_work import UnitOfWork
from core.reminders.outbox import Kind, OutboxMessage, reply_to_dict
from core.reminders.rules import obsolete_reason

log = logging.getLogger(__name__)


@dataclass
class DispatchStats:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retried: int = 0
    rate_limited: int = 0  # 429 answers seen
    deferred: int = 0  # put back for pacing
    rounds: int = 0
    errors: dict[str, int] = field(default_factory=dict)


class Dispatcher:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], clock: Clock, notifiers: dict, *,
                 pacer: Pacer | None = None, batch: int = 100, lease: timedelta = timedelta(minutes=5),
                 max_attempts: int = 5, backoff: float = 5.0, max_backoff: float = 900.0,
                 hold_limit: float = 2.0, send_timeout: float = 30.0, concurrency: int = 32,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 on_outcome: Callable[..., None] | None = None):
        self.uow_factory = uow_factory
        self.clock = clock
        self.notifiers = notifiers  # platform -> Notifier
        self.pacer = pacer or Pacer()
        self.batch, self.lease, self.max_attempts = batch, lease, max_attempts
        self.backoff, self.max_backoff = backoff, max_backoff
        self.hold_limit, self.send_timeout = hold_limit, send_timeout
        self._concurrency = concurrency
        self._slots: dict[str, asyncio.Semaphore] = {}  # per platform: one never starves another
        self.sleep = sleep
        self.stats = DispatchStats()
        # (platform, sent|retried|failed|skipped|rate_limited, rows): the metrics' hook (bot.metrics)
        self.on_outcome: Callable[..., None] = on_outcome or (lambda platform, result, count=1: None)
        # A round fails as a whole when the database is away; polled each second, it would log
        # a traceback a second. One line when it starts failing, one when it works again.
        self.round_failures = FailureStreak(log, "dispatch rounds")
        self._stop = asyncio.Event()  # run() replaces it with the caller's

    # -- the loop --------------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event, poll: float = 1.0) -> None:
        """Rounds until `stop` is set: sends in flight finish, the rest of the round goes back.
        Each platform has its own rounds, so Telegram's pacing never holds up a Slack fan-out."""
        self._stop = stop
        await asyncio.gather(*(self._run_platform(platform, stop, poll) for platform in self.notifiers))

    async def _run_platform(self, platform: str, stop: asyncio.Event, poll: float) -> None:
        while not stop.is_set():
            try:
                handled = await self.run_once([platform])
            except Exception as error:
                self.round_failures.failed(error)
                handled = 0
            else:
                self.round_failures.succeeded()
            if not handled:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), poll)

    async def run_once(self, platforms: Collection[str] | None = None) -> int:
        """One round: claim, skip what is obsolete, send. Returns how many rows it handled."""
        platforms = list(self.notifiers) if platforms is None else list(platforms)
        if not platforms:
            return 0
        rows = await asyncio.to_thread(self._claim, platforms)
        if not rows:
            return 0
        self.stats.rounds += 1
        reasons = await asyncio.to_thread(self._obsolete, rows)
        by_destination: dict[tuple[str, str], list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            if reasons.get(row.id):
                continue
            by_destination[(row.platform, row.chat_id)].append(row)
        if reasons:
            await asyncio.to_thread(self._skip, reasons)
            for row in rows:
                if reasons.get(row.id):
                    self.on_outcome(row.platform, "skipped")
        await asyncio.gather(*(self._drain(dest, bundled(queue)) for dest, queue in by_destination.items()))
        return len(rows)

    # -- one destination -------------------------------------------------------------------------
    async def _drain(self, destination: tuple[str, str], queue: list[OutboxMessage]) -> None:
        platform, chat_id = destination
        slots = self._slots.setdefault(platform, asyncio.Semaphore(self._concurrency))
        for index, row in enumerate(queue):
            if self._stop.is_set():  # stopping: what is not sent yet goes back, due now
                await self._defer(queue[index:], 0.0)
                return
            async with slots:
                wait = self.pacer.delay(platform, chat_id)
                while wait > 0:
                    if wait > self.hold_limit:
                        break
                    await self.sleep(wait)
                    wait = self.pacer.delay(platform, chat_id)
                if wait > 0:
                    blocked = wait
                else:
                    self.pacer.take(platform, chat_id)  # no await since delay() said 0
                    blocked = await self._send(row)
                    index += 1
            if blocked is not None:  # paced out or 429: the rest of this destination waits
                await self._defer(queue[index:], blocked)
                return

    async def _send(self, row: OutboxMessage) -> float | None:
        notifier = self.notifiers[row.platform]
        reply = row.reply
        if reply.image_path and not os.path.exists(reply.image_path):
            # drawn by the replica that scanned, into a directory this one does not share
            log.warning("outbox row %s: chart %s is not here; sending the text", row.id, reply.image_path)
            reply.image_path = None
        try:
            message_id = await asyncio.wait_for(notifier.send(row.chat_id, reply), self.send_timeout)
        except Exception as exc:  # every failure is recorded on the row, none escapes
            return await self._failed(row, exc)
        sent_at, sent_id = self.clock.now(), None if message_id is None else str(message_id)
        ids = _ids(row)
        await asyncio.to_thread(self._write, lambda outbox: [outbox.mark_sent(
            i, at=sent_at, platform_message_id=sent_id) for i in ids])
        self.stats.sent += len(ids)
        self.on_outcome(row.platform, "sent", len(ids))
        return None

    async def _failed(self, row: OutboxMessage, exc: BaseException) -> float | None:
        outcome = classify(exc)
        self.stats.errors[outcome.kind] = self.stats.errors.get(outcome.kind, 0) + 1
        now = self.clock.now()
        if outcome.kind == RATE_LIMITED:
            self.stats.rate_limited += 1
            self.on_outcome(row.platform, "rate_limited")
            wait = outcome.retry_after or 1.0
            self.pacer.block(row.platform, row.chat_id, wait)
            await asyncio.to_thread(self._write, lambda outbox: [outbox.retry_later(
                i, not_before=now + timedelta(seconds=wait), error=outcome.error, count_attempt=False)
                for i in _ids(row)])
            return wait
        attempts = row.attempts + 1
        if outcome.kind == PERMANENT or attempts >= self.max_attempts:
            log.warning("giving up on outbox row %s (%s) after %s attempt(s): %s",
                        row.id, row.dedupe_key, attempts, outcome.error)
            await asyncio.to_thread(self._write, lambda outbox: [outbox.mark_failed(i, at=now, error=outcome.error)
                                                                 for i in _ids(row)])
            self.stats.failed += 1
            self.on_outcome(row.platform, "failed")
            return None
        delay = min(self.max_backoff, self.backoff * 2 ** (attempts - 1)) * random.uniform(0.8, 1.2)
        await asyncio.to_thread(self._write, lambda outbox: [outbox.retry_later(
            i, not_before=now + timedelta(seconds=delay), error=outcome.error) for i in _ids(row)])
        self.stats.retried += 1
        self.on_outcome(row.platform, "retried")
        return None

    async def _defer(self, rows: list[OutboxMessage], seconds: float) -> None:
        if rows:
            until = self.clock.now() + timedelta(seconds=seconds)
            ids = [i for r in rows for i in _ids(r)]
            await asyncio.to_thread(self._put_back, ids, until)
            self.stats.deferred += len(ids)

    # -- database work (in a thread: the core and storage are synchronous) -----------------------
    def _claim(self, platforms: Collection[str] | None = None) -> list[OutboxMessage]:
        now = self.clock.now()
        with self.uow_factory() as uow:
            rows = uow.outbox.claim(now=now, lease_until=now + self.lease, limit=self.batch,
                                    platforms=list(self.notifiers) if platforms is None else platforms)
            uow.commit()
        return rows

    def _obsolete(self, rows: list[OutboxMessage]) -> dict[int, str]:
        now = self.clock.now()
        with self.uow_factory() as uow:
            reasons = {row.id: obsolete_reason(uow, row.guard, now) for row in rows if row.guard}
        return {k: v for k, v in reasons.items() if v}

    def _skip(self, reasons: dict[int, str]) -> None:
        now = self.clock.now()
        with self.uow_factory() as uow:
            for row_id, reason in reasons.items():
                uow.outbox.mark_skipped(row_id, at=now, reason=reason)
            uow.commit()
        self.stats.skipped += len(reasons)

    def _put_back(self, ids: Collection[int], until: datetime) -> None:
        with self.uow_factory() as uow:
            for row_id in ids:
                uow.outbox.retry_later(row_id, not_before=until, error=None, count_attempt=False)
            uow.commit()

    def _write(self, change: Callable[[OutboxRepository], object]) -> None:
        """One change to the outbox (mark_sent, retry_later, mark_failed), in its own transaction."""
        with self.uow_factory() as uow:
            change(uow.outbox)
            uow.commit()


def bundled(queue: list[OutboxMessage]) -> list[OutboxMessage]:
    """One destination's rows with its deal news folded into messages of up to GROUP_LIMIT
    events, in the place of the first; a bundle carries its other rows' ids (`_ids`)."""
    news = [row for row in queue if row.kind == Kind.NEWS]
    if len(news) < 2:
        return queue
    bundles = []
    for start in range(0, len(news), GROUP_LIMIT):
        group = news[start : start + GROUP_LIMIT]
        if len(group) == 1:
            bundles.append(group[0])
            continue
        head = group[0]
        payload = {**head.payload, "reply": reply_to_dict(combine(group)), "bundled": [r.id for r in group[1:]]}
        bundles.append(dataclasses.replace(head, payload=payload))
    first = queue.index(news[0])
    rest = [row for row in queue if row.kind != Kind.NEWS]
    before = [row for row in queue[:first] if row.kind != Kind.NEWS]
    return before + bundles + rest[len(before):]


def _ids(row: OutboxMessage) -> list[int]:
    """The outbox rows a message stands for: its own, and those bundled into it."""
    own = [] if row.id is None else [row.id]
    return own + [int(i) for i in row.payload.get("bundled", ())]
