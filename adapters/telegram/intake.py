"""Taking a batch of Telegram updates (one getUpdates answer, or one webhook POST).

The rules:
- One chat's updates are handled in the order Telegram sent them; different chats at once.
- A captured message (group talk not addressed to the bot, an edit) is handed to the capture
  hook at once, in order, and not waited for one by one: the writer commits many together.
- A command waits until the talk before it in its chat is stored (so `show D-12` shows it), and
  the updates after it in its chat wait for the command (so messages after `link D-12` are
  recorded). A chat's last command may still be answering when the batch is taken; the chat's
  next update, in this batch or a later one, waits for it.
- `take()` returns once every captured message of the batch is stored and every command in it
  is settled (its transaction committed, or rolled back with an answer saying why), and raises
  if a message could not be stored or a command was cancelled: only then may the batch be
  acknowledged (the getUpdates offset moved past it, or the webhook answered 200). So a crash
  never loses an acknowledged command: Telegram offers what was not acknowledged again, and
  the redelivery record (core.app.dealbot) answers a repeat of a committed command "Already done".
  Sending the answer is not waited for: it can take long (rate limits) and is not the command.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable

from telegram import Update

from core.conversations.capture import ChatEvent

Classify = Callable[[Update], ChatEvent | None]  # the ChatEvent of a captured update, else None
Capture = Callable[[ChatEvent], Awaitable[object]]
Answer = Callable[[], Awaitable[None]]  # sends a settled command's reply
# Runs a command or a button tap until it is settled; returns how to answer it (None: nothing to say).
Run = Callable[[Update], Awaitable[Answer | None]]


class Intake:
    def __init__(self, classify: Classify, capture: Capture | None, run: Run, max_concurrent: int = 64):
        self._classify = classify
        self._capture = capture
        self._run = run
        self._slots = asyncio.Semaphore(max_concurrent)
        self._tails: dict[Hashable, asyncio.Task] = {}  # a chat's last command, still running

    async def take(self, updates: list[Update]) -> None:
        chats: dict[Hashable, list[Update]] = {}
        for update in updates:
            chats.setdefault(_chat_key(update), []).append(update)
        done = await asyncio.gather(*(self._take_chat(key, mine) for key, mine in chats.items()))
        futures = [future for futures in done for future in futures]
        # Every one is waited for, even after a failure: a command still running when take()
        # raised would otherwise be confirmed by the next batch's offset before it commits.
        outcomes = await asyncio.gather(*futures, return_exceptions=True)
        failed = next((o for o in outcomes if isinstance(o, BaseException)), None)
        if failed is not None:
            raise failed

    async def drain(self, timeout: float) -> None:
        """Let the commands still running finish (cancelled after `timeout`)."""
        tails = set(self._tails.values())
        if tails:
            _, late = await asyncio.wait(tails, timeout=timeout)
            for task in late:
                task.cancel()

    async def _take_chat(self, key: Hashable, updates: list[Update]) -> list[asyncio.Future]:
        """Start the chat's updates in order; return what resolves once each is stored or settled."""
        done: list[asyncio.Future] = []
        for index, update in enumerate(updates):
            await self._after_previous_command(key)
            event = self._classify(update)
            if event is not None:
                if self._capture is not None:
                    done.append(asyncio.ensure_future(self._capture(event)))
                continue
            if done:
                await asyncio.wait(done)  # failures surface in take(); the command runs anyway
            settled = asyncio.get_running_loop().create_future()
            done.append(settled)
            command = asyncio.create_task(self._command(update, settled))
            self._tails[key] = command
            command.add_done_callback(lambda task, key=key: self._forget_tail(key, task))
            if index + 1 < len(updates):
                await asyncio.wait({command})
        return done

    async def _after_previous_command(self, key: Hashable) -> None:
        tail = self._tails.get(key)
        if tail is not None and not tail.done():
            await asyncio.wait({tail})

    async def _command(self, update: Update, settled: asyncio.Future) -> None:
        """Run the command (resolving `settled` once it is), then send its answer."""
        try:
            async with self._slots:
                answer = await self._run(update)
        except BaseException:  # cancelled by a stop that timed out: the batch is not confirmed
            settled.set_exception(RuntimeError(f"update {update.update_id} stopped before it was settled"))
            raise
        settled.set_result(None)
        if answer is not None:
            await answer()

    def _forget_tail(self, key: Hashable, task: asyncio.Task) -> None:
        if self._tails.get(key) is task:
            del self._tails[key]


def _chat_key(update: Update) -> Hashable:
    chat = update.effective_chat
    return chat.id if chat is not None else ("update", update.update_id)
