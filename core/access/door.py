"""Who is let in: access requests from people the bot has not met, and one-time invite codes.

Someone the bot has never seen is not a member. Their first message stores one AccessRequest (the
pending state) and tells the admins once; an admin approves it (a button, `member approve R-3`
or `member @handle role:rep team:east`) or ignores it. An Invite (`invite team:east role:rep`)
lets one person in with `join <code>`: the code is shown once, kept only as its hash, expires,
and is used up by the first join. Wrong codes are counted per person and over everyone, so
guessing stops long before it could succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.domain.model import Role


class RequestStatus(StrEnum):
    PENDING = "pending"  # waiting for an admin; the admins were told once
    APPROVED = "approved"  # became a member
    IGNORED = "ignored"  # an admin said no; they are answered as before, the admins not told again


@dataclass(eq=False)
class AccessRequest:
    """A person the bot does not know asked for something: all that is kept of them."""

    platform: str
    user_id: str
    handle: str  # what they will be called once approved (`member @handle role:rep …`)
    created_at: datetime
    user_name: str = ""
    status: RequestStatus = RequestStatus.PENDING
    decided_by: int | None = None
    decided_at: datetime | None = None
    # Wrong `join` codes sent in the current window (JOIN_WINDOW from failures_since).
    failed_joins: int = 0
    failures_since: datetime | None = None
    id: int | None = None

    @property
    def code(self) -> str:
        return f"R-{self.id}"


@dataclass(eq=False)
class Invite:
    """A one-time code that makes whoever sends `join <code>` a member of `team_id` as `role`."""

    code_hash: str
    team_id: int
    role: Role
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None
    id: int | None = None

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at


INVITE_HOURS = 72
INVITE_DURATION = timedelta(hours=INVITE_HOURS)
JOIN_WINDOW = timedelta(hours=1)
JOIN_TRIES_PER_PERSON = 5  # wrong codes a person may send in JOIN_WINDOW
JOIN_TRIES_OVERALL = 50  # wrong codes everyone together may send in JOIN_WINDOW
def count_failure(request: AccessRequest, now: datetime) -> None:
    """One more wrong code from this person, in the current window (a new one when it ran out)."""
    if request.failures_since is None or now - request.failures_since >= JOIN_WINDOW:
        request.failures_since, request.failed_joins = now, 0
    request.failed_joins += 1


def locked_out(request: AccessRequest | None, now: datetime, overall: int) -> bool:
    """True while this person, or everyone together (`overall` wrong codes in the window), has
    used up the window's tries: then no code is even looked at."""
    if overall >= JOIN_TRIES_OVERALL:
        return True
    if request is None or request.failures_since is None:
        return False
    return now - request.failures_since < JOIN_WINDOW and request.failed_joins >= JOIN_TRIES_PER_PERSON
