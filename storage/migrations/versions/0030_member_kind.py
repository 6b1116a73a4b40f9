"""members.kind: a person, or the integration an API token acts as (MemberKind)

Revision ID: 0030_member_kind
Revises: 0029_search
Create Date: 2026-12-07

An integration is not a rep: the figures, reminders, cards and points leave it out. The upgrade
marks the members of the tokens made before it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030_member_kind"
down_revision: str | Sequence[str] | None = "0029_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="person"))
    op.execute("UPDATE members SET kind = 'integration' WHERE id IN (SELECT member_id FROM api_tokens)")


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("kind")
