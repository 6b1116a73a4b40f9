"""`snooze D-12 2d` / `snooze T-7 1d`: hold back the reminders about a deal or a task."""

from __future__ import annotations

from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import Reply
from core.domain.model import Deal, Task
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.replies import cards
from core.services.deals import load_deal
from core.services.tasks import load_open_task


def snooze(cmd: c.Snooze, ctx: Context) -> Reply:
    item = _deal(cmd, ctx) if cmd.target == "deal" else _task(cmd, ctx)
    before = item.snoozed_until
    item.snoozed_until = cmd.until
    record(ctx.uow, action=f"{cmd.target}.snooze", entity=item.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, before={"snoozed_until": before.isoformat() if before else None},
           after={"snoozed_until": cmd.until.isoformat()})
    key, name = ("snooze.deal", "deal") if cmd.target == "deal" else ("snooze.task", "task")
    return Reply(title=t(key, ctx.lang, **{name: item.code}, when=cards.when(ctx, cmd.until)),
                 language=ctx.lang)


def _deal(cmd: c.Snooze, ctx: Context) -> Deal:
    deal = load_deal(ctx, cmd.ref_id, change=True)
    if not deal.is_open:
        raise UserError("err.already_closed", deal=deal.code, status=t(f"status.{deal.status}", ctx.lang))
    return deal


def _task(cmd: c.Snooze, ctx: Context) -> Task:
    return load_open_task(ctx, cmd.ref_id)
