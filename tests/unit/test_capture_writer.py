"""The capture writer's group commit (bot/capture.py), with a recording store in place of the
database: what arrives while a batch is being written goes into the next one, a future resolves
only after its batch was stored, and failures reach every future of their batch."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.capture import CaptureWriter
from core.conversations.capture import ChatEvent, Outcome


def event(n: int) -> ChatEvent:
    return ChatEvent(platform="slack", chat_id="C1", message_id=str(n), text=f"m{n}")


class SlowStore:
    """Records each batch; holds the first one until released, as a slow commit would."""

    def __init__(self, fail: Exception | None = None, fail_with_hooks: bool = False):
        self.batches: list[tuple[list[str], bool]] = []
        self.release = threading.Event()
        self.fail, self.fail_with_hooks = fail, fail_with_hooks

    def __call__(self, events, with_hooks):
        if not self.batches:
            self.release.wait(5)
        self.batches.append(([e.message_id for e in events], with_hooks))
        if self.fail is not None and (with_hooks or not self.fail_with_hooks):
            raise self.fail
        return [Outcome.STORED] * len(events)


async def test_what_arrives_during_a_commit_shares_the_next_one():
    store = SlowStore()
    writer = CaptureWriter(store)
    await writer.start()
    first = writer.submit(event(0))
    await asyncio.sleep(0.05)  # the writer is now inside the first (held) batch
    rest = [writer.submit(event(n)) for n in range(1, 101)]
    await asyncio.sleep(0.05)
    assert not first.done() and not any(f.done() for f in rest)  # nothing before its commit
    store.release.set()
    assert await asyncio.gather(first, *rest) == [Outcome.STORED] * 101
    assert [ids for ids, _ in store.batches] == [["0"], [str(n) for n in range(1, 101)]]
    assert writer.batches == 2
    await writer.stop()


async def test_a_batch_is_capped_and_order_is_kept():
    store = SlowStore()
    store.release.set()
    writer = CaptureWriter(store, max_batch=30)
    futures = [writer.submit(event(n)) for n in range(70)]  # all waiting before the writer starts
    await writer.start()
    await asyncio.gather(*futures)
    assert [len(ids) for ids, _ in store.batches] == [30, 30, 10]
    assert [i for ids, _ in store.batches for i in ids] == [str(n) for n in range(70)]
    await writer.stop()


async def test_a_failed_batch_fails_every_future_in_it():
    store = SlowStore(fail=ConnectionError("database unreachable"))
    store.release.set()
    writer = CaptureWriter(store)
    await writer.start()
    futures = [writer.submit(event(n)) for n in range(3)]
    results = await asyncio.gather(*futures, return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    assert [hooks for _, hooks in store.batches] == [True, False]  # tried without hooks too
    await writer.stop()


async def test_a_hook_failure_stores_the_batch_without_hooks():
    store = SlowStore(fail=RuntimeError("a bug in a hook"), fail_with_hooks=True)
    store.release.set()
    writer = CaptureWriter(store)
    await writer.start()
    assert await writer.submit(event(1)) == Outcome.STORED
    assert store.batches == [(["1"], True), (["1"], False)]
    await writer.stop()


async def test_stop_stores_what_waits_then_refuses_new_events():
    store = SlowStore()
    writer = CaptureWriter(store)
    await writer.start()
    first = writer.submit(event(1))
    await asyncio.sleep(0.05)
    second = writer.submit(event(2))
    stopping = asyncio.create_task(writer.stop())
    await asyncio.sleep(0.05)
    store.release.set()
    await stopping
    assert (first.result(), second.result()) == (Outcome.STORED, Outcome.STORED)
    late = writer.submit(event(3))
    with pytest.raises(RuntimeError, match="stopped"):
        await late
