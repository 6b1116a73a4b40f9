"""What proactive messages say: the reminder cards, the daily progress card, the scorecard.

Each builder takes a Context whose actor is the reader (their language and time zone), so the
shared card phrases (core.replies.cards) read exactly as they do in answers to commands. A button is a
command, run as whoever clicks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.chat.context import Context
from core.chat.messages import Button, Field, Reply
from core.domain.amounts import format_money
from core.domain.model import Deal, Task
from core.language.dates.text import format_when
from core.language.i18n import t
from core.reminders.due import DealStamp, TeamFigures
from core.replies import cards

DAILY_LIMIT = 8  # lines per section of the daily card
SNOOZE_DEAL_DAYS = 2


def _customer(ctx: Context, deal: Deal) -> str:
    customer = ctx.uow.customers.get(deal.customer_id)
    return customer.name if customer else "—"


def _overstay(ctx: Context, deal: Deal) -> dict[str, Any]:
    stage = ctx.pipeline.get(deal.stage)
    days = cards.days_between(deal.stage_entered_at, ctx.now)
    return {"deal": deal.code, "customer": _customer(ctx, deal), "stage": stage.name(ctx.lang),
            "days": days, "over": max(1, days - (stage.sla_days or 0)), "sla": stage.sla_days}


def sla_card(ctx: Context, deal: Deal) -> Reply:
    """To the owner: the deal overstays its stage; the buttons are the ways out."""
    reply = Reply(title=t("notice.sla", ctx.lang, **_overstay(ctx, deal)), language=ctx.lang)
    reply.fields = _fields(ctx, deal)
    reply.lines = [t("notice.sla_hint", ctx.lang)]
    lang, code = ctx.lang, deal.code
    target = ctx.pipeline.next_open_after(deal.stage)
    if target:
        reply.buttons.append(Button(t("button.next", lang, stage=ctx.pipeline.get(target).name(lang)),
                                    f"move {code} next"))
    reply.buttons += [
        Button(t("button.log", lang), f"log {code}"),
        Button(t("button.snooze_days", lang, days=SNOOZE_DEAL_DAYS), f"snooze {code} {SNOOZE_DEAL_DAYS}d"),
        Button(t("button.lost", lang), f"lost {code}"),
    ]
    return reply


def escalation_card(ctx: Context, deal: Deal) -> Reply:
    """To the team's managers: the owner was reminded and the deal still sits there."""
    owner = cards.member_name(ctx, deal.owner_id)
    reply = Reply(title=t("notice.escalation", ctx.lang, owner=owner, **_overstay(ctx, deal)),
                  language=ctx.lang)
    reply.fields = _fields(ctx, deal)
    reply.lines = [t("notice.escalation_hint", ctx.lang)]
    reply.buttons = [
        Button(t("button.show", ctx.lang, deal=deal.code), f"show {deal.code}"),
        Button(t("button.history", ctx.lang), f"history {deal.code}"),
    ]
    return reply


def _fields(ctx: Context, deal: Deal) -> list[Field]:
    """Amount and close date (the title already says the stage and the days)."""
    fields = [Field(t("field.amount", ctx.lang), cards.money(ctx, deal))]
    if deal.expected_close:
        fields.append(Field(t("field.close", ctx.lang), cards.when(ctx, deal.expected_close, has_time=False)))
    return fields


def task_card(ctx: Context, task: Task, *, lead: bool = False, again: bool = False) -> Reply:
    if lead:
        title = t("notice.task_lead", ctx.lang, task=task.code, title=task.title,
                  when=cards.when(ctx, task.due_at))
    else:
        key = "notice.task_again" if again else "notice.task_due"
        title = t(key, ctx.lang, task=task.code, title=task.title)
    reply = Reply(title=title, language=ctx.lang)
    deal = ctx.uow.deals.get(task.deal_id) if task.deal_id else None
    if deal is not None:
        reply.lines.append(t("notice.task_deal", ctx.lang, deal=deal.code, customer=_customer(ctx, deal)))
    reply.buttons = [Button(t("button.done", ctx.lang), f"done {task.code}"),
                     Button(t("button.snooze_day", ctx.lang), f"snooze {task.code} 1d")]
    return reply


@dataclass
class Section:
    """Part of the daily card: the first few items (loaded) and how many there are in all."""

    shown: list[Any]
    total: int


def daily_card(ctx: Context, over: Section, untouched: Section, overdue: Section) -> Reply | None:
    """The rep's open deals over their stage's limit, those not touched today, overdue tasks.

    None when there is nothing to say. Reminders missed by more than the catch-up window
    (the bot was down) land here: every deal over its limit is listed, however long ago.
    """
    if not (over.total or untouched.total or overdue.total):
        return None
    reply = Reply(title=t("notice.daily", ctx.lang, date=format_when(ctx.local(ctx.now), ctx.lang, False, ctx.now)),
                  language=ctx.lang)
    for key, section in (("notice.daily_over", over), ("notice.daily_untouched", untouched)):
        if section.total:
            reply.lines.append(t(key, ctx.lang, count=section.total))
            reply.lines += [cards.deal_line(ctx, d, _customer(ctx, d)) for d in section.shown]
            if section.total > len(section.shown):
                reply.lines.append(cards.overflow_line(ctx, section.total - len(section.shown), "deals mine stale"))
    if overdue.total:
        reply.lines.append(t("notice.daily_overdue", ctx.lang, count=overdue.total))
        reply.lines += [cards.task_line(ctx, task) for task in overdue.shown]
        if overdue.total > len(overdue.shown):
            reply.lines.append(cards.overflow_line(ctx, overdue.total - len(overdue.shown), "tasks overdue"))
    reply.lines.append(t("notice.daily_hint", ctx.lang))
    reply.buttons = [Button(t("button.show", ctx.lang, deal=d.code), f"show {d.code}")
                     for d in (over.shown + untouched.shown)[:3]]
    reply.buttons += [Button(f"✓ {task.code}", f"done {task.code}") for task in overdue.shown[:2]]
    return reply


def is_over(stamp: DealStamp, sla_days: int | None, now: datetime) -> bool:
    """Over its stage's limit and not snoozed (the card's "N over the limit")."""
    if sla_days is None or (stamp.snoozed_until is not None and stamp.snoozed_until > now):
        return False
    return cards.days_between(stamp.stage_entered_at, now) > sla_days


def digest_card(ctx: Context, figures: TeamFigures, *, weekly: bool, period: str,
                extra_lines: list[str] | None = None, image_path: str | None = None) -> Reply:
    lang = ctx.lang
    title_key = "digest.weekly_title" if weekly else "digest.daily_title"
    reply = Reply(title=t(title_key, lang, team=ctx.team.name, period=period), language=lang,
                  image_path=image_path)
    rate = "—" if figures.win_rate is None else f"{figures.win_rate:.0%}"
    reply.lines = [
        t("digest.new", lang, count=figures.new_deals),
        t("digest.won", lang, count=figures.won, amount=_amounts(figures.won_amount, lang)),
        t("digest.lost", lang, count=figures.lost),
        t("digest.win_rate", lang, rate=rate),
        t("digest.moves", lang, count=figures.stage_moves),
        t("digest.open", lang, count=figures.open_deals, amount=_amounts(figures.open_amount, lang)),
        t("digest.stale", lang, count=figures.stale),
        t("digest.overdue", lang, count=figures.overdue_tasks),
    ]
    if extra_lines is None:
        reply.lines.append(t("digest.missing", lang))
    else:
        reply.lines += extra_lines
    reply.buttons = [Button(t("button.tasks", lang), "tasks team")]
    return reply


def _amounts(by_currency: dict[str, Any], lang: str) -> str:
    if not by_currency:
        return format_money(None, "CNY", lang)
    return " + ".join(format_money(amount, currency, lang) for currency, amount in sorted(by_currency.items()))
