"""The SQL side of chat capture: chat bindings, and captured messages written in bulk.

A batch of captured messages (one group commit, bot/capture.py) is one multi-row
INSERT … ON CONFLICT (platform, chat_id, message_id) DO NOTHING RETURNING …: the database skips
the duplicates, and the rows that come back are the ones stored. It goes to the driver as one
statement rather than through SQLAlchemy's executemany, whose per-row parameter handling cost
about as much as SQLite's own work on this path; every value still passes through its column's
bind processor, so it is stored exactly as the ORM stores it. The other statements every batch
runs (its chats' bindings, the deals' last activity) go the same way (storage.driver). Edits
and deletions are rare and go one statement each, through SQLAlchemy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from functools import cache
from itertools import chain
from typing import Any

from sqlalchemy import Dialect, or_, select
from sqlalchemy.orm import Session

from core.conversations.capture import CapturedMessage, CaptureTarget
from core.domain.model import ChatBinding, Deal, DealStatus, Interaction
from storage import tables as t
from storage.driver import bind_processors, marker, row_values, run_on_driver
from storage.search import index_messages, unindex_messages

_I, _D, _B = t.interactions.c, t.deals.c, t.chat_bindings.c
# A new message has no edit or deletion yet, so those columns stay out of its INSERT (NULL).
_NEW = tuple(c.name for c in t.interactions.columns if c.name not in ("id", "edited_at", "deleted_at"))
_ALL = tuple(c.name for c in t.interactions.columns if c.name != "id")
_MAX_PARAMETERS = 30_000  # per SQLite statement (it allows 32,766)


_CONFLICT = ("ON CONFLICT (platform, chat_id, message_id) DO NOTHING "
             "RETURNING id, platform, chat_id, message_id")


@cache
def _unnest_sql(dialect: Dialect, columns: tuple[str, ...]) -> str:
    """PostgreSQL: one array per column, so the statement has a dozen parameters however many
    rows it carries (a VALUES list of thousands of rows is slow to build, send and plan)."""
    arrays = ", ".join(f"%s::{_I[name].type.compile(dialect=dialect)}[]" for name in columns)
    return f"INSERT INTO interactions ({', '.join(columns)}) SELECT * FROM unnest({arrays}) {_CONFLICT}"


def _values_sql(columns: tuple[str, ...], rows: int) -> str:
    one = "(" + ", ".join(["?"] * len(columns)) + ")"
    return f"INSERT INTO interactions ({', '.join(columns)}) VALUES {', '.join([one] * rows)} {_CONFLICT}"


def _statements(dialect: Dialect, columns: tuple[str, ...],
                rows: list[CapturedMessage]) -> Iterator[tuple[str, tuple]]:
    """(SQL, parameters) for inserting the rows: one statement on PostgreSQL, one per
    _MAX_PARAMETERS on SQLite."""
    values = row_values(dialect, t.interactions, columns)
    if dialect.name == "postgresql":
        yield _unnest_sql(dialect, columns), tuple(map(list, zip(*map(values, rows), strict=True)))
        return
    per_statement = _MAX_PARAMETERS // len(columns)
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        yield _values_sql(columns, len(chunk)), tuple(chain.from_iterable(map(values, chunk)))


def insert_captured(session: Session, messages: Sequence[CapturedMessage],
                    columns: tuple[str, ...] = _NEW) -> list[CapturedMessage]:
    """Store the ones not stored yet; return those, ids set, in the given order."""
    if not messages:
        return []
    session.flush()  # pending ORM changes first, as the statement bypasses the ORM
    unique: dict[tuple, CapturedMessage] = {}
    for item in messages:
        unique.setdefault((item.platform, item.chat_id, item.message_id), item)
    dialect = session.connection().dialect
    ids: dict[tuple, int] = {}
    for sql, params in _statements(dialect, columns, list(unique.values())):
        ids.update(((platform, chat, message), row_id)
                   for row_id, platform, chat, message in run_on_driver(session, sql, params))
    stored = []
    for key, item in unique.items():
        if key in ids:
            item.id = ids[key]
            stored.append(item)
    # the search index, in the same transaction: one more statement for the batch (storage.search)
    index_messages(session.connection(), [(item.id, item.text) for item in stored if item.text])
    return stored


def edit_captured(session: Session, platform: str, chat_id: str, message_id: str, text: str,
                  at: datetime) -> bool:
    result = session.execute(
        t.interactions.update()
        .where(_I.platform == platform, _I.chat_id == chat_id, _I.message_id == message_id,
               _I.deleted_at.is_(None), or_(_I.edited_at.is_(None), _I.edited_at <= at))
        .values(text=text, edited_at=at)
        .returning(_I.id)
    )
    ids = list(result.scalars())
    index_messages(session.connection(), [(row_id, text) for row_id in ids])
    return bool(ids)


def delete_captured(session: Session, tombstone: CapturedMessage) -> bool:
    at = tombstone.deleted_at
    result = session.execute(
        t.interactions.update()
        .where(_I.platform == tombstone.platform, _I.chat_id == tombstone.chat_id,
               _I.message_id == tombstone.message_id, _I.deleted_at.is_(None))
        .values(text="", deleted_at=at)
        .returning(_I.id)
    )
    ids = list(result.scalars())
    if ids:
        unindex_messages(session.connection(), ids)
        return True
    insert_captured(session, [dataclasses.replace(tombstone, text="", id=None)], columns=_ALL)
    return False


_TOUCH = ("UPDATE deals SET last_activity_at = {m} WHERE id = {m} "
          "AND (last_activity_at IS NULL OR last_activity_at < {m})")
_TOUCH_CUSTOMER = ("UPDATE deals SET last_activity_at = {m} WHERE customer_id = {m} AND status = {m} "
                   "AND (last_activity_at IS NULL OR last_activity_at < {m})")


def record_activity(session: Session, deal_times: Mapping[int, datetime]) -> None:
    if deal_times:
        session.flush()
        at = _time_processor(session)
        params = [(at(when), deal, at(when)) for deal, when in sorted(deal_times.items())]
        run_on_driver(session, _TOUCH.format(m=marker(session.connection().dialect)), params, many=True)
        _expire_loaded_deals(session)


def record_customer_activity(session: Session, customer_times: Mapping[int, datetime]) -> None:
    if customer_times:
        session.flush()
        at, status = _time_processor(session), str(DealStatus.OPEN)
        params = [(at(when), customer, status, at(when)) for customer, when in sorted(customer_times.items())]
        run_on_driver(session, _TOUCH_CUSTOMER.format(m=marker(session.connection().dialect)), params,
                      many=True)
        _expire_loaded_deals(session)


def _time_processor(session: Session) -> Callable[[datetime], Any]:
    """deals.last_activity_at's bind processor: a time as the database stores it."""
    process = bind_processors(session.connection().dialect, t.deals, ("last_activity_at",))[0]
    return process or (lambda value: value)


def _expire_loaded_deals(session: Session) -> None:
    # The UPDATE bypassed the ORM: deals already loaded in this session re-read the column.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Deal):
            session.expire(obj, ["last_activity_at"])


# Where captured messages go (this runs for every capture batch): plain rows, not ORM objects;
# a deal binding's customer is the deal's; the team's zone and settings decide how text is kept.
_TARGETS = ("SELECT b.platform, b.chat_id, b.team_id, b.deal_id, coalesce(b.customer_id, d.customer_id), "
            "b.capturing, teams.timezone, teams.settings FROM chat_bindings AS b "
            "LEFT OUTER JOIN deals AS d ON d.id = b.deal_id LEFT OUTER JOIN teams ON teams.id = b.team_id "
            "WHERE b.platform = {m} AND b.chat_id IN ({chats})")


@cache
def _settings_processor(dialect: Dialect) -> Callable[[Any], dict | None]:
    """teams.settings as read back through SQLAlchemy (JSON text on SQLite, decoded by psycopg)."""
    process = t.teams.c.settings.type.dialect_impl(dialect).result_processor(dialect, None)
    return process or (lambda value: value)


class SqlChatBindingRepository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, binding: ChatBinding) -> ChatBinding:
        self._session.add(binding)
        self._session.flush()
        return binding

    def for_chat(self, platform: str, chat_id: str) -> ChatBinding | None:
        query = select(ChatBinding).where(_B.platform == platform, _B.chat_id == chat_id)
        return self._session.scalars(query).first()

    def targets(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], CaptureTarget]:
        by_platform: dict[str, list[str]] = {}
        for platform, chat_id in keys:
            by_platform.setdefault(platform, []).append(chat_id)
        found = {}
        dialect = self._session.connection().dialect
        settings, m = _settings_processor(dialect), marker(dialect)
        for platform, chat_ids in by_platform.items():  # one query per platform in the batch
            sql = _TARGETS.format(m=m, chats=", ".join([m] * len(chat_ids)))
            for row in run_on_driver(self._session, sql, (platform, *chat_ids)):
                platform_, chat_id, team_id, deal_id, customer_id, capturing, timezone, raw = row
                found[(platform_, chat_id)] = CaptureTarget(team_id, deal_id, customer_id, bool(capturing),
                                                            timezone, settings(raw))
        return found

    def for_deal(self, deal_id: int) -> Sequence[ChatBinding]:
        query = select(ChatBinding).where(_B.deal_id == deal_id).order_by(_B.id)
        return self._session.scalars(query).all()

    def remove(self, binding: ChatBinding) -> None:
        self._session.delete(binding)
        self._session.flush()


def for_chat(session: Session, platform: str, chat_id: str, limit: int) -> Sequence[Interaction]:
    query = (
        select(Interaction)
        .where(_I.platform == platform, _I.chat_id == chat_id, _I.deleted_at.is_(None))
        .order_by(_I.occurred_at.desc(), _I.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()

