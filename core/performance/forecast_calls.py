"""Forecast categories (预测分类): a manager's call on an open deal in a pipeline review (`review`, 过单).

Each answer is kept as a `ForecastCall` row (never overwritten: the deal's calls are its history);
the latest is the deal's category. `commit` and `best_case` feed the forecast's commit and best
case (best case = commit + best case); `pipeline` deals stay in the weighted pipeline only; `lost`
takes the deal out of both until its owner closes it (the review gives them a task to); `slip`
moves the expected close date and puts the deal back into `pipeline`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

COMMIT, BEST_CASE, PIPELINE, LOST = "commit", "best_case", "pipeline", "lost"
CATEGORIES = (COMMIT, BEST_CASE, PIPELINE, LOST)
SLIP, SKIP = "slip", "skip"  # answers of the review that are no category of their own
ANSWERS = (*CATEGORIES, SLIP, SKIP)


@dataclass
class ForecastCall:
    deal_id: int
    team_id: int
    category: str
    called_by: int | None
    called_at: datetime
    close_before: datetime | None = None  # the expected close date as it was (a slip moves it)
    close_after: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class CategoryTotals:
    """Σ amount of the open deals of each category, in one currency; `uncalled`: deals no review
    has called yet."""

    commit: Decimal
    best_case: Decimal  # commit + best case
    pipeline: Decimal
    uncalled: int


def category_totals(deals: Iterable[tuple[int, Decimal | None, str]], calls: Mapping[int, ForecastCall],
                    currency: str) -> CategoryTotals:
    """`deals`: (deal id, amount, currency) of the open deals expected to close in a period."""
    sums = {c: Decimal(0) for c in CATEGORIES}
    uncalled = 0
    for deal_id, amount, deal_currency in deals:
        call = calls.get(deal_id)
        if call is None:
            uncalled += 1
            continue
        if amount is not None and deal_currency == currency:
            sums[call.category] += amount
    return CategoryTotals(sums[COMMIT], sums[COMMIT] + sums[BEST_CASE], sums[PIPELINE], uncalled)
