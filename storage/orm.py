"""Imperative mapping of the plain domain classes onto storage.tables.

The domain keeps no ORM base class (cosmicpython style): mapping happens here, once, when the
composition root (or storage.db.make_session_factory) calls start_mappers(). Only plain columns
are mapped; relations stay ids, as in the domain.

Mapping a dataclass imperatively keeps its generated __init__, so default_factory lists and
enum defaults still apply to new objects; loaded objects skip __init__ and get every field from
its column (enums come back as members via StrEnumType, JSON lists/dicts as Mutable wrappers).
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, event, inspect, update
from sqlalchemy.orm import registry

from core.access.door import AccessRequest, Invite
from core.domain.model import (
    AuditEntry,
    ChatBinding,
    Customer,
    Deal,
    Identity,
    Interaction,
    Member,
    StageChange,
    Task,
    Team,
)
from core.leads.model import Lead, LeadOffer
from storage import customer_keys, search, tables

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
    AccessRequest: tables.access_requests,
    Invite: tables.invites,
    Lead: tables.leads,
    LeadOffer: tables.lead_offers,
}
# Not mapped: Suggestion. The capture hook makes them by the batch, and a mapped class's
# constructor sends every field through the ORM's attribute events (about 5% of a 100-message
# capture batch); storage.conversations reads and writes them as plain rows, like the outbox.


def _is_mapped(cls: type) -> bool:
    return inspect(cls, raiseerr=False) is not None


# Columns storage keeps for itself: mapped (so storage can set them) but not fields of the
# domain class. A stage change's team is a copy of its deal's (tables.py); the stage-change
# repository sets it from the deal the session holds, without asking the database.
# A customer's name key is core.domain.model.customer_key(name), indexed (storage.customer_keys).
STORAGE_ONLY: dict[type, list[str]] = {StageChange: ["team_id"], Customer: ["name_key"]}


def start_mappers() -> None:
    """Map every domain class. Safe to call more than once (tests, CLI and bot all call it)."""
    for cls, table in MAPPED.items():
        if not _is_mapped(cls):
            mapper_registry.map_imperatively(cls, table)
            if cls is Deal:
                event.listen(Deal, "after_update", _deal_updated)
            if cls is Customer:
                customer_keys.listen()
            if cls is Interaction:  # mapped after Deal and Customer (MAPPED's order)
                search.listen()


def _deal_updated(_mapper, connection: Connection, deal: Deal) -> None:
    """A deal moved to another team (a CSV import): its stage changes' copy of the team follows,
    in the same flush and transaction."""
    if inspect(deal).attrs.team_id.history.has_changes():
        changes = tables.stage_changes
        connection.execute(update(changes).where(changes.c.deal_id == deal.id).values(team_id=deal.team_id))
