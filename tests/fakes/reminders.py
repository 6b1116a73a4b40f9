"""Fakes of the reminder ports (core.ports.reminders): outbox, digests, scan marks, reminders;
and a notifier that records what it was asked to send."""

from __future__ import annotations

import copy
import dataclasses
from datetime import datetime

from core.domain.model import DealStatus
from tests.fakes.table import Table


class FakeOutboxRepository(Table):
    """As storage.outbox.SqlOutboxRepository: unique dedupe keys, holds that expire."""

    def add(self, message):
        if any(m.dedupe_key == message.dedupe_key for m in self.all()):
            return False
        super().add(message)
        return True

    def add_all(self, messages):
        for message in messages:
            self.add(dataclasses.replace(message))  # as SQL: the caller's objects get no id

    def existing_keys(self, keys):
        wanted = set(keys)
        return {m.dedupe_key for m in self.all() if m.dedupe_key in wanted}

    def sent_keys(self, keys):
        from core.reminders.outbox import OutboxStatus

        wanted = set(keys)
        return {m.dedupe_key for m in self.all() if m.dedupe_key in wanted and m.status == OutboxStatus.SENT}

    def claim(self, *, now, lease_until, limit, platforms):
        from core.reminders.outbox import OutboxStatus

        ready = [m for m in self.all() if m.status == OutboxStatus.PENDING and m.not_before <= now
                 and m.platform in platforms and (m.claimed_until is None or m.claimed_until < now)]
        ready.sort(key=lambda m: (m.not_before, m.id))
        for m in ready[:limit]:
            m.claimed_until = lease_until
        return [copy.copy(m) for m in ready[:limit]]

    def _pending(self, message_id):
        from core.reminders.outbox import OutboxStatus

        m = self.get(message_id)
        return m if m is not None and m.status == OutboxStatus.PENDING else None

    def mark_sent(self, message_id, *, at, platform_message_id):
        if m := self._pending(message_id):
            m.status, m.sent_at, m.claimed_until, m.message_id = "sent", at, None, platform_message_id
            m.attempts += 1

    def retry_later(self, message_id, *, not_before, error, count_attempt=True):
        if m := self._pending(message_id):
            m.not_before, m.claimed_until = not_before, None
            m.last_error = error or m.last_error
            m.attempts += 1 if count_attempt else 0

    def mark_failed(self, message_id, *, at, error):
        if m := self._pending(message_id):
            m.status, m.claimed_until, m.last_error = "failed", None, error
            m.attempts += 1

    def mark_skipped(self, message_id, *, at, reason):
        if m := self._pending(message_id):
            m.status, m.claimed_until, m.last_error = "skipped", None, reason

    def requeue(self, message_ids, *, now):
        count = 0
        for message_id in message_ids:
            m = self.get(message_id)
            if m is not None and m.status == "failed":
                m.status, m.attempts, m.not_before, m.claimed_until = "pending", 0, now, None
                count += 1
        return count

    def release(self, message_ids):
        for message_id in message_ids:
            if m := self._pending(message_id):
                m.claimed_until = None

    def list(self, *, statuses=None, limit=50):
        rows = [m for m in self.all() if not statuses or m.status in statuses]
        return sorted(rows, key=lambda m: -m.id)[:limit]

    def counts(self):
        result = {}
        for m in self.all():
            result[str(m.status)] = result.get(str(m.status), 0) + 1
        return result


class FakeDigestRepository(Table):
    def add(self, subscription):
        key = (subscription.platform, subscription.chat_id, subscription.frequency)
        if any((s.platform, s.chat_id, s.frequency) == key for s in self.all()):
            return False
        super().add(subscription)
        return True

    def remove(self, platform, chat_id):
        gone = [k for k, s in self.rows.items() if (s.platform, s.chat_id) == (platform, chat_id)]
        for k in gone:
            del self.rows[k]
        return len(gone)

    def for_chat(self, platform, chat_id):
        return sorted((s for s in self.all() if (s.platform, s.chat_id) == (platform, chat_id)),
                      key=lambda s: s.id)

    def for_team(self, team_id):
        return sorted((s for s in self.all() if s.team_id == team_id), key=lambda s: s.id)


@dataclasses.dataclass


@dataclasses.dataclass
class _Mark:
    name: str
    at: datetime
    id: int | None = None


class FakeScanMarks(Table):
    def get_mark(self, name):
        return next((m.at for m in self.all() if m.name == name), None)

    def set_mark(self, name, at):
        mark = next((m for m in self.all() if m.name == name), None)
        if mark is None:
            self.add(_Mark(name, at))
        elif mark.at < at:
            mark.at = at


class FakeReminderRepository:
    """The scans' queries over the fake unit of work's deals and tasks (no state of its own)."""

    def __init__(self, uow):
        self._uow = uow

    def _open_deals(self, team_id):
        return [d for d in self._uow.deals.all() if d.team_id == team_id and d.status == DealStatus.OPEN]

    def _open_tasks(self, team_id):
        return [t for t in self._uow.tasks.all() if t.team_id == team_id and t.done_at is None]

    @staticmethod
    def _deal_stamp(d):
        from core.reminders.due import DealStamp

        return DealStamp(d.id, d.owner_id, d.team_id, d.stage, d.stage_entered_at, d.snoozed_until)

    @staticmethod
    def _task_stamp(t):
        from core.reminders.due import TaskStamp

        return TaskStamp(t.id, t.assignee_id, t.team_id, t.due_at, t.deal_id, t.snoozed_until)

    def deals_entered(self, team_id, windows):
        return [self._deal_stamp(d) for d in self._open_deals(team_id)
                if any(d.stage == stage and after < d.stage_entered_at <= until
                       for stage, after, until in windows)]

    def deals_snoozed(self, team_id, after, until):
        return [self._deal_stamp(d) for d in self._open_deals(team_id)
                if d.snoozed_until is not None and after < d.snoozed_until <= until]

    def tasks_due(self, team_id, after, until):
        return [self._task_stamp(t) for t in self._open_tasks(team_id)
                if t.due_at is not None and after < t.due_at <= until]

    def tasks_snoozed(self, team_id, after, until):
        return [self._task_stamp(t) for t in self._open_tasks(team_id)
                if t.snoozed_until is not None and after < t.snoozed_until <= until]

    def open_deals(self, team_id, owner_id):
        return [dataclasses.replace(self._deal_stamp(d), last_touched=d.last_activity_at or d.created_at)
                for d in self._open_deals(team_id) if d.owner_id == owner_id]

    def overdue_tasks(self, team_id, assignee_id, now):
        late = [t for t in self._open_tasks(team_id)
                if t.assignee_id == assignee_id and t.due_at is not None and t.due_at < now]
        return [self._task_stamp(t) for t in sorted(late, key=lambda t: (t.due_at, t.id))]

    def people_with_work(self, team_id, now):
        owners = {d.owner_id for d in self._open_deals(team_id)}
        late = {t.assignee_id for t in self._open_tasks(team_id) if t.due_at is not None and t.due_at < now}
        return sorted(owners | late)

    def figures(self, team_id, start, end, stale_before):
        from core.reminders.due import TeamFigures

        f = TeamFigures()
        deals = [d for d in self._uow.deals.all() if d.team_id == team_id]
        f.new_deals = sum(1 for d in deals if start <= d.created_at < end)
        for d in deals:
            if d.status != DealStatus.OPEN and d.closed_at is not None and start <= d.closed_at < end:
                if d.status == DealStatus.WON:
                    f.won += 1
                    if d.amount is not None:
                        f.won_amount[d.currency] = f.won_amount.get(d.currency, 0) + d.amount
                else:
                    f.lost += 1
            elif d.status == DealStatus.OPEN:
                f.open_deals += 1
                if d.amount is not None:
                    f.open_amount[d.currency] = f.open_amount.get(d.currency, 0) + d.amount
                if d.stage in stale_before and d.stage_entered_at < stale_before[d.stage]:
                    f.stale += 1
        ids = {d.id for d in deals}
        f.stage_moves = sum(1 for c in self._uow.stage_changes.all()
                            if c.deal_id in ids and c.from_stage is not None and start <= c.at < end)
        f.overdue_tasks = sum(1 for t in self._open_tasks(team_id) if t.due_at is not None and t.due_at < end)
        return f

    def mark(self, name):
        return self._uow.scan_marks.get_mark(name)

    def set_mark(self, name, at):
        self._uow.scan_marks.set_mark(name, at)


class RecordingNotifier:
    """A Notifier that keeps what it was asked to send: `sent` is [(chat_id, reply)]."""

    def __init__(self, platform: str):
        self.platform = platform
        self.sent: list = []

    async def send(self, chat_id, reply):
        self.sent.append((chat_id, reply))
        return f"{self.platform}-{len(self.sent)}"
