"""A new deal's "similar won deals" (core.knowledge.similar): at most three of the team's won
deals, each with why it is similar, under the card `new` answers with."""

from __future__ import annotations

from collections.abc import Sequence

from core.chat.context import Context
from core.domain.model import Customer, Deal, DealStatus
from core.knowledge import similar as sim
from core.language.i18n import t
from core.replies import cards

CLOSED_READ = 2000  # the team's latest closed deals compared
BOUGHT = ("customer", "churned")  # lifecycles of customers that have won deals (core.domain.customers)


def customers_of(ctx: Context, deals: Sequence[Deal]) -> dict[int, Customer]:
    found = {}
    for customer_id in sorted({d.customer_id for d in deals}):
        customer = ctx.uow.customers.get(customer_id)
        if customer is not None:
            found[customer_id] = customer
    return found


def similar_lines(ctx: Context, deal: Deal) -> list[str]:
    """Under a new deal's card: at most three won deals like it, each with why. One query reads
    what similarity needs of the team's latest won deals; only the chosen ones are loaded."""
    customer = ctx.uow.customers.get(deal.customer_id)
    this = sim.Profile.of(deal, customer)
    if not sim.could_match(this, bought_before=customer is not None and customer.lifecycle in BOUGHT):
        return []
    won = ctx.uow.knowledge.closed_profiles(deal.team_id, [DealStatus.WON], CLOSED_READ)
    matches = sim.similar(this, won)
    lines = [t("similar.title", ctx.lang)] if matches else []
    for match in matches:
        other = ctx.uow.deals.get(match.deal_id)
        if other is None:
            continue
        theirs = ctx.uow.customers.get(other.customer_id)
        days = cards.days_between(other.created_at, other.closed_at or ctx.now)
        lines.append(t("similar.line", ctx.lang, deal=other.code, customer=theirs.name if theirs else "—",
                       amount=cards.money(ctx, other), days=days, why=similar_reasons(ctx, match)))
    return lines


def similar_reasons(ctx: Context, match: sim.Match) -> str:
    return ", ".join(t(f"similar.{key}", ctx.lang, value=value) for key, value in match.reasons)
