"""Outbound pacing: at most N messages per period per destination, at each platform's limits.

A limit is a sliding window ("at most 18 in any 60 seconds"), not a token bucket: a bucket
that starts full lets 2N through in the first period, and DingTalk locks a robot out for ten
minutes past 20 a minute. The documented limits, each with a little margin:

- Slack: about one message per second per channel (chat.postMessage).
- Telegram: one per second per chat, 20 per minute per group, 30 per second overall (we send
  28 a second, evenly spaced).
- DingTalk: 20 per minute per robot and group is documented for custom (webhook) robots; for
  an app robot DingTalk documents no per-chat figure (docs/dingtalk.md), so we borrow it: 18.

A 429 answer blocks the destination for its Retry-After, whatever the windows say.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    count: int
    period: float  # seconds
    scope: str  # chat | group | platform
    # Evenly spaced (period / count apart) rather than in bursts: two bursts that leave a period
    # apart can arrive closer together, and a fast limit has little room for that.
    spread: bool = False


PLATFORM_LIMITS: dict[str, tuple[Limit, ...]] = {
    "slack": (Limit(1, 1.1, "chat"),),
    "telegram": (Limit(1, 1.1, "chat"), Limit(20, 63.0, "group"), Limit(28, 1.0, "platform", spread=True)),
    "dingtalk": (Limit(18, 60.0, "chat"),),
}


def is_group(platform: str, chat_id: str) -> bool:
    """Telegram groups and supergroups have negative chat ids."""
    return platform == "telegram" and chat_id.startswith("-")


class SlidingWindow:
    def __init__(self, count: int, period: float, spread: bool = False):
        self.count, self.period = count, period
        self.gap = period / count if spread else 0.0
        self.times: deque[float] = deque()

    def _forget(self, now: float) -> None:
        while self.times and self.times[0] <= now - self.period:
            self.times.popleft()

    def delay(self, now: float) -> float:
        """Seconds until one more message fits (0: now)."""
        self._forget(now)
        spacing = self.times[-1] + self.gap - now if self.times and self.gap else 0.0
        if len(self.times) < self.count:
            return max(0.0, spacing)
        return max(spacing, self.times[0] + self.period - now)

    def take(self, now: float) -> None:
        self.times.append(now)

    def idle(self, now: float) -> bool:
        self._forget(now)
        return not self.times


class Pacer:
    """Sliding windows per destination (and per platform), plus Retry-After blocks.

    One per process: the dispatcher asks `delay`, waits, then `take`s without awaiting in
    between, so coroutines sharing it never both take the last slot.
    """

    def __init__(self, limits: dict[str, tuple[Limit, ...]] | None = None,
                 monotonic: Callable[[], float] = time.monotonic):
        self.limits = PLATFORM_LIMITS if limits is None else limits
        self.monotonic = monotonic
        self._windows: dict[tuple, SlidingWindow] = {}
        self._blocked: dict[tuple[str, str], float] = {}

    def _applicable(self, platform: str, chat_id: str) -> list[SlidingWindow]:
        windows = []
        for limit in self.limits.get(platform, ()):
            if limit.scope == "group" and not is_group(platform, chat_id):
                continue
            key = (platform, limit.scope, limit.count, limit.period,
                   "" if limit.scope == "platform" else chat_id)
            window = self._windows.get(key)
            if window is None:
                window = self._windows[key] = SlidingWindow(limit.count, limit.period, limit.spread)
            windows.append(window)
        return windows

    def delay(self, platform: str, chat_id: str) -> float:
        now = self.monotonic()
        blocked = self._blocked.get((platform, chat_id), 0.0) - now
        waits = [w.delay(now) for w in self._applicable(platform, chat_id)]
        return max([blocked, 0.0, *waits])

    def take(self, platform: str, chat_id: str) -> None:
        now = self.monotonic()
        for window in self._applicable(platform, chat_id):
            window.take(now)
        if len(self._windows) > 50_000:
            self._windows = {k: w for k, w in self._windows.items() if not w.idle(now)}

    def block(self, platform: str, chat_id: str, seconds: float) -> None:
        until = self.monotonic() + seconds
        key = (platform, chat_id)
        self._blocked[key] = max(self._blocked.get(key, 0.0), until)
        if len(self._blocked) > 10_000:
            now = self.monotonic()
            self._blocked = {k: v for k, v in self._blocked.items() if v > now}
