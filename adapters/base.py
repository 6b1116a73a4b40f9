"""The one shape every chat platform adapter has (see adapters/__init__.py).

An adapter is built by bot with its platform's settings and an async handler (the core's
Dealbot.handle, run off the event loop). It translates platform events into Incoming messages,
renders the Reply, and may expose HTTP routes that bot mounts on the single shared web server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from core.chat.messages import Incoming, Reply
from core.language.verbs import find_verb

AsyncHandler = Callable[[Incoming], Awaitable[Reply]]
# (method, path, aiohttp-style handler taking a request and returning a response)
Route = tuple[str, str, Callable[..., Awaitable[object]]]


# Tells bot that a chat changed its id (platform, old id, new id): its link and digests follow.
ChatMoved = Callable[[str, str, str], Awaitable[None]]


def is_link_command(text: str) -> bool:
    """`link …` / `绑定 …`: before running it an adapter checks what the bot can read of the chat
    (Incoming.chat_access), so the reply never promises recording the platform will not deliver."""
    words = text.split(maxsplit=1)
    verb = find_verb(words[0]) if words else None
    return verb is not None and verb.key == "link"


class ChatAdapter(Protocol):
    platform: str

    async def start(self) -> None:
        """Connect (socket, polling or stream) and begin taking events. Returns once running."""
        ...

    async def stop(self) -> None:
        """Stop taking new events, let the ones in flight finish, close connections."""
        ...

    def routes(self) -> list[Route]:
        """HTTP endpoints this adapter needs on the shared server (may be empty)."""
        ...


class Notifier(Protocol):
    """Proactive messages: the scheduler's reminders and digests go out through this."""

    platform: str

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Deliver to a chat or user; return the platform's message id."""
        ...


@dataclass
class RecentIds:
    """Platform delivery ids seen lately, so a retried delivery is handled once."""

    size: int = 10_000

    def __post_init__(self):
        self._seen: dict[str, None] = {}

    def seen(self, delivery_id: str) -> bool:
        """True if this id was seen before; remembers it otherwise."""
        if not delivery_id:
            return False
        if delivery_id in self._seen:
            return True
        self._seen[delivery_id] = None
        if len(self._seen) > self.size:
            self._seen.pop(next(iter(self._seen)))
        return False


class OnceEach:
    """Platform delivery ids seen lately, for platforms that deliver a command again when its
    acknowledgement was late or lost: the first delivery of an id runs; a repeat does not, but
    waits until the first has settled (committed, or rolled back with an answer), so the repeat's
    acknowledgement never comes before the command it repeats is committed. Across a restart the
    redelivery record (core.app.dealbot) does the same job from the database."""

    def __init__(self, size: int = 10_000):
        self._recent = RecentIds(size)
        self._running: dict[str, asyncio.Future] = {}

    async def first(self, delivery_id: str) -> bool:
        """True for the first delivery of `delivery_id` (or an empty one): run it, then call
        `settled`. False for a repeat, once the first has settled."""
        if not self._recent.seen(delivery_id):
            if delivery_id:
                self._running[delivery_id] = asyncio.get_running_loop().create_future()
            return True
        running = self._running.get(delivery_id)
        if running is not None:
            await asyncio.shield(running)
        return False

    def settled(self, delivery_id: str) -> None:
        running = self._running.pop(delivery_id, None)
        if running is not None and not running.done():
            running.set_result(None)
