"""the search index of `find` (issue 17): FTS5 tables on SQLite, tsvector + GIN on PostgreSQL

Revision ID: 0029_search
Revises: 0028_health
Create Date: 2026-12-07

The tables are outside storage.tables (SQLite's are virtual tables); storage/search.py says what
they hold and keeps them current. The upgrade indexes every stored name and interaction.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0029_search"
down_revision: str | Sequence[str] | None = "0028_health"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE = (
    "CREATE VIRTUAL TABLE search_names USING fts5(body, prefix='1 2 3', tokenize='unicode61')",
    "CREATE VIRTUAL TABLE search_messages USING fts5(body, tokenize='unicode61', columnsize=0)",
)
_POSTGRES = (
    "CREATE TABLE search_names (key BIGINT PRIMARY KEY, doc TSVECTOR NOT NULL)",
    "CREATE INDEX ix_search_names_doc ON search_names USING gin (doc)",
    "CREATE TABLE search_messages (id BIGINT PRIMARY KEY, doc TSVECTOR NOT NULL)",
    "CREATE INDEX ix_search_messages_doc ON search_messages USING gin (doc)",
)
_WORDS = "CREATE TABLE search_words (head VARCHAR(8) NOT NULL, word TEXT NOT NULL, PRIMARY KEY (head, word))"


def upgrade() -> None:
    from storage.search import reindex_all

    bind = op.get_bind()
    for statement in (*(_POSTGRES if bind.dialect.name == "postgresql" else _SQLITE), _WORDS):
        op.execute(statement)
    reindex_all(bind)


def downgrade() -> None:
    for table in ("search_words", "search_messages", "search_names"):
        op.execute(f"DROP TABLE {table}")
