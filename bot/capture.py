"""The capture writer: group commit for captured chat messages.

Adapters call `submit(event)` for every group message, edit or deletion not addressed to the
bot, and acknowledge the platform's delivery only once the returned future is resolved: by then
the event is committed (or known not to need storing: an unlinked chat). One writer task takes
every event waiting, stores them in one unit of work (core.services.capture.store_captured) in a
worker thread, commits once, and resolves all their futures; what arrives meanwhile waits for the
next batch. So a burst costs one commit per batch, not one per message, and a message is never
acknowledged before it is durable.

If a batch fails with the capture hooks (next-step detection and the like), it is stored again
without them, so a hook's bug never loses or blocks capture. If it fails without hooks too (the
database is down), every future of the batch gets the error and the platforms redeliver later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from sqlalchemy.exc import InterfaceError, OperationalError

from bot.bootstrap import Wired
from bot.logs import request_ids
from core.app.dealbot import Dealbot
from core.app.failures import FailureStreak
from core.conversations.capture import ChatEvent, Outcome
from core.ports.unit_of_work import UnitOfWork
from core.services.capture import store_captured

log = logging.getLogger(__name__)

StoreBatch = Callable[[Sequence[ChatEvent], bool], list[Outcome]]  # (events, with_hooks)


class CaptureWriter:
    def __init__(self, store: StoreBatch, *, max_batch: int = 2000, metrics=None):
        self._store = store
        self._metrics = metrics  # bot.metrics.Metrics, counting outcomes once per batch; None: off
        # Bigger batches stop paying off past a few hundred messages, and a batch's messages all
        # wait for its commit: 2,000 keeps a batch around 0.1 s.
        self.max_batch = max_batch
        self._waiting: list[tuple[ChatEvent, asyncio.Future]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False
        self.batches = 0  # commits so far (a figure for the benchmark and the log)
        self.failures = FailureStreak(log, "capture: storing batches")  # an outage: one line each way

    def submit(self, event: ChatEvent) -> asyncio.Future[Outcome]:
        """Queue the event at once (so events submitted in order are stored in order) and return
        a future that resolves to its Outcome after the commit, or fails with the error."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        if self._stopping:  # not acknowledged: the platform delivers it again after the restart
            future.set_exception(RuntimeError("the capture writer has stopped"))
            return future
        self._waiting.append((event, future))
        self._wake.set()
        return future

    __call__ = submit  # the adapters' on_chat_message hook

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="capture-writer")

    async def stop(self) -> None:
        """Store what is waiting, then end (the adapters stop first, so nothing new comes)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            task, self._task = self._task, None
            await task

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._waiting:
                await self._write_one_batch()
            if self._stopping:
                return

    async def _write_one_batch(self) -> None:
        batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
        events = [event for event, _ in batch]
        try:
            with request_ids(f"capture:{len(events)} events"):  # the batch's log lines share one id
                outcomes = await asyncio.to_thread(self._store_safely, events)
        except Exception as error:
            self.failures.failed(error)
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        self.batches += 1
        self.failures.succeeded()
        if self._metrics is not None:
            self._metrics.captured_batch(outcomes)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)

    def _store_safely(self, events: list[ChatEvent]) -> list[Outcome]:
        try:
            return self._store(events, True)
        except (OperationalError, InterfaceError):  # the database is away or locked: no hook's fault
            raise
        except Exception:
            log.exception("capture: storing %d events with the hooks failed; storing them without",
                          len(events))
            return self._store(events, False)


def store_with(bot: Dealbot, uow_factory: Callable[[], UnitOfWork] | None = None) -> StoreBatch:
    """Store a batch in one unit of work (of `uow_factory`, else of `bot`), with the bot's capture
    hooks or without."""
    new_uow = uow_factory or bot.uow_factory

    def store(events: Sequence[ChatEvent], with_hooks: bool) -> list[Outcome]:
        hooks = bot.capture_hooks if with_hooks else ()
        with new_uow() as uow:
            outcomes = store_captured(uow, events, bot.clock.now(), bot.defaults, hooks)
            uow.commit()
        return outcomes

    return store


def capture_writer(wired: Wired, metrics=None) -> CaptureWriter:
    """The writer `dealbot run` uses."""
    return CaptureWriter(capture_store(wired), metrics=metrics)


def capture_store(wired: Wired) -> StoreBatch:
    """store_with in the bot's writing units of work: on SQLite a batch takes the write lock as it
    begins, so a command writing at the same moment makes it wait on busy_timeout rather than
    fail (storage.db.writing_engine)."""
    return store_with(wired.bot, wired.bot.writing_uow_factory)
