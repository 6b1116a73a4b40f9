"""`retro D-12` (复盘) and `cases` (案例): the case library of past deals.

Once a deal is won or lost its owner is asked for a short retrospective (the won and lost
replies carry the prompt; `retro D-12` alone shows the prompts). `cases [words] [industry:…]
[tag:…] [source:…]` finds the team's closed deals like that, with their path through the stages
(days per stage), their retro and the playbook lines in force while they went through each stage.
A new deal's card lists the similar won deals (core.knowledge.similar), with why they are similar.
"""

from __future__ import annotations

from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.domain.model import Customer, Deal, DealStatus
from core.domain.pipeline import PLAYBOOK_SECTIONS
from core.knowledge import similar as sim
from core.knowledge import summary as sm
from core.knowledge.records import Retro
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.replies import cards
from core.services.deals import load_deal
from core.services.similar_deals import CLOSED_READ, customers_of, similar_reasons

SHOWN = 5


# -- retro --------------------------------------------------------------------------------------------

def add_retro(cmd: c.AddRetro, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=bool(cmd.text))
    if deal.is_open:
        raise UserError("retro.open_deal", deal=deal.code)
    if not cmd.text:
        reply = Reply(title=t("retro.prompts_title", ctx.lang, deal=deal.code,
                              status=t(f"status.{deal.status}", ctx.lang)), language=ctx.lang)
        reply.lines = t("retro.prompts", ctx.lang).split("|")
        old = ctx.uow.knowledge.retros([deal.saved_id]).get(deal.saved_id)
        if old is not None:
            reply.lines.append(t("retro.current", ctx.lang, who=cards.member_name(ctx, old.author_id),
                                 when=cards.when(ctx, old.at), text=old.text))
        reply.lines.append(t("retro.how", ctx.lang, deal=deal.code))
        return reply
    old = ctx.uow.knowledge.put_retro(Retro(deal_id=deal.saved_id, team_id=deal.team_id, text=cmd.text,
                                            at=ctx.now, author_id=ctx.actor.id))
    record(ctx.uow, action="deal.retro", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id, source=ctx.source,
           before={"retro": old.text[:500]} if old else None, after={"retro": cmd.text[:500]})
    reply = Reply(title=t("retro.saved" if old is None else "retro.replaced", ctx.lang, deal=deal.code),
                  language=ctx.lang)
    reply.buttons = [Button(t("button.cases", ctx.lang), "cases")]
    return reply


# -- cases ------------------------------------------------------------------------------------------

def _closed(ctx: Context, team_id: int) -> list[Deal]:
    deals = [*ctx.uow.deals.find(team_id=team_id, status=DealStatus.WON),
             *ctx.uow.deals.find(team_id=team_id, status=DealStatus.LOST)]
    deals.sort(key=lambda d: (d.closed_at or d.created_at, d.saved_id), reverse=True)
    return deals[:CLOSED_READ]


def _has(value: str | None, wanted: str) -> bool:
    return value is not None and value.casefold() == wanted.casefold()


def find_cases(cmd: c.FindCases, ctx: Context) -> Reply:
    if cmd.like is not None:
        return _cases_like(ctx, load_deal(ctx, cmd.like, change=False))
    team_id = ctx.team.saved_id
    deals = _closed(ctx, team_id)
    customers = customers_of(ctx, deals)
    retros = ctx.uow.knowledge.retros([d.saved_id for d in deals])
    words = cmd.words.casefold().split()
    found = []
    for deal in deals:
        customer = customers.get(deal.customer_id)
        if cmd.industry and not _has(customer.industry if customer else None, cmd.industry):
            continue
        if cmd.source and not _has(customer.source if customer else None, cmd.source):
            continue
        if cmd.tag and not any(_has(tag, cmd.tag) for tag in (customer.tags if customer else [])):
            continue
        retro = retros.get(deal.saved_id)
        text = " ".join([customer.name if customer else "", deal.title, deal.lost_reason or "",
                         retro.text if retro else "", (customer.industry or "") if customer else ""]).casefold()
        if words and not all(word in text for word in words):
            continue
        found.append(deal)
    asked = " ".join(filter(None, [cmd.words, cmd.industry, cmd.tag, cmd.source]))
    reply = Reply(title=t("cases.title", ctx.lang, count=len(found), asked=asked or "—"), language=ctx.lang)
    if not found:
        reply.lines.append(t("cases.none", ctx.lang))
        return reply
    for deal in found[:SHOWN]:
        reply.lines += case_lines(ctx, deal, customers.get(deal.customer_id), retros.get(deal.saved_id))
    if len(found) > SHOWN:
        reply.lines.append(cards.more_line(ctx.lang, len(found) - SHOWN))
    return reply


def _cases_like(ctx: Context, deal: Deal) -> Reply:
    """`cases D-12`: the team's closed deals most like D-12 (won or lost), each with why."""
    closed = ctx.uow.knowledge.closed_profiles(deal.team_id, [DealStatus.WON, DealStatus.LOST], CLOSED_READ)
    this = sim.Profile.of(deal, ctx.uow.customers.get(deal.customer_id))
    matches = sim.similar(this, closed, limit=SHOWN)
    reply = Reply(title=t("cases.like_title", ctx.lang, deal=deal.code, count=len(matches)), language=ctx.lang)
    if not matches:
        reply.lines.append(t("cases.like_none", ctx.lang, deal=deal.code))
        return reply
    retros = ctx.uow.knowledge.retros([m.deal_id for m in matches])
    for match in matches:
        other = ctx.uow.deals.get(match.deal_id)
        if other is None:
            continue
        reply.lines += case_lines(ctx, other, ctx.uow.customers.get(other.customer_id), retros.get(other.saved_id))
        reply.lines.append(t("cases.why", ctx.lang, why=similar_reasons(ctx, match)))
    return reply


def case_lines(ctx: Context, deal: Deal, customer: Customer | None, retro: Retro | None) -> list[str]:
    lang = ctx.lang
    kind = ", ".join(filter(None, [customer.industry if customer else None, customer.source if customer else None,
                                   *(customer.tags if customer else [])])) or "—"
    status = t(f"status.{deal.status}", lang)
    lines = [t("cases.head", lang, deal=deal.code, name=cards.deal_name(deal, customer),
               status=status, amount=cards.money(ctx, deal), kind=kind)]
    changes = ctx.uow.stage_changes.for_deal(deal.saved_id)
    path = sm.stage_path(changes, ctx.now, deal.closed_at)
    if path:
        total = cards.days_between(path[0].entered, deal.closed_at or ctx.now)
        shown = " → ".join(_stay(ctx, stay) for stay in path)
        lines.append(t("cases.path", lang, path=shown, days=total))
    if deal.lost_reason:
        lines.append(t("cases.lost_reason", lang, reason=cards.preview(deal.lost_reason)))
    lines.append(t("cases.retro", lang, text=cards.preview(retro.text)) if retro
                 else t("cases.no_retro", lang, deal=deal.code))
    used = playbook_used(ctx, deal, path)
    if used:
        lines.append(t("cases.playbook", lang, lines=" · ".join(used)))
    return lines


def _stay(ctx: Context, stay: sm.StageStay) -> str:
    if stay.stage not in ctx.pipeline.keys:
        return t("summary.stay", ctx.lang, stage=stay.stage, days=stay.days)
    stage = ctx.pipeline.get(stay.stage)
    return stage.name(ctx.lang) if stage.is_closed else t("summary.stay", ctx.lang, stage=stage.name(ctx.lang),
                                                              days=stay.days)


def playbook_used(ctx: Context, deal: Deal, path: list[sm.StageStay]) -> list[str]:
    """Per stage the deal went through, the playbook lines in force while it was there: the
    pipeline file's, and those added in chat before it left and not removed before it came."""
    added = ctx.uow.knowledge.playbook_lines(deal.team_id, removed=True)
    used = []
    for i, stay in enumerate(path):
        if stay.stage not in ctx.pipeline.keys or ctx.pipeline.get(stay.stage).is_closed:
            continue
        stage = ctx.pipeline.get(stay.stage)
        left = path[i + 1].entered if i + 1 < len(path) else (deal.closed_at or ctx.now)
        texts = [item.text(ctx.lang) for section in PLAYBOOK_SECTIONS for item in stage.playbook.section(section)]
        texts += [line.text for line in added if line.stage == stay.stage and line.added_at <= left
                  and (line.removed_at is None or line.removed_at > stay.entered)]
        if texts:
            used.append(t("cases.playbook_stage", ctx.lang, stage=stage.name(ctx.lang), count=len(texts),
                          first=cards.preview(texts[0])))
    return used
