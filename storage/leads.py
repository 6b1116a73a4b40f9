"""Leads in SQL (core.ports.leads.LeadRepository): leads and offers are mapped classes
(storage/orm.py), so a changed status is written with the unit of work; who is away is rows."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from core.domain.model import Customer, DealStatus
from core.leads.model import OPEN_STATUSES, Lead, LeadOffer, LeadStatus
from storage import tables as t

_L = t.leads.c


class SqlLeadRepository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, lead: Lead) -> Lead:
        self._session.add(lead)
        self._session.flush()
        return lead

    def get(self, lead_id: int) -> Lead | None:
        return self._session.get(Lead, lead_id)

    def of_team(self, team_id: int | None, *, statuses: Collection[str] | None = None,
                owner_id: int | None = None, limit: int = 50) -> Sequence[Lead]:
        query = select(Lead)
        if team_id is not None:
            query = query.where(_L.team_id == team_id)
        if statuses is not None:
            query = query.where(_L.status.in_([str(s) for s in statuses]))
        if owner_id is not None:
            query = query.where(_L.owner_id == owner_id)
        return list(self._session.scalars(query.order_by(_L.id.desc()).limit(limit)))

    def created_between(self, team_id: int, start: datetime, end: datetime) -> Sequence[Lead]:
        query = select(Lead).where(_L.team_id == team_id, _L.created_at >= start, _L.created_at < end)
        return list(self._session.scalars(query.order_by(_L.created_at, _L.id)))

    def add_offer(self, offer: LeadOffer) -> LeadOffer:
        self._session.add(offer)
        self._session.flush()
        return offer

    def offers(self, lead_id: int) -> Sequence[LeadOffer]:
        o = t.lead_offers.c
        return list(self._session.scalars(select(LeadOffer).where(o.lead_id == lead_id).order_by(o.id)))

    def last_offers(self, team_id: int) -> dict[int, int]:
        o = t.lead_offers.c
        self._session.flush()
        rows = self._session.execute(select(o.member_id, func.max(o.id))
                                     .where(o.team_id == team_id).group_by(o.member_id))
        return {member: last for member, last in rows}

    def open_counts(self, team_id: int) -> dict[int, int]:
        self._session.flush()
        d = t.deals.c
        held = or_(_L.status.in_([str(s) for s in OPEN_STATUSES]),
                   (_L.status == str(LeadStatus.ACCEPTED)) & (d.status == str(DealStatus.OPEN)))
        query = (select(_L.owner_id, func.count()).select_from(t.leads.outerjoin(t.deals, d.id == _L.deal_id))
                 .where(_L.team_id == team_id, _L.owner_id.is_not(None), held).group_by(_L.owner_id))
        return {member: count for member, count in self._session.execute(query)}

    def offers_due(self, now: datetime) -> Sequence[Lead]:
        query = select(Lead).where(_L.status == str(LeadStatus.OFFERED), _L.offer_due <= now)
        return list(self._session.scalars(query.order_by(_L.offer_due, _L.id)))

    def held_before(self, team_id: int, before: datetime) -> Sequence[Lead]:
        query = select(Lead).where(_L.team_id == team_id, _L.status.in_([str(s) for s in OPEN_STATUSES]),
                                   _L.held_since < before)
        return list(self._session.scalars(query.order_by(_L.held_since, _L.id)))

    def team_customers(self, team_id: int) -> Sequence[Customer]:
        c = t.customers.c
        return list(self._session.scalars(select(Customer).where(c.team_id == team_id).order_by(c.id)))

    def set_away(self, member_id: int, until: datetime | None) -> None:
        a = t.member_away.c
        self._session.execute(delete(t.member_away).where(a.member_id == member_id))
        if until is not None:
            self._session.execute(insert(t.member_away).values(member_id=member_id, until=until))

    def away_until(self, member_ids: Collection[int], now: datetime) -> dict[int, datetime]:
        if not member_ids:
            return {}
        a = t.member_away.c
        rows = self._session.execute(select(a.member_id, a.until)
                                     .where(a.member_id.in_(list(member_ids)), a.until > now))
        return {member: until for member, until in rows}
