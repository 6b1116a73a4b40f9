"""SqlTransferStore: an import's reads and writes in bulk (core.ports.files.TransferStore).

A 50,000-row file is matched in a few IN queries (chunks of 1,000 values) and written in batches
(core.services.transfer.write_plan_in_batches), one executemany (PostgreSQL: COPY) per table and
batch, each batch a short write transaction (bench/import_csv.py).

Deal numbers: a deal is D-<id>. An import keeps the number of a D-<n> row, so it inserts ids
itself; the id allocator must then move past them, or a deal made later in chat would be given a
number that is already taken. SQLite's AUTOINCREMENT does that by itself (an explicit id above
sqlite_sequence raises it); on PostgreSQL the serial sequence is set past them, under a lock that
keeps other inserts of deals waiting until the import commits (reads go on).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from operator import itemgetter
from typing import TypeVar

from sqlalchemy import (
    Column,
    ColumnElement,
    Dialect,
    Table,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from core.domain.model import Customer, Deal, customer_key
from storage import tables as t
from storage.customer_keys import write_alias_keys
from storage.driver import bind_processors, copy_rows, marker, run_on_driver
from storage.search import index_customers, index_deals
from storage.types import UTCDateTime

T = TypeVar("T")
_CHUNK = 1000
_IMPORT_CACHE_KIB = 32 * 1024
_NEW_LIFECYCLE = next(f.default for f in fields(Customer) if f.name == "lifecycle")  # what Customer() gets


def _chunks(values: Collection[T]) -> Iterator[list[T]]:
    values = list(dict.fromkeys(values))
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]




class SqlTransferStore:
    def __init__(self, session: Session):
        self._session = session

    def _among(self, column: ColumnElement, values: list) -> ColumnElement[bool]:
        """`column IN (values)`; on PostgreSQL `= ANY(array)`, one parameter: psycopg turns each
        statement's placeholders into its own anew when their number changes, ~20 ms for the
        1,000 of an IN list (a 50,000-row plan ran a few hundred of them)."""
        if self._session.get_bind().dialect.name != "postgresql":
            return column.in_(values)
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))

    def deals_by_uid(self, uids: Collection[str]) -> dict[str, Deal]:
        found = {}
        for chunk in _chunks(uids):
            found.update((d.uid, d) for d in self._session.scalars(select(Deal).where(self._among(t.deals.c.uid, chunk))))
        return found

    def deals_by_number(self, numbers: Collection[int]) -> dict[int, Deal]:
        found = {}
        for chunk in _chunks(numbers):
            found.update((d.id, d) for d in self._session.scalars(select(Deal).where(self._among(t.deals.c.id, chunk))))
        return found

    def deals_by_source_ref(self, refs: Collection[str]) -> dict[str, Deal]:
        # Refs were stored as written; one case-insensitive match per ref would defeat the
        # index, so ask for the spellings given and their lowercase (what people retype).
        found = {}
        wanted = {ref.casefold() for ref in refs}
        for chunk in _chunks([*refs, *wanted]):
            for deal in self._session.scalars(select(Deal).where(self._among(t.deals.c.ref, chunk))):
                found[deal.ref.casefold()] = deal
        return {key: deal for key, deal in found.items() if key in wanted}

    def deals_created_at(self, times: Collection[datetime]) -> list[Deal]:
        found: list[Deal] = []
        for chunk in _chunks(times):  # an IN list: the column's type turns each into UTC
            found += self._session.scalars(select(Deal).where(t.deals.c.created_at.in_(chunk)).order_by(t.deals.c.id))
        return found

    def stage_changes_of(self, deal_ids: Collection[int]) -> dict[int, list[tuple[str, datetime]]]:
        c = t.stage_changes.c
        found: dict[int, list[tuple[str, datetime]]] = {}
        for chunk in _chunks(deal_ids):
            query = select(c.deal_id, c.to_stage, c.at).where(self._among(c.deal_id, chunk)).order_by(c.deal_id, c.at, c.id)
            for deal_id, stage, at in self._session.execute(query):
                found.setdefault(deal_id, []).append((stage, at))
        return found

    def customers_of(self, team_id: int) -> Sequence[Customer]:
        query = select(Customer).where(t.customers.c.team_id == team_id).order_by(t.customers.c.id)
        return self._session.scalars(query).all()

    def add_customers(self, customers: Sequence[Customer]) -> None:
        if not customers:
            return
        columns = [c.name for c in t.customers.columns if c.name not in ("id", "name_key")]
        statement = insert(t.customers).returning(t.customers.c.id, sort_by_parameter_order=True)
        values = [{name: getattr(c, name) for name in columns} | {"name_key": customer_key(c.name)}
                  for c in customers]
        ids = self._session.execute(statement, values).scalars().all()
        for customer, customer_id in zip(customers, ids, strict=True):
            customer.id = customer_id
        write_alias_keys(self._session.connection(), customers)
        index_customers(self._session.connection(), ids)

    def add_new_customers(self, names: Sequence[tuple[int, str]]) -> list[int]:
        # Straight to the driver: building a mapped Customer costs ~0.1 ms (its JSON lists are
        # instrumented), a row here a few µs. PostgreSQL takes one array per column (unnest), as
        # storage/capture.py does; SQLite a multi-row VALUES. Rows come back matched by their
        # (team, key), which the import never repeats: no database promises RETURNING's order.
        if not names:  # every customer here already: PostgreSQL's unnest() would get no arrays
            return []
        session = self._session
        dialect = session.get_bind().dialect
        process = bind_processors(dialect, t.customers, ("aliases",))[0] or (lambda value: value)
        columns = ("name", "name_key", "team_id", "lifecycle", "aliases", "contacts")
        rows = [(name, customer_key(name), team_id, _NEW_LIFECYCLE, process([]), process([]))
                for team_id, name in names]
        ids: dict[tuple[int, str], int] = {}
        for chunk in ([rows] if dialect.name == "postgresql" else _chunks(rows)):
            if dialect.name == "postgresql":
                arrays = ", ".join(f"%s::{t.customers.c[name].type.compile(dialect=dialect)}[]" for name in columns)
                sql, params = f"SELECT * FROM unnest({arrays})", [list(column) for column in zip(*chunk, strict=True)]
            else:
                sql = "VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(chunk))
                params = [value for row in chunk for value in row]
            sql = f"INSERT INTO customers ({', '.join(columns)}) {sql} RETURNING id, team_id, name_key"
            ids.update(((team_id, key), id_) for id_, team_id, key in run_on_driver(session, sql, params))
        stored = [ids[team_id, customer_key(name)] for team_id, name in names]
        index_customers(session.connection(), stored)
        return stored

    def reserve_numbers(self, count: int, wanted: Collection[int]) -> list[int]:
        session = self._session
        postgres = session.get_bind().dialect.name == "postgresql"
        if postgres:
            session.execute(text("LOCK TABLE deals IN EXCLUSIVE MODE"))
        used = [session.scalar(select(func.max(t.deals.c.id))) or 0, max(wanted, default=0)]
        if postgres:
            sequence = session.scalar(text("SELECT pg_get_serial_sequence('deals', 'id')"))
            last, called = session.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
            used.append(last if called else last - 1)
        else:
            used.append(session.scalar(text("SELECT seq FROM sqlite_sequence WHERE name = 'deals'")) or 0)
        base = max(used)
        if postgres and base + count > 0:
            session.execute(text("SELECT setval(CAST(:sequence AS regclass), :value)"),
                            {"sequence": sequence, "value": base + count})
        elif not postgres:
            # An import may write its deals over several transactions: a deal made in chat in
            # between must already get a number above all of them, not the next after the last
            # batch. sqlite_sequence is AUTOINCREMENT's own counter, an ordinary table to write.
            session.execute(text("DELETE FROM sqlite_sequence WHERE name = 'deals'"))
            session.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES ('deals', :value)"),
                            {"value": base + count})
        return list(range(base + 1, base + count + 1))

    def add_deals(self, deals: Sequence[Mapping], changes: Sequence[Mapping], audit: Sequence[Mapping]) -> None:
        if not deals:
            return
        self._session.flush()  # updates of the same import first, as the ORM would order them
        if self._session.get_bind().dialect.name == "sqlite":
            # The deals' 14 indexes and the history's 4 take a page each per row at random places
            # (times, customers): with SQLite's default 2 MB cache each batch reads most of them
            # back from the file. A connection keeps the pages between transactions while no
            # other connection wrote; the import's own process, so its memory, not the bot's.
            self._session.connection().exec_driver_sql(f"PRAGMA cache_size=-{_IMPORT_CACHE_KIB}")
        teams = {d["id"]: d["team_id"] for d in deals}  # the stage changes' copy (tables.py)
        _insert_many(self._session, t.deals, deals)
        _insert_many(self._session, t.stage_changes, changes, ("team_id", lambda c: teams[c["deal_id"]]))
        _insert_many(self._session, t.audit_entries, audit)
        index_deals(self._session.connection(), [d["id"] for d in deals])

    def remove_import(self, deal_ids: Collection[int], customer_ids: Collection[int]) -> None:
        # History, follow-ups and tasks go with their deal (ON DELETE CASCADE / SET NULL).
        session = self._session
        for chunk in _chunks(deal_ids):
            session.execute(delete(t.audit_entries).where(
                t.audit_entries.c.action == "import.create",
                t.audit_entries.c.entity.in_([f"D-{n}" for n in chunk])))
            session.execute(delete(t.deals).where(t.deals.c.id.in_(chunk)))
        used = select(t.deals.c.id).where(t.deals.c.customer_id == t.customers.c.id).exists()
        for chunk in _chunks(customer_ids):
            session.execute(delete(t.customers).where(t.customers.c.id.in_(chunk), ~used))
        index_deals(session.connection(), list(deal_ids))  # the deals removed leave the index
        index_customers(session.connection(), list(customer_ids))  # and the customers removed


def _insert_many(session: Session, table: Table, rows: Sequence[Mapping],
                 extra: tuple[str, Callable[[Mapping], object]] | None = None) -> None:
    """Rows straight to the driver (storage.driver): PostgreSQL's COPY, SQLite's executemany.
    Through SQLAlchemy's executemany, the per-row parameter handling took most of the time; the
    values still pass through each column's bind processor, so they are stored exactly alike.
    `extra`: a column the rows do not hold, and its value for each."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    columns = (*rows[0], *extra[:1]) if extra else tuple(rows[0])
    read = itemgetter(*rows[0])
    processors = [(i, _import_time(table.c[name], dialect) or p)
                  for i, (name, p) in enumerate(zip(columns, bind_processors(dialect, table, columns), strict=True))
                  if p]
    values = []
    for row in rows:
        cells = [*read(row), extra[1](row)] if extra else list(read(row))
        for i, process in processors:
            cells[i] = process(cells[i])
        values.append(cells)
    if dialect.name == "postgresql":
        copy_rows(session, table.name, columns, values)
        return
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join([marker(dialect)] * len(columns))
    run_on_driver(session, f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values, many=True)


def _import_time(column: Column, dialect: Dialect) -> Callable[[datetime | None], str | None] | None:
    """SQLite's text of an aware UTC time (storage.driver's, "2026-11-27 08:00:00.000000") in one
    isoformat: every time of an import is a new one, so the driver's cache of recent seconds,
    made for chat messages arriving many to a second, would only miss (and cost ~3x as much)."""
    if dialect.name != "sqlite" or not isinstance(column.type, UTCDateTime):
        return None
    process = bind_processors(dialect, column.table, (column.name,))[0]

    def text(value: datetime | None) -> str | None:
        if type(value) is datetime and value.tzinfo is UTC:
            return value.isoformat(" ", "microseconds")[:-6]
        return process(value)

    return text
