"""satisfaction_scores, satisfaction_surveys and complaints: the health board's customer feedback (issue 19)

Revision ID: 0028_health
Revises: 0027_knowledge
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028_health"
down_revision: str | Sequence[str] | None = "0027_knowledge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "satisfaction_scores",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("deal_id", sa.Integer(), sa.ForeignKey("deals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False, server_default=""),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),  # naive UTC
        sa.Column("recorded_by", sa.Integer(), sa.ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    op.create_index("ix_satisfaction_scores_team", "satisfaction_scores", ["team_id", "recorded_at"])
    op.create_index("ix_satisfaction_scores_deal", "satisfaction_scores", ["deal_id"])
    op.create_table(
        "satisfaction_surveys",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("deal_id", sa.Integer(), sa.ForeignKey("deals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("platform", sa.String(64), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("sent_by", sa.Integer(), sa.ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_satisfaction_surveys_chat", "satisfaction_surveys", ["platform", "chat_id", "sent_at"])
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("deal_id", sa.Integer(), sa.ForeignKey("deals.id", ondelete="SET NULL"), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("logged_at", sa.DateTime(), nullable=False),
        sa.Column("logged_by", sa.Integer(), sa.ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.Integer(), sa.ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_complaints_team", "complaints", ["team_id", "logged_at"])


def downgrade() -> None:
    op.drop_index("ix_complaints_team", table_name="complaints")
    op.drop_table("complaints")
    op.drop_index("ix_satisfaction_surveys_chat", table_name="satisfaction_surveys")
    op.drop_table("satisfaction_surveys")
    op.drop_index("ix_satisfaction_scores_deal", table_name="satisfaction_scores")
    op.drop_index("ix_satisfaction_scores_team", table_name="satisfaction_scores")
    op.drop_table("satisfaction_scores")
