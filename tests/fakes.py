"""In-memory implementations of the core's ports, for unit tests of the core.

tests/storage/test_repository_contract.py runs the same contract against these and the SQL
repositories, so they cannot drift from the real thing.
"""

from __future__ import annotations

import copy
import dataclasses
import json
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


class FakeCustomerRepository(_Table):
    def by_name(self, team_id, name):
        wanted = name.casefold()
        for c in self.all():
            names = [c.name, *c.aliases]
            if c.team_id == team_id and wanted in (n.casefold() for n in names):
                return c
        return None


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
        mine = [i for i in self.all() if i.deal_id == deal_id]
        return sorted(mine, key=lambda i: (i.occurred_at, i.id), reverse=True)[:limit]


class FakeAuditRepository(_Table):
    def for_entity(self, entity):
        return sorted((e for e in self.all() if e.entity == entity), key=lambda e: (e.at, e.id))


class FakeUnitOfWork:
    """Commit keeps the current state; rollback restores the state of the last commit."""

    _REPOS = ("teams", "members", "customers", "deals", "stage_changes", "tasks", "interactions", "audit")

    def __init__(self):
        self.teams = FakeTeamRepository()
        self.members = FakeMemberRepository()
        self.customers = FakeCustomerRepository()
        self.deals = FakeDealRepository()
        self.stage_changes = FakeStageChangeRepository()
        self.tasks = FakeTaskRepository()
        self.interactions = FakeInteractionRepository()
        self.audit = FakeAuditRepository()
        self.commits = 0
        self._saved = self._snapshot()

    def _snapshot(self):
        return {name: copy.deepcopy(getattr(self, name)) for name in self._REPOS}

    def __enter__(self):
        self._saved = self._snapshot()
        return self

    def __exit__(self, *exc):
        self.rollback()

    def merge_members(self, from_id, into_id):
        moves = [
            (self.members.identity_rows.all(), "member_id"), (self.deals.all(), "owner_id"),
            (self.tasks.all(), "assignee_id"), (self.interactions.all(), "author_id"),
            (self.stage_changes.all(), "by_id"), (self.audit.all(), "actor_id"),
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
