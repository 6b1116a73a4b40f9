"""`contact Acme "王经理" role:采购 …` (联系人) and `contacts Acme` (通讯录): a customer's people.

Contacts are kept on the customer (a list of entries: name, role, phone, email, and platform and
user_id when the person is known in a linked chat), as the CSV files and `forget` already read
them. The people of the customer's side who write in its linked chats are contacts too: listed
with the typed ones (core.domain.customers.known_contacts), and joined to a typed contact of their
name when one is added.
"""

from __future__ import annotations

from typing import Any

from core.access import permissions
from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import Reply
from core.domain.customers import MAX_CONTACTS, captured_person, known_contacts
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.replies import cards
from core.services.customers import contact_line, customer_code, find_customer


def set_contact(cmd: c.SetContact, ctx: Context) -> Reply:
    customer = find_customer(ctx, cmd.customer)
    if not permissions.can_change_customer(ctx.actor, customer, ctx.uow.deals.find(customer_id=customer.saved_id)):
        raise UserError("cust.forbidden", name=customer.name)
    entries = [dict(entry) for entry in customer.contacts]
    index = next((i for i, entry in enumerate(entries)
                  if str(entry.get("name", "")).casefold() == cmd.name.casefold()), None)
    before = dict(entries[index]) if index is not None else None
    if cmd.remove:
        if index is None:
            raise UserError("cust.no_contact", name=cmd.name, customer=customer.name)
        del entries[index]
        after: dict[str, Any] | None = None
        title = t("cust.contact_removed", ctx.lang, name=cmd.name, customer=customer.name)
    else:
        if index is None:
            if len(entries) >= MAX_CONTACTS:
                raise UserError("cust.too_many_contacts", limit=MAX_CONTACTS)
            entries.append({"name": cmd.name})
            index = len(entries) - 1
        entry = entries[index]
        for key, value in (("role", cmd.role), ("phone", cmd.phone), ("email", cmd.email)):
            if value == "":
                entry.pop(key, None)
            elif value is not None:
                entry[key] = value
        if not entry.get("user_id"):
            person = captured_person(cmd.name, ctx.uow.privacy.customer_interactions(customer.saved_id))
            if person is not None:
                entry["platform"], entry["user_id"] = person
        after = entry
        if after == before:
            return Reply(title=t("cust.contact_unchanged", ctx.lang, name=cmd.name), language=ctx.lang)
        key = "cust.contact_added" if before is None else "cust.contact_changed"
        title = t(key, ctx.lang, name=cmd.name, customer=customer.name)
    customer.contacts = entries
    record(ctx.uow, action="customer.contact", entity=customer_code(customer), at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, before={"contact": before}, after={"contact": after})
    reply = Reply(title=title, language=ctx.lang)
    if after is not None:
        reply.lines.append(contact_line(after) + (t("cust.joined", ctx.lang, platform=after["platform"])
                                                  if after.get("user_id") else ""))
    return reply


def list_contacts(cmd: c.ListContacts, ctx: Context) -> Reply:
    customer = find_customer(ctx, cmd.customer)
    people = known_contacts(customer, ctx.uow.privacy.customer_interactions(customer.saved_id))
    reply = Reply(title=t("cust.contacts_title", ctx.lang, customer=customer.name, count=len(people)),
                  language=ctx.lang)
    reply.lines = [person_line(ctx, entry) for entry in people[:cards.LIST_LIMIT]]
    if len(people) > cards.LIST_LIMIT:
        reply.lines.append(cards.more_line(ctx.lang, len(people) - cards.LIST_LIMIT))
    if not people:
        reply.lines.append(t("cust.no_contacts", ctx.lang, customer=customer.name))
    return reply


def person_line(ctx: Context, entry: dict[str, Any]) -> str:
    """A typed contact's line, or a person from the chats: `Li Wei · from the chat (telegram), last …`."""
    if entry.get("captured"):
        return t("cust.from_chat", ctx.lang, name=entry["name"], platform=entry["platform"],
                 when=cards.when(ctx, entry["last"]))
    line = contact_line(entry)
    return line + t("cust.joined", ctx.lang, platform=entry["platform"]) if entry.get("user_id") else line
