"""The port of deal-news subscriptions (core.notify.feed): one per chat."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from core.notify.feed import NotifySubscription


class NotifyRepository(Protocol):
    def save(self, subscription: NotifySubscription) -> NotifySubscription:
        """The chat's subscription, replacing the one it had (which keeps its id)."""
        ...

    def remove(self, platform: str, chat_id: str) -> int:
        """The chat's subscription gone; how many rows went (0 or 1)."""
        ...

    def for_chat(self, platform: str, chat_id: str) -> NotifySubscription | None: ...
    def for_team(self, team_id: int) -> Sequence[NotifySubscription]:
        """Oldest first."""
        ...
