"""Next steps in captured chat: does a message make a commitment, and by when?

Transparent rules, not a model: a message is split into sentences, and a sentence makes a
commitment when one of the RULES below matches it, it is not a question (a trailing tag such as
"ok?" or 可以吗 does not count), and it holds no negation ("won't be able to", 来不及, 发不了).
The due date is the first date the foundation's rules (core.dates.find_date) read after the
commitment phrase, else anywhere in the sentence; it must lie in the future. A date with no
commitment ("the meeting was moved to Friday") and a commitment with no date ("I'll send it
over") suggest nothing.

Chinese also commits without a subject: 明天发合同, 下周三前给报价 — a date followed by an action
verb, at the start of a clause or after 我/我们 (not after 他们 or 你). That rule needs the
date's position, so it runs only on sentences holding one of its verbs.

Cost: most chat messages hold no date-like text at all; `has_date_hint` (one regex, the same
pre-filter core.dates uses) rejects them before any sentence is split or date parsed.
bench/nextsteps.py measures it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from core.dates import DateMatch, find_date, has_date_hint

TITLE_LIMIT = 200


@dataclass(frozen=True)
class NextStep:
    """A commitment with a date: what was said (one sentence), by when, and which rule saw it."""

    sentence: str
    due: datetime  # aware, in the zone the caller passed
    has_time: bool  # False: only a day was named (then due is that day at 17:00)
    rule: str  # the RULES key (or "zh.date_verb") that matched, for tests and explanations


# ---- the rules ----------------------------------------------------------------------------------
# English is matched case-insensitively after ’ is folded to '. Each rule names a way people
# commit to doing something; exclusions keep its look-alikes out ("let me know" asks the other
# side to act, "I'll be out until Monday" is a state, not an action).

_DELIVERY_VERBS_EN = (
    r"send|share|get|have|deliver|call|ring|do|finish|sign|ship|come|visit|meet|prepare|set\s+up"
    r"|email|e-mail|forward|follow\s+up|confirm|update|book|schedule|arrange|drop|submit|revert"
    r"|circle\s+back|pay|transfer|check|review|provide|put\s+together|draft|write|bring"
)
_ING_VERBS_EN = (
    r"sending|sharing|calling|preparing|getting|delivering|finishing|submitting|meeting|visiting"
    r"|signing|shipping|emailing|coming|dropping|following\s+up|circling\s+back|booking"
    r"|scheduling|setting\s+up|working\s+on|paying|transferring|flying|reviewing|drafting"
)
_RULES_EN: dict[str, str] = {
    # I'll / we will / we shall — but not "we will see", "I'll be out until…"
    "en.will": r"\b(?:i|we)(?:'ll|\s+will|\s+shall)\b"
               r"(?!\s+(?:see\b(?!\s+you)|think\b|consider\b|need\b|want\b|require\b|be\s+(?:out|away|off|on\s+(?:leave|holiday"
               r"|vacation|pto)|travel\w*|busy|unavailable|back|closed|offline)\b))",
    # our engineer / our team will …: the speaker's side commits
    "en.our_will": rf"\bour\s+(?:\w+\s+){{1,2}}will\s+(?:{_DELIVERY_VERBS_EN}|visit|contact)\b",
    "en.going_to": r"\b(?:i'm|i\s+am|we're|we\s+are)\s+(?:going\s+to|gonna|planning\s+to|about\s+to)\b",
    "en.progressive": rf"\b(?:i'm|i\s+am|we're|we\s+are)\s+(?:{_ING_VERBS_EN})\b",
    "en.let_me": r"\blet(?:\s+(?:me|us)|'s)\b(?!\s+(?:know|see)\b)",
    "en.get_back": r"\b(?:get|getting|come|coming|circle|circling)\s+back\s+to\s+you\b",
    "en.you_will_have": r"\byou(?:'ll|\s+will)\s+(?:have|get|receive|see)\b",
    "en.plan": r"\b(?:i|we)\s+(?:plan|intend|promise|aim)\s+to\b",
    "en.can": rf"\b(?:i|we)\s+can\s+(?:{_DELIVERY_VERBS_EN})\b",
    "en.let_you_know": r"\b(?:i|we)(?:'ll|\s+will)\s+(?:\w+\s+){0,6}?let\s+you\s+know\b",
    "en.expect": r"\bexpect\s+(?:it|them|this|that|the\s+\w+|our\s+\w+|my\s+\w+)\s+(?:by|before|on|from)\b",
    # a subject left out, as chat does: "Will send the contract tomorrow"
    "en.elided_will": r"(?:^|[,:]\s*)(?:(?:ok(?:ay)?|sure|great|thanks|noted|got\s+it|no\s+problem"
                      rf"|sounds\s+good)[,!.]?\s+)?will\s+(?:{_DELIVERY_VERBS_EN})\b",
}
_SUBJECT_ZH = r"(?:我们|我方|我司|咱们|我)(?:这边|这里)?"
_RULES_ZH: dict[str, str] = {
    # 我会 / 我们会 / 我来 / 我们这边尽快 … — but not 我会议, 我来自, 我去过, 我们要 (a request)
    "zh.will": rf"{_SUBJECT_ZH}(?:会(?!议|计|员|场|所|长|客|谈|上)|将|来(?!自)|去(?!过|年)|准备|打算|计划"
               r"|争取|尽量|尽快|负责|马上|立刻|立即|稍后|晚点|晚些|回头|先|再|一定|保证|安排)",
    # 回头…给你 / 回头发你
    "zh.back_to_you": r"回头[^，,。！？!?]{0,12}?(?:给|发|回复|答复|联系|告诉|同步)(?:给)?(?:你|您)",
}
RULES: dict[str, str] = {**_RULES_EN, **_RULES_ZH}
# All the rules in one pattern, a group each in key order: one search finds the leftmost match of
# any rule, and of rules matching at the same place the first key, as fourteen searches and
# min((start, key)) would. English sentences are ruled on three to five times faster that way,
# Chinese ones about a microsecond slower (bench/README.md, nextsteps.py).
_RULE_KEYS = sorted(RULES)
_ANY_RULE = re.compile("|".join(f"({RULES[key]})" for key in _RULE_KEYS), re.IGNORECASE)

# A date, then an action: 明天发合同, 下周三前给报价, 周五之前我们出方案.
_ZH_ACTION = (
    r"(?:发|给|交|提交|出|回复|答复|回|反馈|确认|安排|寄|送|准备|提供|约|签|付|打款|上门|拜访"
    r"|过去|过来|开会|演示|报价|更新|同步|补|联系|打电话|电话|沟通|对接|上线|部署|完成|到)"
)
_ZH_AFTER_DATE = re.compile(
    rf"\s*(?:前|之前|以前|之内|以内|内)?\s*(?:[,，]\s*)?(?:{_SUBJECT_ZH})?"
    r"(?:会|就|先|再|一定|争取|尽量|可以|能|准时|按时)?\s*(?:(?:把|将)[^，,。！？!?]{0,12}?)?" + _ZH_ACTION
)
# What may stand before that date in its clause: nothing, a "we", or an "ok".
_ZH_BEFORE_DATE = re.compile(
    r"(?:好的?|嗯|行|可以|没问题|收到|那|那么|OK|ok|okay)?[,，!！\s]*"
    rf"(?:{_SUBJECT_ZH})?(?:最晚|最迟|争取|尽量|预计|计划|会|在)?\s*$"
)
_ZH_ACTION_HINT = re.compile(_ZH_ACTION)
_CLAUSE_START = re.compile(r".*[,，:：、]", re.DOTALL)

# ---- what undoes a commitment ---------------------------------------------------------------------

_NEGATION = re.compile(
    r"\b(?:won't|wont|will\s+not|can't|cannot|can\s+not|couldn't|unable|not\s+(?:be\s+)?able"
    r"|not\s+going\s+to|isn't\s+going|aren't\s+going|no\s+longer|not\s+sure|might\s+not|may\s+not"
    r"|probably\s+not|never|don't\s+think|doubt)\b"
    r"|不会|不能|不了|没法|无法|来不及|做不到|赶不上|不行|不一定|不确定|恐怕|没办法|暂时不|先不|不方便"
    r"|没空|没时间|不太可能|可能不",
    re.IGNORECASE,
)
# A question unless the question is only a tag after the commitment ("…, ok?", "…，可以吗？").
_TAG_QUESTION = re.compile(
    r"(?:[,，—–-]\s*|\s)(?:ok|okay|alright|right|sound\s+good|does\s+that\s+work(?:\s+for\s+you)?"
    r"|works\s+for\s+you|is\s+that\s+ok(?:ay)?|好吗|好不好|可以吗|可以不|行吗|行不行|方便吗|OK吗|ok吗)\s*[?？]+\s*$",
    re.IGNORECASE,
)
_ASKS = re.compile(
    r"[?？]\s*$|[吗么]\s*[。.!！]?\s*$|能不能|可不可以|是不是|有没有|要不要|会不会|什么时候|几点|哪天|是否",
)

# Sentences end at . ! ? 。！？；; or a new line; "p.m." and "3.5" do not end one.
_SENTENCE = re.compile(r"[^!?！？。；;\n]+?(?:[!?！？。；;]+|(?<![ap]\.m)\.(?=\s|$)|\n|$)", re.IGNORECASE)


def detect(text: str, now: datetime, tz: str) -> NextStep | None:
    """The first sentence of `text` that commits to something by a future date, if any."""
    if not has_date_hint(text):  # most messages: one regex, no date parsing
        return None
    folded = text.replace("’", "'")
    for found in _SENTENCE.finditer(folded):
        sentence = found.group().strip()
        if sentence and (step := _sentence_step(sentence, now, tz)):
            return step
    return None


def commitment_rule(sentence: str) -> str | None:
    """The rule an explicit commitment phrase in the sentence matches (tests explain with it)."""
    match = _first_rule(sentence)
    return match[0] if match else None


def _sentence_step(sentence: str, now: datetime, tz: str) -> NextStep | None:
    if not has_date_hint(sentence) or _is_question(sentence) or _NEGATION.search(sentence):
        return None
    ruled = _first_rule(sentence)
    if ruled is not None:
        rule, start = ruled
        found = _future(find_date(sentence[start:], now, tz), now) or _future(find_date(sentence, now, tz), now)
        return found and _step(sentence, found, rule)
    if _ZH_ACTION_HINT.search(sentence):
        return _date_then_action(sentence, now, tz)
    return None


def _first_rule(sentence: str) -> tuple[str, int] | None:
    found = _ANY_RULE.search(sentence)
    return None if found is None else (_RULE_KEYS[found.lastindex - 1], found.start())


def _is_question(sentence: str) -> bool:
    return bool(_ASKS.search(sentence)) and not _TAG_QUESTION.search(sentence)


def _date_then_action(sentence: str, now: datetime, tz: str) -> NextStep | None:
    """明天发合同 / 好的，下周三前给报价: a date at the start of a clause (or after 我们), then a verb."""
    offset = 0
    while offset < len(sentence):
        found = find_date(sentence[offset:], now, tz)
        if found is None:
            return None
        start, end = offset + found.start, offset + found.end
        clause = _CLAUSE_START.sub("", sentence[:start])
        if _ZH_BEFORE_DATE.fullmatch(clause) and _ZH_AFTER_DATE.match(sentence, end):
            moved = _future(found, now)
            return moved and _step(sentence, moved, "zh.date_verb")
        offset = end
    return None


def _future(found: DateMatch | None, now: datetime) -> DateMatch | None:
    return found if found is not None and found.when > now else None


def _step(sentence: str, found: DateMatch, rule: str) -> NextStep:
    title = " ".join(sentence.split())
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 1] + "…"
    return NextStep(title, found.when, found.has_time, rule)
