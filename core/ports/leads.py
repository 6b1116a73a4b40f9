"""The port of leads (core.leads): leads, their offers, who is away."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from core.domain.model import Customer
from core.leads.model import Lead, LeadOffer


class LeadRepository(Protocol):
    def add(self, lead: Lead) -> Lead: ...
    def get(self, lead_id: int) -> Lead | None: ...
    def of_team(self, team_id: int | None, *, statuses: Collection[str] | None = None,
                owner_id: int | None = None, limit: int = 50) -> Sequence[Lead]:
        """Leads of a team (None: every team), newest first."""
        ...

    def created_between(self, team_id: int, start: datetime, end: datetime) -> Sequence[Lead]:
        """The team's leads created in [start, end), oldest first (the figures)."""
        ...

    def add_offer(self, offer: LeadOffer) -> LeadOffer: ...
    def offers(self, lead_id: int) -> Sequence[LeadOffer]:
        """The lead's offers, oldest first."""
        ...

    def last_offers(self, team_id: int) -> dict[int, int]:
        """The id of each member's latest offer of any lead of the team (the round robin's turn)."""
        ...

    def open_counts(self, team_id: int) -> dict[int, int]:
        """Leads each member holds: offered or assigned to them, or accepted while the deal it
        made is still open (capacity)."""
        ...

    def offers_due(self, now: datetime) -> Sequence[Lead]:
        """Offered leads of every team whose first-contact limit has passed, oldest first."""
        ...

    def held_before(self, team_id: int, before: datetime) -> Sequence[Lead]:
        """The team's open (offered or assigned) leads held since before `before`."""
        ...

    def team_customers(self, team_id: int) -> Sequence[Customer]:
        """Every customer of the team, with names, aliases and contacts (the duplicate check)."""
        ...

    def set_away(self, member_id: int, until: datetime | None) -> None:
        """Away until that moment; None: back."""
        ...

    def away_until(self, member_ids: Collection[int], now: datetime) -> dict[int, datetime]:
        """Of these members, those away at `now`, with when they are back."""
        ...
