"""The gate on stage and amount changes (issue 20): a move into a stage its team's approval policy
holds back is refused, naming the approval that is pending or was rejected
(core.approvals.machine.gate); so is a move forward that skips such a stage, and an amount raised
on a deal in or past a stage an `amount` rule gates, over the rule's amount, without an approved
approval of at least the new amount (`edit`, `won D-12 2m`, the API's PATCH, `undo`). Lowering an
amount never needs one. The refusal names what was approved and what is asked, and how to ask:
`approve D-12 amount:2m`.

Apart from core.services.approvals so that the deal use cases (core.services.deals, upkeep) can
call it without importing the approvals' use cases, which use theirs.
"""

from __future__ import annotations

from decimal import Decimal

from core.approvals.machine import Approval, State, amount_rules, covers, gate
from core.approvals.policy import AMOUNT, policy_of
from core.approvals.words import asked_for
from core.chat.context import Context
from core.domain.amounts import format_money
from core.domain.model import Deal, DealStatus, Team
from core.domain.pipeline import Pipeline, pipeline_of
from core.language.errors import UserError


def what(approval: Approval, lang: str) -> str:
    """What an approval is for, in words: `a discount of 15%`, `the amount ¥500,000`."""
    return asked_for(approval.kind, approval.value, approval.currency, lang)


def _team(ctx: Context, deal: Deal) -> Team | None:
    return ctx.team if deal.team_id == ctx.team.id else ctx.uow.teams.get(deal.team_id)


def _passing(pipeline: Pipeline, deal: Deal, stage: str) -> list[str]:
    """The funnel's stages a move of `deal` into `stage` passes: those a move forward skips (none
    for a move back, or to lost); every one before `stage` when a closed deal is reopened."""
    funnel = pipeline.funnel
    if stage not in funnel:
        return []
    if not deal.is_open:
        return funnel[: funnel.index(stage)]
    if deal.stage not in funnel:
        return []
    return funnel[funnel.index(deal.stage) + 1 : funnel.index(stage)]


def gate_move(ctx: Context, deal: Deal, stage: str, amount: Decimal | None = None,
              currency: str | None = None) -> None:
    """Refuse (UserError) a move of `deal` into `stage` that its team's policy holds back; `amount`
    (and `currency`) when the move sets a new one (`won D-12 2m`)."""
    team = _team(ctx, deal)
    if team is None:
        return
    policy = policy_of(team.settings)
    pipeline = pipeline_of(team.pipeline)
    passing = _passing(pipeline, deal, stage)
    if not policy.gating(stage) and not any(policy.gating(s) for s in passing):
        return
    amount = deal.amount if amount is None else amount
    currency = currency or deal.currency
    approvals = ctx.uow.approvals.of_deal(deal.saved_id)
    held = gate(policy, stage, amount, approvals, passing=passing, currency=currency)
    if held is None:
        return
    stage_name = pipeline.get(stage).name(ctx.lang)
    if held.approval is not None and held.approval.state != State.APPROVED:
        key = "approval.gate_pending" if held.approval.is_pending else "approval.gate_rejected"
        raise UserError(key, deal=deal.code, stage=stage_name, approval=held.approval.code,
                        what=what(held.approval, ctx.lang))
    assert held.over is not None and amount is not None  # an amount over the rule's, not approved
    word = "金额" if ctx.lang == "zh" else "amount"
    if (amount, currency) != (deal.amount, deal.currency):  # `won D-12 2m`: ask for that amount
        word += ":" + _amount_word(amount, currency, deal.currency)
    if held.approval is not None:  # approved, for less than the deal's amount
        raise UserError("approval.gate_lower", deal=deal.code, stage=stage_name, approval=held.approval.code,
                        approved=format_money(held.approval.value, held.approval.currency or currency, ctx.lang),
                        amount=format_money(amount, currency, ctx.lang), ask=word)
    raise UserError("approval.gate_needed", deal=deal.code, stage=stage_name,
                    over=format_money(held.over, currency, ctx.lang), ask=word)


def gate_amount(ctx: Context, deal: Deal, amount: Decimal | None, currency: str) -> None:
    """Refuse (UserError) to set `deal`'s amount to `amount` in `currency` when the deal is in or
    past a stage an amount rule gates, the amount is over the rule's and higher than the deal's
    (or in another currency), and no approved approval is for at least it."""
    if amount is None or deal.status == DealStatus.LOST:
        return
    if deal.amount is not None and currency == deal.currency and amount <= deal.amount:
        return  # lowering an amount needs no approval
    team = _team(ctx, deal)
    if team is None:
        return
    pipeline = pipeline_of(team.pipeline)
    funnel = pipeline.funnel
    if deal.stage not in funnel:
        return
    rules = amount_rules(policy_of(team.settings), funnel[: funnel.index(deal.stage) + 1], amount)
    if not rules:
        return
    approvals = [a for a in ctx.uow.approvals.of_deal(deal.saved_id) if a.kind == AMOUNT]
    if covers(approvals, amount, currency):
        return
    rule = rules[0]
    gated = next(s for s in funnel if s in rule.stages)
    words = {"deal": deal.code, "stage": pipeline.get(gated).name(ctx.lang),
             "over": format_money(rule.over, currency, ctx.lang), "amount": format_money(amount, currency, ctx.lang),
             "ask": _amount_word(amount, currency, deal.currency)}
    latest = max(approvals, key=lambda a: a.id or 0, default=None)
    if latest is None:
        raise UserError("approval.amount_needed", **words)
    if latest.state == State.APPROVED:
        raise UserError("approval.amount_lower", approval=latest.code, **words,
                        approved=format_money(latest.value, latest.currency or currency, ctx.lang))
    key = "approval.amount_pending" if latest.is_pending else "approval.amount_rejected"
    raise UserError(key, approval=latest.code, what=what(latest, ctx.lang), **words)


def _amount_word(amount: Decimal, currency: str, deal_currency: str) -> str:
    """The amount as `approve D-12 amount:…` reads it back: 2000000, or USD2000000."""
    number = f"{amount:f}"
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return number if currency == deal_currency else f"{currency}{number}"
