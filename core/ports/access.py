"""Who is let in and who did what: access requests and invites, account links, the audit log."""


from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.access.door import AccessRequest, Invite
from core.access.linking import LinkRequest
from core.domain.model import (
    AuditEntry,
    Member,
)


class AuditRepository(Protocol):
    def add(self, entry: AuditEntry) -> AuditEntry: ...
    def for_entity(self, entity: str) -> Sequence[AuditEntry]:
        """Oldest first."""
        ...

    def by_actor_since(self, actor_id: int, since: datetime) -> Sequence[AuditEntry]:
        """What one member changed from `since` on (`undo`), oldest first."""
        ...


class LinkRepository(Protocol):
    """`me link` codes and the requests they become (core.access.linking), and wrong guesses."""

    def add(self, request: LinkRequest) -> LinkRequest: ...
    def get(self, request_id: int) -> LinkRequest | None: ...
    def by_code(self, code_hash: str) -> LinkRequest | None: ...
    def redeem(self, request: LinkRequest, member_id: int | None, platform: str, user_id: str,
               at: datetime) -> None:
        """member_id: the member whose account redeemed the code; None for one not yet a member."""
        ...

    def awaiting(self, member_id: int, now: datetime) -> Sequence[LinkRequest]:
        """The member's redeemed requests still waiting for their confirmation, oldest first."""
        ...

    def remove(self, request_id: int) -> None: ...
    def remove_codes_of(self, member_id: int) -> None:
        """Every request the member asked for or redeemed (a new code replaces the old; a merge
        ends them all)."""
        ...

    def add_failure(self, platform: str, user_id: str, at: datetime) -> None:
        """A wrong code tried from this account; failures before FAILURES_KEPT are dropped."""
        ...

    def failures(self, since: datetime, platform: str | None = None, user_id: str | None = None) -> int:
        """Wrong codes tried since then: from one account, or from anyone (platform None)."""
        ...


class AccessRepository(Protocol):
    """Who may come in (core.access.door): requests of people the bot has not met, and invites."""

    def request_for(self, platform: str, user_id: str) -> AccessRequest | None: ...
    def add_request(self, request: AccessRequest) -> AccessRequest: ...
    def get_request(self, request_id: int) -> AccessRequest | None: ...
    def pending(self) -> Sequence[AccessRequest]:
        """Requests still waiting for an admin, oldest first."""
        ...

    def pending_by_handle(self, handle: str) -> AccessRequest | None:
        """The waiting request that would get this handle (case-insensitive)."""
        ...

    def failures_since(self, since: datetime) -> int:
        """Wrong `join` codes counted in windows that began after `since`, over everyone."""
        ...

    def add_invite(self, invite: Invite) -> Invite: ...
    def invite_by_hash(self, code_hash: str) -> Invite | None: ...
    def admins(self) -> Sequence[Member]:
        """Active admins of every team, oldest first (they are told of new requests)."""
