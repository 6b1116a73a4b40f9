"""handled_messages: the platform messages whose commands were handled, so none runs twice

Telegram gives a batch of updates again when the bot stopped before confirming it; Slack retries
an event that was not answered in 3 seconds, perhaps at another replica. A command's message is
recorded in the command's own transaction (core.app.dealbot), so a redelivery finds it and is not run
again; kept a week (core.reminders.scans purge).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handled_messages",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "chat_id", "message_id", name=op.f("pk_handled_messages")),
    )
    op.create_index(op.f("ix_handled_messages_handled_at"), "handled_messages", ["handled_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_handled_messages_handled_at"), table_name="handled_messages")
    op.drop_table("handled_messages")
