"""Next steps in captured chat: does a message make a commitment, and by when?

Transparent rules over words, not a model. A message is split into sentences and a sentence into
clauses (at commas, "but", "and I'll…", 但是, 不过). A clause commits when:

- English: one of the RULES below names a way people commit ("I'll", "our engineer will",
  "Sending it by Friday", "Invoice to follow", "Monday for sure"), or
- Chinese and mixed: it holds a verb of delivery or action, and the one acting is our side or no
  one named, in any word order (core.conversations.nextsteps_zh; the words are in core.conversations.nextsteps_lexicon);

and it is not negated ("can't", 来不及, 发不了), cancelled ("let's skip", 取消, 推迟), a request
(please, 麻烦, 希望), done already or a state (已经, 是, 才). A question sentence commits to nothing
unless the question is only a tag ("…, ok?", "…，可以吗？").

The due date is the clause's first future date (after the commitment words when there are two).
A clause with no date of its own takes the next clause's when that one holds only a date ("I'll
send it, by Friday at the latest"), or the one before when it points back ("Tuesday works, I'll
come by then", 到时候我给您打电话). So in "can't make Friday, Monday for sure" and
"今天来不及，明天上午给您" the first clause is negated and the second commits; in "I'm in Shanghai
next week and will visit you on Tuesday" the state's date is not the promise's.

A date with no commitment ("the meeting was moved to Friday") and a commitment with no date
("I'll send it over") suggest nothing. docs/nextsteps.md says all this for people.

Cost: most chat messages hold no date-like text at all; `has_date_hint` (one regex, the same
pre-filter core.language.dates.text uses) rejects them before any sentence is split or date parsed; a clause
without a hint is not date parsed either. bench/nextsteps.py measures it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from core.conversations import nextsteps_zh
from core.conversations.nextsteps_lexicon import (
    CANCEL,
    DATE_FILLERS,
    EN_ADVERBS,
    EN_ASSURANCE,
    EN_ING_VERBS,
    EN_NOT_ACTION,
    EN_OPENERS,
    EN_THINGS,
    EN_VERBS,
    MOVED,
    NEGATION,
    PAST_OR_STATE,
    REPLAN,
    REQUEST,
    THEN,
    UNAVAILABLE,
)
from core.language.dates.text import DateMatch, find_date, has_date_hint

TITLE_LIMIT = 200
CUE_LIMIT = 80


@dataclass(frozen=True)
class NextStep:
    """A commitment with a date: what was said (one sentence), by when, and why."""

    sentence: str
    due: datetime  # aware, in the zone the caller passed
    has_time: bool  # False: only a day was named (then due is that day at 17:00)
    rule: str  # the RULES key, or zh.ours / zh.elided / en.assurance, for tests and explanations
    cue: str = ""  # the words that made it a commitment: "I'll send", "我明早发 + 报价单"
    date_words: str = ""  # the words that made the date: "by Friday", "明早"


# ---- the English rules --------------------------------------------------------------------------
# Matched case-insensitively after ’ is folded to '. Each rule names a way people commit to doing
# something; exclusions keep its look-alikes out ("let me know" asks the other side to act, "I'll
# be out until Monday" is a state, "we'll know more" a thought).

_OPENING = rf"^\W*(?:(?:{EN_OPENERS})[,!.]?\s+(?:[-–—]+\s+)?)*"
# What is not a thing sent before "over", "out" or "your way": a person, a state, a meeting
# ("team out tomorrow", "call over by 5", "I'm out Friday").
_NOT_A_THING = (r"(?:is|are|was|were|be|been|i|i'm|we|we're|you|they|he|she|it|its|it's|team|everyone|everybody"
                r"|office|all|time|meeting|call|sync|session|demo|workshop|training|event|day|week|that|this"
                r"|boss|manager|ceo|cfo|cto|coo|colleague|engineer|guys?|folks|people|staff)")
# ... nor a verb done already with its object: "Sent the contract over on Monday", "emailed it over".
_SENT_IT = r"(?:sent|got|put|brought|handed|passed|[A-Za-z]+ed)\s+(?:the|it|them|you|a|an|our|your|this|that)\b"
RULES: dict[str, str] = {
    # I'll / we will / we shall / ill (chat) — but not "we will see", "I'll be out until…"
    "en.will": rf"\b(?:(?:i|we)(?:'ll|\s+will|\s+shall)|ill(?=\s+(?:{EN_VERBS})\b))\b"
               rf"(?!\s+(?:{EN_NOT_ACTION}))",
    # our engineer / my colleague Anna / someone from our team will …: the speaker's side commits
    # (named by name and role: "my colleague Kevin from support will", "our head of customer success
    # Maria Lopez will"; a time phrase may stand between commas after it: "our team will, by Friday,")
    "en.our_will": rf"\b(?:our|my)\s+(?:[\w-]+\s+){{1,6}}?(?:will|shall|is\s+going\s+to|are\s+going\s+to"
                   rf"|is\s+gonna|are\s+gonna)(?:\s+(?!{EN_NOT_ACTION})|\s*,|\s*$)",
    # the verb left out, the thing on its way: "on it, deck over tmrw", "invoice out tomorrow",
    # "slides your way today" (English words only: [\w-]+ would run through a Chinese sentence)
    "en.on_its_way": rf"^(?=.*?\s(?:over|across|your\s+way|out)(?![A-Za-z])){_OPENING}(?:(?:the|our|my|your|a|an)\s+)?(?:(?!{_NOT_A_THING}\b|{_SENT_IT})[A-Za-z0-9-]+"
                     rf"(?:\s+(?!{_NOT_A_THING}\b)[A-Za-z0-9-]+){{0,2}}?\s+(?:over|across|your\s+way)"
                     rf"|(?:(?!{_NOT_A_THING}\b|{_SENT_IT})[A-Za-z0-9-]+\s+){{0,2}}?(?:{EN_THINGS})\s+out)\b",
    "en.going_to": r"\b(?:i'm|i\s+am|we're|we\s+are)\s+(?:going\s+to|gonna|planning\s+to|about\s+to"
                   rf"|aiming\s+to|hoping\s+to|trying\s+to|on\s+track\s+to)\b(?!\s+(?:{EN_NOT_ACTION}))",
    "en.progressive": rf"\b(?:i'm|i\s+am|we're|we\s+are)\s+(?:{EN_ING_VERBS})\b",
    "en.let_me": r"\blet(?:\s+(?:me|us)|'s)\b(?!\s+(?:know|see)\b)",
    "en.get_back": r"\b(?:get|getting|come|coming|circle|circling)\s+back\s+to\s+you\b",
    "en.you_will_have": r"\b(?:you|u)(?:'ll|\s+will)\s+(?:have|get|receive|see)\b",  # u: chat's you
    "en.plan": r"\b(?:i|we)\s+(?:plan|intend|promise|aim|hope|expect)\s+to\b",
    "en.can": rf"\b(?:i|we)\s+can\s+(?:(?:{EN_ADVERBS})\s+)?(?:{EN_VERBS})\b",
    # a hedge that still promises: "we should (definitely) be able to get it to you by Friday",
    # "I should have the numbers to you tomorrow", "our team should easily be able to finish…"
    "en.should": rf"\b(?:(?:i|we)\s+|(?:our|my)\s+(?:[\w-]+\s+){{1,3}}?)should\s+(?:(?:{EN_ADVERBS})\s+)?"
                 r"(?:be\s+able\s+to|have\b(?!\s+(?:been|done|known|seen|gone|sent|got|had|\w+ed)\b))\b",
    "en.let_you_know": r"\b(?:i|we)(?:'ll|\s+will)\s+(?:\w+\s+){0,6}?let\s+you\s+know\b",
    "en.expect": r"\bexpect\s+(?:it|them|this|that|the\s+\w+|our\s+\w+|my\s+\w+)\s+(?:by|before|on|from)\b",
    # a subject left out, as chat does: "Will send the contract tomorrow", "sending it today",
    # "Can do Friday 3pm"
    "en.elided": rf"{_OPENING}(?:will\s+(?:{EN_VERBS})|(?:{EN_ING_VERBS})|can\s+(?:do|{EN_VERBS})"
                 rf"|(?:happy|glad)\s+to\s+(?:{EN_VERBS}))\b",
    "en.to_follow": r"\bto\s+follow\b",
    "en.happy_to": r"\b(?:i|we)(?:'d|\s+would)\s+be\s+(?:happy|glad)\s+to\b",
    # an invite already sent or a slot booked for a coming date
    "en.scheduled": r"\b(?:i|we)(?:'ve|\s+have)\s+(?:just\s+|already\s+)?(?:sent|booked|scheduled|set\s+up"
                    r"|arranged|blocked|put\s+in)\b",
    # the same with the subject left out: "Sent you an invite for tomorrow 3pm", "Invite sent for…"
    "en.invite_sent": rf"{_OPENING}(?:(?:just\s+)?(?:sent|booked|scheduled|set\s+up|blocked)\s+(?:(?:you|us|everyone"
                      r"|over|out)\s+)*(?:an?\s+|the\s+)?(?:(?:calendar|meeting|teams|zoom)\s+)?(?:invite|invitation"
                      r"|slot|call|meeting|session)|(?:(?:calendar|meeting)\s+)?invite\s+(?:is\s+)?(?:sent|out))\b",
}
# All the rules in one pattern, a group each in key order: one search finds the leftmost match of
# any rule, and of rules matching at the same place the first key, as a search per rule and
# min((start, key)) would (tests/unit/test_nextsteps.py checks it).
_RULE_KEYS = sorted(RULES)
# en.elided not at a clause's start: what _may_commit looks for in a whole sentence.
_ELIDED_ANYWHERE = re.compile(rf"(?<![A-Za-z])(?=[A-Za-z])(?:will\s+(?:{EN_VERBS})|(?:{EN_ING_VERBS})|can\s+(?:do|{EN_VERBS})"
                              rf"|(?:happy|glad)\s+to\s+(?:{EN_VERBS}))\b", re.IGNORECASE)
# Every rule starts at the message's start or at a word starting with one of these letters: the
# check first makes every other position fail at once (a Chinese message has few English words).
_ANY_RULE = re.compile("(?:^|(?<![A-Za-z])(?=[iwomlgcyetuIWOMLGCYETU]))(?:"
                       + "|".join(f"({RULES[key]})" for key in _RULE_KEYS) + ")", re.IGNORECASE)

# ---- what undoes a commitment -------------------------------------------------------------------

_NEGATION = re.compile(NEGATION, re.IGNORECASE)
_CANCEL = re.compile(CANCEL, re.IGNORECASE)
_REQUEST = re.compile(REQUEST, re.IGNORECASE)
_PAST_OR_STATE = re.compile(PAST_OR_STATE)
_UNAVAILABLE = re.compile(UNAVAILABLE)
_THEN = re.compile(THEN, re.IGNORECASE)
_REPLAN = re.compile(REPLAN)
_MOVED = re.compile(MOVED, re.IGNORECASE)
_ASSURANCE = re.compile(rf"(?<![A-Za-z])(?=[aflgpwAFLGPW])(?:{EN_ASSURANCE})\b|一定|肯定|保证", re.IGNORECASE)
_FILLERS = re.compile(rf"(?:{DATE_FILLERS}|{EN_ASSURANCE}|一定|肯定|保证|[\W_]|[\U0001F300-\U0001FAFF])+",
                      re.IGNORECASE)
# A question unless the question is only a tag after the commitment ("…, ok?", "…，可以吗？").
_TAG_QUESTION = re.compile(
    r"(?:[,，—–-]\s*|\s)(?:ok|okay|alright|right|sound\s+good|does\s+that\s+work(?:\s+for\s+you)?"
    r"|works\s+for\s+you|is\s+that\s+ok(?:ay)?)\s*[?？]+\s*$"
    # a Chinese tag stands after a comma: 我明天发给你，可以吗？ (明天 call 方便吗？ asks)
    r"|[,，—–-]\s*(?:好吗|好不好|可以吗|可以不|行吗|行不行|方便吗|OK吗|ok吗)\s*[?？]*\s*$",
    re.IGNORECASE,
)
_ASKS = re.compile(
    r"[?？]\s*$|[吗么]\s*[。.!！]?\s*$|能不能|可不可以|是不是|有没有|要不要|会不会|什么时候|几点|哪天|是否",
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_POSSESSIVE = re.compile(r"'s\b")
_BEFORE = re.compile(r"\s*(?:之前|以前|前)")
# "I'm in Beijing next week and can swing by on Tuesday", 我下周在北京，周四可以过去: a bare weekday
# after "next week" (or "the week after next", 下下周) earlier in the sentence is that week's. Not after a next week that names its
# own day (Wed next week, 下周三) or a thing of it (next week's meeting, 下周的会: the promise may be
# before it).
_NEXT_WEEK = re.compile(
    r"(?P<two>(?<![A-Za-z])(?:the\s+)?week\s+after\s+next|下下个?(?:周|星期|礼拜))(?![A-Za-z'’一二三四五六日天1-7末的])"
    r"|(?<![A-Za-z])(?<!day\s)(?<!mon\s)(?<!tue\s)(?<!ues\s)(?<!wed\s)(?<!thu\s)(?<!urs\s)(?<!fri\s)(?<!sat\s)"
    r"(?<!sun\s)(?<!after\s)next\s+week(?![A-Za-z'’]|\s+(?:mon|tue|wed|thu|fri|sat|sun))"
    r"|(?<!下)下个?(?:周|星期|礼拜)(?![一二三四五六日天1-7末的])", re.IGNORECASE)
# A week named by a day in it: "the week of the 16th", 月底那周, 16号那一周 (a bare weekday after it
# is that week's).
_WEEK_OF_EN = re.compile(r"(?<![A-Za-z])(?:the\s+)?week\s+of\s+(?=\S)", re.IGNORECASE)
_WEEK_OF_EN_BEFORE = re.compile(r"(?<![A-Za-z])week\s+of\s+$", re.IGNORECASE)  # right before its date
_WEEK_OF_ZH = re.compile(r"\s*(?:那|这|所在的?那?)一?个?(?:周|星期|礼拜)(?![一二三四五六日天1-7末])")
_BARE_WEEKDAY = re.compile(r"(?:on\s+)?(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\.?"
                           r"|(?:周|星期|礼拜)[一二三四五六日天1-7]", re.IGNORECASE)

# Sentences end at . ! ? 。！？；; or a new line; "p.m." and "3.5" do not end one.
_SENTENCE = re.compile(r"[^!?！？。；;\n]+?(?:[!?！？。；;]+|(?<![ap]\.m)\.(?=\s|$)|\n|$)", re.IGNORECASE)
# Clauses end at a comma or colon (not inside 50,000 or 10:30), a dash between spaces, "but",
# "and" before a new subject or "will", 但是 / 不过.
_CLAUSE_BREAK = re.compile(
    r"(?<![0-9])[,:](?![0-9])|[，：;；]|\s[-–—]+\s|\s+but\s+|\s+and\s+(?=(?:i|we|i'll|we'll|will|can|should|then)\b)"
    r"|但是|不过|但(?=[我你他她明今后下这周])",
    re.IGNORECASE,
)


def detect(text: str, now: datetime, tz: str) -> NextStep | None:
    """The first sentence of `text` that commits to something by a future date, if any."""
    if not has_date_hint(text):  # most messages: one regex, no date parsing
        return None
    folded = text.replace("’", "'")
    for found in _SENTENCE.finditer(folded):
        sentence = found.group().strip()
        if sentence and has_date_hint(sentence) and (step := _sentence_step(sentence, now, tz)):
            return step
    return None


def commitment_rule(sentence: str) -> str | None:
    """The rule an explicit English commitment phrase in the sentence matches (one search)."""
    found = _ANY_RULE.search(sentence)
    return None if found is None or found.lastindex is None else _RULE_KEYS[found.lastindex - 1]


class _Clause:
    """One clause: its commitment words if any, and its first future date (read only when asked:
    date parsing is most of the cost, and most clauses of a dated message need none)."""

    def __init__(self, text: str, now: datetime, tz: str):
        self.text, self.now, self._tz = text, now, tz
        self.rule: str | None = None
        self.cue_start = 0
        self.cue: Callable[[], str] = str  # the commitment words, worked out for the step only

    @cached_property
    def blocked(self) -> bool:
        """Negated, cancelled or a request: its date is nobody's promise."""
        text = self.text
        return bool(_NEGATION.search(text) or _CANCEL.search(text) or _REQUEST.search(text))

    @cached_property
    def moved(self) -> bool:
        """Moves something to a date (改到周五下午, moving it to Friday 3pm): not a promise, but
        the new date is lent to a promise after it."""
        text = self.text
        return bool(_MOVED.search(text) and not _NEGATION.search(text) and not _REQUEST.search(text))

    @cached_property
    def past(self) -> bool:
        """Done already, or a state."""
        return bool(_PAST_OR_STATE.search(self.text))

    @cached_property
    def date(self) -> DateMatch | None:
        """The first future date after the commitment words (or the move), else the first in the
        clause."""
        if (self.blocked and not self.moved) or not has_date_hint(self.text):
            return None
        start = self.cue_start
        if not start and self.moved and (move := _MOVED.search(self.text)):
            start = move.end()  # 改到周五下午: the new date, not the old one
        return ((start and _future_date(self.text, start, self.now, self._tz))
                or _future_date(self.text, 0, self.now, self._tz))


def _sentence_step(sentence: str, now: datetime, tz: str) -> NextStep | None:
    if _is_question(sentence) or not _may_commit(sentence):
        return None
    clauses = [_read_clause(text.strip(), now, tz) for text in _CLAUSE_BREAK.split(sentence) if text and text.strip()]
    for index, clause in enumerate(clauses):
        if clause.rule is None:
            continue
        following = clauses[index + 1] if index + 1 < len(clauses) else None
        if following is not None and _UNAVAILABLE.search(following.text):
            continue  # 明天全天开会，没空
        if index and _REPLAN.search(clause.text) and any(before.blocked for before in clauses[:index]):
            continue  # 明天的sync取消吧，下周再约: a time to be found, not promised
        source = clause if clause.date is not None else _borrowed(clauses, index)
        if source is None:
            continue
        return _step(sentence, source, clause)
    return None


def _may_commit(sentence: str) -> bool:
    """A cheap look first: without an English rule, a Chinese verb or an assurance anywhere in
    the sentence, no clause of it can commit, and no date needs reading."""
    return bool(_ANY_RULE.search(sentence) or (_CJK.search(sentence) and nextsteps_zh.has_verb(sentence))
                or _ELIDED_ANYWHERE.search(sentence) or _ASSURANCE.search(sentence))


def _read_clause(text: str, now: datetime, tz: str) -> _Clause:
    clause = _Clause(text, now, tz)
    ruled = _ANY_RULE.search(text)
    verb = ruled is None and _CJK.search(text) is not None and nextsteps_zh.has_verb(text)
    sure = None if ruled is not None or verb else _ASSURANCE.search(text)
    if (ruled is None and not verb and sure is None) or clause.blocked or clause.past:
        return clause  # nothing that commits (its date is read only if a neighbour asks)
    if ruled is not None:
        clause.cue_start = ruled.start()
        clause.rule = _RULE_KEYS[(ruled.lastindex or 1) - 1]  # every rule is a group of _ANY_RULE
        clause.cue = lambda: _en_cue(text, ruled, clause.date)
    elif verb:
        span = (clause.date.start, clause.date.end) if clause.date else (0, 0)
        words = nextsteps_zh.commitment(text, span)
        if words is not None and span[0] < words.start and has_date_hint(text[words.start:]):
            # 下周的会议我们周五前发您: the date after "我们"
            clause.cue_start = words.start
            del clause.date  # read again from the commitment words on (else the first, as before)
            if clause.date is not None and clause.date.start >= words.start:
                words = nextsteps_zh.commitment(text, (clause.date.start, clause.date.end)) or words
        if words is not None:
            clause.rule = "zh.ours" if words.subject else "zh.elided"
            clause.cue = lambda: nextsteps_zh.cue_text(text, words)
            clause.cue_start = words.start
    elif sure is not None and _only_date(clause):  # Monday for sure
        clause.rule, clause.cue = "en.assurance", sure.group
    return clause


def _future_date(text: str, offset: int, now: datetime, tz: str) -> DateMatch | None:
    """The first date from `offset` on that lies ahead (a past one is skipped for the next)."""
    while offset < len(text):
        match = find_date(text[offset:], now, tz)
        if match is None:
            return None
        moved = DateMatch(match.when, offset + match.start, offset + match.end, match.has_time)
        if moved.when > now and not _POSSESSIVE.match(text, moved.end):  # not "Monday's call"
            return moved
        offset = moved.end
    return None


def _only_date(clause: _Clause) -> bool:
    """True when the clause holds a date and nothing else but fillers: "by Friday at the latest"."""
    if clause.date is None:
        return False
    rest = clause.text[:clause.date.start] + " " + clause.text[clause.date.end:]
    return _FILLERS.sub("", rest) == ""


def _borrowed(clauses: list[_Clause], index: int) -> _Clause | None:
    """The clause whose date a commitment with none of its own takes: the next one if it holds
    only a date, or the one before if this clause points back to it ("then", 到时候)."""
    clause = clauses[index]
    if index > 0:
        before = clauses[index - 1]
        if (before.moved or (_THEN.search(clause.text) and not before.blocked)) and before.date is not None:
            return before
    if index + 1 < len(clauses):
        after = clauses[index + 1]
        if after.date is not None and not after.blocked and not after.past and _only_date(after):
            return after
    return None


def _en_cue(text: str, ruled: re.Match[str], date: DateMatch | None) -> str:
    """The English commitment words: the rule's match and the next few words, up to the date."""
    end = len(text) if date is None or date.start <= ruled.start() else date.start
    words = text[ruled.start():end].split()
    shown = words[:max(len(ruled.group().split()), 1) + 4]
    return " ".join(shown).strip(" ,.;:!-")[:CUE_LIMIT]


def _week_named_before(sentence: str, end: int, now: datetime, tz: str) -> date | None:
    """The Monday of the week named last in `sentence` before `end`: next week, the week after
    next, the week of March 23, 16号那周 — None when no week is named."""
    named: list[tuple[int, date]] = []
    today = now.date()
    for week in _NEXT_WEEK.finditer(sentence, 0, end):
        named.append((week.start(), today + timedelta(days=7 * (2 if week["two"] else 1) - today.weekday())))
    for week in _WEEK_OF_EN.finditer(sentence, 0, end):
        of = find_date(sentence[week.end():end], now, tz)
        if of is not None and of.start == 0:
            named.append((week.start(), of.when.date() - timedelta(days=of.when.weekday())))
    for week in _WEEK_OF_ZH.finditer(sentence, 0, end):
        head = sentence[max(week.start() - 12, 0):week.start()]
        for offset in range(len(head)):
            of = find_date(head[offset:], now, tz)
            if of is not None and offset + of.end == len(head):
                named.append((week.start(), of.when.date() - timedelta(days=of.when.weekday())))
                break
    # a week of a date long past reads as next year's (the week of March 2, said on March 4): not a
    # week a promise is in
    near = [(at, monday) for at, monday in named if (monday - today).days <= 62]
    return max(near)[1] if near else None


def _is_question(sentence: str) -> bool:
    return bool(_ASKS.search(sentence)) and not _TAG_QUESTION.search(sentence)


def _step(sentence: str, dated: _Clause, clause: _Clause) -> NextStep:
    """The step `clause` commits to, by the date of `dated` (itself or a neighbour)."""
    title = " ".join(sentence.split())
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 1] + "…"
    found = dated.date
    assert found is not None  # _sentence_step passes a clause with a date
    text, week_start = dated.text, None
    marker = _WEEK_OF_ZH.match(text, found.end)
    if marker or _WEEK_OF_EN_BEFORE.search(text, 0, found.start):  # 月底那周周三, the week of the 16th, (on) Tuesday
        # the weekday may follow in this clause or, after fillers only, in the sentence
        after = max(sentence.find(text), 0) + (marker.end() if marker else found.end)
        weekday = _future_date(sentence, after, dated.now, dated._tz)
        if (weekday is not None and _BARE_WEEKDAY.fullmatch(sentence[weekday.start:weekday.end].strip())
                and _FILLERS.sub("", sentence[after:weekday.start]) == ""):
            week_start = found.when.date() - timedelta(days=found.when.weekday())
            text, found = sentence, weekday
    when = found.when
    if week_start is None and _BARE_WEEKDAY.fullmatch(text[found.start:found.end].strip()):
        said_before = max(sentence.find(text) + found.start, 0)
        week_start = _week_named_before(sentence, said_before, dated.now.astimezone(when.tzinfo), dated._tz)
    if week_start is not None:  # the weekday of the week named last before it
        while when.date() < week_start:
            when += timedelta(days=7)
    before = _BEFORE.match(text, found.end)  # Friday 前
    date_words = text[found.start:before.end() if before else found.end].strip(" .,!。！")
    return NextStep(title, when, found.has_time, clause.rule or "", clause.cue()[:CUE_LIMIT],
                    date_words[:CUE_LIMIT])
