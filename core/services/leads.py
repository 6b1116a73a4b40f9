"""Lead use cases (issue 18): `lead` (intake, show, accept, pass, mine), `pool`, `claim`,
`assign L-7 @bob`, `me away`; and `intake`, the one way in for chat, the REST API and files.

Accepting (or claiming) a lead converts it at once: its customer (the known one it matched, else
one of its company's name, found or made, with the person as a contact) and a deal at the
pipeline's first stage owned by the rep, made as `new` makes deals (core.services.deals).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.access import permissions
from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.domain.model import Customer, DealStatus, Member, Role, Team
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.leads import contact_check, flow
from core.leads.matching import duplicate_of, email_key, known_customer, phone_key
from core.leads.model import Lead, LeadFields, LeadOffer, LeadStatus, OfferOutcome
from core.leads.settings import LeadSettings
from core.ports.unit_of_work import UnitOfWork
from core.replies import cards
from core.services.deals import create_deal

LIST_LIMIT = 20


# -- intake ------------------------------------------------------------------------------------------
PENDING = (LeadStatus.OFFERED, LeadStatus.ASSIGNED, LeadStatus.POOL)  # not yet taken: a duplicate's match
PENDING_LIMIT = 100_000


def pending_leads(uow: UnitOfWork, team_id: int) -> list[Lead]:
    return list(uow.leads.of_team(team_id, statuses=PENDING, limit=PENDING_LIMIT))


def duplicate_error(uow: UnitOfWork, lead: Lead) -> UserError:
    """`lead.duplicate`: the open lead a new one repeats, and who holds it (or the pool)."""
    holder = uow.members.get(lead.owner_id) if lead.owner_id is not None else None
    if lead.status == LeadStatus.POOL or holder is None:
        return UserError("lead.duplicate_pool", lead=lead.code, company=lead.company)
    return UserError("lead.duplicate", lead=lead.code, company=lead.company, member=holder.ref())


def intake(uow: UnitOfWork, team: Team, fields: LeadFields, *, now: datetime, actor: Member | None,
           source: str, channel: str, pool: bool = False,
           check_duplicate: bool = True) -> tuple[Lead, flow.Moved, str]:
    """A new lead of `team`: refused (`lead.duplicate`, nothing stored) when it repeats one of the
    team's open leads; checked against its customers (a known customer's goes to that customer's
    owner), else offered by the team's rules; `pool`: straight into the pool.
    Returns the lead, where it went, and what it matched ("" / name / phone / email)."""
    if check_duplicate:
        same = duplicate_of(fields, pending_leads(uow, team.saved_id))
        if same is not None:
            raise duplicate_error(uow, same)
    lead = uow.leads.add(Lead(
        team_id=team.saved_id, company=fields.company, created_at=now, person=fields.person,
        phone=fields.phone, email=fields.email, source=fields.source, territory=fields.territory,
        industry=fields.industry, note=fields.note, channel=channel, status=LeadStatus.POOL,
        created_by=actor.id if actor else None, held_since=now))
    match = known_customer(fields, uow.leads.team_customers(team.saved_id))
    record(uow, action="lead.create", entity=lead.code, at=now, actor_id=actor.id if actor else None,
           source=source, after={"company": lead.company, "source": lead.source, "channel": channel,
                                 "customer": match.customer.id if match else None})
    if match is not None:
        lead.customer_id = match.customer.saved_id
        owner = _customer_owner(uow, match.customer.owner_id, match.customer.saved_id)
        if owner is not None and owner.is_active and owner.team_id == team.id:
            return lead, flow.Moved(owner, flow.give(uow, team, lead, owner, now, assigned=True)), match.by
    if pool:
        return lead, flow.Moved(None, False, "put"), match.by if match else ""
    return lead, flow.offer_next(uow, team, lead, now), match.by if match else ""


def _customer_owner(uow: UnitOfWork, owner_id: int | None, customer_id: int) -> Member | None:
    """The customer's owner; none set: the owner of its latest deal."""
    if owner_id is None:
        deals = sorted(uow.deals.find(customer_id=customer_id), key=lambda d: d.id or 0)
        owner_id = deals[-1].owner_id if deals else None
    return uow.members.get(owner_id) if owner_id is not None else None


def new_lead(cmd: c.NewLead, ctx: Context) -> Reply:
    team = _team_for(ctx, cmd.team)
    fields = LeadFields(cmd.company, cmd.person, cmd.phone, cmd.email, cmd.source, cmd.territory,
                        cmd.industry, cmd.note)
    lead, moved, matched = intake(ctx.uow, team, fields, now=ctx.now, actor=ctx.actor, source=ctx.source,
                                  channel="chat", pool=cmd.pool)
    reply = Reply(title=t("lead.created", ctx.lang, lead=lead.code, company=lead.company), language=ctx.lang)
    reply.lines.extend(went_lines(ctx.uow, lead, moved, matched, ctx.lang))
    return reply


def went_lines(uow: UnitOfWork, lead: Lead, moved: flow.Moved, matched: str, lang: str) -> list[str]:
    lines = []
    if matched:
        customer = uow.customers.get(lead.customer_id) if lead.customer_id else None
        lines.append(t("lead.matched", lang, customer=customer.name if customer else "", by=t(f"lead.by.{matched}", lang)))
    if moved.member is None:
        lines.append(t("lead.went_pool", lang, why=t(f"lead.why.{moved.why_pool or 'none'}", lang)))
    else:
        key = "lead.went_assigned" if lead.status == LeadStatus.ASSIGNED else "lead.went_offered"
        lines.append(t(key, lang, member=moved.member.ref()))
        if not moved.told:
            lines.append(t("lead.not_told", lang, member=moved.member.ref()))
    return lines


def _team_for(ctx: Context, name: str | None, refusal: str = "lead.forbidden_team") -> Team:
    if name is None or name.casefold() == ctx.team.name.casefold():
        return ctx.team
    team = ctx.uow.teams.by_name(name)
    if team is None:  # first: `pool D-12` is no team, not another team's pool
        raise UserError("err.team_not_found", name=name)
    if not permissions.is_admin(ctx.actor):
        raise UserError(refusal, team=team.name)
    return team


def take_in(ctx: Context, fields: LeadFields, *, pool: bool = False, team: str | None = None,
            channel: str = "api") -> dict[str, Any]:
    """`POST /api/v1/leads` (a web form, an ad platform, an e-mail parser): the fields checked as
    chat checks them, then `intake`; the lead's record, with where it went."""
    bad = contact_check.problem(fields.phone, fields.email)
    if bad is not None:
        raise UserError(bad[0], value=bad[1])
    lead, moved, matched = intake(ctx.uow, _team_for(ctx, team), fields, now=ctx.now, actor=ctx.actor,
                                  source=ctx.source, channel=channel, pool=pool)
    record_ = lead_record(ctx, lead)
    record_["matched_by"] = matched or None
    record_["pool_reason"] = moved.why_pool or None if moved.member is None else None
    return record_


def lead_record(ctx: Context, lead: Lead) -> dict[str, Any]:
    owner = ctx.uow.members.get(lead.owner_id) if lead.owner_id is not None else None
    return {"id": lead.code, "team": _team_name(ctx, lead.team_id), "company": lead.company, "person": lead.person,
            "phone": lead.phone, "email": lead.email, "source": lead.source, "territory": lead.territory,
            "industry": lead.industry, "note": lead.note, "channel": lead.channel, "status": str(lead.status),
            "owner": owner.handle if owner else None,
            "offer_due": lead.offer_due.isoformat() if lead.offer_due else None,
            "customer_id": lead.customer_id, "deal": f"D-{lead.deal_id}" if lead.deal_id else None,
            "created_at": lead.created_at.isoformat()}


def _team_name(ctx: Context, team_id: int) -> str:
    team = ctx.team if ctx.team.id == team_id else ctx.uow.teams.get(team_id)
    return team.name if team else ""


# -- one lead ---------------------------------------------------------------------------------------
def load_lead(ctx: Context, lead_id: int) -> Lead:
    """The lead if the actor may see it: an admin any, a manager the team's, a rep those of the
    team's pool and those offered, assigned to or accepted by them."""
    lead = ctx.uow.leads.get(lead_id)
    if lead is None or not (permissions.is_admin(ctx.actor) or lead.team_id == ctx.actor.team_id):
        raise UserError("lead.not_found", lead=f"L-{lead_id}")
    if ctx.actor.role == Role.REP and lead.status != LeadStatus.POOL and lead.owner_id != ctx.actor.id \
            and lead.created_by != ctx.actor.id:
        if lead.status == LeadStatus.ACCEPTED:  # the pool's lead someone took: say who, as the pool showed it
            raise taken_error(ctx, lead)
        offers = ctx.uow.leads.offers(lead.saved_id)
        if any(o.member_id == ctx.actor.id and o.outcome == OfferOutcome.PASSED for o in offers):
            raise UserError("lead.already_passed", lead=lead.code)
        raise UserError("lead.forbidden", lead=lead.code)
    return lead


def taken_error(ctx: Context, lead: Lead) -> UserError:
    """An accepted lead: claimed from the pool (an offer made and taken at once) or accepted, by whom."""
    taken = [o for o in ctx.uow.leads.offers(lead.saved_id) if o.outcome == OfferOutcome.ACCEPTED]
    claimed = bool(taken) and taken[-1].due_at is None and taken[-1].offered_at == taken[-1].ended_at
    return UserError("lead.already_claimed" if claimed else "lead.already_accepted", lead=lead.code,
                     member=cards.member_name(ctx, lead.owner_id))


def show_lead(cmd: c.ShowLead, ctx: Context) -> Reply:
    lead = load_lead(ctx, cmd.lead_id)
    card = flow.lead_card(ctx.uow, lead, ctx.lang, ctx.tz)
    if lead.is_open and lead.owner_id == ctx.actor.id:
        card.buttons = [Button(t("lead.button_accept", ctx.lang), f"lead {lead.code} accept"),
                        Button(t("lead.button_pass", ctx.lang), f"lead {lead.code} pass")]
    elif lead.status == LeadStatus.POOL:
        card.buttons = [Button(t("lead.button_claim", ctx.lang), f"claim {lead.code}")]
    return card


def list_leads(cmd: c.ListLeads, ctx: Context) -> Reply:
    mine = ctx.uow.leads.of_team(ctx.actor.team_id, statuses=(LeadStatus.OFFERED, LeadStatus.ASSIGNED),
                                 owner_id=ctx.actor.saved_id, limit=LIST_LIMIT)
    if not mine:
        return Reply(title=t("lead.none_mine", ctx.lang), language=ctx.lang)
    reply = Reply(title=t("lead.mine_title", ctx.lang, count=len(mine)), language=ctx.lang)
    for lead in mine:
        reply.lines.append(_line(ctx, lead))
    reply.buttons = [Button(t("lead.button_accept", ctx.lang) + f" {lead.code}", f"lead {lead.code} accept")
                     for lead in mine[:3]]
    return reply


def _line(ctx: Context, lead: Lead) -> str:
    parts = [lead.code, lead.company]
    if lead.person:
        parts.append(lead.person)
    if lead.source:
        parts.append(lead.source)
    if lead.offer_due is not None and lead.status == LeadStatus.OFFERED:
        parts.append(t("lead.due_short", ctx.lang, due=f"{ctx.local(lead.offer_due):%m-%d %H:%M}"))
    return " · ".join(parts)


def accept_lead(cmd: c.AcceptLead, ctx: Context) -> Reply:
    lead = load_lead(ctx, cmd.lead_id)
    if lead.status == LeadStatus.ACCEPTED:
        raise taken_error(ctx, lead)
    if lead.status == LeadStatus.POOL:
        raise UserError("lead.in_pool", lead=lead.code)
    if lead.owner_id != ctx.actor.id:
        raise UserError("lead.not_yours", lead=lead.code, member=cards.member_name(ctx, lead.owner_id))
    flow.end_open_offer(ctx.uow, lead, ctx.now, OfferOutcome.ACCEPTED)
    return _convert(ctx, lead, "lead.accepted")


def pass_lead(cmd: c.PassLead, ctx: Context) -> Reply:
    lead = load_lead(ctx, cmd.lead_id)
    if not lead.is_open or lead.owner_id != ctx.actor.id:
        if lead.status == LeadStatus.ACCEPTED:
            raise taken_error(ctx, lead)
        raise UserError("lead.not_yours", lead=lead.code, member=cards.member_name(ctx, lead.owner_id))
    flow.end_open_offer(ctx.uow, lead, ctx.now, OfferOutcome.PASSED)
    record(ctx.uow, action="lead.pass", entity=lead.code, at=ctx.now, actor_id=ctx.actor.id, source=ctx.source)
    team = ctx.team if ctx.team.id == lead.team_id else ctx.uow.teams.get(lead.team_id)
    assert team is not None
    moved = flow.offer_next(ctx.uow, team, lead, ctx.now)
    reply = Reply(title=t("lead.passed", ctx.lang, lead=lead.code), language=ctx.lang)
    reply.lines.extend(went_lines(ctx.uow, lead, moved, "", ctx.lang))
    return reply


def _convert(ctx: Context, lead: Lead, title_key: str) -> Reply:
    """The lead becomes the actor's customer and deal (the pipeline's first stage). A known
    customer's lead whose customer already has an open deal of the actor's joins that deal (no
    second deal for one customer); an open deal of someone else's is named in the reply."""
    customer = ctx.uow.customers.get(lead.customer_id) if lead.customer_id is not None else None
    open_deals = sorted(ctx.uow.deals.find(customer_id=customer.saved_id, status=DealStatus.OPEN),
                        key=lambda d: d.id or 0) if customer is not None else []
    own = [d for d in open_deals if d.owner_id == ctx.actor.id]
    reused = own[-1] if own else None
    deal = reused or create_deal(c.NewDeal(customer=customer.name if customer else lead.company), ctx)
    customer = ctx.uow.customers.get(deal.customer_id)
    assert customer is not None
    if customer.owner_id is None:
        customer.owner_id = ctx.actor.id
    if customer.source is None and lead.source:
        customer.source = lead.source
    if customer.industry is None and lead.industry:
        customer.industry = lead.industry
    _add_contact(customer, lead)
    lead.status, lead.owner_id, lead.offer_due = LeadStatus.ACCEPTED, ctx.actor.id, None
    lead.customer_id, lead.deal_id, lead.accepted_at = customer.saved_id, deal.saved_id, ctx.now
    record(ctx.uow, action="lead.accept", entity=lead.code, at=ctx.now, actor_id=ctx.actor.id, source=ctx.source,
           after={"deal": deal.code, "customer": customer.id})
    reply = cards.deal_card(ctx, deal, new=reused is None)
    if reused is not None:
        reply.title = t(f"{title_key}_joined", ctx.lang, lead=lead.code, deal=deal.code, customer=customer.name)
        return reply
    reply.title = t(title_key, ctx.lang, lead=lead.code, deal=deal.code, customer=customer.name)
    for other in open_deals:
        reply.lines.insert(0, t("lead.other_open_deal", ctx.lang, customer=customer.name, deal=other.code,
                                member=cards.member_name(ctx, other.owner_id)))
    return reply


def _add_contact(customer: Customer, lead: Lead) -> None:
    """The lead's person as a contact of the customer, unless one has their phone, e-mail or name."""
    if not (lead.person or lead.phone or lead.email):
        return
    for known in customer.contacts:
        same_phone = lead.phone and phone_key(str(known.get("phone") or "")) == phone_key(lead.phone)
        same_email = lead.email and email_key(str(known.get("email") or "")) == email_key(lead.email)
        if same_phone or same_email or (lead.person and known.get("name") == lead.person):
            return
    entry: dict[str, Any] = {"name": lead.person or lead.company}
    if lead.phone:
        entry["phone"] = lead.phone
    if lead.email:
        entry["email"] = lead.email
    customer.contacts = [*customer.contacts, entry]  # a new list: storage sees the change


# -- the pool ---------------------------------------------------------------------------------------
def list_pool(cmd: c.ListPool, ctx: Context) -> Reply:
    team = _team_for(ctx, cmd.team, "lead.pool_forbidden_team") if cmd.team else ctx.team
    leads = ctx.uow.leads.of_team(team.saved_id, statuses=(LeadStatus.POOL,), limit=LIST_LIMIT + 1)
    if not leads:
        return Reply(title=t("lead.pool_empty", ctx.lang, team=team.name), language=ctx.lang)
    reply = Reply(title=t("lead.pool_title", ctx.lang, team=team.name, lead=leads[0].code), language=ctx.lang)
    reply.lines = [_line(ctx, lead) for lead in leads[:LIST_LIMIT]]
    if len(leads) > LIST_LIMIT:
        reply.lines.append(t("lead.pool_more", ctx.lang, limit=LIST_LIMIT))
    if team.id == ctx.actor.team_id:
        reply.buttons = [Button(t("lead.button_claim", ctx.lang) + f" {lead.code}", f"claim {lead.code}")
                         for lead in leads[:3]]
    return reply


def claim_lead(cmd: c.ClaimLead, ctx: Context) -> Reply:
    lead = load_lead(ctx, cmd.lead_id)
    if lead.status != LeadStatus.POOL:
        if lead.status == LeadStatus.ACCEPTED:
            raise taken_error(ctx, lead)
        if lead.owner_id == ctx.actor.id:
            raise UserError("lead.claim_yours", lead=lead.code)
        raise UserError("lead.not_in_pool", lead=lead.code, member=cards.member_name(ctx, lead.owner_id))
    if lead.team_id != ctx.actor.team_id:
        raise UserError("lead.claim_other_team", lead=lead.code)
    team = ctx.team
    settings = LeadSettings.of(team.settings)
    held = ctx.uow.leads.open_counts(team.saved_id).get(ctx.actor.saved_id, 0)
    if settings.capacity and held >= settings.capacity:
        raise UserError("lead.at_capacity", count=held, limit=settings.capacity)
    ctx.uow.leads.add_offer(LeadOffer(lead.saved_id, ctx.actor.saved_id, team.saved_id, ctx.now, None,
                                      OfferOutcome.ACCEPTED, ctx.now))
    return _convert(ctx, lead, "lead.claimed")


def assign_lead(cmd: c.AssignLead, ctx: Context) -> Reply:
    if not permissions.can_assign_to_others(ctx.actor):
        raise UserError("lead.assign_managers")
    lead = load_lead(ctx, cmd.lead_id)
    if lead.status == LeadStatus.ACCEPTED:
        raise taken_error(ctx, lead)
    heir = ctx.uow.members.by_handle(cmd.handle)
    if heir is None:
        raise UserError("err.member_not_found", handle=cmd.handle)
    if not heir.is_active or heir.team_id != lead.team_id:
        key = "err.assign_removed" if not heir.is_active else "err.assign_other_team"
        raise UserError(key, member=heir.ref())
    if lead.is_open and lead.owner_id == heir.id:
        raise UserError("lead.same_owner", lead=lead.code, member=heir.ref())
    team = ctx.uow.teams.get(lead.team_id)
    assert team is not None
    told = flow.give(ctx.uow, team, lead, heir, ctx.now, assigned=True, by=ctx.actor)
    record(ctx.uow, action="lead.assign", entity=lead.code, at=ctx.now, actor_id=ctx.actor.id, source=ctx.source,
           after={"owner": heir.id})
    reply = Reply(title=t("lead.assigned", ctx.lang, lead=lead.code, member=heir.ref()), language=ctx.lang)
    if heir.id != ctx.actor.id:
        reply.lines.append(t("lead.told" if told else "lead.not_told", ctx.lang, member=heir.ref()))
    return reply


# -- away ---------------------------------------------------------------------------------------------
def set_away(cmd: c.SetAway, ctx: Context) -> Reply:
    if cmd.until is not None and cmd.until <= ctx.now:
        raise UserError("lead.away_past", verb="me")
    ctx.uow.leads.set_away(ctx.actor.saved_id, cmd.until)
    record(ctx.uow, action="member.away", entity=f"member:{ctx.actor.id}", at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after={"until": cmd.until.isoformat() if cmd.until else None})
    if cmd.until is None:
        return Reply(title=t("lead.away_off", ctx.lang), language=ctx.lang)
    last_day = (ctx.local(cmd.until) - timedelta(days=1)).date()
    return Reply(title=t("lead.away_set", ctx.lang, day=last_day.isoformat()), language=ctx.lang)
