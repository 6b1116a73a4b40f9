"""Statements straight to the database driver, for the few that run for every captured message.

This module is the one boundary of that fast path: every statement that bypasses SQLAlchemy goes
through run_on_driver (or copy_rows, PostgreSQL's COPY), nowhere else. Such statements are
invisible to SQLAlchemy's echo and events; with the SQL log on (DEALBOT_SQL_LOG=true: bot.logs
sets this module's logger, and SQLAlchemy's, to INFO) they go through SQLAlchemy's connection
instead (Connection.exec_driver_sql: echo, events and the SQL log see them, parameters hidden as
the engine says) and each is logged here with its time. Off, the cost is one logger check.

Through SQLAlchemy, a statement of the capture path cost 40–130 µs of Python around 10–20 µs of
SQLite's work (a compiled statement and its cache key, parameter processing, result rows), a
tenth of a 100-message batch. Here the values still pass through each column's bind processor
(row_values), so rows are stored exactly as SQLAlchemy would store them, and errors still come
out as SQLAlchemy's exceptions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import cache
from operator import attrgetter
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Dialect, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, class_mapper
from sqlalchemy.types import TypeEngine

from storage.types import UTCDateTime

T = TypeVar("T")

# The fast path's own log: each statement with its time, when the SQL log is on. Quiet unless a
# level is set for it, as SQLAlchemy keeps its "sqlalchemy" loggers (an INFO root alone does not
# turn either on).
log = logging.getLogger(__name__)
if log.level == logging.NOTSET:
    log.setLevel(logging.WARNING)


def sql_log_on() -> bool:
    """Whether the fast path's statements are logged and routed through SQLAlchemy."""
    return log.isEnabledFor(logging.INFO)


def run_on_driver(session: Session, sql: str, params: Sequence, *, many: bool = False) -> list[tuple]:
    """One statement on the session's connection, in its transaction, straight to the DBAPI
    cursor: no compiled statement, parameter processing or result rows. `sql` uses `marker()`
    for parameters, and the values must be as the database takes them (row_values). Errors come
    out as SQLAlchemy's (DBAPIError and its kinds), like every other statement's. With the SQL
    log on, through SQLAlchemy's connection instead, and logged with its time."""
    connection = session.connection()
    if log.isEnabledFor(logging.INFO):
        return _run_logged(connection, sql, params, many)
    return run_direct(connection, sql, params, many)


def run_direct(connection: Connection, sql: str, params: Sequence, many: bool) -> list[tuple]:
    """The statement on the DBAPI cursor itself (run_on_driver with the SQL log off)."""
    cursor = connection.connection.cursor()
    try:
        (cursor.executemany if many else cursor.execute)(sql, params)
        return cursor.fetchall() if cursor.description is not None else []
    except connection.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(sql, params, error, connection.dialect.loaded_dbapi.Error,
                                  dialect=connection.dialect, ismulti=many) from error
    finally:
        cursor.close()


def _run_logged(connection: Connection, sql: str, params: Sequence, many: bool) -> list[tuple]:
    """The same statement through Connection.exec_driver_sql: SQLAlchemy's echo and its
    before/after_cursor_execute events see it (no compiling: the text and values go to the
    cursor as they are), and errors come out as SQLAlchemy's."""
    batch = [tuple(row) for row in params] if many else [tuple(params)]
    if not batch:  # executemany of no rows: nothing to run (SQLAlchemy would run it once, bare)
        return []
    start = time.perf_counter()
    result = connection.exec_driver_sql(sql, batch)
    rows = [tuple(row) for row in result] if result.returns_rows else []
    _log_statement(sql, start, len(batch) if many else len(rows), "rows in" if many else "rows out")
    return rows


def copy_rows(session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """PostgreSQL's COPY of `rows` (values as the database takes them: bind_processors) into
    `columns` of `table`, on the session's connection, in its transaction. COPY has no place in
    SQLAlchemy's execution (no echo, no events): with the SQL log on it is logged here alone."""
    names = ", ".join(f'"{name}"' for name in columns)
    sql = f"COPY {table} ({names}) FROM STDIN"
    start, count = time.perf_counter(), 0
    with session.connection().connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    if log.isEnabledFor(logging.INFO):
        _log_statement(sql, start, count, "rows in")


def _log_statement(sql: str, start: float, count: int, what: str) -> None:
    log.info("fast path %.3f ms, %d %s: %s", (time.perf_counter() - start) * 1000, count, what, sql)


def marker(dialect: Dialect) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"


@cache
def bind_processors(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> tuple[Callable | None, ...]:
    # dialect_impl: the type as this database stores it (SQLite keeps datetimes as text in one
    # fixed format, which the type's own bind_processor alone would not apply)
    return tuple(_sqlite_time(table.c[name].type, dialect)
                 or table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns)


def _sqlite_time(column_type: TypeEngine, dialect: Dialect) -> Callable | None:
    """UTCDateTime on SQLite, a third faster than its bind processor: the same conversion and
    checks (UTCDateTime.process_bind_param), then the same text ("2026-11-27 08:00:00.000000":
    SQLAlchemy's SQLite storage format is isoformat with microseconds)."""
    if dialect.name != "sqlite" or not isinstance(column_type, UTCDateTime):
        return None
    to_utc = column_type.process_bind_param

    def process(value: datetime | None) -> str | None:
        if type(value) is datetime and value.tzinfo is UTC:  # most times: already UTC, so checked
            return _utc_text(value)
        return None if value is None else to_utc(value, dialect).isoformat(" ", "microseconds")

    return process


# The text of each second seen lately, "2026-11-27 08:00:01": chat messages come many to a
# second, and isoformat (about 1 µs here, an aware time's offset included) is half of what the
# row of a captured message costs to prepare. Cleared when full; a lost entry is only redone.
_SECONDS: dict[tuple[int, ...], str] = {}
_SECONDS_KEPT = 10_000


def _utc_text(value: datetime) -> str:
    """An aware UTC time as isoformat(" ", "microseconds") writes it, without the offset."""
    second = (value.year, value.month, value.day, value.hour, value.minute, value.second)
    prefix = _SECONDS.get(second)
    if prefix is None:
        if len(_SECONDS) >= _SECONDS_KEPT:
            _SECONDS.clear()
        prefix = _SECONDS[second] = value.replace(microsecond=0, tzinfo=None).isoformat(" ")
    return f"{prefix}.{value.microsecond:06d}"


@cache
def row_values(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> Callable[[Any], list]:
    """An object's values for `columns` of `table`, each through its column's bind processor.
    Only a few columns have one (the times), so the rest are read in one attrgetter call: this
    runs for every captured message."""
    read = attrgetter(*columns)
    processed = [(i, process) for i, process in enumerate(bind_processors(dialect, table, columns)) if process]

    def values(item: Any) -> list:
        row = list(read(item))
        for i, process in processed:
            row[i] = process(row[i])
        return row

    return values


@cache
def result_processors(dialect: Dialect, columns: tuple[Column, ...]) -> Callable[[Sequence], list]:
    """A driver row's values for `columns` as SQLAlchemy would read them back (times made aware,
    JSON decoded, enums made members), each through its column's result processor."""
    processed = [(i, process) for i, column in enumerate(columns)
                 if (process := column.type.dialect_impl(dialect).result_processor(dialect, None))]

    def values(row: Sequence) -> list:
        row = list(row)
        for i, process in processed:
            row[i] = process(row[i])
        return row

    return values


def detached(cls: type[T], values: dict[str, Any]) -> T:
    """An object of a mapped class made as the ORM makes the ones it loads: no __init__ and no
    attribute events, the values straight into its __dict__. Built through __init__, each set
    attribute goes through the ORM's instrumentation (a Deal took 53 µs that way, 4 µs this way).
    It belongs to no session: a copy to read. `values` must name every field."""
    obj = class_mapper(cls).class_manager.new_instance()
    obj.__dict__.update(values)
    return obj
