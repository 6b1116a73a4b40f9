"""The real core behind a gate, for the acknowledgement tests: a command reaches the core only
when the test opens the gate, so a test can look at what the platform was told meanwhile."""

from __future__ import annotations

import asyncio

from adapters.base import AsyncHandler
from core.chat.messages import Incoming, Reply


class HeldCore:
    def __init__(self, handler: AsyncHandler):
        self.handler = handler
        self.entered = asyncio.Event()  # a command is waiting at the gate
        self.release = asyncio.Event()  # open the gate

    async def __call__(self, incoming: Incoming) -> Reply:
        self.entered.set()
        await self.release.wait()
        return await self.handler(incoming)
