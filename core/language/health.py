"""The words of the health board's verbs: `csat`, `complaint`, `resolve`, `complaints`, `health`,
`quality` (满意度, 投诉, 解决, 投诉列表, 健康度, 数据质量)."""

from __future__ import annotations

import re

from core.language import commands as c
from core.language.parser import Args, Token, read_figures

MAX_TEXT = 500  # a complaint, a comment or a resolution note (core.health.feedback.MAX_TEXT)
_DEAL_SAID = re.compile(r"^(?:d-?|#)(\d+)(?:[:：,，;；]\s*(.*))?$", re.IGNORECASE | re.DOTALL)
_OTHER_ID = re.compile(r"^[tcslua]-\d+[:：,，;；]?$", re.IGNORECASE)  # a task's, complaint's, … id
_COMPLAINT_ID = re.compile(r"^c-?(\d{1,9})$", re.IGNORECASE)
_SCORE = re.compile(r"^([0-9]+)(?:/5|分|星)?$")
_SEND = {"send", "ask", "survey", "发送", "发给客户", "调查"}
_ALL = {"all", "全部", "所有", "resolved", "已解决"}


def _text(a: Args, tokens: list[Token], what: str) -> str:
    text = " ".join(" ".join(tok.text for tok in tokens).split())
    if len(text) > MAX_TEXT:
        raise a.error("err.text_too_long", what_key=f"arg.{what}", limit=MAX_TEXT)
    return text


def read_csat(a: Args) -> c.Command:
    """`csat D-12 [1–5] [comment]`, `csat D-12 send`."""
    deal_id = a.deal_id()
    if len(a.tokens) == 1:
        return c.RecordSatisfaction(deal_id)
    word = a.tokens[1]
    if not word.quoted and word.text.casefold() in _SEND:
        if len(a.tokens) > 2:
            raise a.error("err.extra_args", text=a.rest_after(2)[:40])
        return c.RecordSatisfaction(deal_id, send=True)
    m = None if word.quoted else _SCORE.match(word.text)
    if m is None or not 1 <= int(m[1]) <= 5:
        raise a.error("err.csat_score", value=word.text[:40])
    rest = a.tokens[2:]
    if rest and (len(rest) > 1 or not rest[0].quoted):  # `csat D-2 4 5`: never a comment "5"
        raise a.error("err.csat_comment_quoted", deal=f"D-{deal_id}", score=int(m[1]),
                      value=" ".join(tok.text for tok in rest)[:40])
    return c.RecordSatisfaction(deal_id, int(m[1]), _text(a, rest, "comment"))


def read_complaint(a: Args) -> c.Command:
    """`complaint <customer | D-12> "what they said"`: a customer name of several words is quoted,
    or ends where the quoted complaint begins."""
    tokens = a.tokens
    if not tokens:
        raise a.missing("customer")
    first = tokens[0]
    deal_id, customer, rest = None, None, tokens[1:]
    said = None if first.quoted else _DEAL_SAID.match(first.text)
    if said:  # `D-12`, `D-12:`, `D-12：交货晚`: a deal, however many digits (never a customer "D-12")
        if len(said[1]) > 9:
            raise a.error("err.complaint_no_deal", ref=f"D-{said[1]}"[:40])
        deal_id = int(said[1])
        if said[2]:
            rest = [Token(said[2], first.start, first.end), *rest]
    elif not first.quoted and _OTHER_ID.match(first.text):
        raise a.error("err.complaint_whose", value=first.text[:40])
    elif first.quoted:
        customer = a.name(first.text)
    else:
        quoted = next((i for i, tok in enumerate(tokens) if tok.quoted), None)
        cut = quoted if quoted is not None else 1
        customer, rest = a.name(" ".join(tok.text for tok in tokens[:cut])), tokens[cut:]
    text = _text(a, rest, "complaint_text")
    if not text:
        raise a.missing("complaint_text")
    return c.LogComplaint(text, customer=customer, deal_id=deal_id)


def read_resolve(a: Args) -> c.Command:
    """`resolve C-3 [how it was settled]`."""
    if not a.tokens:
        raise a.missing("complaint")
    m = _COMPLAINT_ID.match(a.tokens[0].text)
    if not m or a.tokens[0].quoted:
        raise a.error("err.bad_complaint_ref", value=a.tokens[0].text[:40])
    second = next((tok for tok in a.tokens[1:] if not tok.quoted and _COMPLAINT_ID.match(tok.text)), None)
    if second is not None:  # `resolve C-1 C-2`: never C-1 with the note "C-2"
        raise a.error("err.one_complaint", first=f"C-{int(m[1])}", second=second.text.upper()[:40])
    return c.ResolveComplaint(int(m[1]), _text(a, a.tokens[1:], "resolution"))


def read_complaints(a: Args) -> c.Command:
    words = [tok.text.casefold() for tok in a.tokens]
    if not words:
        return c.ListComplaints()
    if len(words) == 1 and words[0] in _ALL:
        return c.ListComplaints(everything=True)
    raise a.error("err.extra_args", text=a.rest_after(0)[:40])  # as typed


def read_health(a: Args) -> c.Command:
    return read_figures(a, c.ShowHealth)


def read_quality(a: Args) -> c.Command:
    positional, opts = a.split_options({"team"})
    words = [tok.text for tok in positional]
    if words and opts.get("team"):
        raise a.error("err.extra_args", text=" ".join(words)[:40])
    team = opts.get("team") or (" ".join(words) if words else None)
    return c.ShowQuality(team=a.name(team) if team else None)
