"""In-memory implementations of the core's ports, for unit tests of the core.

tests/storage/test_repository_contract.py runs the same contract against these and the SQL
repositories, so they cannot drift from the real thing.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from core.model import DealStatus, Identity


class FixedClock:
    def __init__(self, now: datetime | None = None):
        self._now = now or datetime(2026, 3, 4, 2, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)

    def set(self, now: datetime) -> None:
        self._now = now


class _Table:
    """A dict of id -> object with id assignment, shared by every fake repository."""

    def __init__(self):
        self.rows: dict[int, object] = {}
        self.next_id = 1

    def add(self, obj):
        if obj.id is None:
            obj.id = self.next_id
        self.next_id = max(self.next_id, obj.id) + 1
        self.rows[obj.id] = obj
        return obj

    def get(self, obj_id):
        return self.rows.get(obj_id)

    def all(self):
        return list(self.rows.values())


class FakeTeamRepository(_Table):
    def by_name(self, name):
        return next((t for t in self.all() if t.name.lower() == name.lower()), None)

    def list(self):
        return sorted(self.all(), key=lambda t: t.id)


class FakeMemberRepository(_Table):
    def __init__(self):
        super().__init__()
        self.identity_rows = _Table()
        self.link_codes: dict[str, tuple[int, datetime]] = {}

    def by_handle(self, handle):
        return next((m for m in self.all() if m.handle.lower() == handle.lower()), None)

    def by_identity(self, platform, user_id):
        ident = next(
            (i for i in self.identity_rows.all() if (i.platform, i.user_id) == (platform, user_id)),
            None,
        )
        return self.get(ident.member_id) if ident else None

    def in_team(self, team_id):
        return sorted((m for m in self.all() if m.team_id == team_id), key=lambda m: m.id)

    def add_identity(self, identity: Identity):
        return self.identity_rows.add(identity)

    def identities(self, member_id):
        return [i for i in self.identity_rows.all() if i.member_id == member_id]

    def add_link_code(self, code, member_id, expires_at):
        self.link_codes[code] = (member_id, expires_at)

    def take_link_code(self, code, now):
        member_id, expires_at = self.link_codes.pop(code, (None, None))
        return member_id if member_id is not None and expires_at > now else None

    def by_identities(self, platform, user_ids):
        wanted = set(user_ids)
        return {i.user_id: self.get(i.member_id) for i in self.identity_rows.all()
                if i.platform == platform and i.user_id in wanted}


class FakeCustomerRepository(_Table):
    def by_name(self, team_id, name):
        wanted = name.casefold()
        for c in self.all():
            names = [c.name, *c.aliases]
            if c.team_id == team_id and wanted in (n.casefold() for n in names):
                return c
        return None

    def named(self, team_id, name):
        from core.model import Customer

        return self.by_name(team_id, name) or self.add(Customer(name=name, team_id=team_id))


class FakeDealRepository(_Table):
    def by_ref(self, ref):
        return next((d for d in self.all() if d.ref == ref), None)

    def find(self, *, team_id=None, owner_id=None, status=None, stage=None):
        def keep(d):
            return (
                (team_id is None or d.team_id == team_id)
                and (owner_id is None or d.owner_id == owner_id)
                and (status is None or d.status == DealStatus(status))
                and (stage is None or d.stage == stage)
            )

        return sorted(filter(keep, self.all()), key=lambda d: -d.id)

    def record_activity(self, deal_times):
        for deal_id, at in deal_times.items():
            self._touch(self.get(deal_id), at)

    def record_customer_activity(self, customer_times):
        for deal in self.all():
            if deal.customer_id in customer_times and deal.status == DealStatus.OPEN:
                self._touch(deal, customer_times[deal.customer_id])

    @staticmethod
    def _touch(deal, at):
        if deal is not None and (deal.last_activity_at is None or deal.last_activity_at < at):
            deal.last_activity_at = at


class FakeStageChangeRepository(_Table):
    def for_deal(self, deal_id):
        return sorted((c for c in self.all() if c.deal_id == deal_id), key=lambda c: (c.at, c.id))

    def delete_for_deal(self, deal_id):
        self.rows = {k: c for k, c in self.rows.items() if c.deal_id != deal_id}


class FakeTaskRepository(_Table):
    def find(self, *, team_id=None, assignee_id=None, deal_id=None, open_only=True):
        def keep(t):
            return (
                (team_id is None or t.team_id == team_id)
                and (assignee_id is None or t.assignee_id == assignee_id)
                and (deal_id is None or t.deal_id == deal_id)
                and (not open_only or t.done_at is None)
            )

        far = datetime.max.replace(tzinfo=UTC)
        return sorted(filter(keep, self.all()), key=lambda t: (t.due_at or far, t.id))


class FakeInteractionRepository(_Table):
    def add(self, interaction):
        # As the unique (platform, chat_id, message_id) in SQL: a message captured twice is
        # stored once. Typed notes have no message id and never collide.
        key = (interaction.platform, interaction.chat_id, interaction.message_id)
        if interaction.message_id is not None and any(
            (i.platform, i.chat_id, i.message_id) == key for i in self.all()
        ):
            raise ValueError(f"interaction {key} is already stored")
        return super().add(interaction)

    def for_deal(self, deal_id, limit=5):
        mine = [i for i in self.all() if i.deal_id == deal_id and i.deleted_at is None]
        return sorted(mine, key=lambda i: (i.occurred_at, i.id), reverse=True)[:limit]

    def for_chat(self, platform, chat_id, limit=50):
        mine = [i for i in self.all() if (i.platform, i.chat_id) == (platform, chat_id) and i.deleted_at is None]
        return sorted(mine, key=lambda i: (i.occurred_at, i.id), reverse=True)[:limit]

    def _by_key(self, platform, chat_id, message_id):
        key = (platform, chat_id, message_id)
        return next((i for i in self.all() if (i.platform, i.chat_id, i.message_id) == key), None)

    def add_captured(self, messages):
        stored = []
        for item in messages:
            if self._by_key(item.platform, item.chat_id, item.message_id) is None:
                item.id = super().add(_as_interaction(item)).id
                stored.append(item)
        return stored

    def edit_captured(self, platform, chat_id, message_id, text, at):
        found = self._by_key(platform, chat_id, message_id)
        if found is None or found.deleted_at is not None or (found.edited_at and found.edited_at > at):
            return False
        found.text, found.edited_at = text, at
        return True

    def delete_captured(self, tombstone):
        found = self._by_key(tombstone.platform, tombstone.chat_id, tombstone.message_id)
        if found is None:
            super().add(_as_interaction(dataclasses.replace(tombstone, text="", id=None)))
            return False
        if found.deleted_at is not None:
            return False
        found.text, found.deleted_at = "", tombstone.deleted_at
        return True


def _as_interaction(message):
    from core.model import Interaction

    return Interaction(**dataclasses.asdict(message))


class FakeChatBindingRepository(_Table):
    def __init__(self, deals=None, teams=None):
        super().__init__()
        self._deals = deals  # the unit of work's deals, for a deal binding's customer
        self._teams = teams  # and its teams, for the team's settings

    def for_chat(self, platform, chat_id):
        return next((b for b in self.all() if (b.platform, b.chat_id) == (platform, chat_id)), None)

    def targets(self, keys):
        from core.capture import CaptureTarget

        wanted, found = set(keys), {}
        for b in self.all():
            if (b.platform, b.chat_id) in wanted:
                deal = self._deals().get(b.deal_id) if b.deal_id is not None else None
                customer = b.customer_id if deal is None else deal.customer_id
                team = self._teams().get(b.team_id) if self._teams is not None else None
                found[(b.platform, b.chat_id)] = CaptureTarget(
                    b.team_id, b.deal_id, customer, b.capturing, team.timezone if team else None,
                    team.settings if team else None)
        return found

    def for_deal(self, deal_id):
        return sorted((b for b in self.all() if b.deal_id == deal_id), key=lambda b: b.id)

    def add(self, binding):
        # As the unique (platform, chat_id) in SQL.
        if self.for_chat(binding.platform, binding.chat_id) is not None:
            raise ValueError(f"chat {binding.platform}:{binding.chat_id} is bound already")
        return super().add(binding)

    def remove(self, binding):
        self.rows.pop(binding.id, None)


class FakeAuditRepository(_Table):
    def for_entity(self, entity):
        return sorted((e for e in self.all() if e.entity == entity), key=lambda e: (e.at, e.id))


class FakeOutboxRepository(_Table):
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

    def claim(self, *, now, lease_until, limit, platforms):
        from core.outbox import OutboxStatus

        ready = [m for m in self.all() if m.status == OutboxStatus.PENDING and m.not_before <= now
                 and m.platform in platforms and (m.claimed_until is None or m.claimed_until < now)]
        ready.sort(key=lambda m: (m.not_before, m.id))
        for m in ready[:limit]:
            m.claimed_until = lease_until
        return [copy.copy(m) for m in ready[:limit]]

    def _pending(self, message_id):
        from core.outbox import OutboxStatus

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


class FakeDigestRepository(_Table):
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
class _Mark:
    name: str
    at: datetime
    id: int | None = None


class FakeScanMarks(_Table):
    def get_mark(self, name):
        return next((m.at for m in self.all() if m.name == name), None)

    def set_mark(self, name, at):
        mark = next((m for m in self.all() if m.name == name), None)
        if mark is None:
            self.add(_Mark(name, at))
        elif mark.at < at:
            mark.at = at


class FakeHandledMessages:
    def __init__(self):
        self.rows: dict[tuple[str, str, str], datetime] = {}

    def first_time(self, platform, chat_id, message_id, at):
        key = (platform, chat_id, message_id)
        if key in self.rows:
            return False
        self.rows[key] = at
        return True

    def forget_before(self, before):
        gone = [key for key, at in self.rows.items() if at < before]
        for key in gone:
            del self.rows[key]
        return len(gone)

    def all(self):
        return []  # plain keys, nothing for commit() to check


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
        from core.due import DealStamp

        return DealStamp(d.id, d.owner_id, d.team_id, d.stage, d.stage_entered_at, d.snoozed_until)

    @staticmethod
    def _task_stamp(t):
        from core.due import TaskStamp

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
        from core.due import TeamFigures

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


class FakeUnitOfWork:
    """Commit keeps the current state; rollback restores the state of the last commit."""

    _REPOS = ("teams", "members", "customers", "deals", "stage_changes", "tasks", "interactions", "audit",
              "outbox", "digests", "scan_marks", "chat_bindings", "suggestions", "handled")

    def __init__(self):
        self.teams = FakeTeamRepository()
        self.members = FakeMemberRepository()
        self.customers = FakeCustomerRepository()
        self.deals = FakeDealRepository()
        self.stage_changes = FakeStageChangeRepository()
        self.tasks = FakeTaskRepository()
        self.interactions = FakeInteractionRepository()
        self.chat_bindings = FakeChatBindingRepository(lambda: self.deals, lambda: self.teams)
        self.suggestions = FakeSuggestionRepository(lambda: self)
        self.conversations = FakeConversationRepository(self)
        self.privacy = FakePrivacyRepository(self)
        self.audit = FakeAuditRepository()
        self.outbox = FakeOutboxRepository()
        self.digests = FakeDigestRepository()
        self.scan_marks = FakeScanMarks()
        self.handled = FakeHandledMessages()
        self.reminders = FakeReminderRepository(self)
        self.analytics = _reference_analytics(self)
        self._lock = threading.RLock()
        self.commits = 0
        self._saved = self._snapshot()

    def _snapshot(self):
        return {name: copy.deepcopy(getattr(self, name)) for name in self._REPOS}

    def __enter__(self):
        self._lock.acquire()  # one transaction at a time, as the dispatcher's threads need
        self._saved = self._snapshot()
        return self

    def __exit__(self, *exc):
        try:
            self.rollback()
        finally:
            self._lock.release()

    def merge_members(self, from_id, into_id):
        moves = [
            (self.members.identity_rows.all(), "member_id"), (self.deals.all(), "owner_id"),
            (self.tasks.all(), "assignee_id"), (self.interactions.all(), "author_id"),
            (self.stage_changes.all(), "by_id"), (self.audit.all(), "actor_id"),
            (self.chat_bindings.all(), "bound_by"),
            (self.suggestions.all(), "owner_id"), (self.suggestions.all(), "decided_by"),
        ]
        for rows, attr in moves:
            for row in rows:
                if getattr(row, attr) == from_id:
                    setattr(row, attr, into_id)
        self.members.link_codes = {
            code: (into_id if m == from_id else m, exp) for code, (m, exp) in self.members.link_codes.items()
        }
        del self.members.rows[from_id]

    def commit(self):
        for obj in self._stored_objects():
            _check_storable(obj)
        self._saved = self._snapshot()
        self.commits += 1

    def rollback(self):
        for name, repo in self._saved.items():
            setattr(self, name, copy.deepcopy(repo))

    def _stored_objects(self):
        for name in self._REPOS:
            yield from getattr(self, name).all()
        yield from self.members.identity_rows.all()


def _reference_analytics(uow):
    """The plain-Python definition of every figure, over the fake's current rows."""
    from core.analytics.reference import ReferenceAnalytics

    return ReferenceAnalytics(lambda: uow.deals.all(), lambda: uow.stage_changes.all(),
                              lambda: uow.tasks.all(), lambda: uow.interactions.all())


def _check_storable(obj) -> None:
    """Refuse what the SQL columns refuse (storage/types.py), so core tests on fakes catch it."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, datetime) and value.utcoffset() is None:
            raise ValueError(f"{type(obj).__name__}.{f.name}: naive datetime {value!r}")
        if isinstance(value, Decimal) and value != value.quantize(Decimal("0.01")):
            raise ValueError(f"{type(obj).__name__}.{f.name}: {value} is not whole cents")
        if isinstance(value, dict | list):
            json.dumps(value)  # TypeError for Decimal, datetime, sets...


class ChatHarness:
    """A Dealbot on fakes, driven like a chat: `say("alice", "new Acme")` returns the Reply."""

    def __init__(self, *, admins=(("console", "boss"),), clock=None, uow=None):
        from core.app import Dealbot
        from core.context import Defaults

        self.uow = uow or FakeUnitOfWork()
        self.clock = clock or FixedClock()
        self.bot = Dealbot(lambda: self.uow, self.clock, Defaults(admins=frozenset(admins)))
        self._count = 0

    def say(self, user: str, text: str, platform: str = "console"):
        from core.messages import Incoming

        self._count += 1
        return self.bot.handle(Incoming(platform=platform, user_id=user, user_name=user, text=text,
                                        message_id=str(self._count)))

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self.uow, name).rows) for name in FakeUnitOfWork._REPOS}


# -- captured conversations: suggestions, response times, privacy (core.ports) ------------------

class FakeSuggestionRepository(_Table):
    def __init__(self, uow):
        super().__init__()
        self._uow = uow  # a function: snapshots copy this table, not the whole unit of work

    def deal_people(self, deal_ids):
        from core.recipients import DealPeople

        found, uow = {}, self._uow()
        for deal_id in deal_ids:
            deal = uow.deals.get(deal_id)
            if deal is None:
                continue
            owner = uow.members.get(deal.owner_id)
            identities = tuple(uow.members.identities(owner.id)) if owner else ()
            customer = uow.customers.get(deal.customer_id) if deal.customer_id else None
            found[deal_id] = DealPeople(deal, owner, identities, customer.name if customer else None,
                                        uow.teams.get(deal.team_id))
        return found

    def add(self, suggestion):
        # As the unique interaction_id in SQL: one suggestion per captured message.
        if suggestion.interaction_id is not None and any(
                s.interaction_id == suggestion.interaction_id for s in self.all()):
            raise ValueError(f"interaction {suggestion.interaction_id} has a suggestion already")
        return super().add(suggestion)

    def add_all(self, suggestions):
        for suggestion in suggestions:
            self.add(suggestion)

    def save(self, suggestion):
        pass  # the fake keeps the objects themselves: the decision is in place already


def _is_captured(item, kind):
    return item.kind == "message" and item.author_kind == kind


class FakeConversationRepository:
    """core.ports.ConversationRepository over the fake unit of work's interactions."""

    def __init__(self, uow):
        self._uow = uow

    def _answer(self, asked):
        later = [i for i in self._uow.interactions.all()
                 if (i.platform, i.chat_id) == (asked.platform, asked.chat_id) and _is_captured(i, "member")
                 and i.occurred_at > asked.occurred_at]
        return min(later, key=lambda i: (i.occurred_at, i.id), default=None)

    def _contact_messages(self, keep):
        rows = [i for i in self._uow.interactions.all() if _is_captured(i, "contact") and keep(i)]
        return sorted(rows, key=lambda i: (i.occurred_at, i.id))

    def response_pairs(self, team_id, start, end):
        from core.responses import ResponsePair

        pairs = []
        for asked in self._contact_messages(lambda i: i.team_id == team_id and start <= i.occurred_at < end):
            answer = self._answer(asked)
            pairs.append(ResponsePair(asked.occurred_at, answer and answer.occurred_at, answer and answer.author_id))
        return pairs

    def waiting(self, team_id, since, until):
        def bound(i):
            binding = self._uow.chat_bindings.for_chat(i.platform, i.chat_id)
            return binding is not None and binding.capturing

        def starts_streak(asked):
            before = [i for i in self._uow.interactions.all()
                      if (i.platform, i.chat_id) == (asked.platform, asked.chat_id) and i.kind == "message"
                      and (i.occurred_at, i.id) < (asked.occurred_at, asked.id)]
            previous = max(before, key=lambda i: (i.occurred_at, i.id), default=None)
            return previous is None or previous.author_kind == "member"

        return [_waiting(asked) for asked in self._contact_messages(
                    lambda i: i.team_id == team_id and since < i.occurred_at <= until and bound(i))
                if self._answer(asked) is None and starts_streak(asked)]

    def unanswered(self, deal_id, customer_id):
        waiting = []
        for b in self._uow.chat_bindings.all():
            if b.deal_id != deal_id and (customer_id is None or b.customer_id != customer_id):
                continue
            said = [i for i in self._uow.interactions.all()
                    if (i.platform, i.chat_id) == (b.platform, b.chat_id) and i.kind == "message"
                    and (i.author_kind == "member" or i.deleted_at is None)]
            newest = max(said, key=lambda i: (i.occurred_at, i.id), default=None)
            if newest is not None and newest.author_kind == "contact":
                waiting.append(newest)
        return _waiting(max(waiting, key=lambda i: (i.occurred_at, i.id))) if waiting else None


def _waiting(item):
    from core.responses import Waiting

    return Waiting(item.id, item.platform, item.chat_id, item.message_id, item.occurred_at, item.text,
                   item.author_name, item.deal_id, item.customer_id)


class FakePrivacyRepository:
    """core.ports.PrivacyRepository over the fake unit of work."""

    def __init__(self, uow):
        self._uow = uow

    def purge_captured(self, team_id, before, now):
        return self._erase(lambda i: i.team_id == team_id and i.kind == "message" and i.occurred_at < before
                           and (i.text != "" or i.author_name is not None or i.author_ref is not None), now)

    def erase_member(self, member_id, now):
        erased = self._erase(lambda i: i.author_id == member_id and i.kind == "message", now)
        for item in self._uow.interactions.all():
            if item.author_id == member_id:
                item.author_name = None
        return erased

    def erase_contact(self, platform, user_id, now):
        return self._erase(lambda i: (i.platform, i.author_ref, i.author_kind) == (platform, user_id, "contact"),
                           now)

    def contacts_named(self, team_id, name):
        found = {}
        for i in self._uow.interactions.all():
            if (i.author_kind == "contact" and i.author_ref is not None and i.author_name is not None
                    and i.author_name.lower() == name.lower() and (team_id is None or i.team_id == team_id)):
                key = (i.platform, i.author_ref)
                found[key] = min(found.get(key, i.author_name), i.author_name)
        return [(p, ref, n) for (p, ref), n in sorted(found.items())]

    def customer_interactions(self, customer_id):
        deals = {d.id for d in self._uow.deals.all() if d.customer_id == customer_id}
        rows = [i for i in self._uow.interactions.all() if i.deleted_at is None
                and (i.customer_id == customer_id or i.deal_id in deals)]
        return sorted(rows, key=lambda i: (i.occurred_at, i.id))

    def customers_with_contacts(self):
        return sorted((c for c in self._uow.customers.all() if c.contacts), key=lambda c: c.id)

    def _erase(self, which, now):
        from core.suggestions import ERASED, dm_key, erased_payload

        chosen = [i for i in self._uow.interactions.all() if which(i)]
        ids = {i.id for i in chosen}
        for suggestion in self._uow.suggestions.all():
            if suggestion.interaction_id in ids:
                suggestion.title = ERASED
                if suggestion.task_id is not None and (task := self._uow.tasks.get(suggestion.task_id)):
                    task.title = ERASED
                key = dm_key(suggestion.id, suggestion.owner_id)
                for row in self._uow.outbox.all():
                    if row.dedupe_key == key:
                        row.payload = erased_payload(suggestion.id)
                        if row.status == "pending":
                            row.status, row.last_error, row.claimed_until = "skipped", "erased", None
        for item in chosen:
            item.text, item.author_name, item.author_ref = "", None, None
            item.deleted_at = item.deleted_at or now
        return len(chosen)
