"""storage.db and storage.orm: URLs, engines, sessions, row counts, the mapping itself."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from core.domain.model import Customer, Team
from storage import tables
from storage.db import make_engine, normalize_url, row_counts
from storage.orm import MAPPED, STORAGE_ONLY, start_mappers


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgres://u:p@db:5432/dealbot", "postgresql+psycopg"),
        ("postgresql://u:p@db/dealbot", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db/dealbot", "postgresql+psycopg"),
        ("sqlite:///data/dealbot.db", "sqlite"),
    ],
)
def test_urls_are_normalized_to_psycopg(url: str, driver: str):
    assert normalize_url(url).drivername == driver


def test_postgres_engines_ping_before_use():
    engine = make_engine("postgres://u@127.0.0.1:1/dealbot")  # no connection is made
    assert engine.pool._pre_ping and engine.dialect.driver == "psycopg"


def test_row_counts_cover_every_table(uow_factory, engine: sa.Engine):
    assert row_counts(engine) == dict.fromkeys(tables.metadata.tables, 0)
    with uow_factory() as uow:
        uow.teams.add(Team(name="East"))
        uow.commit()
    assert row_counts(engine) == dict.fromkeys(tables.metadata.tables, 0) | {"teams": 1}


def test_start_mappers_is_idempotent():
    start_mappers()
    start_mappers()
    assert all(sa.inspect(cls).local_table is table for cls, table in MAPPED.items())


@pytest.mark.parametrize("cls", list(MAPPED), ids=lambda cls: cls.__name__)
def test_every_dataclass_field_has_a_column(cls: type):
    # A field added to core.domain.model without a column (and a migration) would be silently dropped.
    # Storage's own columns (a copy of the deal's team on a stage change) are mapped, not fields.
    own = set(STORAGE_ONLY.get(cls, ()))
    assert {f.name for f in dataclasses.fields(cls)} == set(MAPPED[cls].columns.keys()) - own
    start_mappers()
    assert own <= set(sa.inspect(cls).attrs.keys())


def test_mapped_classes_keep_their_dataclass_defaults():
    start_mappers()
    first, second = Customer(name="a", team_id=1), Customer(name="b", team_id=1)
    first.aliases.append("A")
    assert second.aliases == [] and first.contacts == []  # default_factory, not a shared list
    assert Team(name="x").pipeline is None
