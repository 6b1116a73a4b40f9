"""A team's approval policy: which requests need whom, and which stages wait for an approval.

Stored in the team's settings (`Team.settings["approvals"]`, a list of rules) or given by the
pipeline file's `[[approvals]]` tables (core.files.pipeline_toml). A rule:

    {"when": "discount", "over": 10, "approvers": ["manager"], "mode": "sequence", "stages": []}
    {"when": "amount", "over": 500000, "approvers": ["manager", "@wang"], "mode": "any",
     "stages": ["quote", "signed"]}

`when` is `discount` (a percentage off) or `amount` (the deal's amount, in the team's currency);
a request needs the rule when its value is strictly over `over`. `approvers` are roles (`manager`:
a manager of the deal's team, or an admin; `admin`: an admin) or members by handle (`@wang`).
`mode` `sequence` makes each approver a step of its own, in order; `any` makes them one step
that any one of them decides. A request needs the steps of every rule it is over, in the
rules' order (a discount of 30% under the default policy: a manager, then an admin). `stages`
are the stages a move into is refused while the deal's latest approval of that kind is pending or
rejected; an `amount` rule also refuses them while a deal over its amount has no approval.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from core.domain.amounts import parse_amount
from core.domain.model import Member, Role

DISCOUNT, AMOUNT = "discount", "amount"
KINDS = (DISCOUNT, AMOUNT)
SEQUENCE, ANY = "sequence", "any"
MANAGER, ADMIN = "manager", "admin"
MAX_DISCOUNT = Decimal(100)


class PolicyError(ValueError):
    """An approval rule that cannot be used; the message says why."""


@dataclass(frozen=True)
class Rule:
    kind: str
    over: Decimal
    approvers: tuple[str, ...]
    mode: str = SEQUENCE
    stages: tuple[str, ...] = ()

    def steps(self) -> tuple[tuple[str, ...], ...]:
        """Who decides, step by step: each step is a tuple of approvers any one of whom decides it."""
        if self.mode == ANY:
            return (self.approvers,)
        return tuple((one,) for one in self.approvers)

    def to_dict(self) -> dict[str, Any]:
        return {"when": self.kind, "over": str(self.over), "approvers": list(self.approvers),
                "mode": self.mode, "stages": list(self.stages)}

    @classmethod
    def from_dict(cls, data: object) -> Rule:
        if not isinstance(data, dict):
            raise PolicyError("an approval rule is a table: when, over, approvers (mode, stages)")
        unknown = set(data) - {"when", "over", "approvers", "mode", "stages"}
        if unknown:
            raise PolicyError(f"unknown key {sorted(unknown)[0]!r} in an approval rule; "
                              "known: when, over, approvers, mode, stages")
        kind = str(data.get("when", "")).strip().lower()
        if kind not in KINDS:
            raise PolicyError(f"when = {data.get('when')!r}: one of {', '.join(KINDS)}")
        said = str(data.get("over", "")).strip()
        try:
            over = Decimal(said.rstrip("%"))
        except InvalidOperation:
            money = parse_amount(said, "") if kind == AMOUNT else None  # 500k, 50万
            if money is None:
                raise PolicyError(f"over = {data.get('over')!r}: a number") from None
            over = money.amount
        if not over.is_finite() or over < 0 or (kind == DISCOUNT and over >= MAX_DISCOUNT):
            raise PolicyError(f"over = {data.get('over')!r}: 0 or more" + (", under 100" if kind == DISCOUNT else ""))
        approvers = data.get("approvers")
        if isinstance(approvers, str):
            approvers = [approvers]
        if not isinstance(approvers, list) or not approvers:
            raise PolicyError('approvers takes a list like ["manager", "admin", "@wang"]')
        names = tuple(dict.fromkeys(_approver(str(a)) for a in approvers))
        mode = str(data.get("mode", SEQUENCE)).strip().lower()
        if mode not in (SEQUENCE, ANY):
            raise PolicyError(f"mode = {data.get('mode')!r}: sequence or any")
        stages = data.get("stages", [])
        if not isinstance(stages, list) or not all(isinstance(s, str) and s.strip() for s in stages):
            raise PolicyError('stages takes a list of stage keys, like ["quote", "signed"]')
        return cls(kind, over, names, mode, tuple(s.strip().lower() for s in stages))


def _approver(word: str) -> str:
    word = word.strip()
    folded = word.lower()
    if folded in (MANAGER, ADMIN):
        return folded
    if word.startswith("@") and len(word) > 1 and " " not in word:
        return word
    raise PolicyError(f"approver {word!r}: manager, admin or a member's @handle")


@dataclass(frozen=True)
class Policy:
    rules: tuple[Rule, ...]

    def needed(self, kind: str, value: Decimal) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.kind == kind and value > rule.over)

    def steps_for(self, kind: str, value: Decimal) -> tuple[tuple[str, ...], ...]:
        """Every step the request needs, in the rules' order; an identical step once."""
        return tuple(dict.fromkeys(step for rule in self.needed(kind, value) for step in rule.steps()))

    def gating(self, stage: str) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if stage in rule.stages)

    def to_list(self) -> list[dict[str, Any]]:
        return [rule.to_dict() for rule in self.rules]

    @classmethod
    def from_list(cls, data: object, stages: Iterable[str] | None = None) -> Policy:
        """The strict reader (the pipeline file): a PolicyError says what is wrong; with `stages`,
        every gated stage must be one of them."""
        if not isinstance(data, list):
            raise PolicyError("approvals takes a list of rules ([[approvals]] tables)")
        policy = cls(tuple(Rule.from_dict(item) for item in data))
        if stages is not None:
            known = list(stages)
            for rule in policy.rules:
                for stage in rule.stages:
                    if stage not in known:
                        raise PolicyError(f"stages: {stage!r} is not a stage of the pipeline ({', '.join(known)})")
        return policy


DEFAULT_POLICY = Policy((
    Rule(DISCOUNT, Decimal(10), (MANAGER,)),
    Rule(DISCOUNT, Decimal(25), (ADMIN,)),
))


def policy_of(settings: dict[str, Any] | None) -> Policy:
    """The team's policy: its settings' `approvals`, or the default (a discount over 10% needs a
    manager, over 25% an admin as well). A stored policy that cannot be read is the default too."""
    stored = (settings or {}).get("approvals")
    if stored is None:
        return DEFAULT_POLICY
    try:
        return Policy.from_list(stored)
    except PolicyError:
        return DEFAULT_POLICY


def may_decide(approver: str, member: Member, team_id: int) -> bool:
    """Whether `member` is `approver` (a role or an @handle) for a deal of team `team_id`."""
    if not member.is_active:
        return False
    if approver.startswith("@"):
        return member.handle.casefold() == approver[1:].casefold()
    if approver == ADMIN:
        return member.role == Role.ADMIN
    if approver == MANAGER:
        return member.role == Role.ADMIN or (member.role == Role.MANAGER and member.team_id == team_id)
    return False
