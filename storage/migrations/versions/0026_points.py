"""points and forecast calls: a team's point rules, a review's calls on deals (issue 19)

Revision ID: 0026_points
Revises: 0025_approvals
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")

revision: str = "0026_points"
down_revision: str | Sequence[str] | None = "0025_approvals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "point_settings",
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("rules", JSON, nullable=False),
    )
    op.create_table(
        "forecast_calls",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("deal_id", sa.Integer(), sa.ForeignKey("deals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("called_by", sa.Integer(), sa.ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
        sa.Column("called_at", sa.DateTime(), nullable=False),  # naive UTC
        sa.Column("close_before", sa.DateTime(), nullable=True),
        sa.Column("close_after", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_forecast_calls_deal", "forecast_calls", ["deal_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_forecast_calls_deal", table_name="forecast_calls")
    op.drop_table("forecast_calls")
    op.drop_table("point_settings")
