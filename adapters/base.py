"""The one shape every chat platform adapter has (see adapters/__init__.py).

An adapter is built by bot with its platform's settings and an async handler (the core's
Dealbot.handle, run off the event loop). It translates platform events into Incoming messages,
renders the Reply, and may expose HTTP routes that bot mounts on the single shared web server.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from core.messages import Incoming, Reply

AsyncHandler = Callable[[Incoming], Awaitable[Reply]]
# (method, path, aiohttp-style handler taking a request and returning a response)
Route = tuple[str, str, Callable[..., Awaitable[object]]]


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
