"""A failure that repeats is logged when it starts and when it ends, not each time it repeats.

Loops that retry on their own (the dispatcher each second, the capture writer each batch, the
Telegram poll) would otherwise write a traceback per attempt while the database is away:
kilobytes a second for as long as the outage lasts. With a FailureStreak they write one line
when it begins (with the error), one when it ends (with how long it lasted), and nothing between.
"""

from __future__ import annotations

import logging
import threading
import time


class FailureStreak:
    def __init__(self, logger: logging.Logger, what: str):
        self._log = logger
        self.what = what
        self._lock = threading.Lock()  # loops report from the event loop and from worker threads
        self._since: float | None = None
        self._count = 0

    @property
    def failing(self) -> bool:
        return self._since is not None

    def failed(self, error: BaseException, *, traceback: bool = False) -> bool:
        """Count a failure; the first of a streak is logged (one line, and its traceback when asked:
        for an error that may be a bug). True when it was the first."""
        with self._lock:
            self._count += 1
            if self._since is not None:
                return False
            self._since = time.monotonic()
        self._log.warning("%s: failing (%s); retrying quietly until it works again", self.what, one_line(error),
                          exc_info=error if traceback else None)
        return True

    def succeeded(self) -> None:
        """The streak, if any, is over: one line says so."""
        with self._lock:
            if self._since is None:
                return
            lasted, count = time.monotonic() - self._since, self._count
            self._since, self._count = None, 0
        self._log.warning("%s: working again after %d failure(s) over %.1fs", self.what, count, lasted)


def one_line(error: BaseException) -> str:
    """The error's type and the first line of its message (database errors run to many lines)."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
