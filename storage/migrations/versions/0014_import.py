"""deals.uid: a deal's identity in exports, so an import updates a deal only by it

An import used to update any deal whose ref matched a row's, so a file from another install (or a
spreadsheet with D-n refs) overwrote unrelated deals. Every deal now carries a random uid, written
in the `uid` column of an export; `dealbot import --update` changes a deal only for a row carrying
its uid. Existing deals get one here.

Revision ID: 0014_import
Revises: 0013_access
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_import"
down_revision: str | Sequence[str] | None = "0013_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 32 random hex digits per row, as uuid4().hex gives new deals (core.domain.model.Deal.uid).
_RANDOM_HEX = {
    "sqlite": "lower(hex(randomblob(16)))",
    "postgresql": "md5(random()::text || clock_timestamp()::text || id::text)",
}


# SQLite alters a column by copying the table: the copy must keep AUTOINCREMENT, or the ids of
# deleted deals (the D-n people saw) could be handed out again.
_KEEP = {"sqlite_autoincrement": True}


def upgrade() -> None:
    op.add_column("deals", sa.Column("uid", sa.String(length=32), nullable=True))
    dialect = op.get_bind().dialect.name
    op.execute(f"UPDATE deals SET uid = {_RANDOM_HEX[dialect]}")
    with op.batch_alter_table("deals", table_kwargs=_KEEP) as batch:
        batch.alter_column("uid", existing_type=sa.String(length=32), nullable=False)
        batch.create_index(batch.f("ix_deals_uid"), ["uid"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("deals", table_kwargs=_KEEP) as batch:
        batch.drop_index(batch.f("ix_deals_uid"))
        batch.drop_column("uid")
