"""Taking a batch of Telegram updates (one getUpdates answer, or one webhook POST).

The rules:
- One chat's updates are handled in the order Telegram sent them; different chats at once.
- A captured message (group talk not addressed to the bot, an edit) is handed to the capture
  hook at once, in order, and not waited for one by one: the writer commits many together.
- A command waits until the talk before it in its chat is stored (so `show D-12` shows it), and
  the updates after it in its chat wait for the command (so messages after `link D-12` are
  recorded). A chat's last command may still run when the batch is taken; the chat's next
  update, in this batch or a later one, waits for it.
- `take()` returns once every captured message of the batch is stored, and raises if one could
  not be: only then may the batch be acknowledged (the getUpdates offset moved past it, or the
  webhook answered 200).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable

from telegram import Update

from core.capture import ChatEvent

Classify = Callable[[Update], ChatEvent | None]  # the ChatEvent of a captured update, else None
Capture = Callable[[ChatEvent], Awaitable[object]]
Run = Callable[[Update], Awaitable[None]]  # a command or a button tap


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
        stored = await asyncio.gather(*(self._take_chat(key, mine) for key, mine in chats.items()))
        await asyncio.gather(*(future for futures in stored for future in futures))

    async def drain(self, timeout: float) -> None:
        """Let the commands still running finish (cancelled after `timeout`)."""
        tails = set(self._tails.values())
        if tails:
            _, late = await asyncio.wait(tails, timeout=timeout)
            for task in late:
                task.cancel()

    async def _take_chat(self, key: Hashable, updates: list[Update]) -> list[asyncio.Future]:
        stored: list[asyncio.Future] = []
        for index, update in enumerate(updates):
            await self._after_previous_command(key)
            event = self._classify(update)
            if event is not None:
                if self._capture is not None:
                    stored.append(asyncio.ensure_future(self._capture(event)))
                continue
            if stored:
                await asyncio.wait(stored)  # failures surface in take(); the command runs anyway
            command = asyncio.create_task(self._limited(update))
            self._tails[key] = command
            command.add_done_callback(lambda task, key=key: self._forget_tail(key, task))
            if index + 1 < len(updates):
                await asyncio.wait({command})
        return stored

    async def _after_previous_command(self, key: Hashable) -> None:
        tail = self._tails.get(key)
        if tail is not None and not tail.done():
            await asyncio.wait({tail})

    async def _limited(self, update: Update) -> None:
        async with self._slots:
            await self._run(update)

    def _forget_tail(self, key: Hashable, task: asyncio.Task) -> None:
        if self._tails.get(key) is task:
            del self._tails[key]


def _chat_key(update: Update) -> Hashable:
    chat = update.effective_chat
    return chat.id if chat is not None else ("update", update.update_id)
