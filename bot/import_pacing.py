"""How `dealbot import` shares SQLite's one write lock with a running bot (core.services.transfer.Pacer).

Each write transaction of an import adds as many deals as fit in about `hold` seconds of the
lock, judged by the last one (a batch gets slower as the deals' indexes grow), and after each
the lock stays free for `pause` seconds. The pause matters as much as the size: a command that
found the lock taken waits in SQLite's busy handler, which sleeps up to 100 ms between tries; an
importer that took the lock again at once could win every time, and the command would wait for
many batches (measured: 4.3 s behind batches of 1,000 without a pause). The pause is spent
building the next batch's values, so it costs little.

PostgreSQL locks rows, not the database: its batches are sized to `hold` as well (one
transaction's memory and the time to take one back), with no pause.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

HOLD = 0.4  # seconds of write lock per transaction
PAUSE = 0.11  # seconds the lock stays free after each: past the busy handler's longest sleep (100 ms)


class LockPacer:
    def __init__(self, *, hold: float = HOLD, pause: float = PAUSE, first: int = 1000, smallest: int = 50,
                 largest: int = 20_000, clock: Callable[[], float] = time.perf_counter,
                 sleep: Callable[[float], None] = time.sleep):
        self.hold, self.pause, self.smallest, self.largest = hold, pause, smallest, largest
        self.clock, self.sleep = clock, sleep
        self.next, self.longest, self.transactions = first, 0.0, 0
        self.freed_at: float | None = None

    def size(self) -> int:
        return self.next

    @contextmanager
    def transaction(self, deals: int) -> Iterator[None]:
        if self.freed_at is not None:  # whatever building the values took counts towards the pause
            self.sleep(max(0.0, self.pause - (self.clock() - self.freed_at)))
        began = self.clock()
        yield
        took = self.clock() - began
        self.freed_at = self.clock()
        self.longest, self.transactions = max(self.longest, took), self.transactions + 1
        if not deals:
            return
        # the next size from this one's pace, never more than doubling: one slow checkpoint or
        # a busy machine should not make the next transaction hold the lock for seconds
        pace = deals * self.hold / max(took, 1e-3)
        self.next = round(min(self.largest, 2 * deals, max(self.smallest, pace)))


def pacer_for(dialect: str) -> LockPacer:
    return LockPacer() if dialect == "sqlite" else LockPacer(hold=1.0, pause=0.0, first=2_000)
