"""Chinese (and Chinese–English) commitments: reasoning over the words of one clause.

Chinese puts the parts of a promise in many orders: 报价单我明早发您 (object, subject, time,
verb), 这个事我们周四之前一定落实 (topic, subject, time, adverb, verb), 明天发合同 (no subject at
all), 我们 Friday 前 update 一下 deck (English verb and date inside Chinese). So instead of a
pattern per order, a clause is read as words (core.conversations.nextsteps_lexicon): it commits when it holds
a verb of delivery or action, the one acting is our side or no one named, and nothing asks,
cancels, denies or reports the other side acting. The time phrase may stand anywhere; the
caller (core.conversations.nextsteps) has found it and passes its span, which is skipped when looking for
verbs and people.

This is a lexicon, not a segmenter: the few words that decide are matched longest first, with
lookaheads keeping out the nouns they start (发票, 出差, 报价单); a verb with its result (修好, 走完)
is one word; and an English word where Chinese puts its verb (我们 IT 周五前 whitelist…, next
Friday 之前我们 go live, ready 好) counts as a verb. jieba was measured for it (0.95 s to load its
dictionary, then 22–26 µs a sentence to segment or tag, and its verbs include 出差 and 放假, which
are states here) and was not needed for these decisions (docs/nextsteps.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.conversations.nextsteps_lexicon import (
    ZH_DATE_FACT,
    ZH_EN_COMPLEMENT,
    ZH_EN_NOT_VERB,
    ZH_EN_SLOT_AFTER,
    ZH_EN_VERBS,
    ZH_EVALUATION,
    ZH_OBJECT_MARKERS,
    ZH_OTHERS,
    ZH_OURS,
    ZH_VERBS,
    ZH_WANTS,
)


def _first_chars(alternatives: str) -> str:
    """The first characters of a regex's top-level alternatives (each starts with a literal)."""
    depth, chars, start, in_class = 0, set(), True, False
    for char in alternatives:
        if in_class:  # an alternative that starts with a class: [修做]好 starts with 修 or 做
            in_class = char != "]"
            if in_class:
                chars.add(char)
            continue
        if start and char == "[":
            in_class = True
        elif start:
            chars.add(char)
        start = char == "|" and depth == 0
        depth += (char == "(") - (char == ")")
    return "".join(sorted(chars))


# The first characters checked first, so that every other position fails at once.
_VERB = re.compile(rf"(?=[{_first_chars(ZH_VERBS)}A-Za-z])(?:(?:{ZH_VERBS})|{ZH_EN_VERBS})")
# An English word where Chinese puts a verb (nextsteps_lexicon.ZH_EN_SLOT_AFTER): after our side
# or the blanked-out time phrase, or before a complement (ready 好, fix 掉, sync 一下).
# A word followed by another lowercase word (public holiday, client site) is a noun phrase, unless
# that word opens an object (finish the integration, update our deck).
_EN_WORD = (r"[a-z][A-Za-z-]*(?:\s+(?:up|in|out|off|through|live|back|over)(?![A-Za-z]))?"
            r"(?!\s+(?!(?:the|a|an|our|your|their|its|it|this|that|them|these|those|all|with|to|for|on)"
            r"(?![A-Za-z]))[a-z])"
            r"(?!\s*(?:那边|这边|方面|们|的))")  # client 那边, team 的: a party or a thing
_EN_IN_SLOT = re.compile(
    rf"(?:(?:{ZH_OURS})|＿)\s*(?:(?:{ZH_EN_SLOT_AFTER})\s*)?(?P<verb>(?!{ZH_EN_NOT_VERB}){_EN_WORD})(?![A-Za-z])"
    rf"|(?<![A-Za-z])(?P<before>(?!{ZH_EN_NOT_VERB}){_EN_WORD})(?=\s*(?:{ZH_EN_COMPLEMENT}))"
)
_DATE_FACT = re.compile(ZH_DATE_FACT)
_EVALUATION = re.compile(ZH_EVALUATION)
_WANTS = re.compile(ZH_WANTS)
_OURS = re.compile(rf"(?:{ZH_OURS})")
_OTHERS = re.compile(rf"(?:{ZH_OTHERS})")
_AS_OBJECT = re.compile(rf"(?:{ZH_OBJECT_MARKERS})\s*(?:{ZH_OTHERS}|{ZH_OURS})")
# The speaker is the one who receives: 发我 / 给我 (a request, when no one of ours acts).
_TO_ME = re.compile(r"(?:发|给|寄|send|share)\s*(?:给)?\s*我(?![们方司这])", re.IGNORECASE)
# What a topic in front of the subject may be stripped of to name the object: openers, "this".
_OPENERS = re.compile(r"^[\s,，!！、]*(?:好的?|嗯+|行|可以|没问题|收到|那|那么|ok(?:ay)?|OK)?[\s,，!！、👍]*")
_OBJECT_AFTER = re.compile(r"\s*(?:给|发)?\s*(?:您|你们|你|贵司)?\s*(?:一下)?\s*([^，,。！!？?、]{1,24})")
_FUNCTION_WORDS = re.compile(r"^(?:[把将给跟和完好掉了的]|一下|一个|这个|那个|过去|过来|到时候?|届时|\s)+")
_OBJECT_END = re.compile(r"再|然后|之后|以后|并且|[和跟给](?:您|你|他|我)|发(?:您|你)|到时候?")
# 给 before a person and another verb is "for": 给您演示 — the verb is the next one.
_PREPOSITION = re.compile(rf"(?:给|跟|和|与|同|向|帮|替)\s*(?:{ZH_OTHERS}|{ZH_OURS})\s*$")


@dataclass(frozen=True)
class Words:
    """What made a clause a commitment: who (or None) and the verb, as found in the clause with
    its time phrase blanked out (`masked`)."""

    subject: re.Match[str] | None
    verb: re.Match[str] | Span
    masked: str

    @property
    def start(self) -> int:  # where the commitment words begin (the subject, else the verb)
        return self.subject.start() if self.subject else self.verb.start()


def has_verb(text: str) -> bool:
    """Whether any verb of delivery or action occurs (a cheap look before dates are read)."""
    return _VERB.search(text) is not None or _MAY_BE_EN_VERB.search(text) is not None


# Before dates are read: a lowercase English word right after a Chinese character (明天 sync,
# 周五前 whitelist) or before a complement (fix 掉) may be a verb in its slot.
_MAY_BE_EN_VERB = re.compile(rf"[\u4e00-\u9fff]\s*[a-z]|[a-z]\s*(?:{ZH_EN_COMPLEMENT})")


def commitment(clause: str, date: tuple[int, int]) -> Words | None:
    """The words that make `clause` a commitment, or None. `date` is the span of its time
    phrase (the caller has already ruled out negations, questions, requests and cancellations)."""
    masked = _mask(clause, date)
    if _DATE_FACT.search(masked) or _EVALUATION.search(masked) or _WANTS.search(masked):
        return None  # kickoff 定在下周二 / 今天沟通很顺利 / 我们老板要看到报价: not a promise
    unmarked = _AS_OBJECT.sub(lambda m: "＿" * len(m.group()), masked)
    subject = _OURS.search(unmarked)
    verb = _first_verb(masked, subject.end() if subject else 0) or _first_verb(masked, 0)
    if verb is None:
        return None
    following = _first_verb(masked, verb.end())
    if following is not None and _PREPOSITION.match(verb.group() + masked[verb.end():following.start()]):
        verb = following  # 给您演示: the verb is 演示
    if _OTHERS.search(unmarked, 0, verb.start()):
        return None  # 你们明天发 / 他们财务说下周三付款 / 张经理那边下周回复
    if subject is None and _TO_ME.search(masked):
        return None  # 明天发我: the speaker is the one who receives
    return Words(subject, verb, masked)


def cue_text(clause: str, words: Words) -> str:
    """The commitment as the DM shows it: "我明早发 + 报价单"."""
    said = " ".join(clause[words.start:words.verb.end()].split())
    thing = _object(words.masked, words.subject, words.verb)
    return f"{said} + {thing}" if thing else said


def _mask(clause: str, date: tuple[int, int]) -> str:
    """The clause with its time phrase blanked out (same length, so positions hold)."""
    start, end = date
    return clause[:start] + "＿" * (end - start) + clause[end:]


@dataclass(frozen=True)
class Span:
    """A verb found by the slot rule, read like a match of the lexicon's verbs."""

    begin: int
    finish: int
    text: str

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish

    def group(self) -> str:
        return self.text


def _first_verb(masked: str, pos: int) -> re.Match[str] | Span | None:
    """The first verb from `pos` on: a word of the lexicon, or an English word in a verb's slot."""
    listed = _VERB.search(masked, pos)
    # a verb right after 的 or 参加 is a thing: 今天的 meeting, 周五的演示, 参加培训 (the verb, if any,
    # comes later)
    while listed is not None and masked[:listed.start()].rstrip().endswith(("的", "参加", "出席")):
        listed = _VERB.search(masked, listed.end())
    for found in _EN_IN_SLOT.finditer(masked):
        group = "verb" if found["verb"] else "before"
        if found.start(group) < pos:
            continue
        if listed is not None and listed.start() <= found.start(group):
            break
        return Span(found.start(group), found.end(group), found[group])
    return listed


def _object(masked: str, subject: re.Match[str] | None, verb: re.Match[str] | Span) -> str | None:
    """The thing promised: the topic before the subject (报价单我明早发您), else the words after
    the verb (发合同, update 一下 deck)."""
    before = masked[:verb.start()]
    marker = max(before.rfind("把"), before.rfind("将"))
    if marker >= 0:
        return _thing(before[marker + 1:])
    if subject is not None:
        front = _OPENERS.sub("", masked[:subject.start()])
        topic = None if "＿" in front else _thing(front)  # a time phrase in front is no topic
        if topic:
            return topic
    after = _OBJECT_AFTER.match(masked, verb.end())
    return _thing(after.group(1)) if after else None


def _thing(text: str) -> str | None:
    """A short object phrase: function words in front and what follows it in the clause cut off."""
    thing = _FUNCTION_WORDS.sub("", text.replace("＿", " ")).strip()
    cut = _OBJECT_END.search(thing)
    if cut is not None:
        thing = thing[:cut.start()].strip()
    thing = " ".join(thing.split())
    return thing[:20] or None
