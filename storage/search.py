"""The search index of `find` (core.ports.search.SearchIndex), in the database's own text index.

Three tables, made by migration 0029_search and kept out of storage.tables (SQLite's are virtual):

- `search_names`: one document per deal (its title and its customer's name), per customer (name
  and aliases) and per customer's contacts (their names), keyed `id * 4 + kind`
  (DEAL, CUSTOMER, CONTACTS); the text is core.search.terms.name_text (Han runs as pairs, pinyin).
- `search_messages`: one document per interaction (captured chat message or logged follow-up),
  keyed by its id; the text is core.search.terms.index_text.
- `search_words`: the English words and pinyin of names by their first two letters, for typos.

On SQLite the first two are FTS5 tables (unicode61 tokenizer; names with prefix indexes of 1–3
characters); on PostgreSQL plain tables of a `tsvector` ('simple' configuration) with a GIN index.

Every write keeps them current in its own transaction: the capture writer's batch indexes its
new messages in one more statement (storage/capture.py: one executemany on SQLite, one unnest
INSERT on PostgreSQL, no trigger); edits, deletions and erasures re-index or drop theirs; deals,
customers and follow-ups written through the ORM are indexed by the mapper events below; bulk
writes (import, merge) call the index_* functions. Readers check every candidate against the
rows as they are, so a row that changed behind the index (a raw UPDATE) is never shown wrongly.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, event, inspect, select
from sqlalchemy.orm import Session

from core.domain.model import Customer, Deal, Interaction
from core.search import results as r
from core.search.terms import Query, Term, index_text, name_text, vocabulary
from storage import tables as t
from storage.driver import run_direct
from storage.types import UTCDateTime

TABLES = ("search_names", "search_messages", "search_words")
DEAL, CUSTOMER, CONTACTS = 0, 1, 2
MESSAGE_WINDOW = 10_000  # newest index matches looked at before the asker's scope is applied
PG_RECENT = 100_000  # PostgreSQL: the newest messages (by id) searched first
_CHUNK = 500
_KINDS = {DEAL: r.DEAL, CUSTOMER: r.CUSTOMER, CONTACTS: r.CONTACT}


def _pg(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


# -- writing: messages ---------------------------------------------------------------------------

def index_messages(connection: Connection, rows: Iterable[tuple[int, str]]) -> None:
    """Index (or re-index) interactions by (id, text); an empty text is dropped from the index."""
    rows = list(rows)
    kept = [(row_id, index_text(text)) for row_id, text in rows if text]
    empty = [row_id for row_id, text in rows if not text]
    if empty:
        unindex_messages(connection, empty)
    if not kept:
        return
    if _pg(connection):
        ids, bodies = zip(*kept, strict=True)
        run_direct(connection, "INSERT INTO search_messages (id, doc) SELECT u.id, to_tsvector('simple', u.body) "
                               "FROM unnest(%s::bigint[], %s::text[]) AS u(id, body) "
                               "ON CONFLICT (id) DO UPDATE SET doc = excluded.doc", (list(ids), list(bodies)), False)
    else:
        run_direct(connection, "INSERT OR REPLACE INTO search_messages (rowid, body) VALUES (?, ?)", kept, True)


def unindex_messages(connection: Connection, ids: Collection[int]) -> None:
    ids = list(ids)
    if not ids:
        return
    if _pg(connection):
        run_direct(connection, "DELETE FROM search_messages WHERE id = ANY(%s)", (ids,), False)
    else:
        run_direct(connection, "DELETE FROM search_messages WHERE rowid = ?", [(i,) for i in ids], True)


def unindex_messages_where(session: Session, which: sa.ColumnElement[bool]) -> None:
    """Drop the index rows of the interactions matching `which` (an erasure, before it runs)."""
    connection = session.connection()
    key = "id" if _pg(connection) else "rowid"
    table = sa.table("search_messages", sa.column(key))
    session.execute(sa.delete(table).where(table.c[key].in_(select(t.interactions.c.id).where(which))))


# -- writing: names ------------------------------------------------------------------------------

def _key(item_id: int, kind: int) -> int:
    return item_id * 4 + kind


def _put_names(connection: Connection, docs: Sequence[tuple[int, list[str]]], gone: Collection[int] = ()) -> None:
    """Replace the name documents of these keys; drop those of `gone`; remember their words."""
    keys = [key for key, _ in docs] + list(gone)
    pg = _pg(connection)
    for chunk in _chunks(keys):
        if pg:
            run_direct(connection, "DELETE FROM search_names WHERE key = ANY(%s)", (list(chunk),), False)
        else:
            run_direct(connection, "DELETE FROM search_names WHERE rowid = ?", [(k,) for k in chunk], True)
    rows = [(key, name_text(names)) for key, names in docs if any(names)]
    if not rows:
        return
    if pg:
        keys_, bodies = zip(*rows, strict=True)
        run_direct(connection, "INSERT INTO search_names (key, doc) SELECT u.key, to_tsvector('simple', u.body) "
                               "FROM unnest(%s::bigint[], %s::text[]) AS u(key, body)", (list(keys_), list(bodies)),
                   False)
    else:
        run_direct(connection, "INSERT INTO search_names (rowid, body) VALUES (?, ?)", rows, True)
    # The words of deals' and customers' names, never of contacts (people: `forget` erases them).
    words = sorted(vocabulary(name for key, names in docs if key % 4 != CONTACTS for name in names))
    if words:
        sql = ("INSERT INTO search_words (head, word) SELECT w.head, w.word FROM unnest(%s::text[], %s::text[]) "
               "AS w(head, word) ON CONFLICT DO NOTHING" if pg else
               "INSERT OR IGNORE INTO search_words (head, word) VALUES (?, ?)")
        if pg:
            run_direct(connection, sql, ([w[:2] for w in words], words), False)
        else:
            run_direct(connection, sql, [(w[:2], w) for w in words], True)


def index_deals(connection: Connection, deal_ids: Collection[int]) -> None:
    """(Re-)index these deals' documents from their rows: the title and the customer's name."""
    d, c = t.deals.c, t.customers.c
    for chunk in _chunks(sorted(set(deal_ids))):
        query = select(d.id, d.title, c.name).join_from(t.deals, t.customers, c.id == d.customer_id).where(d.id.in_(chunk))
        found = {row.id: [row.title, row.name] for row in connection.execute(query)}
        _put_names(connection, [(_key(i, DEAL), names) for i, names in found.items()],
                   [_key(i, DEAL) for i in chunk if i not in found])


def index_customers(connection: Connection, customer_ids: Collection[int]) -> None:
    """(Re-)index these customers' documents (name and aliases; contacts) from their rows."""
    c = t.customers.c
    for chunk in _chunks(sorted(set(customer_ids))):
        found = {row.id: row for row in connection.execute(
            select(c.id, c.name, c.aliases, c.contacts).where(c.id.in_(chunk)))}
        docs = []
        for i, row in found.items():
            docs.append((_key(i, CUSTOMER), [row.name, *(row.aliases or [])]))
            docs.append((_key(i, CONTACTS), [str(e.get("name", "")) for e in row.contacts or [] if e.get("name")]))
        gone = [_key(i, kind) for i in chunk if i not in found for kind in (CUSTOMER, CONTACTS)]
        _put_names(connection, docs, gone)


def index_deals_of_customers(connection: Connection, customer_ids: Collection[int]) -> None:
    """A customer renamed or merged: its deals' documents carry its name."""
    d = t.deals.c
    ids = [row[0] for row in connection.execute(select(d.id).where(d.customer_id.in_(list(customer_ids))))]
    index_deals(connection, ids)


def forget_words(connection: Connection, names: Collection[str]) -> None:
    """`forget`: the words and pinyin of an erased person's names leave the typo vocabulary (a deal
    title may have carried them there)."""
    words = sorted(vocabulary(names))
    for chunk in _chunks(words):
        connection.execute(sa.text("DELETE FROM search_words WHERE word IN :words")
                           .bindparams(sa.bindparam("words", expanding=True)), {"words": list(chunk)})


def merge_segments(connection: Connection) -> None:
    """SQLite: rewrite each FTS5 index as one segment. A deleted row's words stay in the older
    segments until they merge; after an erase (`forget`) they must leave the file, as the rows
    did (storage.erasure). PostgreSQL's tables are rewritten by the erase's VACUUM FULL."""
    if not _pg(connection):
        for table in ("search_messages", "search_names"):
            connection.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES ('optimize')")


def reindex_all(connection: Connection) -> None:
    """Every name and interaction from the rows (migration 0021, and a repair)."""
    for table in TABLES:
        connection.exec_driver_sql(f"DELETE FROM {table}")
    index_customers(connection, [row[0] for row in connection.execute(select(t.customers.c.id))])
    index_deals(connection, [row[0] for row in connection.execute(select(t.deals.c.id))])
    i = t.interactions.c
    last = 0
    while True:
        rows = connection.execute(select(i.id, i.text).where(i.id > last, i.deleted_at.is_(None))
                                  .order_by(i.id).limit(5_000)).all()
        if not rows:
            return
        index_messages(connection, [(row.id, row.text) for row in rows])
        last = rows[-1].id


# -- writing: the ORM's rows, in its flush -------------------------------------------------------

def _changed(obj: object, *names: str) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _deal_inserted(_mapper: Any, connection: Connection, deal: Deal) -> None:
    if deal.id is not None:
        index_deals(connection, [deal.id])


def _deal_updated(_mapper: Any, connection: Connection, deal: Deal) -> None:
    if deal.id is not None and _changed(deal, "title", "customer_id"):
        index_deals(connection, [deal.id])


def _deal_deleted(_mapper: Any, connection: Connection, deal: Deal) -> None:
    if deal.id is not None:
        _put_names(connection, [], [_key(deal.id, DEAL)])


def _customer_inserted(_mapper: Any, connection: Connection, customer: Customer) -> None:
    if customer.id is not None:
        index_customers(connection, [customer.id])


def _customer_updated(_mapper: Any, connection: Connection, customer: Customer) -> None:
    if customer.id is None:
        return
    if _changed(customer, "name", "aliases", "contacts"):
        index_customers(connection, [customer.id])
    if _changed(customer, "name"):
        index_deals_of_customers(connection, [customer.id])


def _customer_deleted(_mapper: Any, connection: Connection, customer: Customer) -> None:
    if customer.id is not None:
        _put_names(connection, [], [_key(customer.id, CUSTOMER), _key(customer.id, CONTACTS)])


def _interaction_inserted(_mapper: Any, connection: Connection, row: Interaction) -> None:
    if row.id is not None and row.deleted_at is None:
        index_messages(connection, [(row.id, row.text)])


def _interaction_updated(_mapper: Any, connection: Connection, row: Interaction) -> None:
    if row.id is not None and _changed(row, "text", "deleted_at"):
        index_messages(connection, [(row.id, "" if row.deleted_at is not None else row.text)])


def _interaction_deleted(_mapper: Any, connection: Connection, row: Interaction) -> None:
    if row.id is not None:
        unindex_messages(connection, [row.id])


def listen() -> None:
    """Index what the ORM writes, in its flush (storage.orm calls this once, on mapping)."""
    event.listen(Deal, "after_insert", _deal_inserted)
    event.listen(Deal, "after_update", _deal_updated)
    event.listen(Deal, "after_delete", _deal_deleted)
    event.listen(Customer, "after_insert", _customer_inserted)
    event.listen(Customer, "after_update", _customer_updated)
    event.listen(Customer, "after_delete", _customer_deleted)
    event.listen(Interaction, "after_insert", _interaction_inserted)
    event.listen(Interaction, "after_update", _interaction_updated)
    event.listen(Interaction, "after_delete", _interaction_deleted)


# -- reading -------------------------------------------------------------------------------------

def fts_query(query: Query, in_messages: bool) -> str:
    """SQLite FTS5: every term, a phrase of its tokens, `*` for a prefix (tokens are letters,
    digits or Han only: nothing to escape)."""
    return " ".join(f'"{" ".join(term.tokens())}"' + ("*" if term.prefix(in_messages) else "")
                    for term in query.terms)


def ts_query(query: Query, in_messages: bool) -> str:
    """PostgreSQL: the same as a tsquery (`'acme':* & '华为' <-> '为技'`)."""
    def one(term: Term) -> str:
        tokens = " <-> ".join(f"'{token}'" for token in term.tokens())
        return tokens + (":*" if term.prefix(in_messages) else "")
    return " & ".join(f"({one(term)})" for term in query.terms)


# What the asker may see (core.search.results.Scope): a rep's or a manager's team, as `show`
# opens; an admin: all. Names are few per query: a lookup per candidate. Messages are thousands:
# the test is the message's own team (a deal's row looked up per message cost more than the
# whole index walk: the deals' rows are wide and scattered).
_NAME_SCOPE = {
    "all": "1 = 1",
    "team": "({key} % 4 = 0 AND EXISTS (SELECT 1 FROM deals AS o WHERE o.id = {key} / 4 AND o.team_id = :team) "
            "OR {key} % 4 > 0 AND EXISTS (SELECT 1 FROM customers AS o WHERE o.id = {key} / 4 AND o.team_id = :team))",
}
_MESSAGE_SCOPE = {
    "all": "1 = 1",
    "team": "i.team_id = :team",
}


def _whole(query: Query) -> Query:
    """The query with its English words matched whole (Han terms as they are)."""
    return Query(query.text, tuple(Term(t.text, t.han, whole=not t.han) for t in query.terms))


def _scope(scope: r.Scope) -> tuple[str, dict[str, Any]]:
    if scope.team_id is not None:
        return "team", {"team": scope.team_id}
    return "all", {}


class SqlSearchIndex:
    def __init__(self, session: Session):
        self._session = session

    def _pg(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    def names(self, query: Query, scope: r.Scope, limit: int) -> list[r.NameHit]:
        if not query.terms:
            return []
        which, params = _scope(scope)
        if self._pg():
            source, key = "search_names AS f", "f.key"
            match = "f.doc @@ to_tsquery('simple', :q)"
            params["q"] = ts_query(query, in_messages=False)
        else:
            source, key = "search_names AS f", "f.rowid"
            match = "search_names MATCH :q"
            params["q"] = fts_query(query, in_messages=False)
        order = f"{key} + 0" if self._pg() else key  # PostgreSQL: GIN's matches, then the newest
        sql = (f"SELECT {key} FROM {source} WHERE {match} AND {_NAME_SCOPE[which].format(key=key)} "
               f"ORDER BY {order} DESC LIMIT :limit")
        keys = [row[0] for row in self._session.execute(sa.text(sql), params | {"limit": limit})]
        return self._name_hits(keys)

    def _name_hits(self, keys: list[int]) -> list[r.NameHit]:
        d, c = t.deals.c, t.customers.c
        deal_ids = [k // 4 for k in keys if k % 4 == DEAL]
        customer_ids = [k // 4 for k in keys if k % 4 != DEAL]
        deals = {row.id: row for row in self._session.execute(
            select(d.id, d.title, d.stage, c.name).join_from(t.deals, t.customers, c.id == d.customer_id)
            .where(d.id.in_(deal_ids)))} if deal_ids else {}
        customers = {row.id: row for row in self._session.execute(
            select(c.id, c.name, c.aliases, c.contacts).where(c.id.in_(customer_ids)))} if customer_ids else {}
        hits = []
        for key in keys:
            item, kind = divmod(key, 4)
            if kind == DEAL and item in deals:
                row = deals[item]
                hits.append(r.NameHit(r.DEAL, item, (row.title, row.name), row.name, row.stage))
            elif kind == CUSTOMER and item in customers:
                row = customers[item]
                hits.append(r.NameHit(r.CUSTOMER, item, (row.name, *(row.aliases or [])), row.name))
            elif kind == CONTACTS and item in customers:
                row = customers[item]
                names = tuple(str(e.get("name", "")) for e in row.contacts or [] if e.get("name"))
                hits.append(r.NameHit(r.CONTACT, item, names, row.name))
        return hits

    def messages(self, query: Query, scope: r.Scope, limit: int) -> list[r.MessageHit]:
        """Whole words first: FTS5 reads a word's list lazily, newest first, but merges every word
        of a prefix in full before the first row; the prefixes only when whole words found none."""
        if not query.terms:
            return []
        ids = self._message_ids(query, scope, limit, prefix=False)
        if not ids and any(term.prefix(in_messages=True) and not term.han for term in query.terms):
            ids = self._message_ids(query, scope, limit, prefix=True)
        if not ids:
            return []
        typed = sa.text(
            "SELECT i.id, i.kind, i.text, i.occurred_at, i.deal_id, c.name, i.author_name FROM interactions AS i "
            "LEFT JOIN customers AS c ON c.id = i.customer_id WHERE i.id IN :ids"
        ).bindparams(sa.bindparam("ids", expanding=True)).columns(
            sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("text", sa.Text),
            sa.column("occurred_at", UTCDateTime()), sa.column("deal_id", sa.Integer),
            sa.column("name", sa.Text), sa.column("author_name", sa.Text))
        rows = {row.id: row for row in self._session.execute(typed, {"ids": ids})}
        return [r.MessageHit(row.id, row.kind, row.text, row.occurred_at, row.deal_id, row.name, row.author_name)
                for row in (rows[i] for i in ids if i in rows)]

    def _message_ids(self, query: Query, scope: r.Scope, limit: int, prefix: bool) -> list[int]:
        """The ids of the newest messages in scope the index finds, at most `limit`."""
        which, params = _scope(scope)
        where = f"i.deleted_at IS NULL AND {_MESSAGE_SCOPE[which]}"
        if self._pg():
            # First the newest PG_RECENT messages, where the planner walks the key backwards for a
            # common word and asks GIN for a rare one: a few ms either way. Only when that finds
            # too few, GIN's every match, the newest MESSAGE_WINDOW of them, then the scope
            # (`id + 0`: ordered by the key, PostgreSQL would test every row for a rare word).
            params["q"] = ts_query(query, in_messages=True) if prefix else ts_query(_whole(query), True)
            recent = ("SELECT i.id FROM search_messages AS f JOIN interactions AS i ON i.id = f.id "
                      "WHERE f.id > (SELECT max(id) FROM search_messages) - :recent "
                      f"AND f.doc @@ to_tsquery('simple', :q) AND {where} ORDER BY f.id DESC LIMIT :limit")
            found = [row[0] for row in self._session.execute(sa.text(recent),
                                                             params | {"limit": limit, "recent": PG_RECENT})]
            if len(found) >= limit:
                return found
            ids = [row[0] for row in self._session.execute(sa.text(
                "SELECT id FROM search_messages WHERE doc @@ to_tsquery('simple', :q) "
                "ORDER BY id + 0 DESC LIMIT :window"), {"q": params["q"], "window": MESSAGE_WINDOW})]
            if not ids:
                return []
            # the scope on those ids alone (joined to the index, the planner misjudged a rep's sets)
            sql = f"SELECT i.id FROM interactions AS i WHERE i.id = ANY(:ids) AND {where} ORDER BY i.id DESC LIMIT :limit"
            params["ids"] = ids
        else:
            # FTS5 walks its matches newest first and stops at `limit` in scope, going no further
            # back than the MESSAGE_WINDOW-th newest match (one cheap query finds it). CROSS JOIN
            # keeps the index the outer loop, whatever the planner would guess.
            params["q"] = fts_query(query if prefix else _whole(query), in_messages=True)
            floor = self._session.execute(sa.text(
                "SELECT rowid FROM search_messages WHERE search_messages MATCH :q ORDER BY rowid DESC "
                "LIMIT 1 OFFSET :skip"), {"q": params["q"], "skip": MESSAGE_WINDOW - 1}).scalar()
            sql = ("SELECT i.id FROM search_messages AS f CROSS JOIN interactions AS i ON i.id = f.rowid "
                   f"WHERE {where} AND search_messages MATCH :q AND f.rowid >= :floor "
                   "ORDER BY f.rowid DESC LIMIT :limit")
            params["floor"] = floor or 0
        found = self._session.execute(sa.text(sql), params | {"limit": limit, "window": MESSAGE_WINDOW})
        return [row[0] for row in found]

    def words(self, head: str) -> list[str]:
        query = sa.text("SELECT word FROM search_words WHERE head = :head ORDER BY word")
        return [row[0] for row in self._session.execute(query, {"head": head})]
