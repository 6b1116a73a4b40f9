"""Data quality (数据质量): what in the pipeline's records is missing, out of date or doubled, each
with the command that fixes it.

- deals past their pipeline's first stage with no amount or no expected close date;
- open deals whose expected close date has passed;
- stale deals: longer in their stage than its time limit (as the scorecard counts them);
- likely duplicate customers: names equal once the customer key (core.domain.model.customer_key)
  has dropped punctuation, spaces and company-form words (Acme Inc. ~ ACME, 华为技术有限公司 ~ 华为技术);
- reps who have recorded nothing this week (no deal created or moved on, no follow-up logged).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.domain.model import Customer, Deal, DealStatus, Member, customer_key
from core.domain.pipeline import Pipeline

# Words of a company's legal form, dropped from the end of a name (repeatedly: "Acme Co., Ltd.")
_FORMS = ("incorporated", "corporation", "company", "limited", "holdings", "group", "gmbh", "inc", "corp",
          "co", "ltd", "llc", "plc", "ag", "sa", "bv", "oy", "ab", "pte",
          "股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)


def loose_key(name: str) -> str:
    """The customer key with punctuation and spaces dropped and legal-form words cut from the end;
    two customers of one loose key are likely one."""
    key = unicodedata.normalize("NFKC", customer_key(name))
    words = [w for w in _SEPARATORS.split(key) if w]
    changed = True
    while changed and len(words) > 1:
        changed = False
        last = words[-1]
        for form in _FORMS:
            if last == form:
                words.pop()
                changed = True
                break
            if not last.isascii() and last.endswith(form) and len(last) > len(form):
                words[-1] = last[: -len(form)]
                changed = True
                break
    if len(words) == 1 and not words[0].isascii():
        for form in _FORMS:
            if not form.isascii() and words[0].endswith(form) and len(words[0]) > len(form):
                words[0] = words[0][: -len(form)]
                break
    return "".join(words)


@dataclass
class QualityReport:
    missing: list[tuple[Deal, bool, bool]] = field(default_factory=list)  # deal, no amount, no close date
    past_close: list[Deal] = field(default_factory=list)
    stale: list[tuple[Deal, int]] = field(default_factory=list)  # deal, whole days in its stage
    duplicates: list[list[Customer]] = field(default_factory=list)  # oldest first in each group
    quiet_reps: list[Member] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return (len(self.missing) + len(self.past_close) + len(self.stale) + len(self.duplicates)
                + len(self.quiet_reps))


def check_deals(deals: Iterable[Deal], pipeline: Pipeline, now: datetime, report: QualityReport) -> None:
    """The open deals' problems, oldest deal first in each list."""
    first = pipeline.first.key
    limits = {s.key: s.sla_days for s in pipeline.open_stages if s.sla_days is not None}
    for deal in sorted(deals, key=lambda d: d.saved_id):
        if deal.status != DealStatus.OPEN:
            continue
        no_amount, no_close = deal.amount is None, deal.expected_close is None
        if deal.stage != first and (no_amount or no_close):
            report.missing.append((deal, no_amount, no_close))
        if deal.expected_close is not None and deal.expected_close < now:
            report.past_close.append(deal)
        limit = limits.get(deal.stage)
        if limit is not None and deal.stage_entered_at <= now - timedelta(days=limit + 1):
            report.stale.append((deal, (now - deal.stage_entered_at).days))
    report.stale.sort(key=lambda found: (found[0].stage_entered_at, found[0].saved_id))


def duplicate_customers(customers: Sequence[Customer]) -> list[list[Customer]]:
    groups: dict[str, list[Customer]] = defaultdict(list)
    for customer in sorted(customers, key=lambda c: c.saved_id):
        key = loose_key(customer.name)
        if key:
            groups[key].append(customer)
    return [group for group in groups.values() if len(group) > 1]
