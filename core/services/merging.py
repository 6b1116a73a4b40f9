"""`merge customer "Acme Inc" into Acme` (合并): one customer recorded twice becomes one.

Managers (of the team of both) and admins. The first customer's deals (with their tasks and
follow-ups), its own follow-ups and captured chat, its linked chats and suggestions go to the
second; its name and aliases become the second's aliases, its contacts and tags are added
(core.domain.customers.absorb); then it is deleted. One audit entry keeps what it was.
"""

from __future__ import annotations

from core.access import permissions
from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import Reply
from core.domain.customers import absorb
from core.domain.model import DealStatus, Role
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.services.customers import customer_card, customer_code, customer_snapshot, find_customer


def merge_customers(cmd: c.MergeCustomers, ctx: Context) -> Reply:
    if ctx.actor.role not in (Role.MANAGER, Role.ADMIN):
        raise UserError("cust.merge_forbidden")
    source, target = find_customer(ctx, cmd.source), find_customer(ctx, cmd.target)
    if source.id == target.id:
        raise UserError("cust.merge_same", name=target.name)
    if source.team_id != target.team_id:
        raise UserError("cust.merge_other_team", source=source.name, target=target.name)
    if not permissions.is_admin(ctx.actor) and target.team_id != ctx.actor.team_id:
        raise UserError("cust.not_found", name=cmd.target)
    deals = ctx.uow.deals.find(customer_id=source.saved_id)
    follow_ups = len(ctx.uow.privacy.customer_interactions(source.saved_id))
    tasks = sum(len(ctx.uow.tasks.find(deal_id=deal.saved_id)) for deal in deals if deal.status == DealStatus.OPEN)
    gone, before = customer_snapshot(source), customer_snapshot(target)
    gone["contacts"] = [dict(entry) for entry in source.contacts]
    contacts = absorb(target, source)
    source_id = source.saved_id
    ctx.uow.merge_customers(source_id, target.saved_id)
    record(ctx.uow, action="customer.merge", entity=customer_code(target), at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, before={"target": before, "merged": {"id": source_id, **gone}},
           after={"target": customer_snapshot(target), "deals": sorted(d.code for d in deals)})
    reply = customer_card(ctx, target)
    reply.title = t("cust.merged", ctx.lang, source=gone["name"], target=target.name)
    reply.lines = [t("cust.merged_counts", ctx.lang, deals=len(deals), tasks=tasks, follow_ups=follow_ups,
                     contacts=contacts), *reply.lines]
    return reply
