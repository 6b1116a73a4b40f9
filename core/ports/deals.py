"""The records of the pipeline: teams, members, customers, deals, stage changes, tasks, follow-ups."""


from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from core.conversations.capture import CapturedMessage
from core.domain.model import (
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


class TeamRepository(Protocol):
    def add(self, team: Team) -> Team: ...
    def get(self, team_id: int) -> Team | None: ...
    def by_name(self, name: str) -> Team | None: ...
    def list(self) -> Sequence[Team]: ...
    def lock(self, team: Team) -> None:
        """Hold the team's row until the transaction ends (another transaction locking it waits),
        and read it afresh: what a transaction that committed meanwhile wrote is seen."""
        ...


class MemberRepository(Protocol):
    def add(self, member: Member) -> Member: ...
    def get(self, member_id: int) -> Member | None: ...
    def by_handle(self, handle: str) -> Member | None: ...
    def by_identity(self, platform: str, user_id: str) -> Member | None: ...
    def in_team(self, team_id: int) -> Sequence[Member]:
        """The team's active members (removed ones left out), oldest first."""
        ...

    def add_identity(self, identity: Identity) -> Identity: ...
    def identities(self, member_id: int) -> Sequence[Identity]: ...
    def by_identities(self, platform: str, user_ids: Collection[str]) -> dict[str, Member]:
        """The members behind these user ids of one platform, by user id (unknown ids left out)."""
        ...


class CustomerRepository(Protocol):
    def add(self, customer: Customer) -> Customer: ...
    def get(self, customer_id: int) -> Customer | None: ...
    def by_name(self, team_id: int, name: str) -> Customer | None:
        """Case-insensitive match on the name or any alias."""
        ...

    def named(self, team_id: int, name: str) -> Customer:
        """by_name, or a new customer of that name when there is none. Two transactions naming
        the same new customer at once get one customer: the second waits for the first."""
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
        customer_id: int | None = None,
    ) -> Sequence[Deal]:
        """Deals matching every given filter, newest id first."""
        ...

    def record_activity(self, deal_times: Mapping[int, datetime]) -> None:
        """Move each deal's last_activity_at forward to the given time (never back)."""
        ...

    def record_customer_activity(self, customer_times: Mapping[int, datetime]) -> None:
        """The same for every open deal of each customer."""
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
        """Newest first; deleted messages left out."""
        ...

    def count_for_deal(self, deal_id: int) -> int:
        """How many for_deal would give without a limit (a card says how many it left out)."""
        ...

    def for_chat(self, platform: str, chat_id: str, limit: int = 50) -> Sequence[Interaction]:
        """A chat's captured messages, newest first; deleted ones left out."""
        ...

    def add_captured(self, messages: Sequence[CapturedMessage]) -> list[CapturedMessage]:
        """Store captured messages in one go; one whose (platform, chat_id, message_id) is stored
        already (or comes twice) is skipped. Returns those stored, ids set, in the given order."""
        ...

    def edit_captured(self, platform: str, chat_id: str, message_id: str, text: str,
                      at: datetime) -> bool:
        """Replace a captured message's text unless it is deleted or a later edit is applied
        already; True when it changed."""
        ...

    def delete_captured(self, tombstone: CapturedMessage) -> bool:
        """Delete the captured message with the tombstone's key: its text goes and the row stays,
        marked deleted_at, so a late redelivery of it is a duplicate. When it was never stored,
        the tombstone is stored instead. True when a stored message was deleted."""
        ...
