"""The fake of the leads port (core.ports.leads.LeadRepository)."""

from __future__ import annotations

from core.domain.model import DealStatus
from core.leads.model import OPEN_STATUSES, LeadStatus
from tests.fakes.table import Table


class FakeLeadRepository(Table):
    def __init__(self, deals, customers):
        super().__init__()
        self._deals, self._customers = deals, customers
        self.offer_rows = Table()
        self.away: dict[int, object] = {}

    def all(self):
        return [*self.rows.values(), *self.offer_rows.all()]

    def add(self, lead):
        return super().add(lead)

    def get(self, lead_id):
        return self.rows.get(lead_id)

    def of_team(self, team_id, *, statuses=None, owner_id=None, limit=50):
        found = [lead for lead in self.rows.values() if (team_id is None or lead.team_id == team_id)
                 and (statuses is None or lead.status in {str(s) for s in statuses})
                 and (owner_id is None or lead.owner_id == owner_id)]
        return sorted(found, key=lambda lead: -lead.id)[:limit]

    def created_between(self, team_id, start, end):
        found = [lead for lead in self.rows.values() if lead.team_id == team_id and start <= lead.created_at < end]
        return sorted(found, key=lambda lead: (lead.created_at, lead.id))

    def add_offer(self, offer):
        return self.offer_rows.add(offer)

    def offers(self, lead_id):
        return sorted((o for o in self.offer_rows.all() if o.lead_id == lead_id), key=lambda o: o.id)

    def last_offers(self, team_id):
        latest = {}
        for offer in self.offer_rows.all():
            if offer.team_id == team_id:
                latest[offer.member_id] = max(latest.get(offer.member_id, 0), offer.id)
        return latest

    def open_counts(self, team_id):
        counts: dict[int, int] = {}
        for lead in self.rows.values():
            if lead.team_id != team_id or lead.owner_id is None:
                continue
            held = lead.status in OPEN_STATUSES
            if lead.status == LeadStatus.ACCEPTED and lead.deal_id is not None:
                deal = self._deals().get(lead.deal_id)
                held = deal is not None and deal.status == DealStatus.OPEN
            if held:
                counts[lead.owner_id] = counts.get(lead.owner_id, 0) + 1
        return counts

    def offers_due(self, now):
        found = [lead for lead in self.rows.values()
                 if lead.status == LeadStatus.OFFERED and lead.offer_due is not None and lead.offer_due <= now]
        return sorted(found, key=lambda lead: (lead.offer_due, lead.id))

    def held_before(self, team_id, before):
        found = [lead for lead in self.rows.values() if lead.team_id == team_id and lead.status in OPEN_STATUSES
                 and lead.held_since is not None and lead.held_since < before]
        return sorted(found, key=lambda lead: (lead.held_since, lead.id))

    def team_customers(self, team_id):
        return sorted((c for c in self._customers().all() if c.team_id == team_id), key=lambda c: c.id)

    def set_away(self, member_id, until):
        self.away.pop(member_id, None)
        if until is not None:
            self.away[member_id] = until

    def away_until(self, member_ids, now):
        return {m: until for m, until in self.away.items() if m in set(member_ids) and until > now}
