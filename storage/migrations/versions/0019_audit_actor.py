"""audit_entries (actor_id, at): `undo` finds a member's own latest change by an index

`undo` (core.services.undo) reads the audit entries one member wrote in the last ten minutes;
without this index that read would go through the whole audit trail.

Revision ID: 0019_audit_actor
Revises: 0018_api
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019_audit_actor"
down_revision: str | Sequence[str] | None = "0018_api"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_audit_entries_actor_id_at"), "audit_entries", ["actor_id", "at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_entries_actor_id_at"), table_name="audit_entries")
