"""DMs of work someone else handed over: a task made for another member, deals and tasks handed
over when a member leaves (`assign D-12 @bob` tells the new owner itself: core.services.upkeep).

Each goes through the outbox in the transaction that made the change, waits out the reader's
quiet hours (their team's), and is not sent once it no longer holds (a task done or cancelled
meanwhile: the task guard of core.reminders.rules). The reader gets it in their own language.
"""

from __future__ import annotations

from datetime import datetime

from core.chat.messages import Button, Reply
from core.domain.model import Member, Task
from core.domain.worktime import WorkSettings
from core.language.i18n import t
from core.ports.unit_of_work import UnitOfWork
from core.reminders.outbox import Draft, Kind, stamp
from core.reminders.recipients import direct_destination


def tell_task_assignee(uow: UnitOfWork, task: Task, assignee: Member, actor: Member, now: datetime) -> bool:
    """`task call Acme D-12 @bob` by someone other than bob: bob gets the task with [Done].
    False when bob has no account a message can reach."""
    destination = direct_destination(uow.members.identities(assignee.saved_id))
    if destination is None:
        return False
    lang, settings = _reader(uow, assignee)
    reply = Reply(title=t("notify.task_dm", lang, who=actor.ref(), task=task.code, title=task.title),
                  buttons=[Button(t("button.done", lang), f"done {task.code}")], language=lang)
    if task.due_at is not None:
        local = settings.local(task.due_at)
        reply.lines.append(t("notify.task_due", lang, when=f"{local:%Y-%m-%d %H:%M}"))
    if task.deal_id is not None:
        reply.lines.append(t("notify.task_deal", lang, deal=f"D-{task.deal_id}"))
    due = task.due_at.isoformat() if task.due_at else None
    uow.outbox.add(Draft(kind=Kind.TASK_GIVEN, key=f"given:{task.code}:{stamp(now)}:m{assignee.id}",
                         platform=destination.platform, chat_id=destination.chat_id, reply=reply,
                         not_before=settings.next_allowed(now), subject=task.code,
                         guard={"task": task.saved_id, "due": due}, recipient_id=assignee.id).to_message(now))
    return True


def tell_heir(uow: UnitOfWork, heir: Member, member: Member, codes: list[str], actor: Member,
              now: datetime) -> bool:
    """`member @rita remove to:@bob`: bob hears which deals and tasks are now his."""
    destination = direct_destination(uow.members.identities(heir.saved_id))
    if destination is None or not codes:
        return False
    lang, settings = _reader(uow, heir)
    shown = ", ".join(codes[:20]) + (f" (+{len(codes) - 20})" if len(codes) > 20 else "")
    reply = Reply(title=t("notify.heir_dm", lang, who=actor.ref(), member=member.ref(), items=shown),
                  buttons=[Button(t("notify.my_deals", lang), "deals")], language=lang)
    uow.outbox.add(Draft(kind=Kind.ASSIGNED, key=f"handover:m{member.id}:{stamp(now)}:m{heir.id}",
                         platform=destination.platform, chat_id=destination.chat_id, reply=reply,
                         not_before=settings.next_allowed(now), subject=codes[0],
                         recipient_id=heir.id).to_message(now))
    return True


def _reader(uow: UnitOfWork, member: Member) -> tuple[str, WorkSettings]:
    team = uow.teams.get(member.team_id)
    assert team is not None  # a member's team exists (a foreign key)
    return member.language or team.language, WorkSettings.of(team.timezone, team.settings)
