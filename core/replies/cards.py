"""Building replies: the deal card, list lines and the small phrases they share."""

from __future__ import annotations

from datetime import datetime

from core.analytics.explain import deal_probability
from core.chat.context import Context
from core.chat.messages import Button, Field, Reply
from core.domain.amounts import format_money
from core.domain.calendar import full_date, is_plausible
from core.domain.model import Customer, Deal, DealStatus, Interaction, Member, Task
from core.domain.pipeline import Stage
from core.language.dates.text import format_when
from core.language.i18n import t
from core.reminders.waiting import unanswered_lines

LIST_LIMIT = 20
CARD_ITEMS = 5  # tasks and follow-ups on a deal card
TEXT_PREVIEW = 120


def days_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 86400))


def stage_status(ctx: Context, deal: Deal) -> str:
    """"Quote · day 3 of 7" or "报价 · 已 9 天，超出阶段时限 2 天"."""
    stage = ctx.pipeline.get(deal.stage)
    name = stage.name(ctx.lang)
    if not deal.is_open or stage.sla_days is None:
        return name
    days = days_between(deal.stage_entered_at, ctx.now)
    if days > stage.sla_days:
        return t("card.stage_over", ctx.lang, stage=name, days=days, over=days - stage.sla_days,
                 sla=stage.sla_days)
    return t("card.stage_within", ctx.lang, stage=name, days=days, sla=stage.sla_days)


def when(ctx: Context, moment: datetime | None, has_time: bool = True) -> str:
    if moment is None:
        return "—"
    if not is_plausible(moment, ctx.now):  # stored by another tool or an old version: show its year
        return full_date(moment)
    return format_when(ctx.local(moment), ctx.lang, has_time, ctx.now)


def money(ctx: Context, deal: Deal) -> str:
    return format_money(deal.amount, deal.currency, ctx.lang)



def deal_name(deal: Deal, customer: Customer | None) -> str:
    """“Acme — Phase 2”; the customer once when the title is its name (`new Acme 50k`)."""
    name = customer.name if customer else "—"
    return name if deal.title == name else f"{name} — {deal.title}"

def member_name(ctx: Context, member_id: int | None) -> str:
    member = ctx.uow.members.get(member_id) if member_id else None
    return member.ref() if member else "—"


def deal_line(ctx: Context, deal: Deal, customer_name: str) -> str:
    stage = ctx.pipeline.get(deal.stage).name(ctx.lang)
    days = days_between(deal.stage_entered_at, ctx.now)
    return t("card.deal_line", ctx.lang, deal=deal.code, customer=customer_name, stage=stage,
             amount=money(ctx, deal), owner=member_name(ctx, deal.owner_id), days=days)


def task_line(ctx: Context, task: Task) -> str:
    parts = [f"{task.code} {preview(task.title)}"]
    if task.deal_id:
        parts.append(f"D-{task.deal_id}")
    if task.due_at:
        key = "card.overdue" if task.is_overdue(ctx.now) else "card.due"
        parts.append(t(key, ctx.lang, when=when(ctx, task.due_at)))
    if task.cancelled_at:
        parts.append(t("card.cancelled_at", ctx.lang, when=when(ctx, task.cancelled_at)))
    elif task.done_at:
        parts.append(t("card.done_at", ctx.lang, when=when(ctx, task.done_at)))
    return " · ".join(parts)


def interaction_line(ctx: Context, item: Interaction) -> str:
    kind = t(f"kind.{item.kind}", ctx.lang) if item.kind != "message" else ""
    author = member_name(ctx, item.author_id)
    if item.author_id is None and item.author_name:  # a captured message from the customer's side
        author = t("chat.contact", ctx.lang, name=item.author_name)
    prefix = f"{when(ctx, item.occurred_at)} · {author}"
    return f"{prefix} · {kind}{preview(item.text)}" if kind else f"{prefix} · {preview(item.text)}"


def preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= TEXT_PREVIEW else flat[: TEXT_PREVIEW - 1] + "…"


def deliverable_lines(ctx: Context, deal: Deal, stage: Stage) -> list[str]:
    lines = []
    for number, item in enumerate(stage.deliverables, start=1):
        mark = "☑" if f"{stage.key}:{number}" in deal.deliverables_done else "☐"
        lines.append(f"{mark} {number}. {item.name(ctx.lang)}")
    return lines


def unchecked(deal: Deal, stage: Stage) -> list[tuple[int, str]]:
    return [
        (number, item.en)
        for number, item in enumerate(stage.deliverables, start=1)
        if f"{stage.key}:{number}" not in deal.deliverables_done
    ]


def deal_card(ctx: Context, deal: Deal, *, new: bool = False) -> Reply:
    """The card of one deal. new=True: the deal was created in this unit of work.

    A deal id is never handed out twice (AUTOINCREMENT, sequences) and tasks and follow-ups point
    at their deal by foreign key, so a brand-new deal has none: `new` skips those two queries.
    """
    customer = ctx.uow.customers.get(deal.customer_id)
    stage = ctx.pipeline.get(deal.stage)
    reply = Reply(title=f"{deal.code} · {deal_name(deal, customer)}", language=ctx.lang)
    reply.fields = _card_fields(ctx, deal)
    probability = deal_probability(ctx, deal)
    if probability is not None:
        reply.fields.append(probability)
    if deal.is_open and stage.deliverables:
        reply.lines.append(t("card.deliverables", ctx.lang, stage=stage.name(ctx.lang)))
        reply.lines += deliverable_lines(ctx, deal, stage)
    tasks = [] if new else ctx.uow.tasks.find(deal_id=deal.id)
    reply.lines.append(t("card.open_tasks", ctx.lang, count=len(tasks)))
    reply.lines += [task_line(ctx, task) for task in tasks[:CARD_ITEMS]]
    if len(tasks) > CARD_ITEMS:
        reply.lines.append(more_line(ctx.lang, len(tasks) - CARD_ITEMS, f"tasks {deal.code}"))
    recent = [] if new else ctx.uow.interactions.for_deal(deal.saved_id, limit=CARD_ITEMS)
    total = ctx.uow.interactions.count_for_deal(deal.saved_id) if len(recent) == CARD_ITEMS else len(recent)
    reply.lines.append(t("card.recent", ctx.lang, count=total))
    reply.lines += [interaction_line(ctx, item) for item in recent]
    if total > len(recent):
        reply.lines.append(more_line(ctx.lang, total - len(recent), f"history {deal.code}"))
    if not new:
        reply.lines += unanswered_lines(ctx, deal)
    reply.buttons = deal_buttons(ctx, deal, stage)
    return reply


def _card_fields(ctx: Context, deal: Deal) -> list[Field]:
    lang = ctx.lang
    fields = [
        Field(t("field.stage", lang), stage_status(ctx, deal)),
        Field(t("field.amount", lang), money(ctx, deal)),
        Field(t("field.owner", lang), member_name(ctx, deal.owner_id)),
        Field(t("field.close", lang), when(ctx, deal.expected_close, has_time=False)),
    ]
    if deal.status == DealStatus.WON:
        fields.append(Field(t("field.status", lang), t("status.won_on", lang, when=when(ctx, deal.closed_at))))
    elif deal.status == DealStatus.LOST:
        fields.append(Field(t("field.status", lang), t("status.lost_on", lang, when=when(ctx, deal.closed_at),
                                                        reason=deal.lost_reason or "—")))
    return fields


def deal_buttons(ctx: Context, deal: Deal, stage: Stage) -> list[Button]:
    lang, code = ctx.lang, deal.code
    buttons = []
    if deal.is_open:
        target = ctx.pipeline.next_open_after(deal.stage)
        if target:
            buttons.append(Button(t("button.next", lang, stage=ctx.pipeline.get(target).name(lang)),
                                  f"move {code} next"))
        todo = unchecked(deal, stage)
        if todo:
            number = todo[0][0]
            item = stage.deliverables[number - 1].name(lang)
            buttons.append(Button(f"☑ {item}", f"check {code} {number}"))
        buttons.append(Button(t("button.edit", lang), f"edit {code}"))
    buttons.append(Button(t("button.tasks", lang), f"tasks {code}"))
    buttons.append(Button(t("button.history", lang), f"history {code}"))
    return buttons


def overflow_line(ctx: Context, hidden: int, command: str) -> str:
    return t("list.more", ctx.lang, count=hidden, command=command)


def more_line(lang: str, hidden: int, command: str | None = None) -> str:
    """"… and 2 more" under a list cut short, with the command that shows them all if any."""
    if command is None:
        return t("list.more_plain", lang, count=hidden)
    return t("list.more_see", lang, count=hidden, command=command)


def handle_of(member: Member | None) -> str:
    return member.handle if member else "?"
