"""chat capture: chat_bindings, and the sender, edit and delete of captured interactions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTERACTION_INDEXES = (("platform", "chat_id", "occurred_at"), ("customer_id", "occurred_at"))


def _index_name(columns: tuple[str, ...]) -> str:
    return f"ix_interactions_{'_'.join(columns)}"


def upgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.add_column(sa.Column("author_kind", sa.String(length=16), server_default="member",
                                   nullable=False))
        batch.add_column(sa.Column("author_ref", sa.Text(), nullable=True))
        batch.add_column(sa.Column("author_name", sa.Text(), nullable=True))
        batch.add_column(sa.Column("edited_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
    for columns in INTERACTION_INDEXES:
        op.create_index(op.f(_index_name(columns)), "interactions", list(columns))

    op.create_table(
        "chat_bindings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.Text(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("bound_by", sa.Integer(), nullable=True),
        sa.Column("bound_at", sa.DateTime(), nullable=False),
        sa.Column("capturing", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.CheckConstraint("(deal_id IS NULL) <> (customer_id IS NULL)",
                           name=op.f("ck_chat_bindings_one_target")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"],
                                name=op.f("fk_chat_bindings_team_id_teams"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"],
                                name=op.f("fk_chat_bindings_deal_id_deals"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_chat_bindings_customer_id_customers"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["bound_by"], ["members.id"],
                                name=op.f("fk_chat_bindings_bound_by_members"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_bindings")),
        sa.UniqueConstraint("platform", "chat_id", name=op.f("uq_chat_bindings_platform_chat_id")),
    )
    op.create_index(op.f("ix_chat_bindings_deal_id"), "chat_bindings", ["deal_id"])
    op.create_index(op.f("ix_chat_bindings_customer_id"), "chat_bindings", ["customer_id"])


def downgrade() -> None:
    op.drop_table("chat_bindings")
    for columns in reversed(INTERACTION_INDEXES):
        op.drop_index(op.f(_index_name(columns)), table_name="interactions")
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("deleted_at")
        batch.drop_column("edited_at")
        batch.drop_column("author_name")
        batch.drop_column("author_ref")
        batch.drop_column("author_kind")
