"""The words of `approve` (申请审批 / 批准), `reject` (驳回), `ask` (提问) and `approvals` (审批).

`approve D-12 discount:15% "reason"` asks (折扣:15%, or `amount` / 金额 for the deal's amount,
`amount:2m` / 金额:200万 for an amount it is to have);
`approve A-3 [step:2] [note]` decides. The words after the options are the reason, the note or
the question, as typed (quotes optional).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from core.domain.amounts import Money
from core.language import commands as c
from core.language.parser import Args, Token

_OPTION = re.compile(r"^([^\W\d_][\w]*)[:：](.*)$", re.DOTALL)
_APPROVAL_ID = re.compile(r"^a-?(\d{1,9})$", re.IGNORECASE)
_DEAL_ID = re.compile(r"^(?:d-?|#)(\d{1,9})$", re.IGNORECASE)
_PERCENT = re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)\s*[%％]?$")
_ZHE = re.compile(r"^(\d(?:\.\d)?)折$")  # 8折, 8.5折: 20%, 15% off
APPROVAL_OPTIONS = {"discount": "discount", "折扣": "discount", "优惠": "discount",
                    "amount": "amount", "金额": "amount", "额度": "amount",
                    "step": "step", "步骤": "step", "第": "step"}
AMOUNT_WORDS = {"amount", "金额", "额度"}
MAX_STEP = 20


def _option(tok: Token) -> tuple[str, str] | None:
    if tok.quoted:
        return None
    m = _OPTION.match(tok.text)
    if m is None or m[1].casefold() not in APPROVAL_OPTIONS:
        return None
    return APPROVAL_OPTIONS[m[1].casefold()], m[2].strip()


def _rest(a: Args, tokens: list[Token]) -> str:
    """The words as typed (not NFKC-folded: a Chinese question keeps its ？), quotes removed."""
    return " ".join(tok.text if tok.quoted else a.raw[tok.start:tok.end] for tok in tokens).strip()


def discount(a: Args, value: str) -> Decimal:
    """15, 15%, 15％, 8折 (20% off): a percentage over 0 and under 100."""
    if m := _ZHE.match(value):
        percent = Decimal(100) - Decimal(m[1]) * 10
    elif m := _PERCENT.match(value):
        try:
            percent = Decimal(m[1])
        except InvalidOperation:  # pragma: no cover - the pattern holds digits only
            raise a.error("err.bad_discount", value=value[:40]) from None
    else:
        raise a.error("err.bad_discount", value=value[:40])
    if not 0 < percent < 100:
        raise a.error("err.bad_discount", value=value[:40])
    return percent


def _step(a: Args, value: str) -> int:
    return a.count(value, "step", most=MAX_STEP)


def read_approve(a: Args) -> c.Command:
    if not a.tokens:
        raise a.missing("approval_subject")
    first, rest = a.tokens[0].text, a.tokens[1:]
    if _APPROVAL_ID.match(first):
        return _decision(a, "approve")
    if not _DEAL_ID.match(first):
        raise a.error("err.bad_approval_subject", value=first[:40])
    deal_id = a.deal_id_of(first)
    kind: str | None = None
    value: Decimal | None = None
    amount: Money | None = None
    words: list[Token] = []
    for tok in rest:
        option = _option(tok)
        if option is not None and option[0] == "discount" and kind is None:
            kind, value = "discount", discount(a, option[1])
        elif option is not None and option[0] == "amount" and kind is None:
            kind, amount = "amount", a.amount(option[1])
        elif option is not None and option[0] == "step":
            raise a.error("err.bad_option", option=tok.text.split(":")[0].split("：")[0], command=a.verb)
        elif kind is None and not tok.quoted and tok.text.casefold() in AMOUNT_WORDS and not words:
            kind = "amount"
        else:
            words.append(tok)
    if kind is None:
        raise a.missing("approval_kind")
    return c.RequestApproval(deal_id, kind, value, _rest(a, words)[:500], amount)


def _decision(a: Args, verdict: str) -> c.DecideApproval:
    if not a.tokens:
        raise a.missing("approval")
    m = _APPROVAL_ID.match(a.tokens[0].text)
    if m is None:
        raise a.error("err.bad_approval_ref", value=a.tokens[0].text[:40])
    step: int | None = None
    words: list[Token] = []
    for tok in a.tokens[1:]:
        option = _option(tok)
        if option is not None and option[0] == "step" and step is None and not words:
            step = _step(a, option[1])
        else:
            words.append(tok)
    return c.DecideApproval(int(m[1]), verdict, _rest(a, words)[:500], step)


def read_reject(a: Args) -> c.Command:
    return _decision(a, "reject")


def read_ask(a: Args) -> c.Command:
    return _decision(a, "ask")


def read_approvals(a: Args) -> c.Command:
    if a.tokens:
        raise a.error("err.extra_args", text=a.tokens[0].text[:40])
    return c.ListApprovals()
