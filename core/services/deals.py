"""Deal use cases: create, show, move, tick deliverables, win, lose, log a follow-up (lists:
core.services.deal_lists)."""

from __future__ import annotations

from core.access import permissions
from core.access.audit import changed_fields, deal_snapshot, record, task_snapshot
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.domain.amounts import Money
from core.domain.customers import after_new_deal, after_won_deal
from core.domain.model import Deal, Interaction, Member, Task
from core.domain.pipeline import LOST, WON
from core.domain.worktime import team_currency
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.replies import cards
from core.replies.story import deal_story
from core.services.approval_gate import gate_amount, gate_move
from core.services.playbooks import entry_lines
from core.services.similar_deals import similar_lines


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
    if not permissions.can_take_work(ctx.actor, member):
        key = "err.assign_removed" if not member.is_active else "err.assign_other_team"
        raise UserError(key, member=member.ref())
    return member


def _team_currency(ctx: Context, team_id: int) -> str:
    team = ctx.team if team_id == ctx.team.id else ctx.uow.teams.get(team_id)
    return team_currency(team.settings if team else None, ctx.defaults.currency)


def new_deal(cmd: c.NewDeal, ctx: Context) -> Reply:
    deal = create_deal(cmd, ctx)
    reply = cards.deal_card(ctx, deal, new=True)
    customer = ctx.uow.customers.get(deal.customer_id)
    reply.title = t("deal.created", ctx.lang, deal=deal.code, customer=customer.name if customer else "")
    reply.lines += similar_lines(ctx, deal)
    playbook, more = entry_lines(ctx, deal.team_id, ctx.pipeline.get(deal.stage))  # its first stage's playbook
    reply.lines += playbook
    reply.buttons += more
    return reply


def create_deal(cmd: c.NewDeal, ctx: Context) -> Deal:
    """`new` (chat) and `POST /deals` (the REST API): the deal, its first stage change, audited."""
    owner = resolve_member(ctx, cmd.owner)
    customer = ctx.uow.customers.named(owner.team_id, cmd.customer)  # in the deal's team: its owner's
    after_new_deal(customer)  # a lead becomes an opportunity
    stage = cmd.stage or ctx.pipeline.first.key
    if ctx.pipeline.get(stage).is_closed:
        raise UserError("err.unknown_stage", verb="new", value=stage, hint="err.stages_are")
    deal = ctx.uow.deals.add(Deal.new(
        ctx.pipeline, stage=stage, at=ctx.now,
        title=cmd.title or customer.name, customer_id=customer.id, owner_id=owner.id, team_id=owner.team_id,
        amount=cmd.amount.amount if cmd.amount else None,
        currency=cmd.amount.currency if cmd.amount else _team_currency(ctx, owner.team_id),
        expected_close=cmd.close, last_activity_at=ctx.now,
    ))
    ctx.uow.stage_changes.add(deal.creation(ctx.actor.id, ctx.pipeline))
    record(ctx.uow, action="deal.create", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after=deal_snapshot(deal))
    return deal


def show_deal(cmd: c.ShowDeal, ctx: Context) -> Reply:
    return cards.deal_card(ctx, load_deal(ctx, cmd.deal_id, change=False))


def show_history(cmd: c.ShowHistory, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=False)
    if not permissions.can_read_history(ctx.actor, deal):
        raise UserError("err.forbidden_history", deal=deal.code)
    reply = Reply(title=t("history.title", ctx.lang, deal=deal.code), language=ctx.lang)
    events = deal_story(ctx, deal)
    shown = events[-cards.LIST_LIMIT:]  # the latest; the creation is always the first line
    if len(events) > len(shown):
        shown = [events[0], *events[-(cards.LIST_LIMIT - 1):]]
    for number, event in enumerate(shown):
        if number == 1 and len(events) > len(shown):
            reply.lines.append(t("story.earlier", ctx.lang, count=len(events) - len(shown)))
        reply.lines.append(f"{cards.when(ctx, event.at)} · {event.text}"[:300])
    if not events:
        reply.lines.append(t("story.none", ctx.lang))
    return reply


def move_deal(cmd: c.MoveDeal, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=True)
    target = cmd.stage
    if target == c.NEXT:
        following = ctx.pipeline.next_open_after(deal.stage) if deal.is_open else None
        if following is None:
            raise UserError("err.no_next_stage", verb="move", deal=deal.code)
        target = following
    if target == LOST:
        raise UserError("err.move_to_lost", verb="lost", deal=deal.code)
    if target == WON:
        return win_deal(c.WinDeal(deal.saved_id), ctx)
    if target == deal.stage:
        raise UserError("err.same_stage", deal=deal.code, stage=ctx.pipeline.get(target).name(ctx.lang))
    left = ctx.pipeline.get(deal.stage)
    warnings = _leaving_warnings(ctx, deal, target)
    _change_stage(ctx, deal, target, action="deal.move")
    reply = Reply(title=t("deal.moved", ctx.lang, deal=deal.code, old=left.name(ctx.lang),
                          new=ctx.pipeline.get(target).name(ctx.lang)), language=ctx.lang)
    reply.lines = warnings
    reply.buttons = cards.deal_buttons(ctx, deal, ctx.pipeline.get(target))
    playbook, more = entry_lines(ctx, deal.team_id, ctx.pipeline.get(target))  # the new stage's playbook
    reply.lines += playbook
    reply.buttons += more
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
    # an approval the team's policy asks for first (issue 20), of the amount the move sets too
    gate_move(ctx, deal, target, amount.amount if amount else None, amount.currency if amount else None)
    before = deal_snapshot(deal)
    ctx.uow.stage_changes.add(deal.move_to(target, ctx.now, ctx.actor.id, ctx.pipeline, lost_reason=lost_reason))
    deal.last_activity_at = ctx.now
    if amount:
        gate_amount(ctx, deal, amount.amount, amount.currency)  # won past a gated stage (issue 20)
        deal.amount, deal.currency = amount.amount, amount.currency
    old, new = changed_fields(before, deal_snapshot(deal))
    record(ctx.uow, action=action, entity=deal.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, before=old, after=new)
    customer = ctx.uow.customers.get(deal.customer_id) if target == WON else None
    if customer is not None and after_won_deal(customer):  # the first won deal makes a customer
        record(ctx.uow, action="customer.lifecycle", entity=f"customer:{customer.saved_id}", at=ctx.now,
               actor_id=ctx.actor.id, source=ctx.source, after={"lifecycle": customer.lifecycle, "deal": deal.code})


def check_deliverable(cmd: c.CheckDeliverable, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=True)
    stage = ctx.pipeline.get(deal.stage)
    if cmd.item > len(stage.deliverables):
        raise UserError("err.bad_deliverable", verb="check", deal=deal.code, value=cmd.item,
                        stage=stage.name(ctx.lang), count=len(stage.deliverables))
    key = f"{stage.key}:{cmd.item}"
    ticked = key in deal.deliverables_done
    if not ticked:
        before = deal_snapshot(deal)
        deal.deliverables_done = [*deal.deliverables_done, key]
        deal.last_activity_at = ctx.now
        old, new = changed_fields(before, deal_snapshot(deal))
        record(ctx.uow, action="deal.check", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id,
               source=ctx.source, before=old, after=new)
    reply = Reply(title=t("deal.checked_already" if ticked else "deal.checked", ctx.lang, deal=deal.code,
                          item=stage.deliverables[cmd.item - 1].name(ctx.lang)), language=ctx.lang)
    reply.lines = cards.deliverable_lines(ctx, deal, stage)
    reply.buttons = cards.deal_buttons(ctx, deal, stage)
    return reply


def win_deal(cmd: c.WinDeal, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=True)
    if not deal.is_open:
        raise UserError("err.already_closed", deal=deal.code, status=t(f"status.{deal.status}", ctx.lang))
    _change_stage(ctx, deal, WON, action="deal.won", amount=cmd.amount)
    reply = Reply(title=t("deal.won", ctx.lang, deal=deal.code, amount=cards.money(ctx, deal)),
                  language=ctx.lang)
    reply.lines = [*_settle_tasks(ctx, deal), t("retro.ask", ctx.lang, deal=deal.code)]
    # the health board's satisfaction: ask the customer, then record their 1–5 (core.services.feedback)
    reply.lines.append(t("csat.after_won", ctx.lang, command=f"csat {deal.code}"))
    reply.buttons = [Button(t("button.csat", ctx.lang), f"csat {deal.code}")]
    return reply


def lose_deal(cmd: c.LoseDeal, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=True)
    if not deal.is_open:
        raise UserError("err.already_closed", deal=deal.code, status=t(f"status.{deal.status}", ctx.lang))
    if not cmd.reason:
        return _ask_lost_reason(ctx, deal)
    _change_stage(ctx, deal, LOST, action="deal.lost", lost_reason=cmd.reason[:500])
    reply = Reply(title=t("deal.lost", ctx.lang, deal=deal.code, reason=deal.lost_reason), language=ctx.lang)
    reply.lines = [*_settle_tasks(ctx, deal), t("retro.ask", ctx.lang, deal=deal.code)]
    return reply


def _settle_tasks(ctx: Context, deal: Deal) -> list[str]:
    """A closed deal's open tasks are cancelled, not done (what was done stays countable), and
    listed in the reply; their reminders stop, as for any task no longer open."""
    tasks = ctx.uow.tasks.find(deal_id=deal.id)
    for task in tasks:
        before = task_snapshot(task)
        task.cancel(ctx.now)
        record(ctx.uow, action="task.cancel", entity=task.code, at=ctx.now, actor_id=ctx.actor.id,
               source=ctx.source, before=before, after=task_snapshot(task))
    if not tasks:
        return []
    shown = [cards.task_line(ctx, task) for task in tasks[: cards.LIST_LIMIT]]
    if len(tasks) > cards.LIST_LIMIT:
        shown.append(cards.overflow_line(ctx, len(tasks) - cards.LIST_LIMIT, f"tasks {deal.code}"))
    key = "deal.task_cancelled" if len(tasks) == 1 else "deal.tasks_cancelled"
    return [t(key, ctx.lang, count=len(tasks), deal=deal.code), *shown]


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
               source=ctx.source, after={"title": task.title, "due_at": cmd.next_step.when.isoformat()})
        reply.lines.append(t("task.created_from_log", ctx.lang, task=task.code,
                             when=cards.when(ctx, task.due_at)))
        reply.buttons = [Button(t("button.done", ctx.lang), f"done {task.code}")]
    return reply
