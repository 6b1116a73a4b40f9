"""suggestions.cue and suggestions.date_words: why a next step was suggested

The DM offering a next step found in captured chat says which words made it a commitment and
which made the date (core.conversations.nextsteps), so a wrong one is easy to dismiss; the dismissed ones are
exported with them for review (`dealbot nextsteps export`). Rows made before this revision have
neither (empty text).

Revision ID: 0016_nextstep_reasons
Revises: 0015_customer_key
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_nextstep_reasons"
down_revision: str | Sequence[str] | None = "0015_customer_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.add_column(sa.Column("cue", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("date_words", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_column("date_words")
        batch.drop_column("cue")
