"""knowledge (issue 20): playbook lines, FAQ entries and questions asked, retros, onboardings

Revision ID: 0027_knowledge
Revises: 0026_points
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027_knowledge"
down_revision: str | Sequence[str] | None = "0026_points"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _member(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("members.id", ondelete="SET NULL"), nullable=True)


def _team() -> sa.Column:
    return sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "playbook_lines",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _team(),
        sa.Column("stage", sa.String(64), nullable=False),
        sa.Column("section", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _member("added_by"),
        sa.Column("added_at", sa.DateTime(), nullable=False),  # naive UTC
        _member("removed_by"),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_playbook_lines_team_stage", "playbook_lines", ["team_id", "stage"])
    op.create_table(
        "faq_entries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _team(),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False, server_default=""),
        _member("added_by"),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_faq_entries_team_id", "faq_entries", ["team_id"])
    op.create_table(
        "faq_asks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _team(),
        _member("member_id"),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("best_id", sa.Integer(), sa.ForeignKey("faq_entries.id", ondelete="SET NULL"), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("unhelpful_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_faq_asks_team_at", "faq_asks", ["team_id", "at"])
    op.create_table(
        "retros",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("deal_id", sa.Integer(), sa.ForeignKey("deals.id", ondelete="CASCADE"), nullable=False),
        _team(),
        _member("author_id"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_retros_deal_id", "retros", ["deal_id"], unique=True)
    op.create_table(
        "onboardings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _team(),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
        _member("manager_id"),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("outbox_ids", sa.Text(), nullable=False, server_default=""),
        sa.Column("done", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_onboardings_member_id", "onboardings", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_onboardings_member_id", table_name="onboardings")
    op.drop_table("onboardings")
    op.drop_index("ix_retros_deal_id", table_name="retros")
    op.drop_table("retros")
    op.drop_index("ix_faq_asks_team_at", table_name="faq_asks")
    op.drop_table("faq_asks")
    op.drop_index("ix_faq_entries_team_id", table_name="faq_entries")
    op.drop_table("faq_entries")
    op.drop_index("ix_playbook_lines_team_stage", table_name="playbook_lines")
    op.drop_table("playbook_lines")
