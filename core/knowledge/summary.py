"""`summary D-12`: what a deal's stored records say, in a few deterministic lines.

Nothing here guesses beyond the records: the stage path is the deal's stage changes; a
commitment is a logged follow-up that made a task (its dated next step) or a captured message in
which core.conversations.nextsteps finds a dated promise; whether it was kept is what the task
says (done by its due time, done late, cancelled with the deal, still open, overdue) or, with no
task, only whether its date has passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.conversations.nextsteps import detect
from core.domain.model import Interaction, StageChange, Task

CAPTURED = "message"
# A task done within this long after its due time is kept on time (a promise "by Friday" met
# on Friday evening is kept).
ON_TIME = timedelta(hours=12)

# The statuses of a commitment, each with a sentence in i18n (summary.status.<status>).
KEPT, KEPT_LATE, CANCELLED, OVERDUE, OPEN, PAST_DUE, DUE = (
    "kept", "kept_late", "cancelled", "overdue", "open", "past_due", "due")


@dataclass(frozen=True)
class StageStay:
    stage: str
    entered: datetime
    days: int
    current: bool  # the stage the deal is in now (an open deal's last stay)


@dataclass(frozen=True)
class Commitment:
    """Someone promised something by a date: who (a member id, or a contact's name), what, by
    when, where it was said, and how it went."""

    what: str
    due: datetime
    has_time: bool
    said_at: datetime
    member_id: int | None  # our side: the member who said it (or logged it)
    contact: str | None  # the customer's side: the name the platform gave
    status: str
    task_id: int | None = None

    @property
    def ours(self) -> bool:
        return self.contact is None


def stage_path(changes: Sequence[StageChange], now: datetime, closed_at: datetime | None) -> list[StageStay]:
    """Each stage the deal entered, oldest first, with the whole days it stayed; the last stay
    lasts until the close (a closed deal, whose last stage is won or lost, shows 0) or now."""
    ordered = sorted(changes, key=lambda change: (change.at, change.id or 0))
    stays = []
    for i, change in enumerate(ordered):
        last = i == len(ordered) - 1
        end = ordered[i + 1].at if not last else (closed_at or now)
        days = max(0, int((end - change.at).total_seconds() // 86400))
        stays.append(StageStay(change.to_stage, change.at, days, current=last and closed_at is None))
    return stays


def commitments(items: Sequence[Interaction], tasks: Sequence[Task], now: datetime, tz: str) -> list[Commitment]:
    """The dated promises in the deal's follow-ups and captured messages, oldest first.

    A logged follow-up is a commitment when it made a task (the log's next step: same text, made
    at the same moment); a captured message when nextsteps finds a dated promise in it, read as
    of the moment it was sent. A promise of ours is matched to the deal's task with its due time
    (a kept suggestion), each task to one promise at most."""
    free = sorted(tasks, key=lambda task: task.id or 0)
    found = []
    for item in sorted(items, key=lambda i: (i.occurred_at, i.id or 0)):
        if item.deleted_at is not None or not item.text:
            continue
        if item.kind != CAPTURED:
            task = next((task for task in free if task.created_at == item.occurred_at
                         and task.title == item.text[:200] and task.due_at is not None), None)
            if task is None or task.due_at is None:
                continue
            free.remove(task)
            found.append(Commitment(item.text, task.due_at, True, item.occurred_at, item.author_id, None,
                                    task_status(task, now), task.id))
            continue
        step = detect(item.text, item.occurred_at, tz)
        if step is None:
            continue
        contact = None if item.author_id is not None else (item.author_name or "?")
        task = None
        if contact is None:
            task = next((task for task in free if task.due_at == step.due), None)
        if task is not None:
            free.remove(task)
            status = task_status(task, now)
        else:
            status = PAST_DUE if step.due < now else DUE
        found.append(Commitment(step.sentence, step.due, step.has_time, item.occurred_at, item.author_id, contact,
                                status, task.id if task else None))
    return found


def task_status(task: Task, now: datetime) -> str:
    if task.cancelled_at is not None:
        return CANCELLED
    if task.done_at is not None:
        return KEPT if task.due_at is None or task.done_at <= task.due_at + ON_TIME else KEPT_LATE
    return OVERDUE if task.due_at is not None and task.due_at < now else OPEN


def last_customer_message(items: Sequence[Interaction]) -> Interaction | None:
    """The newest captured message from the customer's side (no member wrote it)."""
    theirs = [i for i in items if i.kind == CAPTURED and i.author_id is None and i.deleted_at is None and i.text]
    return max(theirs, key=lambda i: (i.occurred_at, i.id or 0), default=None)
