"""`csat`, `complaint`, `resolve`, `complaints`: what customers say back (core.health.feedback).

A score belongs to a deal and is recorded by whoever may change the deal (its owner, the team's
managers, admins); with no score the reply offers a button per score, so the owner can record what
the customer answered in one tap. A complaint names a customer of the actor's team (or a deal's
customer) and may be logged by anyone of the team; it is resolved by whoever logged it, or by whoever
may change the customer (core.access.permissions.can_change_customer). Every change is audited.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.access import permissions
from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.domain.model import Customer, Deal
from core.health.feedback import SURVEY_DAYS, Complaint, Satisfaction, Survey
from core.language import commands as c
from core.language.dates.text import format_when
from core.language.errors import UserError
from core.language.i18n import t
from core.reminders.outbox import Draft, Kind, stamp
from core.reminders.recipients import can_push
from core.replies.cards import more_line
from core.services.customers import find_customer
from core.services.deals import load_deal

LIST_LIMIT = 10


def _customer(ctx: Context, customer_id: int) -> Customer:
    customer = ctx.uow.customers.get(customer_id)
    assert customer is not None  # a deal's or a complaint's customer exists (a foreign key)
    return customer


def record_satisfaction(cmd: c.RecordSatisfaction, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=True)
    customer = _customer(ctx, deal.customer_id)
    lang = ctx.lang
    if cmd.send:
        return _send_survey(ctx, deal, customer)
    if cmd.score is None:
        reply = Reply(title=t("csat.ask", lang, deal=deal.code, customer=customer.name), language=lang)
        earlier = ctx.uow.feedback.scores_of(deal.saved_id)
        if earlier:
            reply.lines = [t("csat.earlier", lang, scores=", ".join(str(s.score) for s in earlier))]
        reply.buttons = [Button(t(f"csat.button_{n}", lang), f"csat {deal.code} {n}") for n in range(1, 6)]
        return reply
    today = _local_day(ctx, ctx.now)
    same_day = [s for s in ctx.uow.feedback.scores_of(deal.saved_id)
                if s.recorded_by is not None and _local_day(ctx, s.recorded_at) == today]
    before = same_day[-1] if same_day else None
    if before is not None:  # one recorded score per deal and day: a later one replaces it (a survey's answer stays)
        was = (before.score, before.comment)
        before.score, before.comment, before.recorded_at, before.recorded_by = (
            cmd.score, cmd.comment, ctx.now, ctx.actor.id)
        ctx.uow.feedback.replace_score(before)
        score = before
    else:
        score = ctx.uow.feedback.add_score(Satisfaction(
            team_id=deal.team_id, deal_id=deal.saved_id, customer_id=customer.saved_id, score=cmd.score,
            recorded_at=ctx.now, recorded_by=ctx.actor.id, comment=cmd.comment))
    record(ctx.uow, action="csat.record", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id, source=ctx.source,
           before={"score": was[0], "comment": was[1]} if before is not None else None,
           after={"score": score.score, "comment": score.comment, "customer": customer.name})
    reply = Reply(title=t("csat.recorded", lang, score=score.score, deal=deal.code, customer=customer.name),
                  language=lang)
    if before is not None:
        reply.lines.append(t("csat.replaced", lang, before=was[0], deal=deal.code))
    if cmd.comment:
        reply.lines.append(f"“{cmd.comment}”")
    if score.score <= 2:
        reply.lines.append(t("csat.low", lang, command=f'complaint {deal.code} "…"'))
    reply.buttons = [Button(t("button.health", lang), "health this week")]
    return reply


def _local_day(ctx: Context, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(ctx.team.timezone)).date()


def _send_survey(ctx: Context, deal: Deal, customer: Customer) -> Reply:
    """The 1–5 question to the deal's linked chats that record (through the outbox), in the team's
    language; the customer's answer there is recorded by core.health.surveys."""
    chats = [b for b in ctx.uow.chat_bindings.for_deal(deal.saved_id) if b.capturing and can_push(b.platform)]
    if not chats:
        raise UserError("err.csat_no_chat", deal=deal.code, command=f"link {deal.code}")
    lang = ctx.team.language
    question = Reply(title=t("csat.survey", lang, customer=customer.name, title=deal.title), language=lang)
    question.lines = [t("csat.survey_scale", lang)]
    for binding in chats:
        ctx.uow.outbox.add(Draft(kind=Kind.SURVEY, key=f"survey:{deal.code}:{stamp(ctx.now)}:{binding.platform}:"
                                 f"{binding.chat_id}", platform=binding.platform, chat_id=binding.chat_id,
                                 reply=question, not_before=ctx.now, subject=deal.code).to_message(ctx.now))
        ctx.uow.feedback.add_survey(Survey(team_id=deal.team_id, deal_id=deal.saved_id, platform=binding.platform,
                                           chat_id=binding.chat_id, sent_at=ctx.now, sent_by=ctx.actor.id))
    record(ctx.uow, action="csat.send", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id, source=ctx.source,
           after={"chats": [f"{b.platform}:{b.chat_id}" for b in chats]})
    return Reply(title=t("csat.sent", ctx.lang, deal=deal.code, count=len(chats), days=SURVEY_DAYS),
                 language=ctx.lang)


def log_complaint(cmd: c.LogComplaint, ctx: Context) -> Reply:
    if cmd.deal_id is not None:
        if ctx.uow.deals.get(cmd.deal_id) is None:
            raise UserError("err.complaint_no_deal", ref=f"D-{cmd.deal_id}")
        deal = load_deal(ctx, cmd.deal_id, change=False)
        customer, deal_id = _customer(ctx, deal.customer_id), deal.id
    else:
        assert cmd.customer is not None  # the reader gives one or the other
        customer, deal_id = find_customer(ctx, cmd.customer), None
    complaint = ctx.uow.feedback.add_complaint(Complaint(
        team_id=customer.team_id, customer_id=customer.saved_id, text=cmd.text, logged_at=ctx.now,
        logged_by=ctx.actor.id, deal_id=deal_id))
    record(ctx.uow, action="complaint.log", entity=complaint.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after={"customer": customer.name, "text": cmd.text,
                                     "deal": f"D-{deal_id}" if deal_id else None})
    lang = ctx.lang
    reply = Reply(title=t("complaint.logged", lang, code=complaint.code, customer=customer.name), language=lang)
    reply.lines = [f"“{cmd.text}”"]
    reply.buttons = [Button(t("button.resolve", lang), f"resolve {complaint.code}"),
                     Button(t("button.complaints", lang), "complaints")]
    return reply


def resolve_complaint(cmd: c.ResolveComplaint, ctx: Context) -> Reply:
    complaint = ctx.uow.feedback.complaint(cmd.complaint_id)
    customer = ctx.uow.customers.get(complaint.customer_id) if complaint is not None else None
    if complaint is None or customer is None or not permissions.can_view_customer(ctx.actor, customer):
        raise UserError("err.complaint_not_found", code=f"C-{cmd.complaint_id}")
    deals = ctx.uow.deals.find(customer_id=customer.saved_id)
    if complaint.logged_by != ctx.actor.id and not permissions.can_change_customer(ctx.actor, customer, deals):
        raise UserError("err.forbidden_complaint", code=complaint.code, customer=customer.name)
    if not complaint.is_open:
        raise UserError("err.complaint_resolved", code=complaint.code)
    complaint.resolved_at, complaint.resolved_by, complaint.resolution = ctx.now, ctx.actor.id, cmd.note
    ctx.uow.feedback.resolve(complaint)
    record(ctx.uow, action="complaint.resolve", entity=complaint.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, before={"resolved": False}, after={"resolved": True, "resolution": cmd.note})
    reply = Reply(title=t("complaint.resolved", ctx.lang, code=complaint.code, customer=customer.name),
                  language=ctx.lang)
    if cmd.note:
        reply.lines = [f"“{cmd.note}”"]
    return reply


def list_complaints(cmd: c.ListComplaints, ctx: Context) -> Reply:
    lang = ctx.lang
    found = ctx.uow.feedback.complaints(ctx.actor.team_id, open_only=not cmd.everything)
    title = "complaint.list_all" if cmd.everything else "complaint.list_open"
    reply = Reply(title=t(title, lang, count=len(found)), language=lang)
    if not found:
        reply.lines = [t("complaint.none", lang)]
        return reply
    for complaint in found[:LIST_LIMIT]:
        customer = _customer(ctx, complaint.customer_id)
        when = format_when(ctx.local(complaint.logged_at), lang, has_time=False, now=ctx.now)
        state = t("complaint.state_open", lang) if complaint.is_open else t("complaint.state_resolved", lang)
        reply.lines.append(t("complaint.line", lang, code=complaint.code, customer=customer.name, when=when,
                             state=state, text=complaint.text))
    if len(found) > LIST_LIMIT:
        reply.lines.append(more_line(lang, len(found) - LIST_LIMIT))
    reply.buttons = [Button(t("button.resolve_one", lang, code=x.code), f"resolve {x.code}")
                     for x in found[:3] if x.is_open]
    return reply

