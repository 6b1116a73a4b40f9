"""analytics: indexes for the scorecard, funnel and forecast queries (storage/analytics.py)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("deals", ("team_id", "created_at")),
    ("deals", ("team_id", "closed_at")),
    ("deals", ("team_id", "status", "expected_close")),
    ("stage_changes", ("at",)),
    ("tasks", ("team_id", "due_at")),
    ("interactions", ("team_id", "occurred_at")),
)


def _name(table: str, columns: tuple[str, ...]) -> str:
    return f"ix_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    for table, columns in INDEXES:
        op.create_index(op.f(_name(table, columns)), table, list(columns))


def downgrade() -> None:
    for table, columns in reversed(INDEXES):
        op.drop_index(op.f(_name(table, columns)), table_name=table)
