"""Ports: the small protocols the core needs from the outside world.

`bot` fills them in: storage provides the repositories and unit of work, bot provides the clock.
tests/fakes.py provides in-memory versions that the repository contract tests hold to the
same behaviour as the SQL ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, Self

from core.model import (
    AuditEntry,
    Customer,
    Deal,
    DealStatus,
    Identity,
    Interaction,
    Member,
    StageChange,
    Task,
    Team,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class TeamRepository(Protocol):
    def add(self, team: Team) -> Team: ...
    def get(self, team_id: int) -> Team | None: ...
    def by_name(self, name: str) -> Team | None: ...
    def list(self) -> Sequence[Team]: ...


class MemberRepository(Protocol):
    def add(self, member: Member) -> Member: ...
    def get(self, member_id: int) -> Member | None: ...
    def by_handle(self, handle: str) -> Member | None: ...
    def by_identity(self, platform: str, user_id: str) -> Member | None: ...
    def in_team(self, team_id: int) -> Sequence[Member]: ...
    def add_identity(self, identity: Identity) -> Identity: ...
    def identities(self, member_id: int) -> Sequence[Identity]: ...
    def add_link_code(self, code: str, member_id: int, expires_at: datetime) -> None: ...
    def take_link_code(self, code: str, now: datetime) -> int | None:
        """The member id a one-time code was made for, if it has not expired; the code is used up."""
        ...


class CustomerRepository(Protocol):
    def add(self, customer: Customer) -> Customer: ...
    def get(self, customer_id: int) -> Customer | None: ...
    def by_name(self, team_id: int, name: str) -> Customer | None:
        """Case-insensitive match on the name or any alias."""
        ...


class DealRepository(Protocol):
    def add(self, deal: Deal) -> Deal:
        """Stores the deal and assigns its id at once (the reply needs D-<id>)."""
        ...

    def get(self, deal_id: int) -> Deal | None: ...
    def by_ref(self, ref: str) -> Deal | None: ...
    def find(
        self,
        *,
        team_id: int | None = None,
        owner_id: int | None = None,
        status: DealStatus | None = None,
        stage: str | None = None,
    ) -> Sequence[Deal]:
        """Deals matching every given filter, newest id first."""
        ...


class StageChangeRepository(Protocol):
    def add(self, change: StageChange) -> StageChange: ...
    def for_deal(self, deal_id: int) -> Sequence[StageChange]:
        """Oldest first."""
        ...

    def delete_for_deal(self, deal_id: int) -> None: ...


class TaskRepository(Protocol):
    def add(self, task: Task) -> Task: ...
    def get(self, task_id: int) -> Task | None: ...
    def find(
        self,
        *,
        team_id: int | None = None,
        assignee_id: int | None = None,
        deal_id: int | None = None,
        open_only: bool = True,
    ) -> Sequence[Task]:
        """Tasks matching every given filter, earliest due first (undated last)."""
        ...


class InteractionRepository(Protocol):
    def add(self, interaction: Interaction) -> Interaction: ...
    def for_deal(self, deal_id: int, limit: int = 5) -> Sequence[Interaction]:
        """Newest first."""
        ...


class AuditRepository(Protocol):
    def add(self, entry: AuditEntry) -> AuditEntry: ...
    def for_entity(self, entity: str) -> Sequence[AuditEntry]:
        """Oldest first."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the `with` block without commit() rolls everything back."""

    teams: TeamRepository
    members: MemberRepository
    customers: CustomerRepository
    deals: DealRepository
    stage_changes: StageChangeRepository
    tasks: TaskRepository
    interactions: InteractionRepository
    audit: AuditRepository

    def merge_members(self, from_id: int, into_id: int) -> None:
        """One person, two members: everything of from_id (identities, deals, tasks, follow-ups,
        history) becomes into_id's, and from_id is deleted."""
        ...

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
