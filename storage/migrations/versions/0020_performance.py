"""targets: a member's or a team's goal for a period (issue 19, team performance)

Revision ID: 0020_performance
Revises: 0019_audit_actor
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_performance"
down_revision: str | Sequence[str] | None = "0019_audit_actor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=True),
        sa.Column("metric", sa.String(16), nullable=False),
        sa.Column("period_kind", sa.String(8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),  # cents (storage.types.Money)
        sa.Column("currency", sa.String(8), nullable=False, server_default=""),
        sa.Column("set_by", sa.Integer(), sa.ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
        sa.Column("set_at", sa.DateTime(), nullable=False),  # naive UTC
    )
    op.create_index("ix_targets_key", "targets",
                    ["team_id", sa.text("coalesce(member_id, 0)"), "metric", "period_kind", "period_start"],
                    unique=True)


def downgrade() -> None:
    op.drop_index("ix_targets_key", table_name="targets")
    op.drop_table("targets")
