"""customers.name_key and customer_alias_keys: a customer is found by an indexed lookup

Finding a customer by name (`new Acme`, the CSV import) compared every customer of the team in
Python, because the match ignores case beyond ASCII and also looks at the aliases (a JSON list).
Each name and alias now has its key (str.casefold, as core.domain.model.customer_key) in an indexed
column; existing customers get theirs here.

Revision ID: 0015_customer_key
Revises: 0014_import
Create Date: 2026-12-07
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_customer_key"
down_revision: str | Sequence[str] | None = "0014_import"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def _key(name: str) -> str:
    return name.casefold()  # core.domain.model.customer_key as of this revision


def upgrade() -> None:
    op.add_column("customers", sa.Column("name_key", sa.Text(), nullable=True))
    alias_keys = op.create_table(
        "customer_alias_keys",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE",
                                name=op.f("fk_customer_alias_keys_customer_id_customers")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE",
                                name=op.f("fk_customer_alias_keys_team_id_teams")),
        sa.PrimaryKeyConstraint("customer_id", "key", name=op.f("pk_customer_alias_keys")),
    )
    op.create_index(op.f("ix_customer_alias_keys_team_id_key"), "customer_alias_keys", ["team_id", "key"])

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, team_id, name, aliases FROM customers ORDER BY id")).all()
    names = [{"id": id_, "key": _key(name)} for id_, _team, name, _aliases in rows]
    aliases = []
    for id_, team_id, _name, raw in rows:
        listed = raw if isinstance(raw, list) else json.loads(raw or "[]")  # JSONB comes back parsed
        aliases += [{"customer_id": id_, "team_id": team_id, "key": key} for key in {_key(a) for a in listed}]
    set_key = sa.text("UPDATE customers SET name_key = :key WHERE id = :id")
    for start in range(0, len(names), _BATCH):
        bind.execute(set_key, names[start:start + _BATCH])
    for start in range(0, len(aliases), _BATCH):
        bind.execute(alias_keys.insert(), aliases[start:start + _BATCH])

    with op.batch_alter_table("customers") as batch:
        batch.alter_column("name_key", existing_type=sa.Text(), nullable=False)
        batch.create_index(batch.f("ix_customers_team_id_name_key"), ["team_id", "name_key"])


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.drop_index(batch.f("ix_customers_team_id_name_key"))
        batch.drop_column("name_key")
    op.drop_index(op.f("ix_customer_alias_keys_team_id_key"), table_name="customer_alias_keys")
    op.drop_table("customer_alias_keys")
