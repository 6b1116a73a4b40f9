"""The daily update by reply (issue 19): a rep answers the daily card in their own words,
"Acme 同意下周二演示，华为报价已发，Gamma 没进展", in a direct chat with dealbot.

A direct message that is no command and names one of the sender's open deals (by number,
customer, contact, or the proper name leading its title) is read by core.performance.daily_reply
into proposals: per deal a follow-up, a task when a later day is named, a stage move when the
stage's work is said to have happened. They are stored as an update (U-3) and shown with
[Confirm all] (`confirm U-3`) and a [Skip] per item (`skip U-3 2`); nothing else is written
before the rep confirms. Only the update's author may confirm or skip; confirming writes each
item through the same use cases as `log` and `move`, with their permission checks, in one
transaction (a deal handed to someone else since makes the whole confirmation fail, and say why).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.domain.model import DealStatus
from core.language import commands as c
from core.language.dates.text import DateMatch
from core.language.errors import UserError
from core.language.i18n import t
from core.performance.daily_reply import (
    CONFIRMED,
    DISMISSED,
    PENDING,
    DailyUpdate,
    OpenDeal,
    as_items,
    read_update,
)
from core.replies import cards
from core.services.deals import load_deal, log_follow_up, move_deal

KEEP_FOR = timedelta(days=3)  # an older proposal's dates and stages may no longer hold: send it again


def propose_from_reply(text: str, ctx: Context) -> Reply | None:
    """The proposals read from a free-text direct message, stored as a pending update; None when
    it names none of the sender's open deals (the caller then answers as for any unknown word)."""
    deals = ctx.uow.deals.find(owner_id=ctx.actor.id, status=DealStatus.OPEN)
    if not deals:
        return None
    known = []
    for deal in deals:
        customer = ctx.uow.customers.get(deal.customer_id)
        contacts = tuple(str(entry.get("name", "")) for entry in customer.contacts) if customer else ()
        known.append(OpenDeal(deal.saved_id, deal.stage, customer.name if customer else "", contacts, deal.title or ""))
    reading = read_update(text, known, ctx.pipeline, ctx.now, ctx.tz)
    if not reading.proposals:
        return None
    update = ctx.uow.daily_updates.add(DailyUpdate(team_id=ctx.actor.team_id, member_id=ctx.actor.saved_id,
                                                   created_at=ctx.now, text=text[:2000],
                                                   items=as_items(reading.proposals)))
    reply = _shown(ctx, update)
    for clause in reading.unmatched[:5]:
        reply.lines.append(t("update.unmatched", ctx.lang, text=clause[:80]))
    for name in reading.ambiguous[:3]:
        reply.lines.append(t("update.ambiguous", ctx.lang, name=name[:40]))
    return reply


def confirm_update(cmd: c.ConfirmUpdate, ctx: Context) -> Reply:
    update = _pending(ctx, cmd.update_id)
    reply = Reply(title=t("update.confirmed", ctx.lang, update=update.code), language=ctx.lang)
    written = 0
    for item in update.items:
        if item["skipped"]:
            continue
        deal = load_deal(ctx, item["deal_id"], change=True)
        if not deal.is_open:
            reply.lines.append(t("update.closed_since", ctx.lang, deal=deal.code))
            continue
        due = None
        if item["due"]:
            due = DateMatch(datetime.fromisoformat(item["due"]), 0, 0, item["due_has_time"])
        logged = log_follow_up(c.LogFollowUp(deal.saved_id, item["text"], "note", due), ctx)
        reply.lines += [logged.title, *logged.lines]
        target = item["move_to"]
        if target and target in ctx.pipeline.keys and ctx.pipeline.index(target) > ctx.pipeline.index(deal.stage):
            moved = move_deal(c.MoveDeal(deal.saved_id, target), ctx)
            reply.lines += [moved.title, *moved.lines]
        written += 1
    update.status, update.decided_at = CONFIRMED, ctx.now
    ctx.uow.daily_updates.save(update)
    record(ctx.uow, action="update.confirm", entity=update.code, at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after={"items": written})
    return reply


def skip_update_item(cmd: c.SkipUpdateItem, ctx: Context) -> Reply:
    update = _pending(ctx, cmd.update_id)
    if cmd.item > len(update.items):
        raise UserError("update.no_item", update=update.code, item=cmd.item)
    item = update.items[cmd.item - 1]
    if item["skipped"]:
        raise UserError("update.already_skipped", update=update.code, item=cmd.item)
    update.items = [dict(entry, skipped=entry["skipped"] or n == cmd.item)
                    for n, entry in enumerate(update.items, start=1)]
    if all(entry["skipped"] for entry in update.items):
        update.status, update.decided_at = DISMISSED, ctx.now
        ctx.uow.daily_updates.save(update)
        return Reply(title=t("update.all_skipped", ctx.lang, update=update.code), language=ctx.lang)
    ctx.uow.daily_updates.save(update)
    return _shown(ctx, update)


def _pending(ctx: Context, update_id: int) -> DailyUpdate:
    update = ctx.uow.daily_updates.get(update_id)
    if update is None:
        raise UserError("update.not_found", update=f"U-{update_id}")
    if update.member_id != ctx.actor.saved_id:
        raise UserError("update.not_yours", update=update.code)
    if update.status != PENDING:
        raise UserError("update.already_confirmed" if update.status == CONFIRMED else "update.dismissed",
                        update=update.code)
    if ctx.now - update.created_at > KEEP_FOR:
        raise UserError("update.too_old", update=update.code)
    return update


def _shown(ctx: Context, update: DailyUpdate) -> Reply:
    """The proposal as a card: one line per deal, [Confirm all] and a [Skip] per item left."""
    reply = Reply(title=t("update.title", ctx.lang, update=update.code), language=ctx.lang)
    buttons = [Button(t("button.confirm_all", ctx.lang), f"confirm {update.code}")]
    for n, item in enumerate(update.items, start=1):
        if item["skipped"]:
            continue
        deal = ctx.uow.deals.get(item["deal_id"])
        code = deal.code if deal else f"D-{item['deal_id']}"
        parts = [t("update.item_log", ctx.lang, n=n, deal=code, text=item["text"][:120])]
        if item["due"]:
            when = cards.when(ctx, datetime.fromisoformat(item["due"]))
            parts.append(t("update.item_task", ctx.lang, when=when, words=item["due_words"]))
        if item["move_to"] and item["move_to"] in ctx.pipeline.keys:
            old = ctx.pipeline.get(deal.stage).name(ctx.lang) if deal and deal.stage in ctx.pipeline.keys else "?"
            parts.append(t("update.item_move", ctx.lang, old=old, new=ctx.pipeline.get(item["move_to"]).name(ctx.lang),
                           words=item["move_words"]))
        reply.lines.append(("；" if ctx.lang == "zh" else "; ").join(parts))
        buttons.append(Button(t("button.skip_item", ctx.lang, n=n), f"skip {update.code} {n}"))
    reply.buttons = buttons
    return reply
