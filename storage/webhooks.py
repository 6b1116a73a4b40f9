"""Outbound webhooks in the database: subscriptions, and the deliveries written in the
transaction of the change they report (core.services.webhooks says which changes are events).

`watch_audit(session_factory)` makes every session of that factory note the audit entries it
inserts (do_orm_execute) and, just before it commits, queue a delivery per subscription that wants
the event: the change and its deliveries commit together or not at all. Claims take a lease (and
skip rows another replica holds, on PostgreSQL), so a delivery runs on one replica at a time and
runs again if its sender died.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, sessionmaker

from core.services.webhooks import EVENTS, event_body, wants
from storage.db import writing_engine
from storage.tables import audit_entries, webhook_deliveries, webhooks

_NOTED = "webhook_audit"


@dataclass(frozen=True)
class Webhook:
    id: int
    url: str
    events: str
    secret: str
    created_at: datetime
    failing_since: datetime | None
    paused_at: datetime | None


@dataclass(frozen=True)
class Delivery:
    id: int
    webhook_id: int
    url: str
    secret: str
    event_id: str
    event: str
    body: str
    attempts: int


def watch_audit(factory: sessionmaker[Session]) -> None:
    if getattr(factory, "_webhooks_watched", False):
        return
    event.listen(factory, "do_orm_execute", _note_audit)
    event.listen(factory, "before_commit", _queue_deliveries)
    factory._webhooks_watched = True  # type: ignore[attr-defined]


def _note_audit(state) -> None:
    statement = state.statement
    if not (state.is_insert and getattr(statement, "table", None) is audit_entries):
        return
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    noted = state.session.info.setdefault(_NOTED, [])
    noted.extend(dict(row) for row in rows if row.get("action") in EVENTS)


def _queue_deliveries(session: Session) -> None:
    noted = session.info.pop(_NOTED, None)
    if not noted:
        return
    subscribed = session.execute(sa.select(webhooks.c.id, webhooks.c.events)).all()
    if not subscribed:
        return
    rows = []
    for entry in noted:
        name = EVENTS[entry["action"]]
        event_id = f"evt_{uuid4().hex}"
        body = json.dumps(event_body(event_id, name, entry), ensure_ascii=False, default=str)
        for hook_id, events in subscribed:
            if wants(events, name):
                rows.append({"webhook_id": hook_id, "event_id": event_id, "event": name, "body": body,
                             "status": "pending", "attempts": 0, "next_attempt_at": entry["at"],
                             "created_at": entry["at"]})
    if rows:
        session.execute(webhook_deliveries.insert(), rows)


def _hook(row: Any) -> Webhook:
    return Webhook(row.id, row.url, row.events, row.secret, row.created_at, row.failing_since, row.paused_at)


def add(engine: Engine, url: str, events: list[str], now: datetime) -> tuple[int, str]:
    with writing_engine(engine).begin() as conn:
        return add_in(conn, url, events, now)


def add_in(conn: Connection | Session, url: str, events: list[str], now: datetime) -> tuple[int, str]:
    """A new subscription in the caller's transaction: its id and its signing secret."""
    secret = "whsec_" + secrets.token_urlsafe(24)
    hook_id = conn.execute(webhooks.insert().values(url=url, events=",".join(events), secret=secret,
                                                    created_at=now).returning(webhooks.c.id)).scalar_one()
    return hook_id, secret


def listed(engine: Engine) -> list[Webhook]:
    with engine.connect() as conn:
        return [_hook(r) for r in conn.execute(sa.select(webhooks).order_by(webhooks.c.id))]


def get(engine: Engine, hook_id: int) -> Webhook | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(webhooks).where(webhooks.c.id == hook_id)).first()
    return None if row is None else _hook(row)


def remove(engine: Engine, hook_id: int) -> bool:
    with writing_engine(engine).begin() as conn:
        conn.execute(webhook_deliveries.delete().where(webhook_deliveries.c.webhook_id == hook_id))
        return bool(conn.execute(webhooks.delete().where(webhooks.c.id == hook_id)).rowcount)


def resume(engine: Engine, hook_id: int, now: datetime) -> bool:
    """A paused subscription delivers again, what it missed first."""
    with writing_engine(engine).begin() as conn:
        done = conn.execute(webhooks.update().where(webhooks.c.id == hook_id)
                            .values(paused_at=None, failing_since=None)).rowcount
        conn.execute(webhook_deliveries.update().where(webhook_deliveries.c.webhook_id == hook_id,
                                                       webhook_deliveries.c.status == "paused")
                     .values(status="pending", next_attempt_at=now))
    return bool(done)


def log(engine: Engine, hook_id: int | None, limit: int) -> list[Any]:
    query = sa.select(webhook_deliveries).order_by(webhook_deliveries.c.id.desc()).limit(limit)
    if hook_id is not None:
        query = query.where(webhook_deliveries.c.webhook_id == hook_id)
    with engine.connect() as conn:
        return list(conn.execute(query))


def claim(engine: Engine, now: datetime, lease: timedelta, limit: int = 50) -> list[Delivery]:
    """Due deliveries of live subscriptions, oldest first, leased to this sender until now+lease."""
    d, w = webhook_deliveries.c, webhooks.c
    query = (sa.select(d.id, d.webhook_id, w.url, w.secret, d.event_id, d.event, d.body, d.attempts)
             .join(webhooks, webhooks.c.id == d.webhook_id)
             .where(d.status == "pending", d.next_attempt_at <= now, w.paused_at.is_(None))
             .order_by(d.id).limit(limit))
    with writing_engine(engine).begin() as conn:  # SQLite: the write lock first, then read and lease
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=webhook_deliveries)
        rows = conn.execute(query).all()
        if rows:
            conn.execute(webhook_deliveries.update().where(d.id.in_([r.id for r in rows]))
                         .values(next_attempt_at=now + lease))
    return [Delivery(*row) for row in rows]


def delivered(engine: Engine, delivery: Delivery, now: datetime) -> None:
    with writing_engine(engine).begin() as conn:
        conn.execute(webhook_deliveries.update().where(webhook_deliveries.c.id == delivery.id)
                     .values(status="sent", sent_at=now, attempts=delivery.attempts + 1, last_error=None))
        conn.execute(webhooks.update().where(webhooks.c.id == delivery.webhook_id).values(failing_since=None))


def failed(engine: Engine, delivery: Delivery, error: str, retry_at: datetime, now: datetime) -> datetime:
    """Note a failed attempt; the subscription's failing streak (started now if not yet) is returned."""
    with writing_engine(engine).begin() as conn:
        conn.execute(webhook_deliveries.update().where(webhook_deliveries.c.id == delivery.id)
                     .values(attempts=delivery.attempts + 1, next_attempt_at=retry_at, last_error=error[:500]))
        conn.execute(webhooks.update().where(webhooks.c.id == delivery.webhook_id, webhooks.c.failing_since.is_(None))
                     .values(failing_since=now))
        since = conn.execute(sa.select(webhooks.c.failing_since).where(webhooks.c.id == delivery.webhook_id)).scalar()
    return since or now


def pause(session: Session, hook_id: int, now: datetime) -> bool:
    """Pause a subscription (once): its pending deliveries wait for `resume`. True if it was live."""
    done = session.execute(webhooks.update().where(webhooks.c.id == hook_id, webhooks.c.paused_at.is_(None))
                           .values(paused_at=now)).rowcount
    if done:
        session.execute(webhook_deliveries.update().where(webhook_deliveries.c.webhook_id == hook_id,
                                                          webhook_deliveries.c.status == "pending")
                        .values(status="paused"))
    return bool(done)
