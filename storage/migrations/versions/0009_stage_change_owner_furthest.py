"""What the scorecard reads of each stage change and deal, kept when they are written

- stage_changes.owner_id: whose deal it was when it changed stage (the per-rep stage advances
  count there); stage_changes.advance: whether the change moved the deal to a later stage of its
  team's pipeline. The advances per rep read one index, (team, advance, at, owner), instead of
  checking every change's stages and looking up each one's deal for its owner.
- deals.furthest_stage: the furthest stage of the funnel its history reached. The cohort funnel
  reads it from the index of deals created in a window instead of each deal's history.
- Indexes by (team, member, time) for the overdue tasks and the follow-ups logged per rep: the
  figures read one range per member in member order, so SQLite sorts nothing for the GROUP BY.
  Interactions by (team, kind, time, author kind) instead of (team, time, kind, author): the
  captured chat messages of a window (response times, retention purge) are one range.

core.domain.model.Deal.move_to (Pipeline.change when this was written) sets all three from then on. Here they are filled from what is
stored: each change's owner is its deal's owner today (the best known), and the advances and
furthest stages follow each team's pipeline (teams.pipeline, or the default one).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.domain.pipeline import pipeline_of

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_DEALS_INDEX = ("ix_deals_team_id_created_at_owner_id_stage", ["team_id", "created_at", "owner_id", "stage"])
NEW_DEALS_INDEX = ("ix_deals_team_id_created_at_owner_id_stage_furthest_stage",
                   ["team_id", "created_at", "owner_id", "stage", "furthest_stage"])
ADVANCES_INDEX = ("ix_stage_changes_team_id_advance_owner_id_at", ["team_id", "advance", "owner_id", "at"])
# Per rep, one index range each, in member order (no sort for the GROUP BY); partial, like their
# neighbours: tasks not done, and interactions that are not captured chat messages.
OVERDUE_INDEX = ("ix_tasks_not_done_team_id_assignee_id_due_at", "tasks",
                 ["team_id", "assignee_id", "due_at", "done_at"], "done_at IS NULL")
OLD_INTERACTIONS_INDEX = ("ix_interactions_team_id_occurred_at_kind_author_id",
                          ["team_id", "occurred_at", "kind", "author_id"])
NEW_INTERACTIONS_INDEX = ("ix_interactions_team_id_kind_occurred_at_author_kind",
                          ["team_id", "kind", "occurred_at", "author_kind"])
LOGGED_INDEX = ("ix_interactions_logged_team_id_author_id_occurred_at", "interactions",
                ["team_id", "author_id", "occurred_at", "kind"], "kind != 'message'")
FK = "fk_stage_changes_owner_id_members"

_teams = sa.table("teams", sa.column("id", sa.Integer), sa.column("pipeline", sa.JSON))
_deals = sa.table("deals", sa.column("id", sa.Integer), sa.column("team_id", sa.Integer),
                  sa.column("owner_id", sa.Integer), sa.column("furthest_stage", sa.String))
_changes = sa.table("stage_changes", sa.column("deal_id", sa.Integer), sa.column("team_id", sa.Integer),
                    sa.column("from_stage", sa.String), sa.column("to_stage", sa.String),
                    sa.column("owner_id", sa.Integer), sa.column("advance", sa.Boolean))


def upgrade() -> None:
    with op.batch_alter_table("stage_changes") as batch:
        batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("advance", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_foreign_key(op.f(FK), "members", ["owner_id"], ["id"], ondelete="SET NULL")
    op.add_column("deals", sa.Column("furthest_stage", sa.String(64), nullable=True))
    connection = op.get_bind()
    connection.execute(_changes.update().values(owner_id=sa.select(_deals.c.owner_id)
                                                .where(_deals.c.id == _changes.c.deal_id).scalar_subquery()))
    for team_id, stored in connection.execute(sa.select(_teams.c.id, _teams.c.pipeline)).all():
        _fill_team(connection, team_id, pipeline_of(stored).funnel)
    op.create_index(op.f(NEW_DEALS_INDEX[0]), "deals", NEW_DEALS_INDEX[1])
    op.drop_index(op.f(OLD_DEALS_INDEX[0]), table_name="deals")
    op.create_index(op.f(ADVANCES_INDEX[0]), "stage_changes", ADVANCES_INDEX[1])
    for name, table, columns, where in (OVERDUE_INDEX, LOGGED_INDEX):
        op.create_index(name, table, columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))
    op.create_index(op.f(NEW_INTERACTIONS_INDEX[0]), "interactions", NEW_INTERACTIONS_INDEX[1])
    op.drop_index(op.f(OLD_INTERACTIONS_INDEX[0]), table_name="interactions")


def _fill_team(connection, team_id: int, funnel: list[str]) -> None:
    forward = [(earlier, later) for i, earlier in enumerate(funnel) for later in funnel[i + 1:]]
    connection.execute(_changes.update()
                       .where(_changes.c.team_id == team_id,
                              sa.tuple_(_changes.c.from_stage, _changes.c.to_stage).in_(forward))
                       .values(advance=True))
    rank = sa.case({key: i for i, key in enumerate(funnel)}, value=_changes.c.to_stage, else_=None)
    furthest = (sa.select(_changes.c.to_stage).where(_changes.c.deal_id == _deals.c.id, rank.is_not(None))
                .order_by(rank.desc()).limit(1).scalar_subquery())
    connection.execute(_deals.update().where(_deals.c.team_id == team_id).values(furthest_stage=furthest))


def downgrade() -> None:
    op.create_index(op.f(OLD_INTERACTIONS_INDEX[0]), "interactions", OLD_INTERACTIONS_INDEX[1])
    op.drop_index(op.f(NEW_INTERACTIONS_INDEX[0]), table_name="interactions")
    for name, table, _, _ in (OVERDUE_INDEX, LOGGED_INDEX):
        op.drop_index(name, table_name=table)
    op.drop_index(op.f(ADVANCES_INDEX[0]), table_name="stage_changes")
    op.create_index(op.f(OLD_DEALS_INDEX[0]), "deals", OLD_DEALS_INDEX[1])
    op.drop_index(op.f(NEW_DEALS_INDEX[0]), table_name="deals")
    op.drop_column("deals", "furthest_stage")
    with op.batch_alter_table("stage_changes") as batch:
        batch.drop_constraint(op.f(FK), type_="foreignkey")
        batch.drop_column("advance")
        batch.drop_column("owner_id")
