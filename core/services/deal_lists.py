"""`deals` with the filters a manager asks for — `closing this month`, `owner:@bob`, `won last
quarter`, `lost`, `amount>100k`, `customer:Acme`, `stale`, a stage — sorted by close date or
amount, with the total and the probability-weighted total at the foot (issue 17).

The repository narrows by team, owner, status and stage (indexed); the rest is decided here on
that team's rows. The weighted total weighs each deal by its stage's win probability (the
pipeline's: won 100 %, lost 0 %), the classic weighted pipeline."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time
from decimal import Decimal

from core.access import permissions
from core.chat.context import Context
from core.chat.messages import Reply
from core.domain.amounts import format_money
from core.domain.model import Deal, DealStatus
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.language.periods import Period
from core.replies import cards

_COMPARE = {">": Decimal.__gt__, ">=": Decimal.__ge__, "<": Decimal.__lt__, "<=": Decimal.__le__}


def find_deals(cmd: c.ListDeals, ctx: Context) -> list[Deal]:
    """The deals `deals` shows the actor, with its filters and order (chat and the REST API alike)."""
    all_teams = cmd.scope == "all" and permissions.is_admin(ctx.actor)
    team_id = None if all_teams else ctx.actor.team_id
    owner_id = ctx.actor.id if cmd.scope == "mine" else None
    if cmd.owner is not None:
        owner = ctx.uow.members.by_handle(cmd.owner)
        if owner is None or not (permissions.is_admin(ctx.actor) or owner.team_id == ctx.actor.team_id):
            raise UserError("err.member_not_found", handle=cmd.owner)
        owner_id = owner.id
        team_id = None if all_teams else owner.team_id  # an admin sees anyone's
    deals = list(ctx.uow.deals.find(team_id=team_id, owner_id=owner_id, status=DealStatus(cmd.status),
                                    stage=cmd.stage))
    if cmd.customer is not None:
        customer = ctx.uow.customers.by_name(ctx.actor.team_id, cmd.customer)
        if customer is None:
            raise UserError("deals.no_customer", name=cmd.customer)
        deals = [d for d in deals if d.customer_id == customer.id]
    if cmd.stale:
        deals = [d for d in deals if _is_stale(ctx, d)]
    if cmd.closing_in is not None:
        start, end = _bounds(ctx, cmd.closing_in)
        deals = [d for d in deals if d.expected_close is not None and start <= d.expected_close < end]
    if cmd.closed_in is not None:
        start, end = _bounds(ctx, cmd.closed_in)
        deals = [d for d in deals if d.closed_at is not None and start <= d.closed_at < end]
    if cmd.amount is not None:
        op, money = cmd.amount  # compared in the amount's currency: other currencies are left out
        deals = [d for d in deals if d.amount is not None and d.currency == money.currency
                 and _COMPARE[op](d.amount, money.amount)]
    if cmd.sort == "close":
        deals.sort(key=lambda d: (d.expected_close is None, d.expected_close or ctx.now, -(d.id or 0)))
    elif cmd.sort == "amount":
        deals.sort(key=lambda d: (d.amount is None, -(d.amount or 0), -(d.id or 0)))
    return deals


def list_deals(cmd: c.ListDeals, ctx: Context) -> Reply:
    deals = find_deals(cmd, ctx)
    reply = Reply(title=t(f"deals.title_{cmd.status}" if cmd.status != "open" else "deals.title", ctx.lang,
                          count=len(deals)), language=ctx.lang)
    for deal in deals[: cards.LIST_LIMIT]:
        customer_row = ctx.uow.customers.get(deal.customer_id)
        line = cards.deal_line(ctx, deal, customer_row.name if customer_row else "—")
        if cmd.sort == "close" or cmd.closing_in is not None:
            line += " · " + t("deals.closing", ctx.lang, when=cards.when(ctx, deal.expected_close, has_time=False))
        reply.lines.append(line)
    if len(deals) > cards.LIST_LIMIT:
        hint = "deals mine" if cmd.scope != "mine" else "deals stage:<stage>"
        reply.lines.append(cards.overflow_line(ctx, len(deals) - cards.LIST_LIMIT, hint))
    if not deals:
        reply.lines.append(t("deals.none", ctx.lang) if _unfiltered(cmd) else t("deals.none_match", ctx.lang))
    reply.lines += _foot(ctx, deals)
    return reply


def _unfiltered(cmd: c.ListDeals) -> bool:
    return cmd == c.ListDeals(scope=cmd.scope)


def _is_stale(ctx: Context, deal: Deal) -> bool:
    sla = ctx.pipeline.get(deal.stage).sla_days
    return sla is not None and cards.days_between(deal.stage_entered_at, ctx.now) > sla


def _bounds(ctx: Context, period: Period) -> tuple[datetime, datetime]:
    """The period's first and first-after local days, as moments on the member's clock."""
    return (datetime.combine(period.start, time(), tzinfo=ctx.zone),
            datetime.combine(period.end, time(), tzinfo=ctx.zone))


def _foot(ctx: Context, deals: list[Deal]) -> list[str]:
    """The total and the weighted total of every deal listed (not only those shown), per currency."""
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for deal in deals:
        if deal.amount is None:
            continue
        probability = Decimal(str(ctx.pipeline.get(deal.stage).win_probability)) if deal.stage in ctx.pipeline.keys \
            else Decimal(0)
        total = totals[deal.currency]
        total[0] += deal.amount
        total[1] += (deal.amount * probability).quantize(Decimal("0.01"))
    return [t("deals.total", ctx.lang, total=format_money(total, currency, ctx.lang),
              weighted=format_money(weighted, currency, ctx.lang))
            for currency, (total, weighted) in sorted(totals.items())]
