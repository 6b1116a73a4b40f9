"""The REST API's own tables: tokens (stored hashed) and idempotent answers to POSTs.

A token is `dbt_` and 32 random url-safe characters; only its SHA-256 is stored, so a leaked
database does not leak working tokens. `last_used_at` moves at most once a minute per token.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage.db import writing_engine
from storage.tables import api_idempotency, api_rate, api_tokens

log = logging.getLogger(__name__)

PREFIX = "dbt_"
TOUCH_EVERY = timedelta(minutes=1)
KEEP_ANSWERS = timedelta(hours=24)  # how long an Idempotency-Key's answer is replayed


@dataclass(frozen=True)
class Token:
    id: int
    name: str
    member_id: int
    read_only: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _token(row: Any) -> Token:
    return Token(row.id, row.name, row.member_id, row.read_only, row.created_at, row.last_used_at, row.revoked_at)


def create_token(session: Session, name: str, member_id: int, read_only: bool, now: datetime) -> str:
    secret = PREFIX + secrets.token_urlsafe(24)
    session.execute(api_tokens.insert().values(name=name, token_hash=hash_token(secret), member_id=member_id,
                                               read_only=read_only, created_at=now))
    return secret


def token_named(session: Session, name: str) -> Token | None:
    row = session.execute(sa.select(api_tokens).where(api_tokens.c.name == name)).first()
    return None if row is None else _token(row)


def list_tokens(session: Session) -> list[Token]:
    return [_token(r) for r in session.execute(sa.select(api_tokens).order_by(api_tokens.c.id))]


def revoke_token(session: Session, name: str, now: datetime) -> bool:
    result = session.execute(api_tokens.update().where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
                             .values(revoked_at=now))
    return bool(result.rowcount)


def token_for(engine: Engine, secret: str, now: datetime) -> Token | None:
    """The live token with this secret, its last use noted (at most once a minute); else None.

    The lookup only reads; the note is a write of its own that asks for SQLite's write lock as it
    begins (a read that turned into a write could not wait for it), and a note that fails anyway
    (the database busy) is left for the next request: it never fails this one."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(api_tokens).where(api_tokens.c.token_hash == hash_token(secret),
                                                       api_tokens.c.revoked_at.is_(None))).first()
    if row is None:
        return None
    token = _token(row)
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        try:
            with writing_engine(engine).begin() as conn:
                conn.execute(api_tokens.update().where(api_tokens.c.id == token.id).values(last_used_at=now))
        except sa.exc.OperationalError as error:
            log.warning("API token %s: its last use not noted (%s)", token.name, type(error).__name__)
    return token


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def stored_answer(engine: Engine, token_id: int, key: str) -> tuple[str, int, Any] | None:
    """(request hash, status, body) stored for this token's key, or None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(api_idempotency).where(api_idempotency.c.token_id == token_id,
                                                            api_idempotency.c.key == key)).first()
    return None if row is None else (row.request_hash, row.status, json.loads(row.body))


def store_answer(session: Session, token_id: int, key: str, digest: str, status: int, body: Any,
                 now: datetime) -> None:
    """The answer kept under the key for KEEP_ANSWERS; this token's older answers go."""
    session.execute(api_idempotency.delete().where(api_idempotency.c.token_id == token_id,
                                                   api_idempotency.c.created_at < now - KEEP_ANSWERS))
    session.execute(api_idempotency.insert().values(token_id=token_id, key=key, request_hash=digest, status=status,
                                                    body=json.dumps(body), created_at=now))


def lock_deal(session: Session, deal_id: int) -> None:
    """PostgreSQL: hold the deal's row until commit, so an If-Match check and the write it
    guards see no other writer in between (SQLite's writing transactions are serial already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT id FROM deals WHERE id = :id FOR UPDATE"), {"id": deal_id})


def take_request(engine: Engine, token_id: int, per_minute: int, now: float) -> float:
    """Count one request of the token in its bucket in the database: 0 when it may go ahead, else
    the seconds until one may. The bucket holds up to `per_minute` requests and refills at
    `per_minute` a minute, as bot.api.RateLimit does in one process; here every process that
    shares the database draws from the same bucket. The check and the draw are one UPDATE, so two
    processes never both take the last request (PostgreSQL re-checks the row it waited for)."""
    rate = per_minute / 60.0
    elapsed = sa.case((sa.literal(now) > api_rate.c.at, sa.literal(now) - api_rate.c.at), else_=0.0)
    refilled = sa.case((api_rate.c.level + elapsed * rate > per_minute, float(per_minute)),
                       else_=api_rate.c.level + elapsed * rate)
    with writing_engine(engine).begin() as conn:
        insert = _dialect_insert(engine)(api_rate).values(token_id=token_id, level=float(per_minute), at=now)
        conn.execute(insert.on_conflict_do_nothing(index_elements=["token_id"]))
        taken = conn.execute(api_rate.update().where(api_rate.c.token_id == token_id, refilled >= 1)
                             .values(level=refilled - 1, at=sa.case((sa.literal(now) > api_rate.c.at, now),
                                                                     else_=api_rate.c.at))
                             .returning(api_rate.c.level)).first()
        if taken is not None:
            return 0.0
        left = conn.execute(sa.select(refilled).where(api_rate.c.token_id == token_id)).scalar_one()
    return (1 - float(left)) / rate


def _dialect_insert(engine: Engine):
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
