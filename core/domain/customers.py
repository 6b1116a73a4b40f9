"""A customer's lifecycle: lead → opportunity → customer → former customer.

Stored as `lead`, `prospect`, `customer`, `churned` (the words of the CSV files since they
existed); shown as lead / opportunity / customer / former customer (线索 / 商机 / 成交客户 /
流失客户). Deals move it on their own: a deal opened for a lead makes an opportunity, a won deal
makes a customer (a former customer too: they came back). Nothing moves it back by itself; a
manager or the customer's owner sets any stage by hand (`customer Acme lifecycle:former`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.domain.model import Customer, Interaction

LIFECYCLES = ("lead", "prospect", "customer", "churned")

# every word a member may type for a stage, English and Chinese, folded
LIFECYCLE_WORDS = {
    "lead": "lead", "线索": "lead", "潜在客户": "lead",
    "opportunity": "prospect", "prospect": "prospect", "商机": "prospect", "意向客户": "prospect",
    "customer": "customer", "客户": "customer", "成交客户": "customer",
    "former": "churned", "former customer": "churned", "churned": "churned", "流失": "churned",
    "流失客户": "churned", "前客户": "churned",
}

MAX_TAGS = 20
MAX_FIELD_LENGTH = 100


def after_new_deal(customer: Customer) -> bool:
    """A deal opened for a lead makes an opportunity. True when the stage moved."""
    if customer.lifecycle == "lead":
        customer.lifecycle = "prospect"
        return True
    return False


def after_won_deal(customer: Customer) -> bool:
    """A won deal makes a customer, whatever the stage was. True when the stage moved."""
    if customer.lifecycle != "customer":
        customer.lifecycle = "customer"
        return True
    return False


MAX_CONTACTS = 200
CONTACT_FIELDS = ("name", "role", "phone", "email")


def known_contacts(customer: Customer, interactions: Iterable[Interaction]) -> list[dict[str, Any]]:
    """The customer's contacts: those typed in (`contact Acme "王经理" …`, an import), then the
    people of its side who wrote in its linked chats and are not among them yet, oldest first,
    each once (`captured`: True, `last`: when they last wrote). A typed contact is the same person
    as a captured one when it is linked to their account (platform, user_id) or has their name."""
    entries = [dict(entry) for entry in customer.contacts]
    linked = {(entry.get("platform"), str(entry["user_id"])) for entry in entries if entry.get("user_id")}
    names = {str(entry.get("name", "")).casefold() for entry in entries}
    captured: dict[tuple[str, str], dict[str, Any]] = {}
    for item in interactions:
        if item.kind != "message" or item.author_kind != "contact" or not item.author_ref:
            continue
        key = (item.platform, item.author_ref)
        name = item.author_name or item.author_ref
        if key in linked or name.casefold() in names:
            continue
        captured[key] = {"name": name, "platform": item.platform, "user_id": item.author_ref,
                         "captured": True, "last": item.occurred_at}
    return entries + list(captured.values())


def captured_person(name: str, interactions: Iterable[Interaction]) -> tuple[str, str] | None:
    """(platform, user id) of the one person of that name who wrote in the customer's linked
    chats; None when nobody did, or several people share the name."""
    found = {(item.platform, item.author_ref) for item in interactions
             if item.kind == "message" and item.author_kind == "contact" and item.author_ref
             and (item.author_name or "").casefold() == name.casefold()}
    return found.pop() if len(found) == 1 else None


_LIFECYCLE_RANK = {"lead": 0, "prospect": 1, "churned": 2, "customer": 3}


def absorb(into: Customer, other: Customer) -> int:
    """What `merge customer "Acme Inc" into Acme` does to Acme's own fields: the other's name
    and aliases become aliases, its contacts and tags are added (those of a name Acme has
    already are not), an empty industry, source or owner is taken from it, and the lifecycle is
    the further of the two (a customer over a former one over an opportunity over a lead).
    Returns how many contacts were added."""
    known = {into.name.casefold(), *(alias.casefold() for alias in into.aliases)}
    for name in (other.name, *other.aliases):
        if name.casefold() not in known:
            into.aliases = [*into.aliases, name]
            known.add(name.casefold())
    names = {str(entry.get("name", "")).casefold() for entry in into.contacts}
    added = [dict(entry) for entry in other.contacts if str(entry.get("name", "")).casefold() not in names]
    into.contacts = [*into.contacts, *added]
    tags = {tag.casefold() for tag in into.tags}
    into.tags = [*into.tags, *(tag for tag in other.tags if tag.casefold() not in tags)][:MAX_TAGS]
    into.industry = into.industry or other.industry
    into.source = into.source or other.source
    into.owner_id = into.owner_id if into.owner_id is not None else other.owner_id
    if _LIFECYCLE_RANK.get(other.lifecycle, 0) > _LIFECYCLE_RANK.get(into.lifecycle, 0):
        into.lifecycle = other.lifecycle
    return len(added)
