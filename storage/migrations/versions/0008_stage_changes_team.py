"""stage_changes.team_id: the team of each change's deal, for the figures' window scans

The scorecard's stage advances per rep read one team's changes in a week. A change had no team,
so the query read every team's changes of the week (26k at 100k deals) and looked up each one's
deal for its team: 11 ms of the scorecard's SQL (bench/README.md, "analytics.py"). With the team
on the change, an index on (team, at, from, to, deal) finds just that team's changes.

The column is a copy of deals.team_id, kept equal to it by storage (set on insert from the deal,
storage.repositories; rewritten when a deal moves to another team, storage.orm). The index it serves replaces
the (at, deal, from, to) one of 0007, which only the window scans used.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_INDEX = ("ix_stage_changes_at_deal_id_from_stage_to_stage", ["at", "deal_id", "from_stage", "to_stage"])
NEW_INDEX = ("ix_stage_changes_team_id_at_from_stage_to_stage_deal_id",
             ["team_id", "at", "from_stage", "to_stage", "deal_id"])
FK = "fk_stage_changes_team_id_teams"


def upgrade() -> None:
    op.add_column("stage_changes", sa.Column("team_id", sa.Integer(), nullable=True))
    op.execute("UPDATE stage_changes SET team_id = (SELECT deals.team_id FROM deals"
               " WHERE deals.id = stage_changes.deal_id)")
    with op.batch_alter_table("stage_changes") as batch:
        batch.alter_column("team_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(op.f(FK), "teams", ["team_id"], ["id"], ondelete="RESTRICT")
    op.create_index(op.f(NEW_INDEX[0]), "stage_changes", NEW_INDEX[1])
    op.drop_index(op.f(OLD_INDEX[0]), table_name="stage_changes")


def downgrade() -> None:
    op.create_index(op.f(OLD_INDEX[0]), "stage_changes", OLD_INDEX[1])
    op.drop_index(op.f(NEW_INDEX[0]), table_name="stage_changes")
    with op.batch_alter_table("stage_changes") as batch:
        batch.drop_constraint(op.f(FK), type_="foreignkey")
        batch.drop_column("team_id")
