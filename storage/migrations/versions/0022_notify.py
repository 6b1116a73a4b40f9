"""notify_subscriptions: chats that get their team's deal events (issue 17, deal news)

Revision ID: 0022_notify
Revises: 0021_api_rate
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_notify"
down_revision: str | Sequence[str] | None = "0021_api_rate"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notify_subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.Text(), nullable=False),
        sa.Column("events", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("min_amount", sa.BigInteger(), nullable=True),  # cents (storage.types.Money)
        sa.Column("min_currency", sa.String(length=8), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(), nullable=False),  # naive UTC
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"],
                                name=op.f("fk_notify_subscriptions_team_id_teams"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["members.id"],
                                name=op.f("fk_notify_subscriptions_created_by_members"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_subscriptions")),
        sa.UniqueConstraint("platform", "chat_id", name=op.f("uq_notify_subscriptions_platform_chat_id")),
    )
    op.create_index(op.f("ix_notify_subscriptions_team_id"), "notify_subscriptions", ["team_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notify_subscriptions_team_id"), table_name="notify_subscriptions")
    op.drop_table("notify_subscriptions")
