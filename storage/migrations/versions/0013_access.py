"""access: requests from people the bot has not met, one-time invites, removed members

Someone the bot has never seen is no longer made a rep by their first message: one
access_requests row records them until an admin approves or ignores it (core.access.door). Invites
hold a one-time code's SHA-256 only. members.removed_at marks a member taken off the team by
`member @x remove`; their history keeps them.

Revision ID: 0013_access
Revises: 0012_figures
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_access"
down_revision: str | Sequence[str] | None = "0012_figures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete=ondelete,
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("removed_at", sa.DateTime(), nullable=True))
    op.create_table(
        "access_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("user_name", sa.Text(), nullable=False),
        sa.Column("handle", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("failed_joins", sa.Integer(), nullable=False),
        sa.Column("failures_since", sa.DateTime(), nullable=True),
        _fk("access_requests", "decided_by", "members", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_requests")),
        sa.UniqueConstraint("platform", "user_id", name=op.f("uq_access_requests_platform_user_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_access_requests_status_handle"), "access_requests", ["status", "handle"])
    op.create_index(op.f("ix_access_requests_failures_since"), "access_requests", ["failures_since"])
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        _fk("invites", "team_id", "teams", "CASCADE"),
        _fk("invites", "created_by", "members", "CASCADE"),
        _fk("invites", "used_by", "members", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invites_code_hash")),
    )


def downgrade() -> None:
    op.drop_table("invites")
    op.drop_table("access_requests")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("removed_at")
