"""Alembic migrations on SQLite and PostgreSQL: the stairway and schema-equals-metadata."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory

from core.domain.pipeline import DEFAULT_PIPELINE
from storage import migrate
from storage.db import make_engine
from storage.search import TABLES as SEARCH_TABLES
from storage.tables import metadata


def _revisions() -> list[Script]:
    script = ScriptDirectory.from_config(migrate.make_config())
    return list(reversed(list(script.walk_revisions("base", "heads"))))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database, never migrated."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    make_pg_database: Callable[[], str] = request.getfixturevalue("make_pg_database")
    return make_pg_database()


@pytest.fixture
def empty_engine(empty_url: str):
    engine = make_engine(empty_url)
    yield engine
    engine.dispose()


def _is_search_table(name: str | None) -> bool:
    """The search index's tables (and SQLite's FTS5 shadow tables of them) are outside the
    metadata: storage/search.py and migration 0021 make them."""
    return any(name == table or (name or "").startswith(f"{table}_") for table in SEARCH_TABLES)


def _table_names(engine: sa.Engine) -> set[str]:
    names = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if not _is_search_table(name)}


def _outside_search(name, type_, _parent_names) -> bool:
    return not (type_ == "table" and _is_search_table(name))


def _schema_diff(engine: sa.Engine, target: sa.MetaData) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_name": _outside_search})
        return compare_metadata(context, target)


@pytest.mark.parametrize("revision", _revisions(), ids=lambda script: script.revision)
def test_stairway_up_down_up(empty_engine: sa.Engine, revision: Script):
    """Every migration upgrades, downgrades cleanly one step, and upgrades again."""
    down_to = revision.down_revision or "base"
    assert isinstance(down_to, str), "merge revisions need their own stairway step"
    migrate.upgrade(empty_engine, revision.revision)
    migrate.downgrade(empty_engine, down_to)
    assert migrate.current(empty_engine) == (None if down_to == "base" else down_to)
    migrate.upgrade(empty_engine, revision.revision)
    assert migrate.current(empty_engine) == revision.revision


def test_downgrade_to_base_removes_every_table(empty_engine: sa.Engine):
    migrate.upgrade(empty_engine)
    assert _table_names(empty_engine) == set(metadata.tables)
    migrate.downgrade(empty_engine, "base")
    assert _table_names(empty_engine) == set()
    assert migrate.current(empty_engine) is None


def test_migrated_schema_matches_the_metadata(empty_engine: sa.Engine):
    migrate.upgrade(empty_engine)
    assert _schema_diff(empty_engine, metadata) == []


def test_the_comparison_would_see_a_missing_column(empty_engine: sa.Engine):
    # Guards the test above against comparing nothing.
    migrate.upgrade(empty_engine)
    changed = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["deals"].append_column(sa.Column("probability", sa.Integer()))
    diff = _schema_diff(empty_engine, changed)
    assert [(op[0], op[3].name) for op in diff] == [("add_column", "probability")]


def test_ensure_schema_migrates_once_and_is_then_a_no_op(empty_engine: sa.Engine):
    assert migrate.current(empty_engine) is None
    migrate.ensure_schema(empty_engine)
    assert migrate.current(empty_engine) == migrate.head()
    migrate.ensure_schema(empty_engine)
    assert migrate.current(empty_engine) == migrate.head()


def test_upgrade_accepts_a_url(empty_url: str):
    migrate.upgrade(empty_url)
    assert migrate.current(empty_url) == migrate.head()


def test_sqlite_foreign_keys_are_back_on_after_migrating(tmp_path: Path):
    # env.py turns them off for batch migrations; the pooled connection must not keep that.
    engine = make_engine(f"sqlite:///{tmp_path / 'fk.db'}", poolclass=sa.pool.StaticPool)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_pyproject_ships_every_migration_file():
    """A wheel must carry env.py, the template and every version, or `dealbot migrate` breaks."""
    package = migrate.MIGRATIONS_DIR.parent
    pyproject = tomllib.loads((package.parent / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = pyproject["tool"]["setuptools"]
    shipped = {
        p for pattern in setuptools["package-data"]["storage"] for p in package.glob(pattern)
    }
    if setuptools["packages"]["find"].get("namespaces", True):
        # Namespace discovery (the default) also ships the .py files of folders without __init__.
        shipped |= set(migrate.MIGRATIONS_DIR.rglob("*.py"))
    files = {
        p for p in migrate.MIGRATIONS_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    }
    assert files - shipped == set()


def _swap_demo_and_quote() -> dict:
    stages = DEFAULT_PIPELINE.to_dict()["stages"]
    keys = [s["key"] for s in stages]
    demo, quote = keys.index("demo"), keys.index("quote")
    stages[demo], stages[quote] = stages[quote], stages[demo]
    return {"stages": stages}


def test_0009_fills_owners_advances_and_furthest_stages_by_each_teams_pipeline(empty_engine: sa.Engine):
    """Stored changes get their deal's owner; advances and furthest stages follow the order of the
    deal's own team: demo → quote goes forward in the default pipeline, back in one with quote first."""
    migrate.upgrade(empty_engine, "0008")
    at = "2026-01-05 09:00:00.000000"
    swapped = json.dumps(_swap_demo_and_quote())
    moves = {1: [None, "lead", "demo", "quote", "lost", "demo"], 2: [None, "lead", "demo", "quote"]}
    with empty_engine.begin() as db:
        db.execute(sa.text("INSERT INTO teams (id, name, timezone, language, pipeline) VALUES"
                           " (1, 'East', 'UTC', 'en', NULL), (2, 'West', 'UTC', 'en', :swapped)"), {"swapped": swapped})
        db.execute(sa.text("INSERT INTO members (id, handle, team_id, role, display_name) VALUES"
                           " (1, 'ann', 1, 'rep', 'Ann'), (2, 'bo', 2, 'rep', 'Bo')"))
        db.execute(sa.text("INSERT INTO customers (id, name, team_id, lifecycle, aliases, contacts)"
                           " VALUES (1, 'Acme', 1, 'lead', '[]', '[]')"))
        for deal, team, owner in ((1, 1, 2), (2, 2, 1), (3, 1, 1)):
            db.execute(sa.text("INSERT INTO deals (id, title, customer_id, owner_id, team_id, stage, stage_entered_at,"
                               " created_at, currency, status, deliverables_done) VALUES (:deal, 'd', 1, :owner,"
                               " :team, 'lead', :at, :at, 'CNY', 'open', '[]')"),
                       {"deal": deal, "owner": owner, "team": team, "at": at})
            for before, after in pairwise(moves.get(deal, [])):
                db.execute(sa.text("INSERT INTO stage_changes (deal_id, from_stage, to_stage, at, team_id)"
                                   " VALUES (:deal, :before, :after, :at, :team)"),
                           {"deal": deal, "before": before, "after": after, "at": at, "team": team})
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as db:
        changes = db.execute(sa.text("SELECT deal_id, owner_id, advance FROM stage_changes ORDER BY id")).all()
        furthest = dict(db.execute(sa.text("SELECT id, furthest_stage FROM deals")).all())
    assert [(deal, owner, bool(advance)) for deal, owner, advance in changes] == [
        (1, 2, False), (1, 2, True), (1, 2, True), (1, 2, False), (1, 2, False),
        (2, 1, False), (2, 1, True), (2, 1, False),
    ]
    assert furthest == {1: "quote", 2: "demo", 3: None}


def test_0011_gives_every_deal_its_own_uid_and_keeps_ids_from_being_reused(empty_engine: sa.Engine):
    """Stored deals get distinct uids; on SQLite the rebuilt table keeps AUTOINCREMENT, so the
    number of a deleted deal is never handed out again."""
    migrate.upgrade(empty_engine, "0010")
    at = "2026-01-05 09:00:00.000000"
    with empty_engine.begin() as db:
        db.execute(sa.text("INSERT INTO teams (id, name, timezone, language) VALUES (1, 'East', 'UTC', 'en')"))
        db.execute(sa.text("INSERT INTO members (id, handle, team_id, role, display_name) VALUES (1, 'ann', 1, 'rep', '')"))
        db.execute(sa.text("INSERT INTO customers (id, name, team_id, lifecycle, aliases, contacts)"
                           " VALUES (1, 'Acme', 1, 'lead', '[]', '[]')"))
        for deal in (1, 2, 3):
            db.execute(sa.text("INSERT INTO deals (id, title, customer_id, owner_id, team_id, stage, stage_entered_at,"
                               " created_at, currency, status, deliverables_done) VALUES (:deal, 'd', 1, 1, 1,"
                               " 'lead', :at, :at, 'CNY', 'open', '[]')"), {"deal": deal, "at": at})
    migrate.upgrade(empty_engine)
    with empty_engine.begin() as db:
        uids = db.execute(sa.text("SELECT uid FROM deals")).scalars().all()
        if empty_engine.dialect.name == "sqlite":
            db.execute(sa.text("DELETE FROM deals WHERE id = 3"))
            db.execute(sa.text("INSERT INTO deals (title, customer_id, owner_id, team_id, stage, stage_entered_at,"
                               " created_at, currency, status, deliverables_done, uid) VALUES ('e', 1, 1, 1, 'lead',"
                               " :at, :at, 'CNY', 'open', '[]', :uid)"), {"at": at, "uid": "f" * 32})
            assert db.execute(sa.text("SELECT max(id) FROM deals")).scalar() == 4
    assert len(set(uids)) == 3 and all(len(uid) == 32 and int(uid, 16) >= 0 for uid in uids)


def test_0015_gives_stored_customers_their_name_and_alias_keys(empty_engine: sa.Engine):
    """Customers stored before the keys existed are found by name and alias, in any case."""
    from storage.db import make_session_factory
    from storage.uow import SqlUnitOfWork

    migrate.upgrade(empty_engine, "0014_import")
    customers = [(1, "Straße Müller", 1, ["SM", "施特劳斯"]), (2, "ＡＣＭＥ", 1, []), (3, "Acme", 2, ["ACME Intl"])]
    with empty_engine.begin() as db:
        db.execute(sa.text("INSERT INTO teams (id, name, timezone, language) VALUES"
                           " (1, 'East', 'UTC', 'en'), (2, 'West', 'UTC', 'en')"))
        for id_, name, team, aliases in customers:
            db.execute(sa.text("INSERT INTO customers (id, name, team_id, lifecycle, aliases, contacts)"
                               " VALUES (:id, :name, :team, 'lead', :aliases, '[]')"),
                       {"id": id_, "name": name, "team": team, "aliases": json.dumps(aliases)})
    migrate.upgrade(empty_engine)
    with SqlUnitOfWork(make_session_factory(empty_engine)) as uow:
        asked = [(1, "STRASSE MÜLLER"), (1, "sm"), (1, "施特劳斯"), (1, "ａｃｍｅ"), (2, "acme intl"),
                 (1, "acme intl")]
        found = [getattr(uow.customers.by_name(team, name), "id", None) for team, name in asked]
    assert found == [1, 1, 1, 2, 3, None]
    with empty_engine.connect() as db:
        assert db.execute(sa.text("SELECT name_key FROM customers ORDER BY id")).scalars().all() == [
            "strasse müller", "ａｃｍｅ", "acme"]
        keys = db.execute(sa.text("SELECT customer_id, team_id, key FROM customer_alias_keys")).all()
    assert sorted(keys) == [(1, 1, "sm"), (1, 1, "施特劳斯"), (3, 2, "acme intl")]


def test_0030_marks_the_members_of_stored_tokens_as_integrations(empty_engine: sa.Engine):
    """A token made before members had a kind acts as an integration from then on; people stay people."""
    migrate.upgrade(empty_engine, "0029_search")
    with empty_engine.begin() as db:
        db.execute(sa.text("INSERT INTO teams (id, name, timezone, language) VALUES (1, 'East', 'UTC', 'en')"))
        db.execute(sa.text("INSERT INTO members (id, handle, team_id, role, display_name) VALUES"
                           " (1, 'ann', 1, 'rep', 'Ann'), (2, 'crm', 1, 'manager', 'API token crm')"))
        db.execute(sa.text("INSERT INTO api_tokens (name, token_hash, member_id, read_only, created_at)"
                           " VALUES ('crm', :hash, 2, false, '2026-01-05 09:00:00')"), {"hash": "a" * 64})
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as db:
        kinds = db.execute(sa.text("SELECT handle, kind FROM members ORDER BY id")).all()
    assert [tuple(k) for k in kinds] == [("ann", "person"), ("crm", "integration")]


def test_a_newer_schema_is_refused_and_readyz_says_so(empty_engine: sa.Engine):
    """A revision this dealbot does not ship was made by a newer one: refused, never migrated."""
    migrate.upgrade(empty_engine)
    with empty_engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_newer'"))
    with pytest.raises(migrate.SchemaNotReady, match="at schema revision 9999_newer, which this dealbot"):
        migrate.check_schema(empty_engine)
    with pytest.raises(migrate.SchemaNotReady, match="a newer dealbot has migrated it"):
        migrate.ensure_schema(empty_engine)
    assert migrate.schema_lag(empty_engine) == (f"schema at revision 9999_newer is newer than this dealbot "
                                                f"({migrate.head()}): run the newer dealbot")
    assert migrate.current(empty_engine) == "9999_newer"
