"""What an approval is for, in words (the cards, lists, the deal's history and its export)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from core.approvals.machine import State, Trail, Verdict
from core.approvals.policy import AMOUNT
from core.domain.amounts import format_money
from core.language.i18n import t


def percent(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def asked_for(kind: str, value: Decimal, currency: str, lang: str) -> str:
    """`a discount of 15%`, `the amount ¥500,000`."""
    if kind == AMOUNT:
        return t("approval.what_amount", lang, value=format_money(value, currency, lang))
    return t("approval.what_discount", lang, value=percent(value))


def trail_text(trails: Sequence[Trail], handles: Mapping[int, str]) -> str:
    """A deal's approvals in one cell of its export, in English: `A-1 a discount of 15%: approved by
    @mia, @boss; A-2 the amount ¥800,000: rejected by @max (too deep)`."""
    parts = []
    for trail in trails:
        approval = trail.approval
        said = f"{approval.code} {asked_for(approval.kind, approval.value, approval.currency, 'en')}: "
        by = [f"@{handles.get(d.member_id, '?')}" for d in trail.decisions if d.verdict == Verdict.APPROVE]
        if approval.state == State.APPROVED:
            said += "approved by " + ", ".join(by)
        elif approval.state == State.REJECTED:
            last = next((d for d in reversed(trail.decisions) if d.verdict == Verdict.REJECT), None)
            said += f"rejected by @{handles.get(last.member_id, '?')} ({last.note})" if last else "rejected"
        else:
            said += f"pending (step {approval.step + 1}/{len(approval.steps)})"
        parts.append(said)
    return "; ".join(parts)
