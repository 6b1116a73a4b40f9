"""reminders: team settings, snoozes, outbox status and holds, digest subscriptions, scan marks

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("settings", JSON, nullable=True))

    with op.batch_alter_table("deals") as batch:
        batch.add_column(sa.Column("snoozed_until", sa.DateTime(), nullable=True))
        batch.create_index(op.f("ix_deals_stage_stage_entered_at"), ["stage", "stage_entered_at"])
        batch.create_index(op.f("ix_deals_snoozed_until"), ["snoozed_until"])

    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("snoozed_until", sa.DateTime(), nullable=True))
        batch.create_index(op.f("ix_tasks_snoozed_until"), ["snoozed_until"])

    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=32), server_default="", nullable=False))
        batch.add_column(sa.Column("status", sa.String(length=16), server_default="pending", nullable=False))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("message_id", sa.Text(), nullable=True))
        batch.drop_index(op.f("ix_outbox_sent_at_not_before"))
        batch.create_index(op.f("ix_outbox_status_not_before"), ["status", "not_before"])
    # Rows written before this revision (none were, but be exact): sent ones say so.
    op.execute("UPDATE outbox SET status = 'sent' WHERE sent_at IS NOT NULL")

    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.Text(), nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"],
                                name=op.f("fk_digest_subscriptions_team_id_teams"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["members.id"],
                                name=op.f("fk_digest_subscriptions_created_by_members"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_subscriptions")),
        sa.UniqueConstraint("platform", "chat_id", "frequency",
                            name=op.f("uq_digest_subscriptions_platform_chat_id_frequency")),
    )
    op.create_index(op.f("ix_digest_subscriptions_team_id"), "digest_subscriptions", ["team_id"])

    op.create_table(
        "scan_marks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scan_marks")),
    )


def downgrade() -> None:
    op.drop_table("scan_marks")
    op.drop_table("digest_subscriptions")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(op.f("ix_outbox_status_not_before"))
        batch.create_index(op.f("ix_outbox_sent_at_not_before"), ["sent_at", "not_before"])
        batch.drop_column("message_id")
        batch.drop_column("claimed_until")
        batch.drop_column("status")
        batch.drop_column("kind")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_index(op.f("ix_tasks_snoozed_until"))
        batch.drop_column("snoozed_until")
    with op.batch_alter_table("deals") as batch:
        batch.drop_index(op.f("ix_deals_snoozed_until"))
        batch.drop_index(op.f("ix_deals_stage_stage_entered_at"))
        batch.drop_column("snoozed_until")
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("settings")
