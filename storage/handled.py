"""The messages whose commands were handled, in SQL (core.ports.unit_of_work.HandledMessageRepository).

Every command from a platform that writes records one row, so the INSERT goes straight to the
driver (storage.driver): through SQLAlchemy, building and running it cost ~0.3 ms a command.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage import tables as t
from storage.driver import bind_processors, marker, run_on_driver

# ON CONFLICT DO NOTHING: a second replica handling the same message waits on the key until the
# first commits (PostgreSQL; SQLite writers queue anyway), then finds it taken; RETURNING says
# whether the row went in.
_RECORD = ("INSERT INTO handled_messages (platform, chat_id, message_id, handled_at) "
           "VALUES ({m}, {m}, {m}, {m}) ON CONFLICT DO NOTHING RETURNING platform")


class SqlHandledMessageRepository:
    def __init__(self, session: Session):
        self._session = session

    def first_time(self, platform: str, chat_id: str, message_id: str, at: datetime) -> bool:
        dialect = self._session.connection().dialect
        process = bind_processors(dialect, t.handled_messages, ("handled_at",))[0]
        params = (platform, chat_id, message_id, process(at) if process else at)
        return bool(run_on_driver(self._session, _RECORD.format(m=marker(dialect)), params))

    def forget_before(self, before: datetime) -> int:
        result = self._session.execute(delete(t.handled_messages).where(t.handled_messages.c.handled_at < before))
        return result.rowcount
