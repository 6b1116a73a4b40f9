"""What /readyz answers: ready only while dealbot serves, its database answers and the database's
schema is the one this code was written for. When not ready it says why, in a few words: the
body is public (the HTTP server also takes Slack's and Telegram's requests), so the details of a
database error go to the log instead, once when the database goes away and once when it is back.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import Engine

from core.app.failures import FailureStreak
from storage.migrate import schema_lag

log = logging.getLogger(__name__)


class Readiness:
    def __init__(self, engine: Engine, *, timeout: float = 5.0):
        self.engine = engine
        self.timeout = timeout  # a database that does not answer in time counts as away
        self.serving = False  # set once every platform is started, cleared when stopping
        self.database = FailureStreak(log, "readiness: the database")
        self._probe: asyncio.Future[str | None] | None = None

    async def reasons(self) -> list[str]:
        """Why dealbot is not ready; empty when it is."""
        if not self.serving:
            return ["not serving: starting or stopping"]
        problem = await self._database_problem()
        return [problem] if problem else []

    async def _database_problem(self) -> str | None:
        # Probes asked for while one runs share it: a slow database never piles up threads.
        if self._probe is None or self._probe.done():
            self._probe = asyncio.ensure_future(asyncio.to_thread(self._probe_database))
        try:
            return await asyncio.wait_for(asyncio.shield(self._probe), self.timeout)
        except TimeoutError:
            self.database.failed(TimeoutError(f"no answer within {self.timeout:g}s"))
            return f"database did not answer within {self.timeout:g}s"

    def _probe_database(self) -> str | None:
        try:
            lag = schema_lag(self.engine)  # reading the schema's revision is the round trip
        except Exception as error:
            self.database.failed(error)
            return "database unreachable"
        self.database.succeeded()
        return lag
