"""Task use cases: add, list, complete."""

from __future__ import annotations

from core.access import permissions
from core.access.audit import record, task_snapshot
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.domain.model import Task
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.notify.direct import tell_task_assignee
from core.replies import cards
from core.services.deals import load_deal, resolve_member


def add_task(cmd: c.AddTask, ctx: Context) -> Reply:
    task = create_task(cmd, ctx)
    reply = Reply(title=t("task.created", ctx.lang, task=task.code, title=task.title), language=ctx.lang)
    if task.due_at:
        reply.lines.append(t("task.due", ctx.lang, when=cards.when(ctx, task.due_at)))
    if task.assignee_id != ctx.actor.id:
        assignee = ctx.uow.members.get(task.assignee_id)
        reply.lines.append(t("task.assigned", ctx.lang, member=assignee.ref() if assignee else "—"))
    reply.buttons = [Button(t("button.done", ctx.lang), f"done {task.code}")]
    return reply


def create_task(cmd: c.AddTask, ctx: Context) -> Task:
    """`task` (chat) and `POST /tasks` (the REST API): the task, audited."""
    deal = load_deal(ctx, cmd.deal_id, change=True) if cmd.deal_id is not None else None  # D-0: not found
    if cmd.assignee is None and deal is not None and deal.owner_id != ctx.actor.id:
        owner = ctx.uow.members.get(deal.owner_id)  # a manager's task on a deal goes to its owner
        assert owner is not None  # a deal's owner exists (a foreign key)
        assignee = owner
    else:
        assignee = resolve_member(ctx, cmd.assignee)
    task = ctx.uow.tasks.add(Task(
        title=cmd.title, assignee_id=assignee.saved_id, team_id=assignee.team_id, created_at=ctx.now,
        due_at=cmd.due, deal_id=deal.id if deal else None,
    ))
    if deal:
        deal.last_activity_at = ctx.now
    record(ctx.uow, action="task.create", entity=task.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after=task_snapshot(task))
    if assignee.id != ctx.actor.id:  # made for someone else: they hear of it (core.notify.direct)
        tell_task_assignee(ctx.uow, task, assignee, ctx.actor, ctx.now)
    return task


def list_tasks(cmd: c.ListTasks, ctx: Context) -> Reply:
    if cmd.scope == "deal":
        assert cmd.deal_id is not None  # the parser sets it for this scope
        deal = load_deal(ctx, cmd.deal_id, change=False)
        tasks = ctx.uow.tasks.find(deal_id=deal.id)
        title = t("tasks.title_deal", ctx.lang, deal=deal.code, count=len(tasks))
    elif cmd.scope == "team":
        tasks = ctx.uow.tasks.find(team_id=ctx.actor.team_id)
        title = t("tasks.title_team", ctx.lang, count=len(tasks))
    elif cmd.scope == "overdue_team":  # a manager's view of who is behind
        if not permissions.can_assign_to_others(ctx.actor):
            raise UserError("tasks.forbidden_overdue_team")
        tasks = [task for task in ctx.uow.tasks.find(team_id=ctx.actor.team_id) if task.is_overdue(ctx.now)]
        title = t("tasks.title_overdue_team", ctx.lang, count=len(tasks))
    else:
        tasks = ctx.uow.tasks.find(assignee_id=ctx.actor.id)
        if cmd.scope == "overdue":
            tasks = [task for task in tasks if task.is_overdue(ctx.now)]
        title = t(f"tasks.title_{cmd.scope}", ctx.lang, count=len(tasks))
    reply = Reply(title=title, language=ctx.lang)
    reply.lines = [cards.task_line(ctx, task) for task in tasks[: cards.LIST_LIMIT]]
    if len(tasks) > cards.LIST_LIMIT:
        reply.lines.append(cards.overflow_line(ctx, len(tasks) - cards.LIST_LIMIT, "tasks overdue"))
    if not tasks:
        reply.lines.append(t("tasks.none", ctx.lang))
    reply.buttons = [Button(f"✓ {task.code}", f"done {task.code}") for task in tasks[:3]]
    return reply


def load_open_task(ctx: Context, task_id: int) -> Task:
    """The task, if the actor's team has it, the actor may change it and it is not done yet."""
    task = ctx.uow.tasks.get(task_id)
    if task is None or not (permissions.is_admin(ctx.actor) or task.team_id == ctx.actor.team_id):
        raise UserError("err.task_not_found", ref=f"T-{task_id}")
    if not permissions.can_change_task(ctx.actor, task):
        owner = ctx.uow.members.get(task.assignee_id)
        raise UserError("err.forbidden_task", task=task.code, owner=cards.handle_of(owner))
    if task.cancelled_at is not None:
        raise UserError("err.task_cancelled", task=task.code, deal=f"D-{task.deal_id}")
    if task.done_at is not None:
        raise UserError("err.task_done", task=task.code)
    return task


def complete_task(cmd: c.CompleteTask, ctx: Context) -> Reply:
    task = load_open_task(ctx, cmd.task_id)
    before = task_snapshot(task)
    task.done_at = ctx.now
    if task.deal_id and (deal := ctx.uow.deals.get(task.deal_id)):
        deal.last_activity_at = ctx.now
    record(ctx.uow, action="task.done", entity=task.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, before=before, after=task_snapshot(task))
    return Reply(title=t("task.completed", ctx.lang, task=task.code, title=task.title), language=ctx.lang)
