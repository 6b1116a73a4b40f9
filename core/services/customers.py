"""`customer Acme` (客户): a customer's card, and setting its fields.

The card gathers what the team knows of one customer: its lifecycle stage (core.domain.customers),
owner, industry, source and tags; its open deals and closed ones with their totals (lifetime won
value); its contacts; its latest follow-ups, logged and captured; how fast the team answers it in
linked chats (working hours, as core.conversations.response_times); the open tasks of its deals.

Who sees it: anyone of the customer's team (as anyone of a team sees its deals), admins any
team's. Who changes it: permissions.can_change_customer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from core.access import permissions
from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import Field, Reply
from core.conversations.response_times import ResponsePair, format_hours, response_times
from core.domain.amounts import format_money
from core.domain.customers import MAX_TAGS, known_contacts
from core.domain.model import Customer, Deal, DealStatus, Interaction, Member
from core.domain.worktime import WorkSettings
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.replies import cards

CARD_ITEMS = cards.CARD_ITEMS


_AN_ID = re.compile(r"[dtcslua]-?[0-9]+[:：]?", re.IGNORECASE)  # D-12, T-7, C-3, L-7, S-3, U-3, A-3


def find_customer(ctx: Context, name: str) -> Customer:
    """The customer of that name (or alias) in the actor's team; an admin's search goes on
    through the other teams. Refused as not found otherwise: another team's customers are not
    even named."""
    found = ctx.uow.customers.by_name(ctx.actor.team_id, name)
    if found is None and permissions.is_admin(ctx.actor):
        found = next((hit for team in ctx.uow.teams.list() if team.id != ctx.actor.team_id
                      for hit in [ctx.uow.customers.by_name(team.saved_id, name)] if hit is not None), None)
    if found is None or not permissions.can_view_customer(ctx.actor, found):
        if _AN_ID.fullmatch(name):  # `contact D-1 …`: an id where a name belongs; never "new D-1"
            raise UserError("cust.not_found_id", name=name)
        raise UserError("cust.not_found", name=name)
    return found


def show_customer(cmd: c.ShowCustomer, ctx: Context) -> Reply:
    return customer_card(ctx, find_customer(ctx, cmd.name))


def customer_card(ctx: Context, customer: Customer) -> Reply:
    deals = ctx.uow.deals.find(customer_id=customer.saved_id)
    open_deals = [d for d in deals if d.status == DealStatus.OPEN]
    won = [d for d in deals if d.status == DealStatus.WON]
    lost = [d for d in deals if d.status == DealStatus.LOST]
    reply = Reply(title=t("cust.title", ctx.lang, name=customer.name,
                          lifecycle=t(f"cust.lifecycle.{customer.lifecycle}", ctx.lang)), language=ctx.lang)
    reply.fields = [
        Field(t("cust.f.owner", ctx.lang), _owner(ctx, customer, deals)),
        Field(t("cust.f.industry", ctx.lang), customer.industry or "—"),
        Field(t("cust.f.source", ctx.lang), customer.source or "—"),
        Field(t("cust.f.tags", ctx.lang), ", ".join(customer.tags) or "—"),
        Field(t("cust.f.open", ctx.lang), t("cust.count_total", ctx.lang, count=len(open_deals),
                                            total=_totals(open_deals, ctx.lang))),
        Field(t("cust.f.won", ctx.lang), t("cust.count_total", ctx.lang, count=len(won),
                                           total=_totals(won, ctx.lang))),
        Field(t("cust.f.lost", ctx.lang), t("cust.count_total", ctx.lang, count=len(lost),
                                            total=_totals(lost, ctx.lang))),
    ]
    if customer.aliases:
        reply.fields.append(Field(t("cust.f.aliases", ctx.lang), ", ".join(customer.aliases)))
    interactions = ctx.uow.privacy.customer_interactions(customer.saved_id)
    reply.fields.append(Field(t("cust.f.response", ctx.lang), _response_time(ctx, customer, interactions)))
    lines = reply.lines
    lines.append(t("cust.deals", ctx.lang, count=len(deals)))
    shown = open_deals[:CARD_ITEMS] + [d for d in deals if d.status != DealStatus.OPEN][:CARD_ITEMS]
    lines += [_deal_line(ctx, deal, customer) for deal in shown] or [t("cust.none", ctx.lang)]
    if len(deals) > len(shown):
        lines.append(cards.more_line(ctx.lang, len(deals) - len(shown)))
    people = known_contacts(customer, interactions)
    lines.append(t("cust.contacts", ctx.lang, count=len(people)))
    lines += [contact_line(entry) for entry in people[:CARD_ITEMS]] or [t("cust.none", ctx.lang)]
    if len(people) > CARD_ITEMS:
        lines.append(cards.more_line(ctx.lang, len(people) - CARD_ITEMS, f"contacts {customer.name}"))
    latest = list(reversed(interactions[-CARD_ITEMS:]))
    lines.append(t("cust.latest", ctx.lang, count=len(interactions)))
    lines += [cards.interaction_line(ctx, item) for item in latest] or [t("cust.none", ctx.lang)]
    tasks = [task for deal in open_deals for task in ctx.uow.tasks.find(deal_id=deal.saved_id)]
    lines.append(t("cust.tasks", ctx.lang, count=len(tasks)))
    lines += [cards.task_line(ctx, task) for task in tasks[:CARD_ITEMS]] or [t("cust.none", ctx.lang)]
    if len(tasks) > CARD_ITEMS:
        lines.append(cards.more_line(ctx.lang, len(tasks) - CARD_ITEMS))
    return reply


def contact_line(entry: dict[str, Any]) -> str:
    """`王经理 · 采购 · 138… · wang@acme.cn`: the parts a contact has, in that order."""
    parts = [str(entry[key]) for key in ("name", "role", "phone", "email") if entry.get(key)]
    return " · ".join(parts) or "—"


def _deal_line(ctx: Context, deal: Deal, customer: Customer) -> str:
    line = cards.deal_line(ctx, deal, customer.name)
    if deal.status != DealStatus.OPEN:
        line += " · " + t(f"status.{deal.status}", ctx.lang)
    return line


def _owner(ctx: Context, customer: Customer, deals: Sequence[Deal]) -> str:
    if customer.owner_id is not None:
        return cards.member_name(ctx, customer.owner_id)
    first = min(deals, key=lambda d: d.saved_id, default=None)
    if first is None:
        return "—"
    return t("cust.owner_of_first_deal", ctx.lang, member=cards.member_name(ctx, first.owner_id), deal=first.code)


def _totals(deals: Iterable[Deal], lang: str) -> str:
    """The sum of each currency: ¥150,000 + $3,000 (deals without an amount count as none)."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for deal in deals:
        if deal.amount is not None:
            sums[deal.currency] += deal.amount
    return " + ".join(format_money(total, currency, lang) for currency, total in sorted(sums.items())) or "—"


def _response_time(ctx: Context, customer: Customer, interactions: Sequence[Interaction]) -> str:
    """The median time the team took to answer the customer's messages in its linked chats, in
    working hours; pairs as storage's response_pairs makes them for the team's figures."""
    waiting: dict[tuple[str, str], list[ResponsePair]] = defaultdict(list)
    pairs: list[ResponsePair] = []
    for item in interactions:
        if item.kind != "message":
            continue
        chat = (item.platform, item.chat_id)
        if item.author_kind == "contact":
            waiting[chat].append(ResponsePair(item.occurred_at))
        elif item.author_id is not None and waiting[chat]:
            pairs += [ResponsePair(p.asked_at, item.occurred_at, item.author_id) for p in waiting.pop(chat)]
    team = ctx.uow.teams.get(customer.team_id)
    if team is None:
        return "—"
    figures = response_times(pairs, WorkSettings.of(team.timezone, team.settings))
    if figures.team_median is None:
        return "—"
    return t("cust.response", ctx.lang, hours=format_hours(figures.team_median, ctx.lang), count=figures.answered)


# -- setting fields ------------------------------------------------------------------------------
def set_customer(cmd: c.SetCustomer, ctx: Context) -> Reply:
    customer = find_customer(ctx, cmd.name)
    deals = ctx.uow.deals.find(customer_id=customer.saved_id)
    if not permissions.can_change_customer(ctx.actor, customer, deals):
        raise UserError("cust.forbidden", name=customer.name)
    before = customer_snapshot(customer)
    if cmd.new_name is not None and cmd.new_name != customer.name:
        other = ctx.uow.customers.by_name(customer.team_id, cmd.new_name)
        if other is not None and other.id != customer.id:
            raise UserError("cust.name_taken", name=cmd.new_name)
        old = customer.name
        customer.name = cmd.new_name
        # the old name stays an alias: deals and chats that say it still find the customer
        customer.aliases = [a for a in customer.aliases if a.casefold() != cmd.new_name.casefold()]
        if old.casefold() not in {a.casefold() for a in customer.aliases}:
            customer.aliases = [*customer.aliases, old]
    if cmd.industry is not None:
        customer.industry = cmd.industry or None
    if cmd.source is not None:
        customer.source = cmd.source or None
    if cmd.owner is not None:
        customer.owner_id = _new_owner(ctx, customer, cmd.owner).id
    if cmd.lifecycle is not None:
        customer.lifecycle = cmd.lifecycle
    if cmd.tags_added or cmd.tags_removed:
        removed = {tag.casefold() for tag in cmd.tags_removed}
        kept = [tag for tag in customer.tags if tag.casefold() not in removed]
        known = {tag.casefold() for tag in kept}
        tags = kept + [tag for tag in cmd.tags_added if tag.casefold() not in known]
        if len(tags) > MAX_TAGS:
            raise UserError("cust.too_many_tags", limit=MAX_TAGS)
        customer.tags = tags
    after = customer_snapshot(customer)
    changed = [key for key in after if before[key] != after[key]]
    if not changed:
        return Reply(title=t("cust.unchanged", ctx.lang, name=customer.name), language=ctx.lang)
    record(ctx.uow, action="customer.update", entity=customer_code(customer), at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    reply = customer_card(ctx, customer)
    reply.title = t("cust.updated", ctx.lang, name=customer.name)
    reply.lines = [_change_line(ctx, key, before[key], after[key]) for key in changed] + reply.lines
    return reply


def _new_owner(ctx: Context, customer: Customer, handle: str) -> Member:
    member = ctx.uow.members.by_handle(handle)
    if member is None:
        raise UserError("err.member_not_found", handle=handle)
    if not member.is_active or member.team_id != customer.team_id:
        key = "err.assign_removed" if not member.is_active else "err.assign_other_team"
        raise UserError(key, member=member.ref())
    if member.id != ctx.actor.id and not permissions.can_assign_to_others(ctx.actor):
        raise UserError("err.forbidden_assign", handle=handle)
    return member


def customer_code(customer: Customer) -> str:
    return f"customer:{customer.saved_id}"


def customer_snapshot(customer: Customer) -> dict[str, Any]:
    return {"name": customer.name, "lifecycle": customer.lifecycle, "owner_id": customer.owner_id,
            "industry": customer.industry, "source": customer.source, "tags": list(customer.tags),
            "aliases": list(customer.aliases)}


def _change_line(ctx: Context, key: str, old: Any, new: Any) -> str:
    def shown(value: Any) -> str:
        if key == "lifecycle":
            return t(f"cust.lifecycle.{value}", ctx.lang)
        if key == "owner_id":
            return cards.member_name(ctx, value)
        if isinstance(value, list):
            return ", ".join(value) or "—"
        return str(value) if value else "—"
    return t("cust.changed", ctx.lang, field=t(f"cust.k.{key}", ctx.lang), old=shown(old), new=shown(new))
