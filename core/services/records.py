"""What the REST API reads and changes beyond the chat verbs: deals, customers, tasks, stage
changes and interactions as plain JSON-able records, and `PATCH /deals/{id}`.

Every read goes through the same permission rules as chat (core.access.permissions, via
core.services.deals.load_deal); every change is audited under the actor, as in chat.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from core.access import permissions
from core.access.audit import changed_fields, deal_snapshot, record
from core.chat.context import Context
from core.domain.amounts import Money
from core.domain.customers import known_contacts
from core.domain.model import Customer, Deal, Interaction, Role, StageChange, Task
from core.language.errors import UserError
from core.services.approval_gate import gate_amount
from core.services.deals import load_deal, resolve_member


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).isoformat()


def deal_record(ctx: Context, deal: Deal) -> dict[str, Any]:
    owner = ctx.uow.members.get(deal.owner_id)
    customer = ctx.uow.customers.get(deal.customer_id)
    return {
        "id": deal.code, "number": deal.saved_id, "title": deal.title,
        "customer": {"id": deal.customer_id, "name": customer.name if customer else None},
        "owner": owner.handle if owner else None, "team_id": deal.team_id,
        "stage": deal.stage, "status": str(deal.status),
        "amount": None if deal.amount is None else str(deal.amount), "currency": deal.currency,
        "expected_close": _iso(deal.expected_close), "created_at": _iso(deal.created_at),
        "stage_entered_at": _iso(deal.stage_entered_at), "closed_at": _iso(deal.closed_at),
        "lost_reason": deal.lost_reason, "deliverables_done": list(deal.deliverables_done),
        "last_activity_at": _iso(deal.last_activity_at),
    }


def etag(deal: Deal) -> str:
    """A strong validator of everything a client can see or change of the deal."""
    seen = [deal.title, deal.stage, str(deal.status), None if deal.amount is None else f"{deal.amount:.2f}",
            deal.currency, deal.owner_id, deal.customer_id, deal.lost_reason, list(deal.deliverables_done),
            *(_iso(when) for when in (deal.expected_close, deal.closed_at, deal.stage_entered_at,
                                      deal.last_activity_at))]
    return '"' + hashlib.sha256(json.dumps(seen).encode()).hexdigest()[:20] + '"'


def customer_record(customer: Customer) -> dict[str, Any]:
    return {"id": customer.saved_id, "name": customer.name, "team_id": customer.team_id}


_CONTACT_FIELDS = ("name", "role", "phone", "email", "platform", "user_id")


def contact_records(ctx: Context, customer: Customer) -> list[dict[str, Any]]:
    """The customer's contacts as `contacts` lists them: the typed ones (`contact Acme "王经理" …`),
    then the people of its side who wrote in its linked chats (`captured`, with when they last wrote)."""
    people = known_contacts(customer, ctx.uow.privacy.customer_interactions(customer.saved_id))
    return [{key: entry.get(key) for key in _CONTACT_FIELDS}
            | {"captured": bool(entry.get("captured")), "last_message_at": _iso(entry.get("last"))}
            for entry in people]


def task_record(ctx: Context, task: Task) -> dict[str, Any]:
    assignee = ctx.uow.members.get(task.assignee_id)
    return {
        "id": task.code, "title": task.title, "assignee": assignee.handle if assignee else None,
        "deal": None if task.deal_id is None else f"D-{task.deal_id}", "due_at": _iso(task.due_at),
        "done_at": _iso(task.done_at), "cancelled_at": _iso(task.cancelled_at),
    }


def stage_change_record(change: StageChange) -> dict[str, Any]:
    return {"from": change.from_stage, "to": change.to_stage, "at": _iso(change.at), "by": change.by_id}


def interaction_record(item: Interaction) -> dict[str, Any]:
    return {"kind": item.kind, "text": item.text, "at": _iso(item.occurred_at), "by": item.author_id}


def visible_customer(ctx: Context, customer_id: int) -> Customer:
    customer = ctx.uow.customers.get(customer_id)
    if customer is None or not (permissions.is_admin(ctx.actor) or customer.team_id == ctx.actor.team_id):
        raise UserError("api.not_found", ref=f"C-{customer_id}")
    return customer


def customers_of(ctx: Context) -> list[Customer]:
    """The customers the actor may see: their team's (an admin's: every team's), newest first."""
    teams = [team.saved_id for team in ctx.uow.teams.list()] if permissions.is_admin(ctx.actor) \
        else [ctx.actor.team_id]
    found = [customer for team_id in teams for customer in ctx.uow.transfer.customers_of(team_id)]
    return sorted(found, key=lambda customer: -customer.saved_id)


def tasks_of(ctx: Context, *, mine: bool) -> list[Task]:
    """Open tasks the actor may see: a rep's own (`tasks`), a manager's team's, an admin's all."""
    tasks = ctx.uow.tasks.find(
        assignee_id=ctx.actor.id if mine or ctx.actor.role == Role.REP else None,
        team_id=None if permissions.is_admin(ctx.actor) else ctx.actor.team_id,
    )
    return sorted(tasks, key=lambda task: -task.saved_id)


def history_of(ctx: Context, deal_id: int) -> list[StageChange]:
    deal = load_deal(ctx, deal_id, change=False)
    if not permissions.can_read_history(ctx.actor, deal):
        raise UserError("err.forbidden_history", deal=deal.code)
    return list(ctx.uow.stage_changes.for_deal(deal.saved_id))


def interactions_of(ctx: Context, deal_id: int, limit: int) -> list[Interaction]:
    deal = load_deal(ctx, deal_id, change=False)
    return list(ctx.uow.interactions.for_deal(deal.saved_id, limit=limit))


def update_deal(ctx: Context, deal_id: int, *, title: str | None = None, amount: Money | None = None,
                expected_close: datetime | None = None, owner: str | None = None) -> Deal:
    """`PATCH /deals/{id}`: the fields a rep may set on their deal; a new owner needs a manager."""
    deal = load_deal(ctx, deal_id, change=True)
    before = deal_snapshot(deal)
    if owner is not None:
        member = resolve_member(ctx, owner)
        if member.team_id != deal.team_id:
            raise UserError("err.assign_other_team", member=member.ref())
        deal.owner_id = member.saved_id
    if title is not None:
        deal.title = title
    if amount is not None:
        gate_amount(ctx, deal, amount.amount, amount.currency)  # raised past a gated stage (issue 20)
        deal.amount, deal.currency = amount.amount, amount.currency
    if expected_close is not None:
        deal.expected_close = expected_close
    deal.last_activity_at = ctx.now
    old, new = changed_fields(before, deal_snapshot(deal))
    record(ctx.uow, action="deal.update", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, before=old, after=new)
    return deal
