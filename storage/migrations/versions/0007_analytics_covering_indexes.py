"""analytics: covering indexes for the scorecard, funnel and forecast (storage/analytics.py)

Each figure's query reads only an index, never the table rows: 0004's indexes found the rows of a
team's window, but every row then cost a table read for the columns the GROUP BY needs (owner,
status, amount, stage...). At 100k deals and 600k stage changes that was most of the time
(bench/README.md, "analytics.py"). The new indexes extend the ones they replace (same leading
columns), so every query that used an old one can use its successor; one is added (deals by id,
with team and owner: the deal of each stage change in a window) and one becomes partial (tasks not
done, which is what the overdue counts and the reminders ask for).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_DONE = "done_at IS NULL"

# (table, old name, old columns, new name, new columns, partial WHERE or None). Old None: added.
CHANGES = (
    ("deals", "ix_deals_team_id_created_at", ("team_id", "created_at"),
     "ix_deals_team_id_created_at_owner_id_stage", ("team_id", "created_at", "owner_id", "stage"), None),
    ("deals", "ix_deals_team_id_closed_at", ("team_id", "closed_at"),
     "ix_deals_closed_figures", ("team_id", "closed_at", "status", "owner_id", "currency", "amount", "created_at"),
     None),
    ("deals", "ix_deals_team_id_status", ("team_id", "status"),
     "ix_deals_team_id_status_stage_stage_entered_at", ("team_id", "status", "stage", "stage_entered_at"), None),
    ("deals", "ix_deals_team_id_status_expected_close", ("team_id", "status", "expected_close"),
     "ix_deals_open_by_close",
     ("team_id", "status", "expected_close", "stage", "stage_entered_at", "currency", "amount", "owner_id"), None),
    ("deals", None, (), "ix_deals_id_team_id_owner_id", ("id", "team_id", "owner_id"), None),
    ("stage_changes", "ix_stage_changes_at", ("at",),
     "ix_stage_changes_at_deal_id_from_stage_to_stage", ("at", "deal_id", "from_stage", "to_stage"), None),
    ("stage_changes", "ix_stage_changes_deal_id_at", ("deal_id", "at"),
     "ix_stage_changes_deal_id_at_id_to_stage", ("deal_id", "at", "id", "to_stage"), None),
    ("interactions", "ix_interactions_team_id_occurred_at", ("team_id", "occurred_at"),
     "ix_interactions_team_id_occurred_at_kind_author_id", ("team_id", "occurred_at", "kind", "author_id"), None),
    ("tasks", "ix_tasks_team_id_due_at", ("team_id", "due_at"),
     "ix_tasks_not_done_team_id_due_at", ("team_id", "due_at", "assignee_id"), NOT_DONE),
)


def _create(table: str, name: str, columns: tuple[str, ...], where: str | None) -> None:
    partial = {} if where is None else {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)}
    op.create_index(op.f(name), table, list(columns), **partial)


def upgrade() -> None:
    for table, old, _, new, columns, where in CHANGES:
        _create(table, new, columns, where)
        if old is not None:
            op.drop_index(op.f(old), table_name=table)


def downgrade() -> None:
    for table, old, old_columns, new, _, _ in reversed(CHANGES):
        if old is not None:
            _create(table, old, old_columns, None)
        op.drop_index(op.f(new), table_name=table)
