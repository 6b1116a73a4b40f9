"""`keep S-3` / `dismiss S-3`: the owner's answer to a next step found in a captured chat.

The buttons of the suggestion DM (core.conversations.suggestions) carry these commands. Each suggestion is
decided once: a second click (or the other button) changes nothing and says what was decided.
"""

from __future__ import annotations

from core.access import permissions
from core.access.audit import record, task_snapshot
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.conversations.redaction import ERASED
from core.domain.model import Suggestion, SuggestionStatus, Task, TaskOrigin
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.replies import cards


def keep_suggestion(cmd: c.KeepSuggestion, ctx: Context) -> Reply:
    suggestion = _load(ctx, cmd.suggestion_id)
    if suggestion.status != SuggestionStatus.PENDING:
        return _already(ctx, suggestion)
    task = ctx.uow.tasks.add(Task(
        title=suggestion.title[:200], assignee_id=suggestion.owner_id, team_id=suggestion.team_id,
        created_at=ctx.now, due_at=suggestion.due_at, deal_id=suggestion.deal_id, origin=TaskOrigin.CAPTURED,
    ))
    _decide(ctx, suggestion, SuggestionStatus.KEPT, task.id)
    if suggestion.deal_id and (deal := ctx.uow.deals.get(suggestion.deal_id)):
        deal.last_activity_at = ctx.now
    record(ctx.uow, action="task.create", entity=task.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after={**task_snapshot(task), "origin": str(task.origin), "from": suggestion.code})
    reply = Reply(title=t("suggest.kept", ctx.lang, task=task.code, title=task.title), language=ctx.lang)
    reply.lines.append(t("task.due", ctx.lang, when=cards.when(ctx, task.due_at, suggestion.has_time)))
    reply.buttons = [Button(t("button.done", ctx.lang), f"done {task.code}")]
    return reply


def dismiss_suggestion(cmd: c.DismissSuggestion, ctx: Context) -> Reply:
    suggestion = _load(ctx, cmd.suggestion_id)
    if suggestion.status != SuggestionStatus.PENDING:
        return _already(ctx, suggestion)
    _decide(ctx, suggestion, SuggestionStatus.DISMISSED, None)
    return Reply(title=t("suggest.dismissed", ctx.lang, suggestion=suggestion.code), language=ctx.lang)


def _load(ctx: Context, suggestion_id: int) -> Suggestion:
    suggestion = ctx.uow.suggestions.get(suggestion_id)
    if suggestion is None or not (permissions.is_admin(ctx.actor) or suggestion.team_id == ctx.actor.team_id):
        raise UserError("err.suggestion_not_found", ref=f"S-{suggestion_id}")
    if not _may_decide(ctx, suggestion):
        owner = ctx.uow.members.get(suggestion.owner_id)
        raise UserError("err.forbidden_suggestion", ref=suggestion.code, owner=cards.handle_of(owner))
    if suggestion.title == ERASED:
        raise UserError("err.suggestion_erased", ref=suggestion.code)
    return suggestion


def _may_decide(ctx: Context, suggestion: Suggestion) -> bool:
    """The owner it was offered to, or a manager of its team, or an admin."""
    as_task = Task(title="", assignee_id=suggestion.owner_id, team_id=suggestion.team_id, created_at=ctx.now)
    return permissions.can_change_task(ctx.actor, as_task)


def _decide(ctx: Context, suggestion: Suggestion, status: SuggestionStatus, task_id: int | None) -> None:
    suggestion.status, suggestion.decided_at, suggestion.decided_by = status, ctx.now, ctx.actor.id
    suggestion.task_id = task_id
    ctx.uow.suggestions.save(suggestion)
    record(ctx.uow, action=f"suggestion.{status}", entity=suggestion.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after={"status": str(status), "task": f"T-{task_id}" if task_id else None})


def _already(ctx: Context, suggestion: Suggestion) -> Reply:
    """A second click: nothing changes; say what was decided, and when."""
    when = cards.when(ctx, suggestion.decided_at)
    if suggestion.status == SuggestionStatus.KEPT:
        title = t("suggest.already_kept", ctx.lang, suggestion=suggestion.code, task=f"T-{suggestion.task_id}",
                  when=when)
        buttons = [Button(t("button.tasks", ctx.lang), "tasks mine")]
    else:
        title = t("suggest.already_dismissed", ctx.lang, suggestion=suggestion.code, when=when)
        buttons = []
    return Reply(title=title, buttons=buttons, language=ctx.lang)
