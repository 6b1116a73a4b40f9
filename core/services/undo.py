"""`undo` (撤销): a member takes back their own last change, within ten minutes.

The change is found in the audit trail: the member's latest entries of one command (one source,
one moment) among the actions below. Each entry's `before` is what it changed from, so undoing
puts those fields back — through Deal.move_to when the stage changes, so the history keeps both
moves — and writes an `undo` entry naming the entry it undid. Nothing is undone when anything
came after the change on the same deal or task (a teammate moved it on), or when it was undone
already; the reply says which.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from core.access.audit import changed_fields, deal_snapshot, record, task_snapshot
from core.chat.context import Context
from core.chat.messages import Reply
from core.domain.model import AuditEntry, Deal, Task
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.replies import cards
from core.services.approval_gate import gate_amount

WINDOW = timedelta(minutes=10)
UNDOABLE = frozenset({
    "deal.move", "deal.won", "deal.lost", "deal.reopen", "deal.edit", "deal.assign", "deal.check",
    "task.create", "task.done", "task.cancel", "task.assign",
    "deal.forecast",  # a pipeline review's call (core.services.review), with its task and any slip
})
UNDO = "undo"


def undo(cmd: c.Undo, ctx: Context) -> Reply:
    entries = [e for e in ctx.uow.audit.by_actor_since(ctx.actor.saved_id, ctx.now - WINDOW)
               if e.action in UNDOABLE]
    if not entries:
        raise UserError("undo.nothing", minutes=int(WINDOW.total_seconds() // 60))
    last = entries[-1]
    group = [e for e in entries if (e.source, e.at) == (last.source, last.at)]  # one command's entries
    main = group[0]
    what = t(f"undo.what.{main.action}", ctx.lang, entity=main.entity)
    ids = {e.id for e in group}
    for entry in group:
        for later in ctx.uow.audit.for_entity(entry.entity):
            if later.id in ids or (later.at, later.id or 0) <= (entry.at, entry.id or 0):
                continue
            if later.action == UNDO and (later.after or {}).get("undid") in ids:
                raise UserError("undo.already", what=what)
            raise UserError("undo.changed_since", what=what, entity=entry.entity,
                            who=cards.member_name(ctx, later.actor_id))
    for entry in reversed(group):
        _revert(ctx, entry)
    reply = Reply(title=t("undo.done", ctx.lang, what=what), language=ctx.lang)
    for code in dict.fromkeys(e.entity for e in group if e.entity.startswith("D-")):
        deal = ctx.uow.deals.get(int(code[2:]))
        if deal is not None:
            reply.lines.append(_deal_line(ctx, deal))
    return reply


def _deal_line(ctx: Context, deal: Deal) -> str:
    customer = ctx.uow.customers.get(deal.customer_id)
    return cards.deal_line(ctx, deal, customer.name if customer else "—")


def _revert(ctx: Context, entry: AuditEntry) -> None:
    kind, number = entry.entity.split("-", 1) if "-" in entry.entity else ("", "")
    if kind == "D" and number.isdigit() and (deal := ctx.uow.deals.get(int(number))) is not None:
        before = deal_snapshot(deal)
        _revert_deal(ctx, deal, entry.before or {})
        if entry.action == "deal.forecast" and isinstance(call := (entry.after or {}).get("call"), int):
            ctx.uow.forecast_calls.remove(call)
        deal.last_activity_at = ctx.now
        old, new = changed_fields(before, deal_snapshot(deal))
    elif kind == "T" and number.isdigit() and (task := ctx.uow.tasks.get(int(number))) is not None:
        before = task_snapshot(task)
        _revert_task(ctx, task, entry)
        old, new = changed_fields(before, task_snapshot(task))
    else:
        raise UserError("undo.gone", entity=entry.entity)
    record(ctx.uow, action=UNDO, entity=entry.entity, at=ctx.now, actor_id=ctx.actor.id, source=ctx.source,
           before=old, after={**new, "undid": entry.id, "action": entry.action})


def _revert_deal(ctx: Context, deal: Deal, before: dict[str, Any]) -> None:
    if "stage" in before and before["stage"] != deal.stage and before["stage"] in ctx.pipeline.keys:
        ctx.uow.stage_changes.add(deal.move_to(before["stage"], ctx.now, ctx.actor.id, ctx.pipeline,
                                               lost_reason=before.get("lost_reason")))
        if "closed_at" in before:
            deal.closed_at = _moment(before["closed_at"])
    if "title" in before:
        deal.title = before["title"]
    if "amount" in before or "currency" in before:
        amount = deal.amount if "amount" not in before else None if before["amount"] is None \
            else Decimal(before["amount"])
        currency = before.get("currency", deal.currency)
        gate_amount(ctx, deal, amount, currency)  # raised past a gated stage (issue 20)
        deal.amount, deal.currency = amount, currency
    if "expected_close" in before:
        deal.expected_close = _moment(before["expected_close"])
    if "owner_id" in before:
        deal.owner_id = before["owner_id"]
    if "deliverables_done" in before:
        deal.deliverables_done = list(before["deliverables_done"])


def _revert_task(ctx: Context, task: Task, entry: AuditEntry) -> None:
    if entry.action == "task.create":
        task.cancel(ctx.now)  # made by mistake: settled, not done, and no reminder goes out
        return
    before = entry.before or {}
    if "assignee_id" in before:
        task.assignee_id = before["assignee_id"]
    if "done_at" in before:
        task.done_at = _moment(before["done_at"])
    task.cancelled_at = _moment(before.get("cancelled_at"))


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
