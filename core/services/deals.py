"""Deal use cases: create, show, list, move, tick deliverables, win, lose, log a follow-up."""

from __future__ import annotations

from core import cards, permissions
from core import commands as c
from core.amounts import Money
from core.audit import changed_fields, deal_snapshot, record
from core.context import Context
from core.errors import UserError
from core.i18n import t
from core.messages import Button, Reply
from core.model import Customer, Deal, DealStatus, Interaction, Member, Task
from core.pipeline import LOST, WON


def load_deal(ctx: Context, deal_id: int, *, change: bool) -> Deal:
    """The deal, if it exists and the actor may see (and, with change=True, change) it."""
    deal = ctx.uow.deals.get(deal_id)
    if deal is None:
        raise UserError("err.deal_not_found", ref=f"D-{deal_id}")
    if not permissions.can_view_deal(ctx.actor, deal):
        raise UserError("err.forbidden_view", deal=deal.code)
    if change and not permissions.can_change_deal(ctx.actor, deal):
        owner = ctx.uow.members.get(deal.owner_id)
        raise UserError("err.forbidden_deal", deal=deal.code, owner=cards.handle_of(owner))
    return deal


def resolve_member(ctx: Context, handle: str | None) -> Member:
    """The member a command names with @handle, or the actor; giving work away needs a manager."""
    if handle is None or handle == ctx.actor.handle:
        return ctx.actor
    if not permissions.can_assign_to_others(ctx.actor):
        raise UserError("err.forbidden_assign", handle=handle)
    member = ctx.uow.members.by_handle(handle)
    if member is None:
        raise UserError("err.member_not_found", handle=handle)
    return member


def _customer(ctx: Context, name: str) -> Customer:
    return ctx.uow.customers.named(ctx.team.id, name)


def new_deal(cmd: c.NewDeal, ctx: Context) -> Reply:
    owner = resolve_member(ctx, cmd.owner)
    customer = _customer(ctx, cmd.customer)
    stage = cmd.stage or ctx.pipeline.first.key
    if ctx.pipeline.get(stage).is_closed:
        raise UserError("err.unknown_stage", verb="new", value=stage, hint="err.stages_are")
    deal = ctx.uow.deals.add(Deal(
        title=cmd.title or customer.name, customer_id=customer.id, owner_id=owner.id,
        team_id=owner.team_id, stage=stage, stage_entered_at=ctx.now, created_at=ctx.now,
        amount=cmd.amount.amount if cmd.amount else None,
        currency=cmd.amount.currency if cmd.amount else ctx.defaults.currency,
        # Its furthest stage is known before the insert, so the change below finds it set.
        expected_close=cmd.close, last_activity_at=ctx.now, furthest_stage=ctx.pipeline.further(None, stage),
    ))
    ctx.uow.stage_changes.add(ctx.pipeline.change(deal, stage, ctx.now, ctx.actor.id, from_key=None))
    record(ctx.uow, action="deal.create", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after=deal_snapshot(deal))
    reply = cards.deal_card(ctx, deal, new=True)
    reply.title = t("deal.created", ctx.lang, deal=deal.code, customer=customer.name)
    return reply


def show_deal(cmd: c.ShowDeal, ctx: Context) -> Reply:
    return cards.deal_card(ctx, load_deal(ctx, cmd.deal_id, change=False))


def show_history(cmd: c.ShowHistory, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=False)
    if not permissions.can_read_history(ctx.actor, deal):
        raise UserError("err.forbidden_history", deal=deal.code)
    reply = Reply(title=t("history.title", ctx.lang, deal=deal.code), language=ctx.lang)
    for entry in ctx.uow.audit.for_entity(deal.code):
        who = cards.member_name(ctx, entry.actor_id) if entry.actor_id else t("history.system", ctx.lang)
        change = _describe_change(entry.before or {}, entry.after or {})
        reply.lines.append(f"{cards.when(ctx, entry.at)} · {who} · {entry.action} · {change}"[:300])
    return reply


def _describe_change(before: dict, after: dict) -> str:
    """"stage: lead → quote"; for a creation just the values that were set."""
    parts = []
    for key, value in after.items():
        if key in before:
            parts.append(f"{key}: {before[key]} → {value}")
        elif value not in (None, [], ""):
            parts.append(f"{key}: {value}")
    return ", ".join(parts)


def list_deals(cmd: c.ListDeals, ctx: Context) -> Reply:
    all_teams = cmd.scope == "all" and permissions.is_admin(ctx.actor)
    deals = ctx.uow.deals.find(
        team_id=None if all_teams else ctx.actor.team_id,
        owner_id=ctx.actor.id if cmd.scope == "mine" else None,
        status=DealStatus.OPEN, stage=cmd.stage,
    )
    if cmd.stale:
        deals = [d for d in deals if _is_stale(ctx, d)]
    reply = Reply(title=t("deals.title", ctx.lang, count=len(deals)), language=ctx.lang)
    for deal in deals[: cards.LIST_LIMIT]:
        customer = ctx.uow.customers.get(deal.customer_id)
        reply.lines.append(cards.deal_line(ctx, deal, customer.name if customer else "—"))
    if len(deals) > cards.LIST_LIMIT:
        hint = "deals mine" if cmd.scope != "mine" else "deals stage:<stage>"
        reply.lines.append(cards.overflow_line(ctx, len(deals) - cards.LIST_LIMIT, hint))
    if not deals:
        reply.lines.append(t("deals.none", ctx.lang))
    return reply


def _is_stale(ctx: Context, deal: Deal) -> bool:
    sla = ctx.pipeline.get(deal.stage).sla_days
    return sla is not None and cards.days_between(deal.stage_entered_at, ctx.now) > sla


def move_deal(cmd: c.MoveDeal, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=True)
    target = cmd.stage
    if target == c.NEXT:
        target = ctx.pipeline.next_open_after(deal.stage) if deal.is_open else None
        if target is None:
            raise UserError("err.no_next_stage", verb="move", deal=deal.code)
    if target == LOST:
        raise UserError("err.move_to_lost", verb="lost", deal=deal.code)
    if target == WON:
        return win_deal(c.WinDeal(deal.id), ctx)
    if target == deal.stage:
        raise UserError("err.same_stage", deal=deal.code, stage=ctx.pipeline.get(target).name(ctx.lang))
    left = ctx.pipeline.get(deal.stage)
    warnings = _leaving_warnings(ctx, deal, target)
    _change_stage(ctx, deal, target, action="deal.move")
    reply = Reply(title=t("deal.moved", ctx.lang, deal=deal.code, old=left.name(ctx.lang),
                          new=ctx.pipeline.get(target).name(ctx.lang)), language=ctx.lang)
    reply.lines = warnings
    reply.buttons = cards.deal_buttons(ctx, deal, ctx.pipeline.get(target))
    return reply


def _leaving_warnings(ctx: Context, deal: Deal, target: str) -> list[str]:
    lines = []
    if not deal.is_open:
        lines.append(t("deal.reopened", ctx.lang, deal=deal.code))
        return lines
    left = ctx.pipeline.get(deal.stage)
    todo = cards.unchecked(deal, left)
    if todo:
        names = "、".join if ctx.lang == "zh" else ", ".join
        items = names(left.deliverables[n - 1].name(ctx.lang) for n, _ in todo)
        lines.append(t("deal.unchecked", ctx.lang, stage=left.name(ctx.lang), count=len(todo), items=items))
    if ctx.pipeline.index(target) > ctx.pipeline.index(deal.stage):
        skipped = ctx.pipeline.between(deal.stage, target)
        if skipped:
            sep = "、" if ctx.lang == "zh" else ", "
            lines.append(t("deal.skipped", ctx.lang, stages=sep.join(s.name(ctx.lang) for s in skipped)))
    else:
        lines.append(t("deal.moved_back", ctx.lang))
    return lines


def _change_stage(ctx: Context, deal: Deal, target: str, *, action: str,
                  amount: Money | None = None, lost_reason: str | None = None) -> None:
    before = deal_snapshot(deal)
    ctx.uow.stage_changes.add(ctx.pipeline.change(deal, target, ctx.now, ctx.actor.id, from_key=deal.stage))
    deal.stage, deal.stage_entered_at, deal.last_activity_at = target, ctx.now, ctx.now
    if amount:
        deal.amount, deal.currency = amount.amount, amount.currency
    if target in (WON, LOST):
        deal.status, deal.closed_at, deal.lost_reason = DealStatus(target), ctx.now, lost_reason
    else:
        deal.status, deal.closed_at, deal.lost_reason = DealStatus.OPEN, None, None
    old, new = changed_fields(before, deal_snapshot(deal))
    record(ctx.uow, action=action, entity=deal.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, before=old, after=new)


def check_deliverable(cmd: c.CheckDeliverable, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=True)
    stage = ctx.pipeline.get(deal.stage)
    if cmd.item > len(stage.deliverables):
        raise UserError("err.bad_deliverable", verb="check", deal=deal.code, value=cmd.item,
                        stage=stage.name(ctx.lang), count=len(stage.deliverables))
    key = f"{stage.key}:{cmd.item}"
    if key not in deal.deliverables_done:
        before = deal_snapshot(deal)
        deal.deliverables_done = [*deal.deliverables_done, key]
        deal.last_activity_at = ctx.now
        old, new = changed_fields(before, deal_snapshot(deal))
        record(ctx.uow, action="deal.check", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id,
               source=ctx.source, before=old, after=new)
    reply = Reply(title=t("deal.checked", ctx.lang, deal=deal.code,
                          item=stage.deliverables[cmd.item - 1].name(ctx.lang)), language=ctx.lang)
    reply.lines = cards.deliverable_lines(ctx, deal, stage)
    reply.buttons = cards.deal_buttons(ctx, deal, stage)
    return reply


def win_deal(cmd: c.WinDeal, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=True)
    if not deal.is_open:
        raise UserError("err.already_closed", deal=deal.code, status=t(f"status.{deal.status}", ctx.lang))
    _change_stage(ctx, deal, WON, action="deal.won", amount=cmd.amount)
    return Reply(title=t("deal.won", ctx.lang, deal=deal.code, amount=cards.money(ctx, deal)),
                 language=ctx.lang)


def lose_deal(cmd: c.LoseDeal, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=True)
    if not deal.is_open:
        raise UserError("err.already_closed", deal=deal.code, status=t(f"status.{deal.status}", ctx.lang))
    if not cmd.reason:
        return _ask_lost_reason(ctx, deal)
    _change_stage(ctx, deal, LOST, action="deal.lost", lost_reason=cmd.reason[:500])
    return Reply(title=t("deal.lost", ctx.lang, deal=deal.code, reason=deal.lost_reason), language=ctx.lang)


def _ask_lost_reason(ctx: Context, deal: Deal) -> Reply:
    """`lost D-12` alone (the reminder's [Mark lost] button): common reasons to tap, nothing stored."""
    reply = Reply(title=t("deal.lost_ask", ctx.lang, deal=deal.code), language=ctx.lang)
    reasons = t("deal.lost_reasons", ctx.lang).split("|")
    reply.buttons = [Button(reason, f"lost {deal.code} {reason}") for reason in reasons]
    return reply


def log_follow_up(cmd: c.LogFollowUp, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=True)
    if not cmd.text:  # the reminder's [Log follow-up] button: say how, store nothing
        return Reply(title=t("deal.log_ask", ctx.lang, deal=deal.code), language=ctx.lang)
    ctx.uow.interactions.add(Interaction(
        team_id=deal.team_id, text=cmd.text, occurred_at=ctx.now, kind=cmd.kind, deal_id=deal.id,
        customer_id=deal.customer_id, author_id=ctx.actor.id, platform=ctx.source.split(":")[0],
    ))
    deal.last_activity_at = ctx.now
    record(ctx.uow, action="deal.log", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after={"kind": cmd.kind, "text": cmd.text[:200]})
    reply = Reply(title=t("deal.logged", ctx.lang, deal=deal.code), language=ctx.lang)
    if cmd.next_step:
        task = ctx.uow.tasks.add(Task(
            title=cmd.text[:200], assignee_id=deal.owner_id, team_id=deal.team_id, created_at=ctx.now,
            due_at=cmd.next_step.when, deal_id=deal.id,
        ))
        record(ctx.uow, action="task.create", entity=task.code, at=ctx.now, actor_id=ctx.actor.id,
               source=ctx.source, after={"title": task.title, "due_at": task.due_at.isoformat()})
        reply.lines.append(t("task.created_from_log", ctx.lang, task=task.code,
                             when=cards.when(ctx, task.due_at)))
        reply.buttons = [Button(t("button.done", ctx.lang), f"done {task.code}")]
    return reply
