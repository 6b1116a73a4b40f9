"""What the scheduler and the dispatcher need: the outbox, reminder stamps, digest subscriptions."""


from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from core.reminders.due import DealStamp, TaskStamp, TeamFigures
from core.reminders.outbox import DigestSubscription, OutboxMessage


class OutboxRepository(Protocol):
    """Proactive messages (core.reminders.outbox). Written by the scans, drained by the dispatcher."""

    def add(self, message: OutboxMessage) -> bool:
        """Store the message unless its dedupe key is taken (then nothing changes): True if stored."""
        ...

    def add_all(self, messages: Sequence[OutboxMessage]) -> None:
        """add() for many in one statement; those whose dedupe key is taken are skipped (and,
        unlike add(), no ids are set)."""
        ...

    def existing_keys(self, keys: Collection[str]) -> set[str]: ...
    def sent_keys(self, keys: Collection[str]) -> set[str]:
        """The keys among these whose rows were sent."""
        ...

    def get(self, message_id: int) -> OutboxMessage | None: ...
    def claim(self, *, now: datetime, lease_until: datetime, limit: int,
              platforms: Collection[str]) -> list[OutboxMessage]:
        """Pending rows for these platforms whose time has come and that no one holds, oldest
        first; each is held until lease_until, so no other dispatcher takes it meanwhile."""
        ...

    def mark_sent(self, message_id: int, *, at: datetime, platform_message_id: str | None) -> None: ...
    def retry_later(self, message_id: int, *, not_before: datetime, error: str | None,
                    count_attempt: bool = True) -> None:
        """Back to pending until not_before; error None keeps the last error."""
        ...

    def mark_failed(self, message_id: int, *, at: datetime, error: str) -> None: ...
    def mark_skipped(self, message_id: int, *, at: datetime, reason: str) -> None: ...
    def requeue(self, message_ids: Collection[int], *, now: datetime) -> int:
        """Failed rows back to pending, due now, with their attempts reset (an admin's retry)."""
        ...

    def release(self, message_ids: Collection[int]) -> None:
        """Let go of held rows without sending them (a dispatcher stopping)."""
        ...

    def list(self, *, statuses: Collection[str] | None = None, limit: int = 50) -> list[OutboxMessage]:
        """Newest first."""
        ...

    def counts(self) -> dict[str, int]:
        """Rows per status."""
        ...


class ReminderRepository(Protocol):
    """What the scheduler's scans read: open deals and tasks by the moments that matter, and
    the marks that say how far each scan has got. Windows are (after, until]."""

    def deals_entered(self, team_id: int,
                      windows: Sequence[tuple[str, datetime, datetime]]) -> Sequence[DealStamp]:
        """Open deals that entered their stage inside one of the (stage, after, until) windows."""
        ...

    def deals_snoozed(self, team_id: int, after: datetime, until: datetime) -> Sequence[DealStamp]:
        """Open deals whose snooze ends in the window."""
        ...

    def tasks_due(self, team_id: int, after: datetime, until: datetime) -> Sequence[TaskStamp]: ...
    def tasks_snoozed(self, team_id: int, after: datetime, until: datetime) -> Sequence[TaskStamp]: ...
    def open_deals(self, team_id: int, owner_id: int) -> Sequence[DealStamp]:
        """The member's open deals in the team, with last_touched (the daily card)."""
        ...

    def overdue_tasks(self, team_id: int, assignee_id: int, now: datetime) -> Sequence[TaskStamp]:
        """The member's open tasks due before now, earliest first."""
        ...

    def people_with_work(self, team_id: int, now: datetime) -> Sequence[int]:
        """Members owning open deals or holding overdue tasks in the team."""
        ...

    def figures(self, team_id: int, start: datetime, end: datetime,
                stale_before: dict[str, datetime]) -> TeamFigures:
        """The team's numbers over [start, end); a deal is stale when it entered its stage
        before stale_before[stage]."""
        ...

    def mark(self, name: str) -> datetime | None: ...
    def set_mark(self, name: str, at: datetime) -> None:
        """Move the mark forward (never back)."""
        ...


class DigestRepository(Protocol):
    def add(self, subscription: DigestSubscription) -> bool:
        """False when the chat already has that frequency."""
        ...

    def remove(self, platform: str, chat_id: str) -> int: ...
    def for_chat(self, platform: str, chat_id: str) -> Sequence[DigestSubscription]: ...
    def for_team(self, team_id: int) -> Sequence[DigestSubscription]: ...
