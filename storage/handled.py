"""The messages whose commands were handled, in SQL (core.ports.HandledMessageRepository)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage import tables as t
from storage.outbox import dialect_insert


class SqlHandledMessageRepository:
    def __init__(self, session: Session):
        self._session = session

    def first_time(self, platform: str, chat_id: str, message_id: str, at: datetime) -> bool:
        # ON CONFLICT DO NOTHING: a second replica handling the same message waits on the key
        # until the first commits (PostgreSQL; SQLite writers queue anyway), then finds it taken.
        statement = dialect_insert(self._session, t.handled_messages).on_conflict_do_nothing(
            index_elements=["platform", "chat_id", "message_id"])
        # RETURNING says whether the row went in (rowcount is -1 here on psycopg).
        values = dict(platform=platform, chat_id=chat_id, message_id=message_id, handled_at=at)
        inserted = self._session.execute(statement.values(**values).returning(t.handled_messages.c.platform))
        return inserted.first() is not None

    def forget_before(self, before: datetime) -> int:
        result = self._session.execute(delete(t.handled_messages).where(t.handled_messages.c.handled_at < before))
        return result.rowcount
