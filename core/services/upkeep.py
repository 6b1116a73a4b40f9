"""Keeping deals true (issue 17): `edit` an amount, expected close or title, `assign` a deal to a
teammate, `reopen` a closed one. Each change is one audit entry (with its tasks' entries), in the
command's own transaction; a refusal changes nothing."""

from __future__ import annotations

from dataclasses import replace

from core.access import permissions
from core.access.audit import changed_fields, deal_snapshot, record, task_snapshot
from core.chat.context import Context
from core.chat.messages import Reply
from core.domain.amounts import format_money
from core.domain.model import Deal, DealStatus, Member, Role
from core.domain.worktime import WorkSettings
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.reminders.outbox import Draft, Kind, stamp
from core.reminders.recipients import direct_destination
from core.replies import cards
from core.services.approval_gate import gate_amount, gate_move
from core.services.deals import load_deal


def edit_deal(cmd: c.EditDeal, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=True)
    if cmd.changes_nothing:  # the card's [Edit] button: say how, change nothing
        return Reply(title=t("edit.ask", ctx.lang, deal=deal.code), language=ctx.lang)
    before = deal_snapshot(deal)
    lines = []
    if cmd.amount is not None and (cmd.amount.amount, cmd.amount.currency) != (deal.amount, deal.currency):
        gate_amount(ctx, deal, cmd.amount.amount, cmd.amount.currency)  # raised past a gated stage (issue 20)
        old = cards.money(ctx, deal)
        deal.amount, deal.currency = cmd.amount.amount, cmd.amount.currency
        lines.append(_change_line(ctx, "field.amount", old, cards.money(ctx, deal)))
    if cmd.close is not None and cmd.close != deal.expected_close:
        old = cards.when(ctx, deal.expected_close, has_time=False)
        deal.expected_close = cmd.close
        lines.append(_change_line(ctx, "field.close", old, cards.when(ctx, deal.expected_close, has_time=False)))
    if cmd.title is not None and cmd.title != deal.title:
        lines.append(_change_line(ctx, "field.title", deal.title, cmd.title))
        deal.title = cmd.title
    if not lines:
        return Reply(title=t("edit.unchanged", ctx.lang, deal=deal.code), language=ctx.lang)
    deal.last_activity_at = ctx.now
    old_fields, new_fields = changed_fields(before, deal_snapshot(deal))
    record(ctx.uow, action="deal.edit", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, before=old_fields, after=new_fields)
    reply = Reply(title=t("edit.done", ctx.lang, deal=deal.code), lines=lines, language=ctx.lang)
    reply.buttons = cards.deal_buttons(ctx, deal, ctx.pipeline.get(deal.stage))
    return reply


def _change_line(ctx: Context, label: str, old: str, new: str) -> str:
    return t("edit.line", ctx.lang, field=t(label, ctx.lang), old=old, new=new)


def assign_deal(cmd: c.AssignDeal, ctx: Context) -> Reply:
    """The owner or a manager hands an open deal to an active member of its team. Its open tasks
    assigned to the old owner move with it; the new owner gets the card in a DM (the outbox).
    Past advances stay credited to whoever owned the deal then (StageChange.owner_id)."""
    deal = load_deal(ctx, cmd.deal_id, change=True)
    if not deal.is_open:
        raise UserError("assign.closed", deal=deal.code, status=t(f"status.{deal.status}", ctx.lang))
    heir = ctx.uow.members.by_handle(cmd.handle)
    if heir is None:
        raise UserError("err.member_not_found", handle=cmd.handle)
    if not heir.is_active or (heir.team_id != deal.team_id and not permissions.is_admin(ctx.actor)):
        key = "err.assign_removed" if not heir.is_active else "err.assign_other_team"
        raise UserError(key, member=heir.ref())
    if heir.team_id != deal.team_id:  # an admin may, but a deal lives in its owner's team
        raise UserError("assign.other_team", deal=deal.code, member=heir.ref())
    if heir.id == deal.owner_id:
        raise UserError("assign.same_owner", deal=deal.code, member=heir.ref())
    previous = deal.owner_id
    before = deal_snapshot(deal)
    deal.owner_id = heir.saved_id
    deal.last_activity_at = ctx.now
    old_fields, new_fields = changed_fields(before, deal_snapshot(deal))
    record(ctx.uow, action="deal.assign", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, before=old_fields, after=new_fields)
    moved = 0
    for task in ctx.uow.tasks.find(deal_id=deal.id):
        if task.assignee_id != previous:
            continue  # assigned to someone else on purpose: stays theirs
        task_before = task_snapshot(task)
        task.assignee_id = heir.saved_id
        record(ctx.uow, action="task.assign", entity=task.code, at=ctx.now, actor_id=ctx.actor.id,
               source=ctx.source, before=task_before, after=task_snapshot(task))
        moved += 1
    reply = Reply(title=t("assign.done", ctx.lang, deal=deal.code, old=cards.member_name(ctx, previous),
                          new=heir.ref()), language=ctx.lang)
    if moved:
        reply.lines.append(t("assign.tasks_moved", ctx.lang, count=moved))
    if heir.id != ctx.actor.id:  # took it themselves: the reply is the news
        told = _tell_new_owner(ctx, deal, heir)
        reply.lines.append(t("assign.told" if told else "assign.not_told", ctx.lang, member=heir.ref()))
    return reply


def _tell_new_owner(ctx: Context, deal: Deal, heir: Member) -> bool:
    """The deal's card to its new owner's direct chat, in their language, through the outbox
    (sent once, after this commits, outside quiet hours). False when they have no account a message can reach."""
    destination = direct_destination(ctx.uow.members.identities(heir.saved_id))
    if destination is None:
        return False
    lang = heir.language or ctx.team.language
    card = cards.deal_card(replace(ctx, lang=lang), deal)
    card.lines.insert(0, t("assign.dm", lang, who=ctx.actor.ref(), deal=deal.code))
    team = ctx.team if heir.team_id == ctx.team.id else ctx.uow.teams.get(heir.team_id)
    settings = WorkSettings.of(team.timezone if team else ctx.team.timezone, team.settings if team else None)
    ctx.uow.outbox.add(Draft(kind=Kind.ASSIGNED, key=f"assign:{deal.code}:{stamp(ctx.now)}:m{heir.id}",
                             platform=destination.platform, chat_id=destination.chat_id, reply=card,
                             not_before=settings.next_allowed(ctx.now), subject=deal.code,
                             recipient_id=heir.id).to_message(ctx.now))
    return True


def reopen_deal(cmd: c.ReopenDeal, ctx: Context) -> Reply:
    """A closed deal back into an open stage: a lost one by its owner or a manager, a won one by a
    manager. The stage change is history like any other; the deal's close no longer counts in the
    figures, which read the deal's status and close."""
    deal = load_deal(ctx, cmd.deal_id, change=True)
    if deal.is_open:
        raise UserError("reopen.open", deal=deal.code)
    if deal.status == DealStatus.WON and ctx.actor.role not in (Role.MANAGER, Role.ADMIN):
        raise UserError("reopen.won_managers", deal=deal.code)
    target = cmd.stage or _stage_closed_from(ctx, deal)
    if ctx.pipeline.get(target).is_closed:
        raise UserError("reopen.closed_stage", deal=deal.code, stage=ctx.pipeline.get(target).name(ctx.lang))
    gate_move(ctx, deal, target)  # an approval the team's policy asks for first (issue 20)
    was = t(f"status.{deal.status}", ctx.lang)
    before = deal_snapshot(deal)
    ctx.uow.stage_changes.add(deal.move_to(target, ctx.now, ctx.actor.id, ctx.pipeline))
    deal.last_activity_at = ctx.now
    old_fields, new_fields = changed_fields(before, deal_snapshot(deal))
    record(ctx.uow, action="deal.reopen", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, before=old_fields, after=new_fields)
    reply = Reply(title=t("reopen.done", ctx.lang, deal=deal.code, was=was,
                          stage=ctx.pipeline.get(target).name(ctx.lang)), language=ctx.lang)
    reply.lines.append(t("reopen.figures", ctx.lang, amount=format_money(deal.amount, deal.currency, ctx.lang)))
    reply.buttons = cards.deal_buttons(ctx, deal, ctx.pipeline.get(target))
    return reply


def _stage_closed_from(ctx: Context, deal: Deal) -> str:
    """The open stage the deal was in when it closed; the pipeline's first if its history
    does not say (an import without one, a stage since dropped from the pipeline)."""
    changes = ctx.uow.stage_changes.for_deal(deal.saved_id)
    for change in reversed(list(changes)):
        if change.to_stage == deal.stage and change.from_stage in ctx.pipeline.keys:
            stage = ctx.pipeline.get(str(change.from_stage))
            if not stage.is_closed:
                return stage.key
    return ctx.pipeline.first.key
