"""Reading a rep's free-text answer to the daily card: which of their open deals it talks about,
and for each a follow-up, a task when it gives a date ahead, and a stage move when it says the
stage's work happened (issue 19, the daily update by reply).

"Acme 同意下周二演示，华为报价已发，Gamma 没进展" gives three proposals: D-1 a follow-up, a task
for next Tuesday and a move to Demo; D-2 a follow-up and a move to Quote; D-3 a follow-up.
Nothing is written here: core/services/daily_updates.py shows the proposals and writes them
only when the rep confirms.

Precision comes before recall, most of all for moves (a wrong move is worse than none):
- a clause (split at commas, full stops, semicolons, line breaks) belongs to the deals it names
  by number (D-12), customer (a Chinese company also without its registered endings: 华为技术有限公司
  is 华为), contact, or the proper name leading the deal's title (a one-word
  Latin name of five letters or more also when misspelt by one letter: "Initec"); a clause
  that names none continues the one before it (a follow-up, a date; a move only by agreeing to the
  stage the clause before named, since an unknown customer's name may be what it holds); a name
  shared by several deals names none;
- a clause naming several deals gives each a follow-up and nothing more;
- a task needs a day later than today (the card comes at the end of the day, so "today" is a
  report, not a plan), a day rather than a week or a month alone ("下周再看" is no date), and
  nothing called off ("cancel 了明天的 meeting"); a rep's short weekday ("call Thu") counts;
- a move needs a stage word with its own sign that the work happened or was agreed (a sign
  belongs to the stage word nearest to it: "demo done, Peter wants a quote" is Demo), nothing
  negating, postponing or rescheduling in the clause, and a stage after the deal's own; an
  ongoing word ("谈价格", "negotiating") with a day ahead is a plan, not a start. A move to the
  won stage needs signing words ("签约了", "盖章了", "signed") and nothing ahead.
The labelled replies in tests/data/daily_replies.tsv measure it (bench/daily_replies.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.domain.calendar import is_plausible
from core.domain.pipeline import LOST, WON, Pipeline
from core.language.dates.text import DateMatch, find_date

MAX_TEXT = 2000  # a daily answer is a few lines; longer text is not read
# Clauses end at punctuation, a full stop, a line break, or an emoji ("ok'd a demo 👍 peter silent")
_CLAUSES = re.compile(r"[，,。；;！!？?\n\u2600-\u27bf\U0001f300-\U0001faff\ufe0f]+|(?<!\d)\.(?=\s|$)")
_DEAL_REF = re.compile(r"(?<![A-Za-z0-9])[Dd]-?(\d{1,9})(?![0-9])")
_CJK = re.compile(r"[\u3400-\u9fff]")

# Stage words of the default pipeline's stages (core.domain.pipeline), beside each stage's own
# names and aliases. `self` words say the work happened by themselves ("联系上", "negotiating").
_STAGE_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # key -> (words, self-evident words)
    "contact": ((), ("联系上", "加上微信", "加了微信", "加了 wechat", "加了wechat", "初步聊", "初步沟通了",
                     "回电话", "回了电话", "通了电话", "通过电话", "聊了", "见了面", "reach 到", "reached",
                     "connected with", "got through to", "first chat", "first call with", "talked to", "spoke to",
                     "spoke with", "called back", "had a call with", "had a chat with", "intro call",
                     "on the phone", "got hold of")),
    "demo": (("演示", "demo", "presentation", "walkthrough"), ()),
    "quote": (("报价", "quote", "quotation", "pricing", "price list"), ()),
    "negotiation": (("谈判", "price talks", "价格谈判"), ("谈价格", "谈价", "谈折扣", "谈合同", "议价", "砍价",
                                                      "砍了", "还价", "嫌贵", "降价", "再降", "压价", "negotiat",
                                                      "haggl", "bargain", "contract talks", "discount talks")),
}
_WON_WORDS = ("签约了", "签了", "签合同了", "合同签了", "已签约", "已签", "签好了", "签字了", "盖章了", "盖好章",
              "已盖章", "signed", "closed won", "stamped")
_DONE = re.compile(r"已|了|完|过去了|出去了|sent|done|went out|finished|delivered|gave|given|did\b|completed|submitted"
                   r"|shared|presented|started|开始|进入|在谈|is in|now\b", re.IGNORECASE)
_AGREED = re.compile(r"同意|答应|确认|约了|约好|定了|confirm|agreed|ok'd|okayed|booked|scheduled|set for|set up",
                     re.IGNORECASE)
# A meeting moved "from Thu to Mon" is due on the last day named
_MOVED = re.compile(r"改到|推迟到|延到|挪到|postpone|reschedul|moved|pushed", re.IGNORECASE)
_NEGATED = re.compile(r"没|未|不|推迟|取消|延期|改期|改到|postpone|pushed|delay|cancel|reschedul|moved to"
                      r"|haven't|hasn't|havent|hasnt"
                      r"|not\b|n't|\bno\b|yet to|still waiting", re.IGNORECASE)
_CANCELLED = re.compile(r"取消|不去了|cancel|called off", re.IGNORECASE)  # a called-off meeting is no task
# A day named alone ("下周", "next week") is no date for a task; neither is "月底" without a day.
_VAGUE = re.compile(r"(?:下|这|本|next|this)\s*(?:周|星期|礼拜|week|个?月|month)\s*", re.IGNORECASE)
# A rep's own note writes weekdays short ("call Thu", "ping him fri"); the date reader leaves a
# lone abbreviation alone (in group chats "Mon" is a name as often), so here it reads "on Thu".
_LONE_DAY = re.compile(r"(?<![A-Za-z])(mon|tues?|wed|thu(?:rs?)?|fri)(?![A-Za-z])", re.IGNORECASE)
_TITLE_STOP = frozenset({"Phase", "Project", "Renewal", "Upgrade", "Pilot", "Deal", "Order", "Contract",
                         "License", "Licence", "Support", "Service", "Services", "Cloud", "Platform"})


@dataclass(frozen=True)
class OpenDeal:
    """What the reader knows of one of the rep's open deals."""

    deal_id: int
    stage: str
    customer: str
    contacts: tuple[str, ...] = ()
    title: str = ""


@dataclass
class Proposal:
    """What the answer says of one deal: a follow-up (the clauses, as written), perhaps a task's
    date, perhaps a stage move, with the words that made each."""

    deal_id: int
    clauses: list[str] = field(default_factory=list)
    due: DateMatch | None = None
    due_words: str = ""
    move_to: str | None = None
    move_words: str = ""

    @property
    def text(self) -> str:
        joined = "，".join if any(_CJK.search(c) for c in self.clauses) else ", ".join
        return joined(self.clauses)


@dataclass
class Reading:
    proposals: list[Proposal]
    unmatched: list[str]  # clauses that name no deal of the rep's (nor follow one that does)
    ambiguous: list[str]  # names that several of the rep's deals share


def read_update(text: str, deals: Sequence[OpenDeal], pipeline: Pipeline, now: datetime, tz: str) -> Reading:
    names = _names(deals)
    by_id = {deal.deal_id: deal for deal in deals}
    proposals: dict[int, Proposal] = {}
    reading = Reading([], [], [])
    previous: list[int] = []
    last = ""  # the clause before, for one that carries its deal on
    for clause in _clauses(text[:MAX_TEXT]):
        named = _named(clause, names, by_id, reading.ambiguous)
        carried = None
        if not named:
            if len(previous) == 1 and not _names_someone_else(clause):
                named, carried = previous, last
            else:  # "…, sent Huawei the quote" where no deal of the rep's is Huawei: not the deal before
                reading.unmatched.append(clause)
                previous = []
                continue
        last = clause
        for deal_id in named:
            proposals.setdefault(deal_id, Proposal(deal_id)).clauses.append(clause)
        previous = named
        if len(named) > 1:
            continue  # several deals in one clause: a follow-up each, nothing else is theirs for sure
        proposal, deal = proposals[named[0]], by_id[named[0]]
        dated = _date_ahead(clause, now, tz)
        if dated is not None and proposal.due is None:
            proposal.due, proposal.due_words = dated
        # a clause that names no deal of its own moves none by its own stage words ("华为报价已发"
        # after an Acme clause, where 华为 is no name of the rep's): only by agreeing to the stage
        # named just before
        move = _move(clause, deal, pipeline, ahead=dated is not None) if carried is None else None
        if move is None and carried is not None and _AGREED.search(clause) and not _stage_named(clause, pipeline):
            # "zhang min wants a demo, booked it for Thu": agreed here to the stage named before
            move = _move(f"{carried} {clause}", deal, pipeline, ahead=dated is not None)
        if move is not None and (proposal.move_to is None
                                 or pipeline.index(move[0]) > pipeline.index(proposal.move_to)):
            proposal.move_to, proposal.move_words = move
    reading.proposals = list(proposals.values())
    return reading


_PROPER = re.compile(r"(?<=\s)[A-Z][a-z]{2,}")  # a capitalised word inside a clause: a name
_NOT_NAMES = frozenset({"Mon", "Monday", "Tue", "Tues", "Tuesday", "Wed", "Wednesday", "Thu", "Thur", "Thurs",
                        "Thursday", "Fri", "Friday", "Sat", "Saturday", "Sun", "Sunday", "Jan", "January", "Feb",
                        "February", "Mar", "March", "Apr", "April", "May", "June", "July", "Aug", "August", "Sep",
                        "Sept", "September", "Oct", "October", "Nov", "November", "Dec", "December", "Demo",
                        "Quote", "The", "And", "But", "Will", "Can", "COB", "EOD"})


def _names_someone_else(clause: str) -> bool:
    """A clause with a capitalised name inside it that named none of the rep's deals is about
    someone else (another customer, a deal of a colleague's), not the deal the clause before named."""
    return any(word not in _NOT_NAMES for word in _PROPER.findall(clause))


def _clauses(text: str) -> list[str]:
    return [part.strip() for part in _CLAUSES.split(text) if part and part.strip()]


# The endings of a Chinese company's registered name: "华为技术有限公司" is "华为" in a rep's words.
_ZH_COMPANY_ENDINGS = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "科技", "技术", "信息", "网络",
                       "软件", "电子", "实业", "贸易", "控股", "中国", "（中国）", "(中国)")


def _short_name(name: str) -> str | None:
    """A Chinese company name without its registered endings, when that leaves two characters or more."""
    short = name.strip()
    while True:
        ending = next((e for e in _ZH_COMPANY_ENDINGS if short.endswith(e) and len(short) - len(e) >= 2), None)
        if ending is None:
            break
        short = short[: -len(ending)]
    return short if short != name.strip() and _CJK.search(short) else None


def _names(deals: Sequence[OpenDeal]) -> dict[str, set[int]]:
    """Each name (folded) and the deals it may mean: customer (a Chinese company's short name too),
    contacts, the title's proper name."""
    found: dict[str, set[int]] = {}
    for deal in deals:
        for name in (deal.customer, _short_name(deal.customer) or "", *deal.contacts, *_title_names(deal.title)):
            name = name.strip()
            if len(name) >= 2:
                found.setdefault(name.casefold(), set()).add(deal.deal_id)
    return found


def _title_names(title: str) -> list[str]:
    """The proper names of a deal's title ("Huawei cloud migration" → Huawei): capitalised
    Latin words of four letters or more that are not the usual words of a title."""
    return [word for word in re.findall(r"[A-Za-z][A-Za-z0-9&.\-]{3,}", title)
            if word[0].isupper() and word not in _TITLE_STOP]


def _named(clause: str, names: dict[str, set[int]], by_id: dict[int, OpenDeal], ambiguous: list[str]) -> list[int]:
    found: list[int] = []
    for match in _DEAL_REF.finditer(clause):
        deal_id = int(match[1])
        if deal_id in by_id and deal_id not in found:
            found.append(deal_id)
    folded = clause.casefold()
    typed = _typed(folded, names)
    for name, deal_ids in names.items():
        if not _contains(folded, name) and name not in typed:
            continue
        if len(deal_ids) > 1:
            if name not in ambiguous:
                ambiguous.append(name)
            continue
        (deal_id,) = deal_ids
        if deal_id not in found:
            found.append(deal_id)
    return sorted(found, key=lambda deal_id: _first_position(clause, deal_id, names))


def _typed(folded: str, names: dict[str, set[int]]) -> set[str]:
    """The one-word Latin names of five letters or more that a word of the clause misspells by one
    letter (Initec, huawie): typed in a hurry at the end of the day."""
    words = set(re.findall(r"[a-z][a-z0-9]{3,}", folded))
    return {name for name in names if len(name) >= 5 and name.isascii() and name.isalpha()
            and name not in words and any(_one_edit(word, name) for word in words)}


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one inserted, deleted or replaced letter, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1 or a == b or a[0] != b[0]:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _contains(folded: str, name: str) -> bool:
    if _CJK.search(name):
        return name in folded
    return re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", folded) is not None


def _first_position(clause: str, deal_id: int, names: dict[str, set[int]]) -> int:
    folded = clause.casefold()
    spots = [folded.find(name) for name, ids in names.items() if ids == {deal_id} and name in folded]
    spots += [m.start() for m in _DEAL_REF.finditer(clause) if int(m[1]) == deal_id]
    return min(spots, default=len(clause))


def _date_ahead(clause: str, now: datetime, tz: str) -> tuple[DateMatch, str] | None:
    """The clause's date and its words, when it is on a later day than today and names a day (not
    a week or a month alone) of something not called off."""
    if _CANCELLED.search(clause):
        return None
    text = _LONE_DAY.sub(_on_day, clause) if _LONE_DAY.search(clause) else clause
    found = find_date(text, now, tz)
    while found is not None and _MOVED.search(text):  # the day it was moved to: the last one
        later = find_date(text[found.end:], now, tz)
        if later is None:
            break
        found = DateMatch(later.when, later.start + found.end, later.end + found.end, later.has_time)
    if found is None or not is_plausible(found.when, now):
        return None
    words = text[found.start:found.end]
    if _VAGUE.fullmatch(words.strip()):
        return None
    zone = ZoneInfo(tz)
    return (found, words) if found.when.astimezone(zone).date() > now.astimezone(zone).date() else None


def _on_day(found: re.Match[str]) -> str:
    """ "call Thu" reads "call on Thu"; "next Thu", "by Fri" are read as they are."""
    before = found.string[:found.start()].rstrip().rsplit(" ", 1)[-1].casefold()
    return found[0] if before in _DAY_WORDS else f"on {found[0]}"


_DAY_WORDS = frozenset({"next", "this", "on", "by", "until", "till", "before", "last", "coming"})


def _move(clause: str, deal: OpenDeal, pipeline: Pipeline, *, ahead: bool) -> tuple[str, str] | None:
    """(stage key, the words that made it) when the clause moves the deal forward, else None.

    A sign that the work happened ("sent", "已发", "done") or was agreed ("同意", "booked") counts
    for the stage word nearest to it, so "demo done, Peter wants a quote" moves to Demo, not Quote.
    Agreed work counts with a day ahead ("同意下周二演示"); a self-evident word ("谈价格") with a
    day ahead is a plan, not a start."""
    if _NEGATED.search(clause):
        return None
    folded = clause.casefold()
    if WON in pipeline.keys and not ahead:
        for word in _WON_WORDS:
            if word in folded:
                return _forward(deal, pipeline, WON, word)
    spots: list[tuple[int, int, str, str]] = []  # (start, end, stage key, word) of each stage word
    evident: list[tuple[str, str]] = []
    for stage in pipeline.open_stages:
        words, plain = _STAGE_WORDS.get(stage.key, ((), ()))
        hit = next((w for w in plain if w in folded), None)
        if hit is not None and not ahead:
            evident.append((stage.key, hit))
        for word in (*words, *(n for n in stage.names() if len(n) >= 2)):
            for found in _word_spots(folded, word.casefold()):
                spots.append((*found, stage.key, word))
    signed: dict[str, str] = {}
    for pattern in (_DONE, _AGREED):
        for sign in pattern.finditer(clause):
            if not spots:
                break
            start, end, key, word = min(spots, key=lambda spot: _gap(spot[0], spot[1], sign.start(), sign.end()))
            signed.setdefault(key, f"{word} + {sign[0]}")
    best: tuple[str, str] | None = None
    for key, because in [*signed.items(), *evident]:
        moved = _forward(deal, pipeline, key, because)
        if moved is not None and (best is None or pipeline.index(moved[0]) > pipeline.index(best[0])):
            best = moved
    return best


def _stage_named(clause: str, pipeline: Pipeline) -> bool:
    folded = clause.casefold()
    return any(_word_spots(folded, word.casefold())
               for stage in pipeline.open_stages
               for word in (*_STAGE_WORDS.get(stage.key, ((), ()))[0], *(n for n in stage.names() if len(n) >= 2)))


def _word_spots(folded: str, word: str) -> list[tuple[int, int]]:
    if word not in folded:  # most stage words are not in a clause: no pattern needed
        return []
    return [(m.start(), m.end()) for m in _word_pattern(word).finditer(folded)]


@functools.lru_cache(maxsize=512)
def _word_pattern(word: str) -> re.Pattern[str]:
    """A Latin word whole (demo, not demonstrate); Chinese anywhere."""
    return re.compile(re.escape(word) if _CJK.search(word) else rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])")


def _gap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(b_start - a_end, a_start - b_end, 0)


def _forward(deal: OpenDeal, pipeline: Pipeline, key: str, words: str) -> tuple[str, str] | None:
    if key == LOST or key not in pipeline.keys or deal.stage not in pipeline.keys:
        return None
    return (key, words) if pipeline.index(key) > pipeline.index(deal.stage) else None


def scored(expected: Iterable[str], proposals: Iterable[Proposal]) -> tuple[set[str], set[str]]:
    """(expected, found) items in the labelled set's notation: D-1:log, D-1:task@2026-03-10,
    D-2:move>quote (tests/data/README.md). Dates are the local day of the task's due time."""
    found: set[str] = set()
    for p in proposals:
        found.add(f"D-{p.deal_id}:log")
        if p.due is not None:
            found.add(f"D-{p.deal_id}:task@{p.due.when.date().isoformat()}")
        if p.move_to is not None:
            found.add(f"D-{p.deal_id}:move>{p.move_to}")
    return {item for item in expected if item != "-"}, found


PENDING, CONFIRMED, DISMISSED = "pending", "confirmed", "dismissed"


@dataclass
class DailyUpdate:
    """A rep's answer to the daily card and what dealbot proposed from it, kept until the rep
    confirms (or skips every item). `items`: one dict per deal, JSON-able: deal_id, text, due (ISO,
    or None), due_has_time, due_words, move_to, move_words, skipped."""

    team_id: int
    member_id: int
    created_at: datetime
    text: str
    items: list[dict[str, Any]]
    status: str = PENDING
    decided_at: datetime | None = None
    id: int | None = None

    @property
    def code(self) -> str:
        return f"U-{self.id}"


def as_items(proposals: Iterable[Proposal]) -> list[dict[str, Any]]:
    return [{"deal_id": p.deal_id, "text": p.text[:500],
             "due": None if p.due is None else p.due.when.isoformat(),
             "due_has_time": bool(p.due and p.due.has_time), "due_words": p.due_words,
             "move_to": p.move_to, "move_words": p.move_words, "skipped": False}
            for p in proposals]
