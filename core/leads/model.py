"""A lead and its offers: plain classes, as core.domain's are (storage maps them imperatively).

A lead's life (`status`):
    offered  -> a rep has it in a DM with [Accept] [Pass] until `offer_due` (first-contact limit)
    assigned -> a manager gave it to a rep (`assign L-7 @bob`), or it belongs to a known customer's
                owner: only [Accept]; no re-offer, but the pool takes it back after `pool_days`
    pool     -> the team's pool (公海): any rep of the team may `claim` it
    accepted -> the rep accepted or claimed it: it is now a customer and a deal at the first stage

Every offer to a rep is one `LeadOffer` row, with how it ended: the round robin reads who was
offered a lead last, the response time reads when the accepted offer was made and taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.domain.model import Stored


class LeadStatus(StrEnum):
    OFFERED = "offered"
    ASSIGNED = "assigned"
    POOL = "pool"
    ACCEPTED = "accepted"


OPEN_STATUSES = (LeadStatus.OFFERED, LeadStatus.ASSIGNED)  # held by a rep, not yet taken


class OfferOutcome(StrEnum):
    OPEN = "open"  # waiting for the rep
    ACCEPTED = "accepted"
    PASSED = "passed"
    TIMED_OUT = "timeout"
    WITHDRAWN = "withdrawn"  # a manager assigned it elsewhere, or the pool took it back


@dataclass(eq=False)
class Lead(Stored):
    team_id: int
    company: str
    created_at: datetime
    person: str = ""
    phone: str | None = None
    email: str | None = None
    source: str | None = None
    territory: str | None = None
    industry: str | None = None
    note: str | None = None
    channel: str = "chat"  # chat | api | import: how it came in
    status: LeadStatus = LeadStatus.POOL
    owner_id: int | None = None  # the rep it is offered or assigned to, or who accepted it
    offer_due: datetime | None = None  # an offer's first-contact limit
    held_since: datetime | None = None  # when the current holder got it (the pool's clock)
    customer_id: int | None = None  # the known customer it matched, or the one accepting made
    deal_id: int | None = None  # the deal accepting made
    accepted_at: datetime | None = None
    created_by: int | None = None
    id: int | None = None

    @property
    def code(self) -> str:
        return f"L-{self.id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(eq=False)
class LeadOffer(Stored):
    lead_id: int
    member_id: int
    team_id: int
    offered_at: datetime
    due_at: datetime | None = None
    outcome: OfferOutcome = OfferOutcome.OPEN
    ended_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class Away:
    """`me away until next friday` (请假): no leads offered to the member until that day ends."""

    member_id: int
    until: datetime  # the first moment they are back


@dataclass
class LeadFields:
    """What an intake says about a lead, before it is one (chat, API, a file's row)."""

    company: str
    person: str = ""
    phone: str | None = None
    email: str | None = None
    source: str | None = None
    territory: str | None = None
    industry: str | None = None
    note: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
