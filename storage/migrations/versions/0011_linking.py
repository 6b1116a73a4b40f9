"""link_codes hashed and bound to the asking account, awaiting its confirmation; link_failures

`me link` codes were stored as they are and merged on redemption. Now (core.access.linking) only a
code's hash is stored, with the account that asked for it (where the confirmation goes) and, once
redeemed, the account waiting to join; wrong guesses are counted in link_failures for the
lockouts. Codes live minutes: the old table is dropped, not converted (a code in flight during
the upgrade has to be asked for again).

Revision ID: 0011_linking
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_linking"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("link_codes")
    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("redeemer_id", sa.Integer(), nullable=True),
        sa.Column("redeemer_platform", sa.String(length=32), server_default="", nullable=False),
        sa.Column("redeemer_user_id", sa.Text(), server_default="", nullable=False),
        sa.Column("redeemed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_link_codes_member_id_members"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["redeemer_id"], ["members.id"], name=op.f("fk_link_codes_redeemer_id_members"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_link_codes_code_hash")),
    )
    op.create_index(op.f("ix_link_codes_member_id"), "link_codes", ["member_id"])
    op.create_index(op.f("ix_link_codes_redeemer_id"), "link_codes", ["redeemer_id"])
    op.create_table(
        "link_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_failures")),
    )
    op.create_index(op.f("ix_link_failures_at"), "link_failures", ["at"])
    op.create_index(op.f("ix_link_failures_platform_user_id_at"), "link_failures", ["platform", "user_id", "at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_link_failures_platform_user_id_at"), table_name="link_failures")
    op.drop_index(op.f("ix_link_failures_at"), table_name="link_failures")
    op.drop_table("link_failures")
    op.drop_index(op.f("ix_link_codes_redeemer_id"), table_name="link_codes")
    op.drop_index(op.f("ix_link_codes_member_id"), table_name="link_codes")
    op.drop_table("link_codes")
    op.create_table(
        "link_codes",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_link_codes_member_id_members"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_link_codes")),
    )
