"""The SQL side of chat capture: chat bindings, and captured messages written in bulk.

A batch of captured messages (one group commit, bot/capture.py) is one multi-row
INSERT … ON CONFLICT (platform, chat_id, message_id) DO NOTHING RETURNING …: the database skips
the duplicates, and the rows that come back are the ones stored. It goes to the driver as one
statement (Connection.exec_driver_sql) rather than through SQLAlchemy's executemany, whose
per-row parameter handling cost about as much as SQLite's own work on this path; every value
still passes through its column's bind processor, so it is stored exactly as the ORM stores it.
Edits and deletions are rare and go one statement each.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from functools import cache
from itertools import chain
from operator import attrgetter

from sqlalchemy import Dialect, bindparam, func, or_, select
from sqlalchemy.orm import Session

from core.capture import CapturedMessage, CaptureTarget
from core.model import ChatBinding, Deal, DealStatus, Interaction
from storage import tables as t

_I, _D, _B = t.interactions.c, t.deals.c, t.chat_bindings.c
# A new message has no edit or deletion yet, so those columns stay out of its INSERT (NULL).
_NEW = tuple(c.name for c in t.interactions.columns if c.name not in ("id", "edited_at", "deleted_at"))
_ALL = tuple(c.name for c in t.interactions.columns if c.name != "id")
_MAX_PARAMETERS = 30_000  # per SQLite statement (it allows 32,766)


@cache
def _processors(dialect: Dialect, columns: tuple[str, ...]) -> tuple[Callable | None, ...]:
    # dialect_impl: the type as this database stores it (SQLite keeps datetimes as text in one
    # fixed format, which the type's own bind_processor alone would not apply)
    return tuple(_I[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns)


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
    values = _row_values(dialect, columns)
    if dialect.name == "postgresql":
        yield _unnest_sql(dialect, columns), tuple(map(list, zip(*map(values, rows), strict=True)))
        return
    per_statement = _MAX_PARAMETERS // len(columns)
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        yield _values_sql(columns, len(chunk)), tuple(chain.from_iterable(map(values, chunk)))


@cache
def _row_values(dialect: Dialect, columns: tuple[str, ...]) -> Callable[[CapturedMessage], list]:
    """A message's values for `columns`, each through its column's bind processor. Only a few
    columns have one (the times), so the rest are read in one attrgetter call: this runs for
    every captured message."""
    read = attrgetter(*columns)
    processed = [(i, process) for i, process in enumerate(_processors(dialect, columns)) if process]

    def values(item: CapturedMessage) -> list:
        row = list(read(item))
        for i, process in processed:
            row[i] = process(row[i])
        return row

    return values


def insert_captured(session: Session, messages: Sequence[CapturedMessage],
                    columns: tuple[str, ...] = _NEW) -> list[CapturedMessage]:
    """Store the ones not stored yet; return those, ids set, in the given order."""
    if not messages:
        return []
    session.flush()  # pending ORM changes first, as the statement bypasses the ORM
    unique: dict[tuple, CapturedMessage] = {}
    for item in messages:
        unique.setdefault((item.platform, item.chat_id, item.message_id), item)
    connection = session.connection()
    ids: dict[tuple, int] = {}
    for sql, params in _statements(connection.dialect, columns, list(unique.values())):
        result = connection.exec_driver_sql(sql, params)
        ids.update(((platform, chat, message), row_id) for row_id, platform, chat, message in result)
    stored = []
    for key, item in unique.items():
        if key in ids:
            item.id = ids[key]
            stored.append(item)
    return stored


def edit_captured(session: Session, platform: str, chat_id: str, message_id: str, text: str,
                  at: datetime) -> bool:
    result = session.execute(
        t.interactions.update()
        .where(_I.platform == platform, _I.chat_id == chat_id, _I.message_id == message_id,
               _I.deleted_at.is_(None), or_(_I.edited_at.is_(None), _I.edited_at <= at))
        .values(text=text, edited_at=at)
    )
    return result.rowcount > 0


def delete_captured(session: Session, tombstone: CapturedMessage) -> bool:
    at = tombstone.deleted_at
    result = session.execute(
        t.interactions.update()
        .where(_I.platform == tombstone.platform, _I.chat_id == tombstone.chat_id,
               _I.message_id == tombstone.message_id, _I.deleted_at.is_(None))
        .values(text="", deleted_at=at)
    )
    if result.rowcount > 0:
        return True
    insert_captured(session, [dataclasses.replace(tombstone, text="", id=None)], columns=_ALL)
    return False


_touch = (
    t.deals.update()
    .where(_D.id == bindparam("b_deal"),
           or_(_D.last_activity_at.is_(None), _D.last_activity_at < bindparam("b_at")))
    .values(last_activity_at=bindparam("b_at"))
)
_touch_customer = (
    t.deals.update()
    .where(_D.customer_id == bindparam("b_customer"), _D.status == DealStatus.OPEN,
           or_(_D.last_activity_at.is_(None), _D.last_activity_at < bindparam("b_at")))
    .values(last_activity_at=bindparam("b_at"))
)


def record_activity(session: Session, deal_times: Mapping[int, datetime]) -> None:
    if deal_times:
        session.flush()
        session.execute(_touch, [{"b_deal": d, "b_at": at} for d, at in sorted(deal_times.items())])
        _expire_loaded_deals(session)


def record_customer_activity(session: Session, customer_times: Mapping[int, datetime]) -> None:
    if customer_times:
        session.flush()
        params = [{"b_customer": c, "b_at": at} for c, at in sorted(customer_times.items())]
        session.execute(_touch_customer, params)
        _expire_loaded_deals(session)


def _expire_loaded_deals(session: Session) -> None:
    # The UPDATE bypassed the ORM: deals already loaded in this session re-read the column.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Deal):
            session.expire(obj, ["last_activity_at"])


# Where captured messages go: built once (this runs for every capture batch); plain rows, not
# ORM objects; a deal binding's customer is the deal's.
_TARGETS = (
    select(_B.platform, _B.chat_id, _B.team_id, _B.deal_id,
           func.coalesce(_B.customer_id, _D.customer_id).label("customer_id"), _B.capturing)
    .select_from(t.chat_bindings.outerjoin(t.deals, _D.id == _B.deal_id))
    .where(_B.platform == bindparam("platform"), _B.chat_id.in_(bindparam("chat_ids", expanding=True)))
)


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
        for platform, chat_ids in by_platform.items():  # one query per platform in the batch
            for r in self._session.execute(_TARGETS, {"platform": platform, "chat_ids": chat_ids}):
                found[(r.platform, r.chat_id)] = CaptureTarget(r.team_id, r.deal_id, r.customer_id,
                                                               bool(r.capturing))
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

