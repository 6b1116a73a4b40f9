"""leads, lead_offers, member_away: leads and their assignment (issue 18)

Revision ID: 0024_leads
Revises: 0023_daily_updates
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_leads"
down_revision: str | Sequence[str] | None = "0023_daily_updates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(column: str, target: str, ondelete: str, nullable: bool = False) -> sa.Column:
    return sa.Column(column, sa.Integer(), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _fk("team_id", "teams.id", "CASCADE"),
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("person", sa.String(200), nullable=False, server_default=""),
        sa.Column("phone", sa.String(64), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("source", sa.String(100), nullable=True),
        sa.Column("territory", sa.String(100), nullable=True),
        sa.Column("industry", sa.String(100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _fk("owner_id", "members.id", "SET NULL", nullable=True),
        sa.Column("offer_due", sa.DateTime(), nullable=True),  # naive UTC
        sa.Column("held_since", sa.DateTime(), nullable=True),
        _fk("customer_id", "customers.id", "SET NULL", nullable=True),
        _fk("deal_id", "deals.id", "SET NULL", nullable=True),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        _fk("created_by", "members.id", "SET NULL", nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_leads_team_status", "leads", ["team_id", "status"])
    op.create_index("ix_leads_status_offer_due", "leads", ["status", "offer_due"])
    op.create_index("ix_leads_team_created", "leads", ["team_id", "created_at"])
    op.create_table(
        "lead_offers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _fk("lead_id", "leads.id", "CASCADE"),
        _fk("member_id", "members.id", "CASCADE"),
        _fk("team_id", "teams.id", "CASCADE"),
        sa.Column("offered_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_lead_offers_lead", "lead_offers", ["lead_id"])
    op.create_index("ix_lead_offers_team_member", "lead_offers", ["team_id", "member_id", "offered_at"])
    op.create_table(
        "member_away",
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("until", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("member_away")
    op.drop_index("ix_lead_offers_team_member", table_name="lead_offers")
    op.drop_index("ix_lead_offers_lead", table_name="lead_offers")
    op.drop_table("lead_offers")
    op.drop_index("ix_leads_team_status", table_name="leads")
    op.drop_index("ix_leads_status_offer_due", table_name="leads")
    op.drop_index("ix_leads_team_created", table_name="leads")
    op.drop_table("leads")
