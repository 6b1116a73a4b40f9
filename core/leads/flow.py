"""A lead's moves that both the use cases (core.services.leads) and the scheduler's scan
(core.reminders.scans.Scans.leads) make: offering it to the next rep, assigning it, and sending
it to the team's pool, each with its direct message through the outbox (sent after the commit,
and held back past the reader's quiet hours: a lead taken in at 23:00 is in the DM at 08:00,
while its first-contact limit counts working hours only).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.chat.messages import Button, Reply
from core.domain.calendar import in_zone
from core.domain.model import Member, Role, Team, people
from core.domain.worktime import WorkSettings
from core.language.i18n import t
from core.leads.assignment import Candidate, choose
from core.leads.hours import add_working_hours
from core.leads.model import Lead, LeadOffer, LeadStatus, OfferOutcome
from core.leads.settings import LeadSettings
from core.ports.unit_of_work import UnitOfWork
from core.reminders.outbox import Draft, Kind, stamp
from core.reminders.recipients import direct_destination


@dataclass(frozen=True)
class Moved:
    """What a move did: to whom the lead went (None: the pool), and whether they were told."""

    member: Member | None
    told: bool
    why_pool: str = ""


def candidates(uow: UnitOfWork, team: Team, settings: LeadSettings, now: datetime) -> list[Candidate]:
    """The team's members who take leads: the settings' reps, else every active rep; only people
    with a chat account (an integration, an API token's member, takes leads in, never on)."""
    members = [m for m in people(uow.members.in_team(team.saved_id))
               if m.is_active and uow.members.identities(m.saved_id)]
    if settings.reps or settings.rules:
        named = set(settings.reps) | {h for rule in settings.rules for h in rule.reps}
        members = [m for m in members if m.role == Role.REP or m.handle in named]
    else:
        members = [m for m in members if m.role == Role.REP]
    ids = [m.saved_id for m in members]
    held, last = uow.leads.open_counts(team.saved_id), uow.leads.last_offers(team.saved_id)
    away = uow.leads.away_until(ids, now)
    return [Candidate(m.saved_id, m.handle, held.get(m.saved_id, 0), last.get(m.saved_id), m.saved_id in away)
            for m in members]


def values_of(lead: Lead) -> dict[str, str | None]:
    return {"territory": lead.territory, "industry": lead.industry, "source": lead.source}


def offer_next(uow: UnitOfWork, team: Team, lead: Lead, now: datetime, *,
               platforms: Collection[str] | None = None) -> Moved:
    """Offer the lead to the next rep the rules allow who has not had it yet; nobody: the pool."""
    settings = LeadSettings.of(team.settings)
    tried = {offer.member_id for offer in uow.leads.offers(lead.saved_id)}
    choice = choose(candidates(uow, team, settings, now), settings, values_of(lead), tried)
    if choice.member_id is None:
        to_pool(uow, team, lead, now, choice.why_none, platforms=platforms)
        return Moved(None, False, choice.why_none)
    member = uow.members.get(choice.member_id)
    assert member is not None
    return Moved(member, give(uow, team, lead, member, now, assigned=False, platforms=platforms))


def give(uow: UnitOfWork, team: Team, lead: Lead, member: Member, now: datetime, *, assigned: bool,
         by: Member | None = None, platforms: Collection[str] | None = None) -> bool:
    """The lead to `member`: offered (with the first-contact limit, [Accept] [Pass]) or assigned
    (by a manager, or as a known customer's: [Accept] only, no limit). True when they were told."""
    settings = LeadSettings.of(team.settings)
    work = WorkSettings.of(team.timezone, team.settings)
    due = None if assigned else add_working_hours(work, now, settings.first_contact_hours)
    end_open_offer(uow, lead, now, OfferOutcome.WITHDRAWN)
    lead.status = LeadStatus.ASSIGNED if assigned else LeadStatus.OFFERED
    lead.owner_id, lead.offer_due, lead.held_since = member.saved_id, due, now
    offer = uow.leads.add_offer(LeadOffer(lead.saved_id, member.saved_id, team.saved_id, now, due))
    lang = member.language or team.language
    card = lead_card(uow, lead, lang, member.timezone or team.timezone)
    if assigned:
        who = by.ref() if by is not None else ""
        card.lines.insert(0, t("lead.dm_assigned" if by else "lead.dm_known", lang, who=who, lead=lead.code))
        card.buttons = [Button(t("lead.button_accept", lang), f"lead {lead.code} accept")]
    else:
        shown = in_zone(due, ZoneInfo(member.timezone or team.timezone)) if due else now
        card.lines.insert(0, t("lead.dm_offer", lang, lead=lead.code, hours=_hours(settings.first_contact_hours),
                               due=f"{shown:%Y-%m-%d %H:%M}"))
        card.buttons = [Button(t("lead.button_accept", lang), f"lead {lead.code} accept"),
                        Button(t("lead.button_pass", lang), f"lead {lead.code} pass")]
    return _tell(uow, member, card, f"lead:{lead.code}:offer:{offer.saved_id}", lead, now, platforms,
                 guard={"lead": lead.saved_id, "offer": offer.saved_id})


def to_pool(uow: UnitOfWork, team: Team, lead: Lead, now: datetime, why: str, *,
            platforms: Collection[str] | None = None) -> None:
    """Back to the team's pool (公海): any rep may claim it. The last holder and the managers hear."""
    holder = uow.members.get(lead.owner_id) if lead.owner_id is not None else None
    end_open_offer(uow, lead, now, OfferOutcome.TIMED_OUT if why == "untouched" else OfferOutcome.WITHDRAWN)
    lead.status, lead.owner_id, lead.offer_due, lead.held_since = LeadStatus.POOL, None, None, now
    readers = [m for m in _managers(uow, team)]
    if holder is not None and holder.is_active and all(m.id != holder.id for m in readers):
        readers.append(holder)
    for reader in readers:
        lang = reader.language or team.language
        card = lead_card(uow, lead, lang, reader.timezone or team.timezone)
        card.lines.insert(0, t("lead.pool_notice", lang, lead=lead.code, why=t(f"lead.why.{why or 'none'}", lang)))
        card.buttons = [Button(t("lead.button_claim", lang), f"claim {lead.code}")]
        _tell(uow, reader, card, f"lead:{lead.code}:pool:{stamp(now)}:m{reader.id}", lead, now, platforms,
              guard=None)


def end_open_offer(uow: UnitOfWork, lead: Lead, now: datetime, outcome: OfferOutcome) -> LeadOffer | None:
    for offer in uow.leads.offers(lead.saved_id):
        if offer.outcome == OfferOutcome.OPEN:
            offer.outcome, offer.ended_at = outcome, now
            return offer
    return None


def lead_card(uow: UnitOfWork, lead: Lead, lang: str, tz: str) -> Reply:
    title = t("lead.title", lang, lead=lead.code, company=lead.company)
    reply = Reply(title=f"{title} · {lead.person}" if lead.person else title, language=lang)
    for key, value in (("phone", lead.phone), ("email", lead.email), ("source", lead.source),
                       ("territory", lead.territory), ("industry", lead.industry), ("note", lead.note)):
        if value:
            reply.lines.append(f"{t(f'lead.field.{key}', lang)}: {value}")
    reply.lines.append(t("lead.status_line", lang, status=t(f"lead.status.{lead.status}", lang),
                         owner=_handle(uow, lead.owner_id),
                         since=f"{in_zone(lead.created_at, ZoneInfo(tz)):%Y-%m-%d %H:%M}"))
    if lead.customer_id is not None:
        customer = uow.customers.get(lead.customer_id)
        if customer is not None:
            reply.lines.append(t("lead.customer_line", lang, customer=customer.name))
    if lead.deal_id is not None:
        reply.lines.append(t("lead.deal_line", lang, deal=f"D-{lead.deal_id}"))
    return reply


def _handle(uow: UnitOfWork, member_id: int | None) -> str:
    member = uow.members.get(member_id) if member_id is not None else None
    return member.ref() if member else "—"


def _managers(uow: UnitOfWork, team: Team) -> list[Member]:
    members = [m for m in people(uow.members.in_team(team.saved_id)) if m.is_active]
    return [m for m in members if m.role == Role.MANAGER] or [m for m in members if m.role == Role.ADMIN]


def _hours(hours: float) -> str:
    return f"{hours:g}"


def _tell(uow: UnitOfWork, member: Member, card: Reply, key: str, lead: Lead, now: datetime,
          platforms: Collection[str] | None, guard: dict[str, int] | None) -> bool:
    destination = direct_destination(uow.members.identities(member.saved_id), platforms)
    if destination is None:
        return False
    team = uow.teams.get(lead.team_id)
    work = WorkSettings.of(team.timezone, team.settings) if team else WorkSettings()
    when = work.in_zone(member.timezone).next_allowed(now)  # not in the reader's quiet hours
    uow.outbox.add(Draft(kind=Kind.LEAD, key=key, platform=destination.platform, chat_id=destination.chat_id,
                         reply=card, not_before=when, subject=lead.code, guard=guard,
                         recipient_id=member.id).to_message(now))
    return True


# -- the scheduler's part --------------------------------------------------------------------------
def expire_offers(uow: UnitOfWork, now: datetime, platforms: Collection[str] | None = None) -> int:
    """Offers past their first-contact limit: the next rep's turn. How many moved."""
    moved = 0
    teams: dict[int, Team | None] = {}
    for lead in uow.leads.offers_due(now):
        team = teams.setdefault(lead.team_id, uow.teams.get(lead.team_id))
        if team is None:
            continue
        end_open_offer(uow, lead, now, OfferOutcome.TIMED_OUT)
        offer_next(uow, team, lead, now, platforms=platforms)
        moved += 1
    return moved


def return_untouched(uow: UnitOfWork, team: Team, now: datetime,
                     platforms: Collection[str] | None = None) -> int:
    """Leads held (offered or assigned) `pool_days` without being accepted: back to the pool."""
    settings = LeadSettings.of(team.settings)
    stale = uow.leads.held_before(team.saved_id, now - timedelta(days=settings.pool_days))
    for lead in stale:
        to_pool(uow, team, lead, now, "untouched", platforms=platforms)
    return len(stale)
