"""What makes an erase complete in SQL: copies redacted, and the old bytes off the disk.

Redaction: the audit log's before/after and the outbox's payloads are JSON copies of what
changed or was sent. A cheap LIKE over their text finds the rows that may hold an erased word
(the JSON text of SQLite escapes non-ASCII as \\uXXXX, so both spellings are searched);
core.conversations.redaction decides, in Python, what is replaced; only changed rows are written.

Reclaiming: an UPDATE leaves the old row version behind. SQLite (with secure_delete, set on
every connection by storage.db) zeroes freed space in the database file, but the WAL keeps the
pages as they were until it is overwritten: a TRUNCATE checkpoint copies it back and empties
it. PostgreSQL keeps dead row versions in the table's pages, and plain VACUUM only marks their
space free (the bytes stay until reused; seen in tests/storage/test_erasure_on_disk.py), so the
tables an erase touched are rewritten with VACUUM FULL, which takes an exclusive lock on each
for the time it takes to copy it. Plain VACUUM runs first: VACUUM FULL holds a snapshot, and
any transaction open on the server (another database's included) makes it copy the dead
versions into the new file as "recently dead"; plain VACUUM looks at this database's
transactions only, and removes them. Both run after the erase has committed, outside any
transaction; a failure is logged and leaves the erase itself done.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterable

from sqlalchemy import Engine, Table, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from core.conversations.redaction import redact, words_pattern
from storage import tables as t
from storage.search import TABLES as SEARCH_TABLES
from storage.search import index_deals, index_messages, merge_segments

log = logging.getLogger(__name__)

ERASED_FLAG = "erased"  # in Session.info: this unit of work erased something
# Every table whose rows an erase rewrites or deletes.
TOUCHED = (t.interactions, t.suggestions, t.tasks, t.outbox, t.audit_entries, t.members, t.identities,
           t.customers, t.webhook_deliveries, t.approvals, t.approval_decisions, t.leads, t.deals,
           t.complaints, t.satisfaction_scores, t.retros, t.playbook_lines, t.faq_entries, t.faq_asks,
           t.daily_updates, t.access_requests, t.api_idempotency)
# JSON columns, and the webhook deliveries' bodies: JSON kept as the text that was signed and
# sent (a delivery's body names the deal's customer, owner and task titles; `webhook log` shows it).
# The approvals' reasons and notes are a person's words too, and their steps may name one (@name).
# Then the text the team wrote that may name the person: follow-ups typed about a customer (their
# contact's name, phone, e-mail), tasks, deal titles, complaints, satisfaction comments,
# retrospectives, playbook lines, FAQ entries, the questions asked of the FAQ and the answers to
# the daily card (the person's own words among them go whole: storage.privacy.erase_member).
_JSON_COLUMNS = ((t.audit_entries, ("before", "after")), (t.outbox, ("payload",)),
                 (t.webhook_deliveries, ("body",)),
                 (t.approvals, ("reason", "steps")), (t.approval_decisions, ("note",)),
                 (t.interactions, ("text",)), (t.tasks, ("title",)), (t.deals, ("title",)),
                 (t.complaints, ("text", "resolution")), (t.satisfaction_scores, ("comment",)),
                 (t.retros, ("text",)), (t.playbook_lines, ("text",)), (t.faq_entries, ("question", "answer")),
                 (t.faq_asks, ("words",)), (t.daily_updates, ("text", "items")))
_JSON_TEXT = {t.webhook_deliveries.c.body, t.api_idempotency.c.body}


def mark_erased(session: Session) -> None:
    session.info[ERASED_FLAG] = True


def redact_copies(session: Session, words: Collection[str], where: dict[Table, object] | None = None) -> int:
    """Replace the words in the audit entries, outbox payloads and approvals that hold them (only those
    matching `where`, per table, when given); how many rows changed."""
    pattern = words_pattern(words)
    if pattern is None:
        return 0
    session.flush()
    changed = 0
    reindex: dict[Table, list[tuple[int, str]]] = {t.interactions: [], t.deals: []}
    for table, columns in _JSON_COLUMNS:
        if where is not None and table not in where:
            continue
        query = select(table.c.id, *(table.c[c] for c in columns)).where(_may_hold(table, columns, words))
        if where is not None:
            query = query.where(where[table])
        for row in session.execute(query).all():
            values = {c: _redacted(table.c[c], row._mapping[c], pattern) for c in columns}
            updates = {c: v for c, v in values.items() if v is not row._mapping[c]}
            if updates:
                session.execute(table.update().where(table.c.id == row.id).values(updates))
                changed += 1
                if table in reindex:
                    reindex[table].append((row.id, str(values[columns[0]] or "")))
    # the search index holds the words of follow-ups and deal titles: it takes the new text
    connection = session.connection()
    if reindex[t.interactions]:
        live = set(session.execute(select(t.interactions.c.id).where(
            t.interactions.c.id.in_([i for i, _ in reindex[t.interactions]]),
            t.interactions.c.deleted_at.is_(None))).scalars())
        index_messages(connection, [(i, text if i in live else "") for i, text in reindex[t.interactions]])
    if reindex[t.deals]:
        index_deals(connection, [row_id for row_id, _ in reindex[t.deals]])
    if where is None:
        changed += _redact_kept_answers(session, words, pattern)
    if changed:
        session.expire_all()
    return changed


def _redact_kept_answers(session: Session, words: Collection[str], pattern) -> int:
    """The REST API's kept answers to POSTs (a retry gets the same answer): JSON text keyed by token
    and key, not by id; redacted in place, so a retry still gets its answer, without the words."""
    K = t.api_idempotency.c
    changed = 0
    rows = session.execute(select(K.token_id, K.key, K.body).where(_may_hold(t.api_idempotency, ["body"], words)))
    for row in rows.all():
        body = _redacted(K.body, row.body, pattern)
        if body is not row.body:
            session.execute(t.api_idempotency.update().where(K.token_id == row.token_id, K.key == row.key)
                            .values(body=body))
            changed += 1
    return changed


def _redacted(column, value, pattern):
    """The value with the words replaced; a JSON text column is parsed, redacted and written back
    the way storage.webhooks wrote it, so it stays valid JSON (the same object when unchanged)."""
    if column not in _JSON_TEXT:
        return redact(value, pattern)
    try:
        parsed = json.loads(value)
    except ValueError:  # not JSON after all: the words go from the text itself
        return redact(value, pattern)
    changed = redact(parsed, pattern)
    return value if changed is parsed else json.dumps(changed, ensure_ascii=False, default=str)


def _may_hold(table: Table, columns: Iterable[str], words: Collection[str]):
    spellings = {s for w in words if w for s in (w.lower(), json.dumps(w.lower())[1:-1])}
    return or_(*(func.lower(cast(table.c[c], Text)).like(f"%{_escape(s)}%", escape="\\")
                 for c in columns for s in spellings))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def reclaim_erased_space(engine: Engine) -> None:
    """Take what an erase overwrote off the disk (see the module's docstring)."""
    try:
        if engine.dialect.name == "sqlite":
            with engine.begin() as connection:
                merge_segments(connection)  # the search index's old segments hold the words
            _truncate_wal(engine)
        else:
            names = ", ".join([engine.dialect.identifier_preparer.quote(table.name) for table in TOUCHED]
                              + [name for name in SEARCH_TABLES if name != "search_words"])
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("SET lock_timeout = '30s'")
                connection.exec_driver_sql(f"VACUUM {names}")  # drops the dead versions...
                connection.exec_driver_sql(f"VACUUM (FULL) {names}")  # ...and leaves no bytes of them
    except Exception as error:  # the erase committed; only the old bytes may linger
        log.warning("erased rows may stay on disk until the next erase or a manual VACUUM FULL: %s",
                    type(error).__name__)


def _truncate_wal(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    finally:
        raw.close()
    if busy:
        log.warning("erased rows may stay in the WAL until the next checkpoint: a reader held it")
