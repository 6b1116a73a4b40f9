"""approvals and approval_decisions: approval flows in chat (issue 20)

Revision ID: 0025_approvals
Revises: 0024_leads
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0025_approvals"
down_revision: str | Sequence[str] | None = "0024_leads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("deal_id", sa.Integer(), sa.ForeignKey("deals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("requester_id", sa.Integer(), sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),  # hundredths (storage.types.Money)
        sa.Column("currency", sa.String(8), nullable=False, server_default=""),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("steps", JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(), nullable=False),  # naive UTC
        sa.Column("decided_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_approvals_deal_id", "approvals", ["deal_id"])
    op.create_index("ix_approvals_state_team_id", "approvals", ["state", "team_id"])
    op.create_index("ix_approvals_requester_id_id", "approvals", ["requester_id", "id"])
    op.create_table(
        "approval_decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("approval_id", sa.Integer(), sa.ForeignKey("approvals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_approval_decisions_approval_id_id", "approval_decisions", ["approval_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_approval_decisions_approval_id_id", table_name="approval_decisions")
    op.drop_table("approval_decisions")
    op.drop_index("ix_approvals_requester_id_id", table_name="approvals")
    op.drop_index("ix_approvals_state_team_id", table_name="approvals")
    op.drop_index("ix_approvals_deal_id", table_name="approvals")
    op.drop_table("approvals")
