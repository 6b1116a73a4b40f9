"""The outbox: every proactive message as a row, written in the transaction that decided it.

A message is a Reply (stored as JSON) addressed to (platform, chat_id), with a dedupe key that
names the event it is about — `sla:D-12:quote:20260304T0200Z:owner` — so deciding twice (a
rerun, a restart, a second replica) stores it once. The dispatcher sends rows whose `not_before`
has come, and records the outcome on the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from core.chat.messages import Button, Field, Reply


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for not_before, or for a retry
    SENT = "sent"
    FAILED = "failed"  # gave up: the last error is kept for admins (`dealbot outbox`)
    SKIPPED = "skipped"  # no longer true when its time came (the deal moved, the task was done)


class Kind(StrEnum):
    SLA = "sla"  # a deal overstays its stage: to the owner
    ESCALATION = "escalation"  # still overstaying: to the team's managers
    TASK = "task"  # a task comes due (or its lead time, or its snooze, ends)
    DAILY = "daily"  # the daily progress card
    DIGEST = "digest"  # a subscribed chat's weekly or daily scorecard
    SUGGESTION = "suggestion"  # a next step found in a captured chat: [Keep] [Dismiss], to the owner
    WAITING = "waiting"  # a customer has waited too long for an answer in a linked chat: to the owner
    LINK = "link"  # `me link <code>` was redeemed: [Confirm] [Cancel], to the member who asked for it
    ACCESS = "access"  # someone the bot has not met asked: to the admins; approved: to them
    WEBHOOK = "webhook"  # an outbound webhook failing for days was paused: to the admins
    ASSIGNED = "assigned"  # `assign D-12 @bob`: the deal's card to its new owner
    NEWS = "news"  # a deal event for a chat subscribed with `notify` (core.notify.news)
    TASK_GIVEN = "task_given"  # a task someone else made for a member: to them (core.notify.direct)
    LEAD = "lead"  # a lead offered or assigned to a rep ([Accept] [Pass]), or back in the pool
    APPROVAL = "approval"  # an approval's card to its approvers, their reminder and escalation; the requester told
    ONBOARD = "onboard"  # `onboard @newrep`: a lesson each working day; the manager's end-of-plan note
    SURVEY = "survey"  # `csat D-12 send`: the 1–5 question, to the deal's linked chat


@dataclass(eq=False)
class OutboxMessage:
    platform: str
    chat_id: str
    kind: str
    dedupe_key: str
    payload: dict[str, Any]  # {"reply": reply_to_dict(...), "guard": {...} | None, "deal": "D-12" | None}
    not_before: datetime
    created_at: datetime
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    sent_at: datetime | None = None
    last_error: str | None = None
    claimed_until: datetime | None = None
    message_id: str | None = None  # the platform's id for the sent message
    id: int | None = None

    @property
    def reply(self) -> Reply:
        return reply_from_dict(self.payload.get("reply", {}))

    @property
    def guard(self) -> dict[str, Any] | None:
        return self.payload.get("guard")

    @property
    def subject(self) -> str:
        """What the message is about, for lists and tests: 'D-12', 'T-7' or ''."""
        return self.payload.get("subject") or ""


@dataclass(eq=False)
class DigestSubscription:
    """`digest here weekly` in a chat: that chat gets the team's scorecard."""

    team_id: int
    platform: str
    chat_id: str
    frequency: str  # weekly | daily
    created_at: datetime
    created_by: int | None = None
    id: int | None = None


FREQUENCIES = ("weekly", "daily")


@dataclass
class Draft:
    """A message decided by core.reminders.rules, before it has a row."""

    kind: Kind
    key: str
    platform: str
    chat_id: str
    reply: Reply
    not_before: datetime
    subject: str = ""
    guard: dict[str, Any] | None = None
    recipient_id: int | None = None  # the member it is for (None: a group chat)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_message(self, now: datetime) -> OutboxMessage:
        payload = {"reply": reply_to_dict(self.reply), "guard": self.guard, "subject": self.subject,
                   "recipient": self.recipient_id, **self.extra}
        return OutboxMessage(platform=self.platform, chat_id=self.chat_id, kind=str(self.kind),
                             dedupe_key=self.key, payload=payload, not_before=self.not_before,
                             created_at=now)


def stamp(moment: datetime) -> str:
    """A moment as it appears in dedupe keys: UTC, to the second, 20260304T020000Z."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    return {
        "title": reply.title,
        "lines": list(reply.lines),
        "fields": [[f.label, f.value] for f in reply.fields],
        "buttons": [[b.label, b.command] for b in reply.buttons],
        "image_path": reply.image_path,
        "language": reply.language,
    }


def reply_from_dict(data: dict[str, Any]) -> Reply:
    return Reply(
        title=data.get("title", ""),
        lines=list(data.get("lines", [])),
        fields=[Field(label, value) for label, value in data.get("fields", [])],
        buttons=[Button(label, command) for label, command in data.get("buttons", [])],
        image_path=data.get("image_path"),
        language=data.get("language", "en"),
    )
