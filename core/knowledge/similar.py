"""Which past deals are like this one: the case library's search and a new deal's "similar won
deals". Explainable rules over the customer's fields and the amount, no model, no service:

- same industry: 3 points; same source: 2; each tag in common: 1 (at most 2);
- amount of the same size (within a factor of 2, in the same currency): 2;
- the same customer: 1 (a repeat sale is like the first, but says less than the market does).

A deal is similar from MIN_SCORE (3) on: an industry alone, or a source and a size, or the like.
Deals of the same industry come first (the market says most: its buyers, its objections), then
the higher score, then the nearer amount, then the most recently closed; each with the reasons
it scored. tests/data/similar_deals.json is the hand-labelled set these rules are held to.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from core.domain.model import Customer, Deal

MIN_SCORE = 3
SIZE_FACTOR = Decimal(2)

# Reason keys, each a sentence in i18n (similar.<key>).
INDUSTRY, SOURCE, TAG, SIZE, CUSTOMER = "industry", "source", "tag", "size", "customer"


@dataclass(frozen=True)
class Profile:
    """What similarity reads of a deal: its customer's fields and its amount."""

    deal_id: int
    customer_id: int
    industry: str | None
    source: str | None
    tags: frozenset[str]
    amount: Decimal | None
    currency: str
    closed_at: datetime | None = None

    @classmethod
    def of(cls, deal: Deal, customer: Customer | None) -> Profile:
        return cls.read(deal.saved_id, deal.customer_id, customer.industry if customer else None,
                        customer.source if customer else None, customer.tags if customer else [],
                        deal.amount, deal.currency, deal.closed_at)

    @classmethod
    def read(cls, deal_id: int, customer_id: int, industry: str | None, source: str | None,
             tags: list[str], amount: Decimal | None, currency: str, closed_at: datetime | None) -> Profile:
        """A profile from stored values: the customer's words compared in any case and spacing."""
        return cls(deal_id, customer_id, _fold(industry), _fold(source), frozenset(tag.casefold() for tag in tags),
                   amount, currency, closed_at)


def _fold(value: str | None) -> str | None:
    return " ".join(value.split()).casefold() if value and value.strip() else None


@dataclass(frozen=True)
class Match:
    deal_id: int
    score: int
    reasons: tuple[tuple[str, str], ...]  # (reason key, the value shared: "energy", "trade show", "vip")


def could_match(this: Profile, bought_before: bool) -> bool:
    """Whether any deal could reach MIN_SCORE with this one: its most possible points. A new
    customer with no industry, source or tags can share only a size with others, so a `new`
    for one asks the database nothing (bought_before: it may have won deals of its own)."""
    most = (3 * bool(this.industry) + 2 * bool(this.source) + min(2, len(this.tags)) + 2 * bool(this.amount)
            + bought_before)
    return most >= MIN_SCORE


def likeness(this: Profile, other: Profile) -> Match:
    score, reasons = 0, []
    if this.industry and this.industry == other.industry:
        score += 3
        reasons.append((INDUSTRY, this.industry))
    if this.source and this.source == other.source:
        score += 2
        reasons.append((SOURCE, this.source))
    for tag in sorted(this.tags & other.tags)[:2]:
        score += 1
        reasons.append((TAG, tag))
    if (this.amount and other.amount and this.currency == other.currency
            and other.amount / SIZE_FACTOR <= this.amount <= other.amount * SIZE_FACTOR):
        score += 2
        reasons.append((SIZE, ""))
    if this.customer_id == other.customer_id:
        score += 1
        reasons.append((CUSTOMER, ""))
    return Match(other.deal_id, score, tuple(reasons))


def amount_gap(this: Profile, other: Profile) -> float:
    """How far apart two amounts are, as the ratio of the larger to the smaller (1: the same);
    infinite when one is missing or they are in different currencies."""
    if not this.amount or not other.amount or this.currency != other.currency:
        return math.inf
    return float(max(this.amount, other.amount) / min(this.amount, other.amount))


def similar(this: Profile, candidates: Sequence[Profile], limit: int = 3) -> list[Match]:
    """The candidates like `this` (MIN_SCORE or more), best first (see above), at most `limit`."""
    by_id = {c.deal_id: c for c in candidates}
    found = [likeness(this, other) for other in candidates if other.deal_id != this.deal_id]
    found = [m for m in found if m.score >= MIN_SCORE]

    def order(m: Match) -> tuple[bool, int, float, float, int]:
        other = by_id[m.deal_id]
        closed = other.closed_at.timestamp() if other.closed_at else 0.0
        same_market = any(key == INDUSTRY for key, _ in m.reasons)
        return not same_market, -m.score, amount_gap(this, other), -closed, -m.deal_id

    found.sort(key=order)
    return found[:limit]
