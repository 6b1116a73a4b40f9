"""When reminders are due: pure decisions over deal and task stamps, no I/O.

Every reminder is an *event* at a moment: a deal's stage time limit running out (its breach),
the escalation some working days later, a snooze ending, a task's due time (or lead time). A scan
looks at the events in a time window, and each event becomes one message per recipient with a
dedupe key naming the event, so seeing it again in a later scan changes nothing.

The rules:
- A deal breaches its stage's limit when its whole days in the stage exceed the limit (as the
  card's "N over the limit" and `deals stale` count), i.e. (sla + 1) days after it entered.
- Escalation: still in that stage `escalation_days` working days after the breach.
- A snooze holds back both until it ends; then the owner hears again (a new key), and the
  managers too if the escalation came due meanwhile (same key: they hear once per stay).
- Moving the deal gives the stay a new `entered` moment, so the old stage's events never fire
  again; rows already queued are skipped at sending time by their guard (obsolete_reason).
- Deal reminders wait for a working day outside quiet hours; task reminders keep the time the
  person chose, only outside quiet hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.domain.model import DealStatus
from core.domain.worktime import WorkSettings
from core.notify import news
from core.ports.unit_of_work import UnitOfWork
from core.reminders.due import DealStamp, TaskStamp
from core.reminders.outbox import Kind, stamp
from core.reminders.waiting import still_waiting

OWNER, MANAGERS = "owner", "managers"


@dataclass(frozen=True)
class Event:
    kind: Kind
    key: str  # the recipient is appended: f"{key}:m{member_id}"
    at: datetime
    to: str | int  # OWNER, MANAGERS or a member id
    subject: str  # "D-12" / "T-7"
    guard: dict[str, Any]
    working_days_only: bool
    due_at: datetime | None = None  # a task's due moment (a lead reminder must come before it)


def breach_at(entered: datetime, sla_days: int) -> datetime:
    return entered + timedelta(days=sla_days + 1)


def escalation_at(entered: datetime, sla_days: int, settings: WorkSettings) -> datetime:
    return settings.add_working_days(breach_at(entered, sla_days), settings.escalation_days)


def _in(after: datetime, moment: datetime | None, until: datetime) -> bool:
    return moment is not None and after < moment <= until


def _held(snoozed_until: datetime | None, moment: datetime) -> bool:
    return snoozed_until is not None and snoozed_until > moment


def deal_events(deal: DealStamp, sla_days: int, settings: WorkSettings,
                after: datetime, until: datetime) -> list[Event]:
    """The events of one deal's stay in its stage that fall in (after, until]."""
    base = f"D-{deal.id}:{deal.stage}:{stamp(deal.stage_entered_at)}"
    guard = {"deal": deal.id, "stage": deal.stage, "entered": deal.stage_entered_at.isoformat()}
    breach = breach_at(deal.stage_entered_at, sla_days)
    escalation = settings.add_working_days(breach, settings.escalation_days)
    snooze = deal.snoozed_until
    subject = f"D-{deal.id}"

    def sla(key: str, at: datetime, extra: dict[str, Any] | None = None) -> Event:
        return Event(Kind.SLA, key, at, OWNER, subject, {**guard, **(extra or {})}, True)

    def esc(at: datetime) -> Event:
        return Event(Kind.ESCALATION, f"esc:{base}", at, MANAGERS, subject, guard, True)

    events = []
    if _in(after, breach, until) and not _held(snooze, breach):
        events.append(sla(f"sla:{base}", breach))
    if _in(after, escalation, until) and not _held(snooze, escalation):
        events.append(esc(escalation))
    if snooze is not None and _in(after, snooze, until) and snooze >= breach:
        events.append(sla(f"sla:{base}:snooze:{stamp(snooze)}", snooze, {"snooze": snooze.isoformat()}))
        if escalation <= snooze:
            events.append(esc(snooze))
    return events


def task_events(task: TaskStamp, settings: WorkSettings, after: datetime, until: datetime) -> list[Event]:
    if task.due_at is None and task.snoozed_until is None:
        return []
    subject = f"T-{task.id}"
    guard = {"task": task.id, "due": task.due_at.isoformat() if task.due_at else None}
    snooze = task.snoozed_until
    events = []
    if task.due_at is not None:
        due = stamp(task.due_at)
        lead = task.due_at - settings.task_lead
        if settings.task_lead and _in(after, lead, until) and not _held(snooze, lead):
            events.append(Event(Kind.TASK, f"task:{subject}:lead:{due}", lead, task.assignee_id, subject,
                                {**guard, "lead": True}, False, task.due_at))
        if _in(after, task.due_at, until) and not _held(snooze, task.due_at):
            events.append(Event(Kind.TASK, f"task:{subject}:due:{due}", task.due_at, task.assignee_id,
                                subject, guard, False))
    if snooze is not None and _in(after, snooze, until):
        events.append(Event(Kind.TASK, f"task:{subject}:snooze:{stamp(snooze)}", snooze, task.assignee_id,
                            subject, {**guard, "snooze": snooze.isoformat()}, False))
    return events


def delivery(event: Event, settings: WorkSettings, now: datetime) -> datetime | None:
    """When the message for `event` goes out to a reader on `settings`' clock, or None when it
    should not go at all: missed by more than the catch-up window (the daily card carries it
    instead), or a lead reminder held back until the task is due anyway. A message caught up
    after a stop still waits for the morning if now is a quiet hour."""
    moment = settings.next_allowed(event.at, working_days_only=event.working_days_only)
    if moment < now - settings.catch_up:
        return None
    if moment < now:  # caught up after a stop: now, unless now is itself a quiet hour
        moment = settings.next_allowed(now, working_days_only=event.working_days_only)
    if event.due_at is not None and moment >= event.due_at:
        return None
    return moment


def obsolete_reason(uow: UnitOfWork, guard: dict[str, Any] | None, now: datetime) -> str | None:
    """Why a queued reminder should no longer go out (None: it still holds).

    Checked by the dispatcher just before sending, so a deal moved or a task done after the
    reminder was queued (say, overnight for the morning) does not get it.
    """
    if not guard:
        return None
    if "suggestion" in guard:  # a next step offered: pointless once kept, dismissed or erased
        suggestion = uow.suggestions.get(guard["suggestion"])
        return None if suggestion is not None and suggestion.status == "pending" else "already decided"
    if "news" in guard or "retracts" in guard:  # deal news to a subscribed chat
        return news.obsolete(uow, guard)
    if "offer" in guard:  # a lead offered: not once it was taken, passed on or timed out
        offers = [o for o in uow.leads.offers(guard["lead"]) if o.id == guard["offer"]]
        return None if offers and offers[0].outcome == "open" else "the offer ended"
    if "approval" in guard:  # an approval's card, reminder or escalation: not once its step is decided
        approval = uow.approvals.get(guard["approval"])
        pending = approval is not None and approval.is_pending and approval.step == guard["step"]
        return None if pending else "already decided"
    if "waiting" in guard:  # a customer waiting: not once someone answered
        return None if still_waiting(uow, guard) else "answered"
    snooze = guard.get("snooze")
    if "deal" in guard:
        deal = uow.deals.get(guard["deal"])
        if deal is None or deal.status != DealStatus.OPEN:
            return "the deal is closed"
        if deal.stage != guard["stage"] or deal.stage_entered_at != datetime.fromisoformat(guard["entered"]):
            return "the deal moved"
        return _snooze_reason(deal.snoozed_until, snooze, now)
    if "task" in guard:
        task = uow.tasks.get(guard["task"])
        if task is None or task.done_at is not None:
            return "the task was cancelled with its deal" if task and task.cancelled_at else "the task is done"
        made_for_due = datetime.fromisoformat(guard["due"]) if guard.get("due") else None
        if task.due_at != made_for_due:
            return "the task's due time changed"
        return _snooze_reason(task.snoozed_until, snooze, now)
    return None


def _snooze_reason(current: datetime | None, made_for: str | None, now: datetime) -> str | None:
    if made_for is not None:
        if current is None or current != datetime.fromisoformat(made_for):
            return "snoozed again"
        return None
    if current is not None and current > now:
        return "snoozed"
    return None
