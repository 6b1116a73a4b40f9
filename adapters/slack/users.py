"""Who a Slack user id is: users.info, remembered for a while so a busy channel costs one call
per person, not one per message."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.translate import SlackUser, user_from_info

log = logging.getLogger(__name__)


class SlackUserDirectory:
    def __init__(self, client: AsyncWebClient, *, size: int = 5000, ttl: float = 6 * 3600,
                 clock: Callable[[], float] = time.monotonic):
        self.client = client
        self.size = size
        self.ttl = ttl
        self.clock = clock
        self._cache: OrderedDict[str, tuple[float, SlackUser]] = OrderedDict()

    async def get(self, user_id: str, fallback_name: str = "") -> SlackUser:
        """The user; when Slack cannot say (missing scope, network), a stand-in named
        `fallback_name` (or the id), not remembered, so the next message asks again."""
        cached = self._cache.get(user_id)
        if cached is not None and self.clock() - cached[0] < self.ttl:
            self._cache.move_to_end(user_id)
            return cached[1]
        try:
            response = await self.client.users_info(user=user_id)
        except Exception as exc:  # best effort: the command still runs, named by its id
            log.warning("users.info %s failed: %s", user_id, exc)
            return SlackUser(id=user_id, name=fallback_name or user_id, username=fallback_name)
        user = user_from_info(response.get("user") or {"id": user_id})
        self._cache[user_id] = (self.clock(), user)
        self._cache.move_to_end(user_id)
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return user
