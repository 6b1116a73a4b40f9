"""The outbox and digest subscriptions in SQL (core.ports.reminders.OutboxRepository, DigestRepository).

Claiming is one statement: an UPDATE of the rows a subquery picks, RETURNING them. On PostgreSQL
the subquery locks what it picks with FOR UPDATE SKIP LOCKED, so dispatchers on several replicas
each get different rows without waiting for one another; SQLite runs one writer at a time, which
makes the same statement exclusive there. A claim is a hold with an expiry (claimed_until), so a
row held by a dispatcher that died is taken again once the hold runs out.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Engine, Row, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.reminders.outbox import DigestSubscription, OutboxMessage, OutboxStatus
from storage import tables as t
from storage.driver import row_values, run_on_driver

_KEY_CHUNK = 500  # bound parameters per IN (...): SQLite allows 32766, keep statements small
_ERROR_LENGTH = 2000


def dialect_insert(session: Session, table):
    """INSERT with ON CONFLICT support on either database."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _values(message: OutboxMessage) -> dict:
    return {
        "platform": message.platform, "chat_id": message.chat_id, "kind": message.kind,
        "dedupe_key": message.dedupe_key, "payload": message.payload,
        "not_before": message.not_before, "created_at": message.created_at,
        "status": str(message.status), "attempts": message.attempts,
    }


_ADD_COLUMNS = ("platform", "chat_id", "kind", "dedupe_key", "payload", "not_before", "created_at", "status",
                "attempts")
_ADD_SQL = (f"INSERT INTO outbox ({', '.join(_ADD_COLUMNS)}) VALUES ({', '.join('?' * len(_ADD_COLUMNS))}) "
            "ON CONFLICT (dedupe_key) DO NOTHING")


def _message(row: Row) -> OutboxMessage:
    return OutboxMessage(
        platform=row.platform, chat_id=row.chat_id, kind=row.kind, dedupe_key=row.dedupe_key,
        payload=row.payload, not_before=row.not_before, created_at=row.created_at,
        status=OutboxStatus(row.status), attempts=row.attempts, sent_at=row.sent_at,
        last_error=row.last_error, claimed_until=row.claimed_until, message_id=row.message_id,
        id=row.id,
    )


class SqlOutboxRepository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, message: OutboxMessage) -> bool:
        statement = (dialect_insert(self._session, t.outbox).values(**_values(message))
                     .on_conflict_do_nothing(index_elements=["dedupe_key"])
                     .returning(t.outbox.c.id))
        new_id = self._session.execute(statement).scalar()
        if new_id is None:
            return False
        message.id = new_id
        return True

    def add_all(self, messages: Sequence[OutboxMessage]) -> None:
        if not messages:
            return
        dialect = self._session.connection().dialect
        if dialect.name != "sqlite":
            statement = dialect_insert(self._session, t.outbox).on_conflict_do_nothing(index_elements=["dedupe_key"])
            self._session.execute(statement, [_values(message) for message in messages])
            return
        # SQLite: straight to the driver (storage.driver), as the capture batches that offer
        # suggestions add a DM per suggestion here; SQLAlchemy's executemany cost ~25 µs a row.
        self._session.flush()
        values = row_values(dialect, t.outbox, _ADD_COLUMNS)
        run_on_driver(self._session, _ADD_SQL, [tuple(values(message)) for message in messages], many=True)

    def existing_keys(self, keys: Collection[str]) -> set[str]:
        keys = list(keys)
        found: set[str] = set()
        for i in range(0, len(keys), _KEY_CHUNK):
            chunk = keys[i : i + _KEY_CHUNK]
            found.update(self._session.scalars(
                select(t.outbox.c.dedupe_key).where(t.outbox.c.dedupe_key.in_(chunk))))
        return found

    def sent_keys(self, keys: Collection[str]) -> set[str]:
        keys = list(keys)
        c = t.outbox.c
        found: set[str] = set()
        for i in range(0, len(keys), _KEY_CHUNK):
            chunk = keys[i : i + _KEY_CHUNK]
            found.update(self._session.scalars(select(c.dedupe_key).where(
                c.dedupe_key.in_(chunk), c.status == str(OutboxStatus.SENT))))
        return found

    def get(self, message_id: int) -> OutboxMessage | None:
        row = self._session.execute(select(t.outbox).where(t.outbox.c.id == message_id)).first()
        return _message(row) if row else None

    def claim(self, *, now: datetime, lease_until: datetime, limit: int,
              platforms: Collection[str]) -> list[OutboxMessage]:
        c = t.outbox.c
        picked = (
            select(c.id)
            .where(c.status == str(OutboxStatus.PENDING), c.not_before <= now,
                   c.platform.in_(list(platforms)),
                   (c.claimed_until.is_(None)) | (c.claimed_until < now))
            .order_by(c.not_before, c.id)
            .limit(limit)
        )
        if self._session.get_bind().dialect.name == "postgresql":
            picked = picked.with_for_update(skip_locked=True)
        statement = (t.outbox.update().where(c.id.in_(picked.scalar_subquery()))
                     .values(claimed_until=lease_until).returning(*t.outbox.c))
        rows = self._session.execute(statement).all()
        return sorted((_message(r) for r in rows), key=lambda m: (m.not_before, m.id))

    def _update(self, row_id: int, /, **values) -> None:
        c = t.outbox.c
        self._session.execute(t.outbox.update()
                              .where(c.id == row_id, c.status == str(OutboxStatus.PENDING))
                              .values(**values))

    def mark_sent(self, message_id: int, *, at: datetime, platform_message_id: str | None) -> None:
        self._update(message_id, status=str(OutboxStatus.SENT), sent_at=at, claimed_until=None,
                     message_id=platform_message_id, attempts=t.outbox.c.attempts + 1)

    def retry_later(self, message_id: int, *, not_before: datetime, error: str | None,
                    count_attempt: bool = True) -> None:
        values = {"last_error": error[:_ERROR_LENGTH]} if error else {}
        self._update(message_id, not_before=not_before, claimed_until=None,
                     attempts=t.outbox.c.attempts + (1 if count_attempt else 0), **values)

    def mark_failed(self, message_id: int, *, at: datetime, error: str) -> None:
        self._update(message_id, status=str(OutboxStatus.FAILED), claimed_until=None,
                     last_error=error[:_ERROR_LENGTH], attempts=t.outbox.c.attempts + 1)

    def mark_skipped(self, message_id: int, *, at: datetime, reason: str) -> None:
        self._update(message_id, status=str(OutboxStatus.SKIPPED), claimed_until=None, sent_at=None,
                     last_error=reason[:_ERROR_LENGTH])

    def requeue(self, message_ids: Collection[int], *, now: datetime) -> int:
        c = t.outbox.c
        result = self._session.execute(
            t.outbox.update().where(c.id.in_(list(message_ids)), c.status == str(OutboxStatus.FAILED))
            .values(status=str(OutboxStatus.PENDING), attempts=0, not_before=now, claimed_until=None))
        return result.rowcount

    def release(self, message_ids: Collection[int]) -> None:
        if message_ids:
            c = t.outbox.c
            self._session.execute(t.outbox.update().where(c.id.in_(list(message_ids)),
                                                          c.status == str(OutboxStatus.PENDING))
                                  .values(claimed_until=None))

    def list(self, *, statuses: Collection[str] | None = None, limit: int = 50) -> list[OutboxMessage]:
        query = select(t.outbox).order_by(t.outbox.c.id.desc()).limit(limit)
        if statuses:
            query = query.where(t.outbox.c.status.in_([str(s) for s in statuses]))
        return [_message(row) for row in self._session.execute(query)]

    def counts(self) -> dict[str, int]:
        c = t.outbox.c
        rows = self._session.execute(select(c.status, func.count()).group_by(c.status))
        return {status: count for status, count in rows}


class SqlDigestRepository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, subscription: DigestSubscription) -> bool:
        values = {"team_id": subscription.team_id, "platform": subscription.platform,
                  "chat_id": subscription.chat_id, "frequency": subscription.frequency,
                  "created_at": subscription.created_at, "created_by": subscription.created_by}
        statement = (dialect_insert(self._session, t.digest_subscriptions).values(**values)
                     .on_conflict_do_nothing(index_elements=["platform", "chat_id", "frequency"])
                     .returning(t.digest_subscriptions.c.id))
        new_id = self._session.execute(statement).scalar()
        if new_id is None:
            return False
        subscription.id = new_id
        return True

    def remove(self, platform: str, chat_id: str) -> int:
        c = t.digest_subscriptions.c
        result = self._session.execute(
            t.digest_subscriptions.delete().where(c.platform == platform, c.chat_id == chat_id))
        return result.rowcount

    def for_chat(self, platform: str, chat_id: str) -> Sequence[DigestSubscription]:
        c = t.digest_subscriptions.c
        return self._select((c.platform == platform) & (c.chat_id == chat_id))

    def for_team(self, team_id: int) -> Sequence[DigestSubscription]:
        return self._select(t.digest_subscriptions.c.team_id == team_id)

    def _select(self, condition) -> list[DigestSubscription]:
        c = t.digest_subscriptions.c
        rows = self._session.execute(select(t.digest_subscriptions).where(condition).order_by(c.id))
        return [DigestSubscription(team_id=r.team_id, platform=r.platform, chat_id=r.chat_id,
                                   frequency=r.frequency, created_at=r.created_at,
                                   created_by=r.created_by, id=r.id) for r in rows]


def backlog(engine: Engine, now: datetime) -> list[tuple[str, str, int, datetime | None]]:
    """(platform, status, rows, earliest not_before) of the rows still waiting (pending) or given
    up on (failed), for the metrics endpoint: one GROUP BY over the (status, not_before) index."""
    o = t.outbox.c
    query = (select(o.platform, o.status, func.count(), func.min(o.not_before))
             .where(o.status.in_([str(OutboxStatus.PENDING), str(OutboxStatus.FAILED)]))
             .group_by(o.platform, o.status))
    with engine.connect() as connection:
        return [(platform, status, count, oldest) for platform, status, count, oldest in connection.execute(query)]
