"""tasks.cancelled_at: a task settled because its deal was won or lost, not done

Closing a deal settles its open tasks. They stop being open (done_at, the moment a task stopped
being open, is set as before, so every "open task" query and index stays as it is) and
cancelled_at says they were cancelled rather than done, so what was really done stays countable.

Revision ID: 0012_figures
Revises: 0011_linking
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_figures"
down_revision: str | Sequence[str] | None = "0011_linking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("cancelled_at")
