"""customers.owner_id, industry, source, tags: the customer card and its fields

`customer Acme industry:能源 source:展会 tag:重点 owner:@bob` sets them; the card shows them, and
`funnel by:industry|source|tag` groups by them. Existing customers have none (no owner: the card
names the owner of their first deal; no industry or source; no tags).

Revision ID: 0017_customers
Revises: 0016_nextstep_reasons
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017_customers"
down_revision: str | Sequence[str] | None = "0016_nextstep_reasons"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("industry", sa.Text(), nullable=True))
        batch.add_column(sa.Column("source", sa.Text(), nullable=True))
        batch.add_column(sa.Column("tags", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                                   nullable=False, server_default="[]"))
        batch.create_foreign_key(op.f("fk_customers_owner_id_members"), "members", ["owner_id"], ["id"],
                                 ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.drop_constraint(op.f("fk_customers_owner_id_members"), type_="foreignkey")
        batch.drop_column("tags")
        batch.drop_column("source")
        batch.drop_column("industry")
        batch.drop_column("owner_id")
