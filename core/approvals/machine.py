"""The state machine of one approval: who may decide its current step, and what a decision does.

An approval (A-n) asks for one thing on one deal (a discount, the deal's amount) and holds the
steps its team's policy gave it when it was asked (core.approvals.policy): a later change of the
policy does not change a request already made. It is `pending` at step 0; an approval by someone
who may decide the current step moves it to the next step, or `approved` after the last; a
rejection (a reason required) makes it `rejected`; a question (its text required) changes no
state. Nothing decides a closed approval again.

Who may decide: someone the step names (core.approvals.policy.may_decide), never the one who
asked, and nobody twice in one approval (a manager who is also an admin does not make two
steps). A decision names the step it was made for (the buttons carry it): a click on a card of
a step already decided, or a second click, changes nothing. The storage applies a decision only
if the approval is still at the step it was read at (a concurrent click loses).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from core.approvals.policy import AMOUNT, Policy, Rule, may_decide
from core.domain.model import Member


class State(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Verdict(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    ASK = "ask"


MAX_NOTE = 500


@dataclass(eq=False)
class Approval:
    deal_id: int
    team_id: int
    requester_id: int
    kind: str  # core.approvals.policy.KINDS
    value: Decimal  # the discount in percent, or the amount
    currency: str  # of an amount; "" for a discount
    reason: str
    steps: list[list[str]]  # each step: the approvers any one of whom decides it
    created_at: datetime
    state: State = State.PENDING
    step: int = 0  # the step waiting (len(steps) once approved)
    decided_at: datetime | None = None
    id: int | None = None

    @property
    def code(self) -> str:
        return f"A-{self.id}"

    @property
    def saved_id(self) -> int:
        assert self.id is not None, "the approval is not stored yet"
        return self.id

    @property
    def is_pending(self) -> bool:
        return self.state == State.PENDING

    def waiting_for(self) -> list[str]:
        return list(self.steps[self.step]) if self.is_pending else []


@dataclass(eq=False)
class Decision:
    approval_id: int
    step: int
    member_id: int
    verdict: Verdict
    note: str
    at: datetime
    id: int | None = None


class Refusal(Exception):
    """A decision that may not be made: a message key of core.language.i18n and its fields."""

    def __init__(self, key: str, **params: Any):
        super().__init__(key)
        self.key, self.params = key, params


def can_decide(approval: Approval, decisions: Sequence[Decision], member: Member) -> bool:
    """Whether `member` may decide the approval's current step now."""
    try:
        _check(approval, decisions, member, None)
    except Refusal:
        return False
    return True


def _check(approval: Approval, decisions: Sequence[Decision], member: Member, step: int | None) -> None:
    if not approval.is_pending:
        raise Refusal("approval.closed", approval=approval.code, state=str(approval.state))
    if step is not None and step != approval.step:
        raise Refusal("approval.stale", approval=approval.code)
    if member.id == approval.requester_id:
        raise Refusal("approval.own", approval=approval.code)
    if not any(may_decide(who, member, approval.team_id) for who in approval.steps[approval.step]):
        raise Refusal("approval.not_yours", approval=approval.code)
    if any(d.member_id == member.id and d.verdict == Verdict.APPROVE for d in decisions):
        raise Refusal("approval.twice", approval=approval.code)


def decide(approval: Approval, decisions: Sequence[Decision], member: Member, verdict: Verdict,
           note: str, now: datetime, step: int | None = None) -> Decision:
    """Apply `member`'s verdict on the current step (the one `step` names, when given) to
    `approval`, or raise Refusal and change nothing. `decisions` are the approval's earlier ones."""
    _check(approval, decisions, member, step)
    note = note.strip()[:MAX_NOTE]
    if verdict != Verdict.APPROVE and not note:
        raise Refusal("approval.reason_needed" if verdict == Verdict.REJECT else "approval.question_needed",
                      approval=approval.code, step=approval.step + 1)
    decision = Decision(approval.saved_id, approval.step, member.id or 0, verdict, note, now)
    if verdict == Verdict.APPROVE:
        approval.step += 1
        if approval.step == len(approval.steps):
            approval.state, approval.decided_at = State.APPROVED, now
    elif verdict == Verdict.REJECT:
        approval.state, approval.decided_at = State.REJECTED, now
    return decision


@dataclass(frozen=True)
class Gate:
    """Why a move into a stage is refused: the approval pending or rejected, or (approval None) an
    amount over the rule's with no approval at all."""

    kind: str
    approval: Approval | None = None
    over: Decimal | None = None


def gate(policy: Policy, stage: str, amount: Decimal | None, approvals: Sequence[Approval], *,
         passing: Sequence[str] = (), currency: str | None = None) -> Gate | None:
    """None when a deal with `amount` (in `currency`, when given) and these approvals (all of its
    own) may enter `stage`, passing the stages `passing` (a skip forward) on the way."""
    gated = (*policy.gating(stage), *(r for s in passing for r in policy.gating(s)))
    for rule in dict.fromkeys(gated):
        latest = max((a for a in approvals if a.kind == rule.kind), key=lambda a: a.id or 0, default=None)
        if latest is not None and latest.state != State.APPROVED:
            return Gate(rule.kind, latest)
        over = rule.kind == AMOUNT and amount is not None and amount > rule.over
        if over and amount is not None and not covers(approvals, amount, currency):
            return Gate(rule.kind, latest, rule.over)
    return None


def covers(approvals: Sequence[Approval], amount: Decimal, currency: str | None = None) -> bool:
    """Whether an approved approval of the amount is for at least `amount` (in `currency`, when given)."""
    return any(a.kind == AMOUNT and a.state == State.APPROVED and a.value >= amount
               and (currency is None or not a.currency or a.currency == currency) for a in approvals)


def amount_rules(policy: Policy, reached: Sequence[str], amount: Decimal) -> tuple[Rule, ...]:
    """The amount rules over `amount` that gate one of the stages `reached` (the deal's stage and
    every stage of the funnel before it): an amount changed there needs an approval of it."""
    return tuple(rule for rule in policy.rules if rule.kind == AMOUNT and amount > rule.over
                 and any(stage in rule.stages for stage in reached))


@dataclass
class Trail:
    """An approval with its decisions, oldest first (the deal's history and export read these)."""

    approval: Approval
    decisions: list[Decision] = field(default_factory=list)
