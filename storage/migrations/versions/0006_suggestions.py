"""next steps found in captured chat: suggestions offered to a deal's owner ([Keep] [Dismiss])

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(column: str, table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], ondelete=ondelete,
                                   name=op.f(f"fk_suggestions_{column}_{table}"))


def upgrade() -> None:
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("has_time", sa.Boolean(), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        _fk("team_id", "teams", "CASCADE"),
        _fk("owner_id", "members", "CASCADE"),
        _fk("deal_id", "deals", "SET NULL"),
        _fk("customer_id", "customers", "SET NULL"),
        _fk("interaction_id", "interactions", "SET NULL"),
        _fk("decided_by", "members", "SET NULL"),
        _fk("task_id", "tasks", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestions")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_suggestions_interaction_id"), "suggestions", ["interaction_id"], unique=True)
    op.create_index(op.f("ix_suggestions_owner_id_status"), "suggestions", ["owner_id", "status"])


def downgrade() -> None:
    op.drop_table("suggestions")
