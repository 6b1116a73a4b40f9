"""Local fake platforms that enforce the documented sending limits and answer 429 past them.

One aiohttp app on 127.0.0.1 serves the send call of each platform, as the real SDKs call it:
- Slack `chat.postMessage` (slack_sdk): one per second per channel; 429 with Retry-After.
- Telegram `sendMessage` (python-telegram-bot): one per second per chat, 20 per minute per group
  (negative chat id), 30 per second overall; 429 with parameters.retry_after.
- DingTalk robot send: 20 per minute per chat; past that the chat is locked for ten minutes
  (counted in `lockouts`: a test expects none).
Every accepted message is kept in `received` as (platform, chat, text, monotonic time).
"""

from __future__ import annotations

import time
from collections import defaultdict, deque

from aiohttp import web

from tests.platforms.server import FakeServer


class Window:
    def __init__(self, count: int, period: float):
        self.count, self.period = count, period
        self.times: deque[float] = deque()

    def fits(self, now: float) -> bool:
        while self.times and self.times[0] <= now - self.period:
            self.times.popleft()
        return len(self.times) < self.count

    def admit(self, now: float) -> bool:
        if not self.fits(now):
            return False
        self.times.append(now)
        return True


def admit_all(windows: list[Window], now: float) -> bool:
    """All windows count the message, or none does."""
    if not all(w.fits(now) for w in windows):
        return False
    for window in windows:
        window.times.append(now)
    return True


class FakePlatforms(FakeServer):
    name = "fake platforms with limits"

    def __init__(self, slack_per_channel: float = 1.0):
        super().__init__()
        self.received: list[tuple[str, str, str, float]] = []
        self.rejected: dict[str, int] = defaultdict(int)  # 429s answered, per platform
        self.lockouts = 0
        self._slack = defaultdict(lambda: Window(1, slack_per_channel))
        self._tg_chat = defaultdict(lambda: Window(1, 1.0))
        self._tg_group = defaultdict(lambda: Window(20, 60.0))
        self._tg_all = Window(30, 1.0)
        self._ding = defaultdict(lambda: Window(20, 60.0))
        self._ding_locked: dict[str, float] = {}

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/slack/api/chat.postMessage", self.slack)
        app.router.add_post("/telegram/bot{token}/{method}", self.telegram)
        app.router.add_post("/dingtalk/robot/send", self.dingtalk)

    def at(self, path: str) -> str:
        return f"{self.url}{path}"

    def _accept(self, platform: str, chat: str, text: str) -> None:
        self.received.append((platform, chat, text, time.monotonic()))

    # -- Slack ----------------------------------------------------------------------------------
    async def slack(self, request: web.Request) -> web.Response:
        body = await request.json() if request.content_type == "application/json" else dict(await request.post())
        channel = str(body.get("channel"))
        if not self._slack[channel].admit(time.monotonic()):
            self.rejected["slack"] += 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": "1"})
        self._accept("slack", channel, body.get("text", ""))
        return web.json_response({"ok": True, "channel": channel, "ts": f"{len(self.received)}.000100"})

    # -- Telegram -------------------------------------------------------------------------------
    async def telegram(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "getMe":
            return web.json_response({"ok": True, "result": {
                "id": 1, "is_bot": True, "first_name": "dealbot", "username": "dealbot_bot",
                "can_join_groups": True, "can_read_all_group_messages": True,
                "supports_inline_queries": False}})
        body = await request.json() if request.content_type == "application/json" else dict(await request.post())
        chat = str(body.get("chat_id"))
        now = time.monotonic()
        group = chat.startswith("-")
        windows = [self._tg_all, self._tg_chat[chat], *([self._tg_group[chat]] if group else [])]
        if not admit_all(windows, now):
            self.rejected["telegram"] += 1
            return web.json_response({"ok": False, "error_code": 429,
                                      "description": "Too Many Requests: retry after 1",
                                      "parameters": {"retry_after": 1}}, status=429)
        self._accept("telegram", chat, body.get("text", ""))
        return web.json_response({"ok": True, "result": {
            "message_id": len(self.received), "date": int(time.time()),
            "chat": {"id": int(chat), "type": "group" if group else "private"}, "text": body.get("text", "")}})

    # -- DingTalk -------------------------------------------------------------------------------
    async def dingtalk(self, request: web.Request) -> web.Response:
        body = await request.json()
        chat = str(body.get("chat"))
        now = time.monotonic()
        if self._ding_locked.get(chat, 0) > now or not self._ding[chat].admit(now):
            if self._ding_locked.get(chat, 0) <= now:
                self.lockouts += 1
                self._ding_locked[chat] = now + 600
            self.rejected["dingtalk"] += 1
            return web.json_response({"errcode": 130101, "errmsg": "send too fast"}, status=429,
                                     headers={"Retry-After": "600"})
        self._accept("dingtalk", chat, body.get("text", ""))
        return web.json_response({"errcode": 0, "processQueryKey": f"q{len(self.received)}"})
