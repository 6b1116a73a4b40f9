"""Imperative mapping of the plain domain classes onto storage.tables.

The domain keeps no ORM base class (cosmicpython style): mapping happens here, once, when the
composition root (or storage.db.make_session_factory) calls start_mappers(). Only plain columns
are mapped; relations stay ids, as in the domain.

Mapping a dataclass imperatively keeps its generated __init__, so default_factory lists and
enum defaults still apply to new objects; loaded objects skip __init__ and get every field from
its column (enums come back as members via StrEnumType, JSON lists/dicts as Mutable wrappers).
"""

from __future__ import annotations

from sqlalchemy import Table, inspect
from sqlalchemy.orm import registry

from core.model import (
    AuditEntry,
    ChatBinding,
    Customer,
    Deal,
    Identity,
    Interaction,
    Member,
    StageChange,
    Suggestion,
    Task,
    Team,
)
from storage import tables

mapper_registry = registry(metadata=tables.metadata)

MAPPED: dict[type, Table] = {
    Team: tables.teams,
    Member: tables.members,
    Identity: tables.identities,
    Customer: tables.customers,
    Deal: tables.deals,
    StageChange: tables.stage_changes,
    Task: tables.tasks,
    Interaction: tables.interactions,
    AuditEntry: tables.audit_entries,
    ChatBinding: tables.chat_bindings,
    Suggestion: tables.suggestions,
}


def _is_mapped(cls: type) -> bool:
    return inspect(cls, raiseerr=False) is not None


def start_mappers() -> None:
    """Map every domain class. Safe to call more than once (tests, CLI and bot all call it)."""
    for cls, table in MAPPED.items():
        if not _is_mapped(cls):
            mapper_registry.map_imperatively(cls, table)
