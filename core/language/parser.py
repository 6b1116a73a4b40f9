"""How the words after each verb are read into a Command (or a ParseError): one reader per verb,
named by the verb's declaration in core.language.verbs, whose `parse` is the way in.

Structured words (verbs, ids, options, amounts) are read after NFKC folding, so full-width
"：", "＠" and digits work; free text (notes, reasons, task titles) is kept exactly as typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from core.domain.amounts import (
    DEFAULT_CURRENCY,
    Money,
    currency_code,
    looks_like_amount,
)
from core.domain.calendar import is_plausible
from core.domain.invite_codes import looks_like_code
from core.domain.pipeline import Pipeline
from core.language import checks
from core.language import commands as c
from core.language.dates.text import DateMatch, find_date, parse_date
from core.language.dates.values import continues_date
from core.language.dates.zh import cn_number
from core.language.errors import ParseError
from core.language.periods import Period, parse_period

MAX_LENGTH = 4000
MAX_NAME_LENGTH = checks.MAX_NAME_LENGTH


@dataclass(frozen=True)
class ParseContext:
    now: datetime
    timezone: str
    pipeline: Pipeline
    currency: str = DEFAULT_CURRENCY


@dataclass(frozen=True)
class Token:
    text: str  # folded, quotes removed
    start: int
    end: int
    quoted: bool = False


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_QUOTES = {'"': '"', "“": "”", "「": "」", "”": "”"}
_DEAL_ID = re.compile(r"^(?:d-?|#)(\d{1,9})$", re.IGNORECASE)
_TASK_ID = re.compile(r"^t-?(\d{1,9})$", re.IGNORECASE)
_HANDLE = re.compile(r"^@([\w.\-]{1,64})$")
_OPTION = re.compile(r"^([^\W\d_][\w]*)[:：](.*)$", re.DOTALL)
_KIND_PREFIX = re.compile(r"^\s*(call|meeting|email|电话|会议|拜访|邮件)\s*[:：]\s*", re.IGNORECASE)
_KINDS = {"call": "call", "电话": "call", "meeting": "meeting", "会议": "meeting",
          "拜访": "meeting", "email": "email", "邮件": "email"}

OPTION_NAMES = {
    "stage": "stage", "阶段": "stage",
    "close": "close", "成交": "close", "成交日期": "close", "预计成交": "close",
    "owner": "owner", "负责人": "owner",
    "title": "title", "标题": "title",
    "due": "due", "截止": "due", "截止日期": "due",
    "tz": "tz", "timezone": "tz", "时区": "tz",
    "lang": "lang", "language": "lang", "语言": "lang",
    "role": "role", "角色": "role",
    "team": "team", "团队": "team",
}
DATE_OPTIONS = {"close", "due"}
# Options only some verbs read: elsewhere `金额:5万` stays words of a task's title.
EDIT_OPTIONS = {**OPTION_NAMES, "amount": "amount", "金额": "amount"}
LIST_OPTIONS = {**OPTION_NAMES, "customer": "customer", "客户": "customer", "sort": "sort", "排序": "sort"}
_MAX_DATE_WORDS = 6  # "the day after tomorrow at 3pm" is the longest a date gets

_WORDS = {
    "mine": "mine", "my": "mine", "我的": "mine",
    "team": "team", "团队": "team",
    "all": "all", "全部": "all", "所有": "all",
    "stale": "stale", "停滞": "stale",
    "overdue": "overdue", "逾期": "overdue",
    "next": c.NEXT, "下一步": c.NEXT, "下一阶段": c.NEXT, "下个阶段": c.NEXT,
    "history": "history", "历史": "history",
    "new": "new", "新建": "new",
    "lang": "lang", "language": "lang", "语言": "lang",
    "tz": "tz", "timezone": "tz", "时区": "tz",
    "link": "link", "绑定": "link", "关联": "link",
    "away": "away", "请假": "away", "休假": "away",
}
_LANGUAGES = {"en": "en", "english": "en", "英文": "en", "英语": "en",
              "zh": "zh", "chinese": "zh", "中文": "zh", "汉语": "zh", "cn": "zh"}
_ROLES = {"rep": "rep", "销售": "rep", "manager": "manager", "主管": "manager",
          "经理": "manager", "admin": "admin", "管理员": "admin"}


def clean(text: str) -> str:
    """The message without control and format characters and outer blanks; ParseError if too long."""
    text = _CONTROL.sub("", text).strip()
    if len(text) > MAX_LENGTH:
        raise ParseError("err.too_long", length=len(text), limit=MAX_LENGTH)
    return text


def fold(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold()


_NOT_A_NAME = re.compile(r"[+-][0-9]+|[dtcslua]-[0-9]+", re.IGNORECASE)  # a number or an id, never a user
_WHOLE = re.compile(r"[+-]?[0-9]+")  # a count as typed (a message is at most MAX_LENGTH long)


class Args:
    """The words after the verb, with helpers that raise ParseError naming the verb."""

    def __init__(self, text: str, start: int, verb: str, ctx: ParseContext):
        self.raw, self.start, self.verb, self.ctx = text, start, verb, ctx
        self.tokens = _tokenize(text, start, verb)
        self._dates: dict[str, datetime | None] = {}

    def error(self, key: str, **params: Any) -> ParseError:
        return ParseError(key, verb=self.verb, **params)

    def missing(self, what: str) -> ParseError:
        return self.error("err.missing_arg", what_key=f"arg.{what}")

    def rest_after(self, token_count: int) -> str:
        """The raw text after the first N tokens, exactly as typed."""
        if token_count >= len(self.tokens):
            return ""
        return self.raw[self.tokens[token_count].start :].strip() if token_count else self.raw[self.start :].strip()

    # -- typed readers ---------------------------------------------------------------------------
    def deal_id(self, index: int = 0) -> int:
        if index >= len(self.tokens):
            raise self.missing("deal")
        return self.deal_id_of(self.tokens[index].text)

    def deal_id_of(self, word: str) -> int:
        m = _DEAL_ID.match(word)
        if not m:
            raise self.error("err.bad_deal_ref", value=word[:40])
        return int(m[1])

    def stage(self, word: str) -> str:
        key = self.ctx.pipeline.resolve(word)
        if key is None:
            raise ParseError("err.unknown_stage", verb=self.verb, value=word[:40],
                             suggestion=self.ctx.pipeline.suggest(word),
                             hint="err.stages_are")
        return key

    def amount(self, word: str) -> Money:
        return checks.amount(word, self.ctx.currency, error=self.error)

    def money_at(self, tokens: list[Token], i: int) -> tuple[Money, int] | None:
        """The amount that starts at tokens[i] — one token, or a currency word and a number in
        either order ("USD 5000", "5000 USD", "RMB 5万") — and how many tokens it takes; None
        when tokens[i] does not start one. Money-shaped but unreadable ("-5k") is an error,
        never part of a name."""
        word = tokens[i]
        if word.quoted:
            return None
        following = tokens[i + 1] if i + 1 < len(tokens) and not tokens[i + 1].quoted else None
        if currency_code(word.text) and following and looks_like_amount(following.text):
            return self.amount(f"{word.text} {following.text}"), 2
        if not looks_like_amount(word.text):
            return None
        if following and currency_code(following.text) and not looks_like_amount(following.text):
            return self.amount(f"{word.text} {following.text}"), 2
        return self.amount(word.text), 1

    def count(self, word: str, what: str, *, least: int = 1, most: int | None = None) -> int:
        """A whole number from `least` (to `most`), typed in digits (full-width ones too); anything
        else is one message naming what it counts and the numbers it may be (`arg.<what>`)."""
        m = _WHOLE.fullmatch(unicodedata.normalize("NFKC", word))
        number = int(m[0]) if m else None
        if number is None or number < least or (most is not None and number > most):
            if most is None:
                raise self.error("err.count_least", value=word[:40], what_key=f"arg.{what}", least=least)
            raise self.error("err.count_range", value=word[:40], what_key=f"arg.{what}", least=least, most=most)
        return number

    def date(self, word: str) -> datetime:
        return checks.date(word, self.ctx.now, self.ctx.timezone, error=self.error, read=self.read_date)

    def plausible(self, when: datetime, said: str) -> datetime:
        """Refuse a date no plan or record has (core.domain.calendar): one stored far beyond it
        would have to be shown on every teammate's clock."""
        return checks.plausible(when, said, self.ctx.now, error=self.error)

    def name(self, word: str) -> str:
        return checks.name(word, error=self.error)

    def handle(self, word: str) -> str:
        m = _HANDLE.match(word if word.startswith("@") else "@" + word)
        if not m or (not word.startswith("@") and _NOT_A_NAME.fullmatch(word)):  # `-2`, `D-12`: no one's name
            raise self.error("err.bad_handle", value=word[:40])
        return m[1].lower()

    def split_options(self, allowed: set[str], tokens: list[Token] | None = None,
                      names: dict[str, str] = OPTION_NAMES) -> tuple[list[Token], dict[str, str]]:
        """(positional tokens, {option: value}) — a key:value of `names` the verb does not allow
        is an error. A date option's value goes on over the words after it that belong to the
        date (date_value)."""
        positional: list[Token] = []
        options: dict[str, str] = {}
        tokens = self.tokens if tokens is None else tokens
        i = 0
        while i < len(tokens):
            tok, i = tokens[i], i + 1
            key = _option_key(tok, names)
            if key is None:
                positional.append(tok)
                continue
            option = _OPTION.match(tok.text)
            assert option is not None  # _option_key found it
            name, value = option.groups()
            if key not in allowed:
                raise self.error("err.bad_option", option=name, command=self.verb)
            value = value.strip()
            if key in DATE_OPTIONS:
                value, used = self.date_value(value, tokens[i:], names)
                i += used
            options[key] = value
        return positional, options

    def read_date(self, value: str) -> datetime | None:
        """parse_date, each value once: an option's value is read when it is found and again
        when the command is built, and dateparser costs milliseconds."""
        if value not in self._dates:
            self._dates[value] = parse_date(value, self.ctx.now, self.ctx.timezone)
        return self._dates[value]

    def date_value(self, first: str, following: list[Token], names: dict[str, str] = OPTION_NAMES
                   ) -> tuple[str, int]:
        """`due:next Friday`, `close:in 3 days`, `due:2027-01-01 14:30`: the option's value and
        how many of the following words it takes. The longest run of words that our own date
        rules read whole wins (dateparser, which guesses, never decides where a date ends); when
        no run reads, the words that still look like a date's, so the error names the bad one."""
        words = []
        for tok in following[:_MAX_DATE_WORDS]:
            if tok.quoted or _option_key(tok, names) or tok.text.startswith("@") or _DEAL_ID.match(tok.text):
                break
            words.append(tok.text)
        for used in range(len(words), 0, -1):
            value = " ".join([first, *words[:used]]).strip()
            if parse_date(value, self.ctx.now, self.ctx.timezone, fallback=False) is not None:
                return value, used
        if first and self.read_date(first) is not None:
            return first, 0
        used, previous = 0, first
        for word in words:
            if previous and not continues_date(previous, word):
                break
            used, previous = used + 1, word
        return " ".join([first, *words[:used]]).strip(), used


def _option_key(tok: Token, names: dict[str, str] = OPTION_NAMES) -> str | None:
    """The option a `key:value` word sets (stage, close, due…), or None for any other word."""
    m = _OPTION.match(tok.text) if not tok.quoted else None
    return names.get(m[1].casefold()) if m else None


def _tokenize(text: str, start: int, verb: str) -> list[Token]:
    tokens, i, n = [], start, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        begin, parts, quoted = i, [], False
        while i < n and not text[i].isspace():
            close = _QUOTES.get(text[i])
            if close:
                inside, end = _quoted(text, i, close)
                if end < 0:
                    raise ParseError("err.unclosed_quote", verb=verb)
                parts.append(inside)
                quoted, i = quoted or i == begin, end + 1
            else:
                parts.append(text[i])
                i += 1
        word = "".join(parts)
        tokens.append(Token(word if quoted else unicodedata.normalize("NFKC", word), begin, i, quoted))
    return tokens


# Inside straight quotes a doubled quote is one quote character, as in a spreadsheet:
# new """Quoted"" Name" names "Quoted" Name; so does new 「"Quoted" Name」.
def _quoted(text: str, opening: int, close: str) -> tuple[str, int]:
    """The text between a quote at `opening` and its closing quote, and where that is (-1: none)."""
    parts, i = [], opening + 1
    while True:
        end = text.find(close, i)
        if end < 0:
            return "", -1
        parts.append(text[i:end])
        if close == text[opening] and text[end + 1 : end + 2] == close:
            parts.append(close)
            i = end + 2
            continue
        return "".join(parts), end


# -- one reader per verb (core.language.verbs names each verb's) ------------------------------------

def read_help(a: Args) -> c.Command:
    return c.Help(a.tokens[0].text.casefold() if a.tokens else None)


def _refuse_empty(a: Args, opts: dict[str, str]) -> None:
    """`close:` with nothing after it: said, not taken as no close date (`stage: quote` would
    make “quote” part of the name)."""
    for key, value in opts.items():
        if not value:
            raise a.error("cust.empty_value", option=key)


def read_new(a: Args) -> c.Command:
    positional, opts = a.split_options({"stage", "close", "owner", "title"})
    _refuse_empty(a, opts)
    owner = a.handle(opts["owner"]) if opts.get("owner") else None
    words: list[str] = []
    amount, i = None, 0
    while i < len(positional):
        tok = positional[i]
        found = a.money_at(positional, i) if words else None  # the first word is always the name's
        if tok.text.startswith("@") and not tok.quoted:
            owner, i = a.handle(tok.text), i + 1
        elif amount is not None:
            raise a.error("err.extra_args", text=tok.text[:40])
        elif found is not None:
            amount, i = found[0], i + found[1]
        else:
            words.append(tok.text)
            i += 1
    if not words:
        raise a.missing("customer")
    if amount is None and (alone := a.money_at(positional, 0)) is not None and alone[1] == len(positional):
        # `new 5k`: an amount and no customer, not a customer named “5k” (quoted, it is one)
        raise a.error("err.amount_not_customer", value=" ".join(t.text for t in positional)[:40])
    title = a.name(opts["title"]) if opts.get("title") else None
    return c.NewDeal(
        customer=a.name(" ".join(words)),
        amount=amount,
        stage=a.stage(opts["stage"]) if opts.get("stage") else None,
        close=a.date(opts["close"]) if opts.get("close") else None,
        owner=owner,
        title=title,
    )


def read_show(a: Args) -> c.Command:
    deal_id = a.deal_id()
    extra = [_WORDS.get(t.text.casefold()) for t in a.tokens[1:]]
    if extra == ["history"]:
        return c.ShowHistory(deal_id)
    if extra:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    return c.ShowDeal(deal_id)


def read_history(a: Args) -> c.Command:
    deal_id = a.deal_id()
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    return c.ShowHistory(deal_id)


_CLOSING = {"closing", "预计成交", "即将成交"}
_STATUSES = {"open": "open", "进行中": "open", "won": "won", "lost": "lost"}
_AMOUNT_FILTER = re.compile(r"^(?:amount|金额)\s*(>=|<=|>|<|≥|≤)\s*(.+)$", re.IGNORECASE)
_SORTS = {"close": "close", "成交": "close", "预计成交": "close", "date": "close", "日期": "close",
          "amount": "amount", "金额": "amount"}


def read_deals(a: Args) -> c.Command:
    positional, opts = a.split_options({"stage", "owner", "customer", "sort"}, names=LIST_OPTIONS)
    scope, stale, status = "team", False, "open"
    closed_in = closing_in = None
    amount: tuple[str, Money] | None = None
    stage = a.stage(opts["stage"]) if opts.get("stage") else None
    i = 0
    while i < len(positional):
        tok, i = positional[i], i + 1
        text = tok.text.casefold()
        word = _WORDS.get(text)
        if m := _AMOUNT_FILTER.match(tok.text):
            op = {"≥": ">=", "≤": "<="}.get(m[1], m[1])
            amount = (op, a.amount(m[2]))
        elif word in ("mine", "team", "all"):
            scope = word
        elif word == "stale":
            stale = True
        elif text in _CLOSING:
            closing_in, i = _period_after(a, positional, i, required=True)
        elif (found := _STATUSES.get(text) or _closed_stage(a, text)) is not None:
            status = found
            closed_in, i = _period_after(a, positional, i, required=False)
        else:
            stage = a.stage(tok.text)
    sort = opts.get("sort")
    if sort is not None and sort.casefold() not in _SORTS:
        raise a.error("deals.bad_sort", value=sort[:40])
    return c.ListDeals(scope=scope, stage=stage, stale=stale, status=status, closed_in=closed_in,
                       closing_in=closing_in, owner=a.handle(opts["owner"]) if opts.get("owner") else None,
                       customer=a.name(opts["customer"]) if opts.get("customer") else None,
                       amount=amount, sort=_SORTS[sort.casefold()] if sort else None)


def _closed_stage(a: Args, word: str) -> str | None:
    """won or lost, by any of the pipeline's names for those stages (签约, 赢单, 丢单…)."""
    key = a.ctx.pipeline.resolve(word)
    return key if key in ("won", "lost") else None


def _period_after(a: Args, tokens: list[Token], i: int, *, required: bool) -> tuple[Period | None, int]:
    """The period named by the longest run of words from tokens[i] (`this month`, `上季度`), and
    the index after it; none there: None (or an error when one is required)."""
    today = a.ctx.now.astimezone(ZoneInfo(a.ctx.timezone)).date()
    for end in range(len(tokens), i, -1):
        period = parse_period(" ".join(t.text for t in tokens[i:end]), today)
        if period is not None:
            return period, end
    if required:
        shown = " ".join(t.text for t in tokens[i:])
        raise a.error("err.bad_period", value=shown[:40]) if shown else a.missing("period")
    return None, i


def read_move(a: Args) -> c.Command:
    deal_id = a.deal_id()
    words = [t.text for t in a.tokens[1:]]
    if words and words[0].casefold() in ("to", "到", "至"):
        words = words[1:]
    if not words:
        raise a.missing("stage")
    target = " ".join(words)
    if _WORDS.get(target.casefold()) == c.NEXT or target.casefold() in ("next stage",):
        return c.MoveDeal(deal_id, c.NEXT)
    return c.MoveDeal(deal_id, a.stage(target))


def read_check(a: Args) -> c.Command:
    deal_id = a.deal_id()
    if len(a.tokens) < 2:
        raise a.missing("item")
    if len(a.tokens) > 2:
        raise a.error("err.extra_args", text=a.rest_after(2)[:40])
    return c.CheckDeliverable(deal_id, a.count(a.tokens[1].text, "item"))


def read_won(a: Args) -> c.Command:
    deal_id = a.deal_id()
    if len(a.tokens) == 1:
        return c.WinDeal(deal_id, None)
    found = a.money_at(a.tokens, 1)
    if found is None:
        raise a.error("err.bad_amount", value=a.rest_after(1)[:40])
    amount, used = found
    if len(a.tokens) > 1 + used:
        raise a.error("err.extra_args", text=a.rest_after(1 + used)[:40])
    return c.WinDeal(deal_id, amount)


def read_lost(a: Args) -> c.Command:
    deal_id = a.deal_id()
    return c.LoseDeal(deal_id, a.rest_after(1))  # no reason: the bot asks for one


def read_log(a: Args) -> c.Command:
    deal_id = a.deal_id()
    text = a.rest_after(1)
    kind = "note"
    if m := _KIND_PREFIX.match(text):
        kind, text = _KINDS[m[1].casefold()], text[m.end() :].strip()
    return c.LogFollowUp(deal_id, text, kind, _future_date_in(text, a.ctx))


def _future_date_in(text: str, ctx: ParseContext) -> DateMatch | None:
    found = find_date(text, ctx.now, ctx.timezone)
    return found if found and ctx.now < found.when and is_plausible(found.when, ctx.now) else None


def read_task(a: Args) -> c.Command:
    deal_id, assignee, due = None, None, None
    kept: list[Token] = []
    positional, opts = a.split_options({"due"})
    _refuse_empty(a, opts)
    if opts.get("due"):
        due = a.date(opts["due"])
    for tok in positional:
        if deal_id is None and _DEAL_ID.match(tok.text):
            deal_id = a.deal_id_of(tok.text)
        elif assignee is None and _HANDLE.match(tok.text):
            assignee = a.handle(tok.text)
        else:
            kept.append(tok)
    title = _join_raw(a.raw, kept)
    if due is None and (found := find_date(title, a.ctx.now, a.ctx.timezone)):
        due = a.plausible(found.when, title[found.start:found.end])
        title = _without_span(title, found) or title
    if not title:
        raise a.missing("title")
    if due is not None:
        checks.future(due, a.ctx.now, error=a.error)
    return c.AddTask(title=title[:200], deal_id=deal_id, due=due, assignee=assignee)


def _join_raw(raw: str, tokens: list[Token]) -> str:
    return " ".join(raw[t.start : t.end] for t in tokens).strip()


def _without_span(text: str, found: DateMatch) -> str:
    return " ".join((text[: found.start] + " " + text[found.end :]).split())


def read_tasks(a: Args) -> c.Command:
    if not a.tokens:
        return c.ListTasks()
    if [_WORDS.get(t.text.casefold()) for t in a.tokens] in (["overdue", "team"], ["team", "overdue"]):
        return c.ListTasks(scope="overdue_team")
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    word = a.tokens[0].text
    if _DEAL_ID.match(word):
        return c.ListTasks(scope="deal", deal_id=a.deal_id_of(word))
    scope = _WORDS.get(word.casefold())
    if scope not in ("mine", "overdue", "team"):
        raise a.error("err.extra_args", text=word[:40])
    return c.ListTasks(scope=scope)


def read_done(a: Args) -> c.Command:
    if not a.tokens:
        raise a.missing("task")
    m = _TASK_ID.match(a.tokens[0].text)
    if not m:
        raise a.error("err.bad_task_ref", value=a.tokens[0].text[:40])
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    return c.CompleteTask(int(m[1]))


def read_me(a: Args) -> c.Command:
    if not a.tokens:
        return c.ShowMe()
    what = _WORDS.get(a.tokens[0].text.casefold())
    if what == "link":
        return _link(a)
    if what == "away":
        return _away(a)
    if what not in ("lang", "tz"):
        raise a.error("err.extra_args", text=a.tokens[0].text[:40])
    if len(a.tokens) != 2:
        raise a.missing("value")
    value = a.tokens[1].text
    if what == "lang":
        if value.casefold() not in _LANGUAGES:
            raise a.error("err.bad_language")
        return c.SetLanguage(_LANGUAGES[value.casefold()])
    return c.SetTimezone(_timezone(a, value))


_LINK_ANSWERS = {"confirm": c.ConfirmLink, "确认": c.ConfirmLink, "cancel": c.CancelLink, "取消": c.CancelLink}


def _link(a: Args) -> c.Command:
    if len(a.tokens) == 1:
        return c.StartLink()
    code = a.tokens[1].text
    if answer := _LINK_ANSWERS.get(code.casefold()):
        if len(a.tokens) > 3 or (len(a.tokens) == 3 and not re.fullmatch(r"\d{1,9}", a.tokens[2].text)):
            raise a.error("err.extra_args", text=a.rest_after(2)[:40])
        return answer(int(a.tokens[2].text) if len(a.tokens) == 3 else None)
    if len(a.tokens) > 2 or not re.fullmatch(r"\d{8}", code):
        raise a.error("err.bad_link_code")
    return c.LinkAccount(code)


_UNTIL = {"until", "till", "to", "到", "至", "直到"}
_BACK = {"off", "back", "none", "结束", "取消", "回来", "销假"}


def _away(a: Args) -> c.Command:
    """The words after `me away`: `until next friday` (away through that day), or `off`."""
    words = [tok.text for tok in a.tokens[1:]]
    if words and fold(words[0]) in _UNTIL:
        words = words[1:]
    if not words:
        raise a.missing("away_until")
    if len(words) == 1 and fold(words[0]) in _BACK:
        return c.SetAway(None)
    when = a.date(" ".join(words))
    zone = ZoneInfo(a.ctx.timezone)
    day = when.astimezone(zone).date()
    back = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return c.SetAway(back.astimezone(UTC))


def _timezone(a: Args, value: str) -> str:
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        raise a.error("err.bad_timezone", value=value[:40]) from None
    return value


def read_team(a: Args) -> c.Command:
    if not a.tokens:
        return c.ListTeams()
    if _WORDS.get(a.tokens[0].text.casefold()) != "new":
        raise a.error("err.extra_args", text=a.tokens[0].text[:40])
    positional, opts = a.split_options({"tz", "lang"}, a.tokens[1:])
    if not positional:
        raise a.missing("name")
    lang = opts.get("lang")
    if lang is not None and lang.casefold() not in _LANGUAGES:
        raise a.error("err.bad_language")
    return c.CreateTeam(
        name=a.name(" ".join(t.text for t in positional)),
        timezone=_timezone(a, opts["tz"]) if opts.get("tz") else None,
        language=_LANGUAGES[lang.casefold()] if lang else None,
    )


_HEIR = re.compile(r"^(?:to|交给|接手|移交)[:：](\S+)$", re.IGNORECASE)
_MEMBER_ACTIONS = {"remove": "remove", "移除": "remove", "删除": "remove",
                   "restore": "restore", "恢复": "restore",
                   "approve": "approve", "批准": "approve", "通过": "approve",
                   "ignore": "ignore", "忽略": "ignore", "拒绝": "ignore"}
_REQUEST_ID = re.compile(r"^r-?(\d{1,9})$", re.IGNORECASE)


def read_member(a: Args) -> c.Command:
    if not a.tokens:
        return c.ListMembers()
    heirs = [m[1] for tok in a.tokens if not tok.quoted and (m := _HEIR.match(tok.text))]
    rest = [tok for tok in a.tokens if tok.quoted or not _HEIR.match(tok.text)]
    positional, opts = a.split_options({"role", "team"}, rest)
    role = opts.get("role")
    if role is not None and role.casefold() not in _ROLES:
        raise a.error("err.bad_role", value=role[:40])
    role = _ROLES[role.casefold()] if role else None
    team = a.name(opts["team"]) if opts.get("team") else None
    heir = a.handle(heirs[0]) if heirs else None
    if not positional:
        raise a.missing("member")
    words = [_MEMBER_ACTIONS.get(tok.text.casefold()) for tok in positional]
    if words[0] in ("approve", "ignore"):
        if len(positional) == 2 and not _REQUEST_ID.match(positional[1].text) \
                and re.fullmatch(r"r-?\d+", positional[1].text, re.IGNORECASE):
            raise a.error("err.bad_request_id", value=positional[1].text[:40])  # too many digits
        if len(positional) != 2 or not (m := _REQUEST_ID.match(positional[1].text)):
            raise a.missing("request")
        return c.DecideAccess(int(m[1]), approve=words[0] == "approve", role=role, team=team)
    if len(positional) > 2 or (len(positional) == 2 and words[1] not in ("remove", "restore")):
        raise a.error("err.extra_args", text=positional[-1].text[:40])
    handle = a.handle(positional[0].text)
    if len(positional) == 2 and words[1] == "remove":
        return c.RemoveMember(handle, heir=heir)
    if len(positional) == 2:
        return c.RestoreMember(handle)
    return c.UpdateMember(handle=handle, role=role, team=team, heir=heir)


def read_invite(a: Args) -> c.Command:
    positional, opts = a.split_options({"role", "team"})
    if positional:
        raise a.error("err.extra_args", text=positional[0].text[:40])
    role = opts.get("role")
    if role is not None and role.casefold() not in _ROLES:
        raise a.error("err.bad_role", value=role[:40])
    return c.CreateInvite(team=a.name(opts["team"]) if opts.get("team") else None,
                          role=_ROLES[role.casefold()] if role else None)


def read_join(a: Args) -> c.Command:
    if len(a.tokens) != 1 or not looks_like_code(a.tokens[0].text):
        raise a.error("err.bad_invite_code")
    return c.Join(a.tokens[0].text.lower())


# -- snooze and digest ---------------------------------------------------------------------------

MAX_SNOOZE_DAYS = 30
_SNOOZE_SPAN = re.compile(
    r"^(?:for\s+)?(?P<n>[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十]{1,3}|an?)\s*(?:个)?"
    r"(?P<unit>d|days?|天|日|h|hrs?|hours?|小时|钟头|w|wks?|weeks?|周|星期|礼拜|m|mins?|minutes?|分钟)$",
    re.IGNORECASE,
)
_SPAN_UNITS = {"d": "days", "天": "days", "日": "days", "h": "hours", "小": "hours", "钟": "hours",
               "w": "weeks", "周": "weeks", "星": "weeks", "礼": "weeks", "m": "minutes", "分": "minutes"}


def read_snooze(a: Args) -> c.Command:
    if not a.tokens:
        raise a.missing("target")
    word = a.tokens[0].text
    if m := _DEAL_ID.match(word):
        target, ref_id = "deal", int(m[1])
    elif m := _TASK_ID.match(word):
        target, ref_id = "task", int(m[1])
    else:
        raise a.error("err.bad_ref", value=word[:40])
    rest = unicodedata.normalize("NFKC", a.rest_after(1))
    until = _snooze_until(a, rest) if rest else a.ctx.now + timedelta(days=1)
    if until <= a.ctx.now:
        raise a.error("err.past_date", when_at=until)
    if until - a.ctx.now > timedelta(days=MAX_SNOOZE_DAYS):
        raise a.error("err.snooze_too_long", days=MAX_SNOOZE_DAYS)
    return c.Snooze(target, ref_id, until)


def _snooze_until(a: Args, text: str) -> datetime:
    if m := _SNOOZE_SPAN.match(text.strip()):
        count = 1.0 if m["n"].lower() in ("a", "an") else None
        if count is None:
            count = float(m["n"]) if m["n"][0].isdigit() else cn_number(m["n"])
        unit = _SPAN_UNITS.get(m["unit"][0].lower())
        if count is not None and unit is not None:
            if count > MAX_SNOOZE_DAYS * 24 * 60:  # `99999999999d`: longer than any snooze (timedelta overflows)
                raise a.error("err.snooze_too_long", days=MAX_SNOOZE_DAYS)
            return a.ctx.now + timedelta(**{unit: count})
    when = parse_date(text, a.ctx.now, a.ctx.timezone)
    if when is None:
        raise a.error("err.bad_snooze", value=text[:40])
    return a.plausible(when, text)


_DIGEST_WORDS = {
    "here": "here", "这里": "here", "本群": "here", "此群": "here", "这个群": "here",
    "weekly": "weekly", "week": "weekly", "每周": "weekly", "周报": "weekly",
    "daily": "daily", "day": "daily", "每日": "daily", "每天": "daily", "日报": "daily",
    "off": "off", "stop": "off", "none": "off", "关闭": "off", "取消": "off", "停止": "off",
}


def read_digest(a: Args) -> c.Command:
    words = [_DIGEST_WORDS.get(t.text.casefold()) for t in a.tokens]
    if not words:
        return c.ShowDigests()
    if None in words:
        bad = a.tokens[words.index(None)].text
        raise a.error("err.extra_args", text=bad[:40])
    if words == ["off"]:
        return c.StopDigests()
    frequencies = [w for w in words if w in ("weekly", "daily")]
    if "off" in words or len(frequencies) > 1 or len(words) - len(frequencies) > 1:
        raise a.error("err.extra_args", text=a.rest_after(0)[:40])
    return c.SubscribeDigest(frequencies[0] if frequencies else "weekly")


# -- link, unlink, capture (conversation capture) -------------------------------------------------

_CUSTOMER_PREFIX = re.compile(r"^(?:customer|客户)\s*:\s*", re.IGNORECASE)
_CAPTURE_WORDS = {
    "on": True, "start": True, "resume": True, "开": True, "开启": True, "打开": True, "恢复": True,
    "off": False, "stop": False, "pause": False, "关": False, "关闭": False, "停止": False, "暂停": False,
    "status": None, "状态": None,
}


def read_link_chat(a: Args) -> c.Command:
    """`link D-12` or `link customer:<name>`; `me link` (accounts) is a different command."""
    if not a.tokens:
        raise a.missing("link_target")
    words = " ".join(tok.text for tok in a.tokens)
    if m := _CUSTOMER_PREFIX.match(words):
        name = words[m.end():].strip()
        if not name:
            raise a.missing("link_target")
        return c.LinkChat(customer=a.name(name))
    first = a.tokens[0].text
    if re.fullmatch(r"\d{8}", first):
        raise a.error("err.link_code_here", code=first)
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    return c.LinkChat(deal_id=a.deal_id_of(first))


def read_unlink_chat(a: Args) -> c.Command:
    if a.tokens:
        raise a.error("err.extra_args", text=a.rest_after(0)[:40])
    return c.UnlinkChat()


def read_capture(a: Args) -> c.Command:
    if not a.tokens:
        return c.ShowCapture()
    if _DEAL_ID.match(a.tokens[0].text):  # 记录 D-1 客户来电: a Chinese rep logging a follow-up
        a.verb = "log"
        return read_log(a)
    word = a.tokens[0].text.casefold()
    if word not in _CAPTURE_WORDS:
        raise a.error("err.bad_capture", value=a.tokens[0].text[:40])
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    on = _CAPTURE_WORDS[word]
    return c.ShowCapture() if on is None else c.SetCapture(on)


# -- scorecard, funnel, forecast -------------------------------------------------------------------

def read_scorecard(a: Args) -> c.Command:
    return _figures(a, c.ShowScorecard)


_BY = {"by": "by", "按": "by", "分组": "by"}
_SEGMENTS = {"industry": "industry", "行业": "industry", "source": "source", "来源": "source",
             "tag": "tag", "tags": "tag", "标签": "tag"}


def read_funnel(a: Args) -> c.Command:
    """`funnel [team] [period] [by:industry|source|tag]` (按:行业|来源|标签)."""
    by = None
    kept = []
    for tok in a.tokens:
        option = None if tok.quoted else _OPTION.match(tok.text)
        if option is None or fold(option[1]) not in _BY:
            kept.append(tok)
            continue
        by = _SEGMENTS.get(fold(option[2].strip()))
        if by is None:
            raise a.error("figures.bad_by", value=option[2].strip()[:40])
    a.tokens = kept
    made = _figures(a, c.ShowFunnel)
    return c.ShowFunnel(made.team, made.period, by=by) if by and isinstance(made, c.ShowFunnel) else made


def read_forecast(a: Args) -> c.Command:
    return _figures(a, c.ShowForecast)


def _figures(a: Args, command: type) -> c.Command:
    """`[team] [period]`: the longest tail of words that names a period is the period; the words
    before it (or `team:<name>`) name the team."""
    positional, opts = a.split_options({"team"})
    words = _without_period_labels([tok.text for tok in positional])
    today = a.ctx.now.astimezone(ZoneInfo(a.ctx.timezone)).date()
    period: Period | None = None
    for cut in range(len(words)):
        period = parse_period(" ".join(words[cut:]), today)
        if period is not None:
            words = words[:cut]
            break
    team = opts.get("team") or (" ".join(words) if words else None)
    if words and opts.get("team"):
        raise a.error("err.bad_period", value=" ".join(words)[:40])
    if team is not None and period is None and len(words) == 1 and _looks_like_period(words[0]):
        raise a.error("err.bad_period", value=words[0][:40])
    made: c.Command = command(team=a.name(team) if team else None, period=period)
    return made


read_figures = _figures  # `[team] [period]`, for the readers of other modules (core.language.health)

# The usage lines name the period `week: last week`, `周：上周`, `period: this month`: typed as
# shown, the label is dropped rather than read as a team's name.
_PERIOD_LABELS = ("week:", "period:", "周:", "时段:", "时间:")


def _without_period_labels(words: list[str]) -> list[str]:
    kept = []
    for word in words:
        label = next((lb for lb in _PERIOD_LABELS if word.casefold().startswith(lb)), None)
        if label is None:
            kept.append(word)
        elif word[len(label):]:
            kept.append(word[len(label):])
    return kept


def _looks_like_period(word: str) -> bool:
    return bool(re.search(r"\d", word)) and not any(ch.isalpha() and not ch.isascii() for ch in word[:1])


# -- keep, dismiss (suggested next steps), forget (privacy) ----------------------------------------

_SUGGESTION_ID = re.compile(r"^s-?(\d{1,9})$", re.IGNORECASE)


def read_keep(a: Args) -> c.Command:
    return _suggestion(a, c.KeepSuggestion)


def read_dismiss(a: Args) -> c.Command:
    return _suggestion(a, c.DismissSuggestion)


def _suggestion(a: Args, command: type) -> c.Command:
    if not a.tokens:
        raise a.missing("suggestion")
    m = _SUGGESTION_ID.match(a.tokens[0].text)
    if not m:
        raise a.error("err.bad_suggestion_ref", value=a.tokens[0].text[:40])
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    made: c.Command = command(int(m[1]))
    return made


def read_forget(a: Args) -> c.Command:
    """`forget @alice`, `forget @Wang Wei` (a contact's name may hold spaces) or
    `forget contact:telegram:12345` when several contacts share a name."""
    text = unicodedata.normalize("NFKC", a.rest_after(0)).strip()
    if not text:
        raise a.missing("person")
    if m := re.fullmatch(r"contact:([a-z]+):(\S{1,200})", text, re.IGNORECASE):
        return c.Forget(platform=m[1].lower(), user_id=m[2])
    name = " ".join(text.removeprefix("@").split())
    if not name or len(name) > 100:
        raise a.error("err.bad_handle", value=text[:40])
    return c.Forget(name=name)


# -- edit, assign, reopen (keeping deals true) -----------------------------------------------------

def read_edit(a: Args) -> c.Command:
    """`edit D-12 amount:60k close:next month title:"Phase 2"`: every part must read, or nothing
    changes; `edit D-12` alone (the card's button) asks what to change."""
    deal_id = a.deal_id()
    positional, opts = a.split_options({"amount", "close", "title"}, a.tokens[1:], EDIT_OPTIONS)
    for key, value in opts.items():
        if not value:
            raise a.error("edit.empty_option", option=key)
    amount = None
    if "amount" in opts:  # amount:USD 5000 and amount:5000 USD take the word after the option
        found = a.money_at([Token(opts["amount"], 0, 0), *positional[:1]], 0)
        if found is None:
            raise a.error("err.bad_amount", value=opts["amount"][:40])
        amount, positional = found[0], positional[found[1] - 1:]
    if positional:
        raise a.error("err.extra_args", text=positional[0].text[:40])
    return c.EditDeal(
        deal_id,
        amount=amount,
        close=a.date(opts["close"]) if "close" in opts else None,
        title=a.name(opts["title"]) if "title" in opts else None,
    )


_LEAD_REF = re.compile(r"^l-?(\d{1,9})$", re.IGNORECASE)


def read_assign(a: Args) -> c.Command:
    lead = _LEAD_REF.match(a.tokens[0].text) if a.tokens else None  # `assign L-7 @bob`: a lead
    deal_id = int(lead[1]) if lead else a.deal_id()
    rest = a.tokens[1:]
    if rest and rest[0].text.casefold() in ("to", "给", "至"):
        rest = rest[1:]
    if not rest:
        raise a.missing("member")
    if len(rest) > 1:
        raise a.error("err.extra_args", text=rest[1].text[:40])
    if lead:
        return c.AssignLead(deal_id, a.handle(rest[0].text))
    return c.AssignDeal(deal_id, a.handle(rest[0].text))


def read_reopen(a: Args) -> c.Command:
    deal_id = a.deal_id()
    words = [t.text for t in a.tokens[1:]]
    if words and words[0].casefold() in ("to", "到", "至"):
        words = words[1:]
    return c.ReopenDeal(deal_id, a.stage(" ".join(words)) if words else None)


def read_undo(a: Args) -> c.Command:
    if a.tokens:
        raise a.error("err.extra_args", text=a.rest_after(0)[:40])
    return c.Undo()


# -- the same rules for other inputs (the CSV import) ----------------------------------------------

def read_name(text: str) -> str:
    """A customer, team or deal name by chat's rules (`new`, `team new`); ParseError if not one."""
    return Args("", 0, "new", None).name(text)  # type: ignore[arg-type]  # name() needs no context


def read_handle(text: str) -> str:
    """A member's handle by chat's rules (`owner:@x`), lowercased; ParseError if not one."""
    return Args("", 0, "new", None).handle(text)  # type: ignore[arg-type]


# -- target, targets (team performance) --------------------------------------------------------------

# The metric words after the value (core.performance.targets.METRICS); none: the won amount.
TARGET_METRICS = {
    "amount": "won_amount", "revenue": "won_amount", "sales": "won_amount", "金额": "won_amount",
    "业绩": "won_amount", "赢单金额": "won_amount", "销售额": "won_amount",
    "wins": "won_count", "won": "won_count", "deals won": "won_count", "won deals": "won_count",
    "赢单": "won_count", "赢单数": "won_count", "成交数": "won_count",
    "new": "new_deals", "new deals": "new_deals", "deals": "new_deals", "新商机": "new_deals",
    "新建": "new_deals", "新增": "new_deals", "新增商机": "new_deals",
    "follow-ups": "follow_ups", "followups": "follow_ups", "follow-up": "follow_ups", "follow ups": "follow_ups",
    "跟进": "follow_ups", "跟进数": "follow_ups", "跟进次数": "follow_ups",
}
_MAX_TARGET = 10**12
_TARGET_OFF = {"off", "remove", "none", "删除", "取消", "关闭"}  # the value that removes a target


_NUMBER_LIKE = re.compile(r"[+-]?[0-9.,]+")


def _counted(tokens: list[Token], i: int) -> bool:
    """Is tokens[i] a number followed by a counting metric (`-2 wins`, `2.5 新商机`)?"""
    if tokens[i].quoted or not _NUMBER_LIKE.fullmatch(unicodedata.normalize("NFKC", tokens[i].text)):
        return False
    after = [tok.text.casefold() for tok in tokens[i + 1:i + 3]]
    return any(TARGET_METRICS.get(" ".join(after[:size])) not in (None, "won_amount") for size in (2, 1)
               if len(after) >= size)


def read_target(a: Args) -> c.Command:
    """`target [@user | team] <value> [metric] [period]`: the subject, then the value (an amount,
    or a count for the counting metrics; `off` removes the target), the metric and the period
    (default: this month)."""
    tokens, opts = a.split_options({"team"})
    if not tokens:
        raise a.missing("target_value")
    i, handle, team_words = 0, None, []
    if tokens[0].text.startswith("@"):
        handle, i = a.handle(tokens[0].text), 1
    while (i < len(tokens) and tokens[i].text.casefold() not in _TARGET_OFF and not _counted(tokens, i)
           and a.money_at(tokens, i) is None):
        team_words.append(tokens[i].text)
        i += 1
    found: tuple[Money, int] | None = None
    if i < len(tokens) and tokens[i].text.casefold() in _TARGET_OFF:
        found = (Money(Decimal(0), a.ctx.currency), 1)
    elif i < len(tokens) and _counted(tokens, i):  # `8 wins`: a count, never an amount
        count = a.count(tokens[i].text, "target_count")  # too large: err.target_too_large below
        found = (Money(Decimal(count), a.ctx.currency), 1)
    elif i < len(tokens):
        found = a.money_at(tokens, i)
    if found is None:
        if handle is None and team_words:
            raise a.error("err.target_value", value=" ".join(team_words)[:40])
        raise a.missing("target_value")
    money, used = found
    if handle is not None and team_words:
        raise a.error("err.target_value", value=" ".join(team_words)[:40])
    team = opts.get("team") or (" ".join(team_words) if team_words else None)
    rest = [tok.text for tok in tokens[i + used:]]
    metric = "won_amount"
    for size in (2, 1):
        words = " ".join(rest[:size]).casefold()
        if len(rest) >= size and words in TARGET_METRICS:
            metric, rest = TARGET_METRICS[words], rest[size:]
            break
    if money.amount > _MAX_TARGET:
        raise a.error("err.target_too_large", value=tokens[i].text[:40])
    if metric != "won_amount" and money.amount != money.amount.to_integral_value():
        raise a.error("err.count_least", value=tokens[i].text[:40], what_key="arg.target_count", least=1)
    today = a.ctx.now.astimezone(ZoneInfo(a.ctx.timezone)).date()
    period = parse_period(" ".join(rest), today) if rest else None
    if rest and period is None:
        raise a.error("err.bad_period", value=" ".join(rest)[:40])
    return c.SetTarget(value=money, metric=metric, handle=handle, team=a.name(team) if team else None,
                       period=period)


def read_targets(a: Args) -> c.Command:
    return _figures(a, c.ListTargets)


_UPDATE_ID = re.compile(r"[Uu]-?(\d{1,9})")


def read_confirm(a: Args) -> c.Command:
    update_id = _update_id(a)
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    return c.ConfirmUpdate(update_id)


def read_skip(a: Args) -> c.Command:
    update_id = _update_id(a)
    if len(a.tokens) < 2:
        raise a.missing("update_item")
    if len(a.tokens) > 2:
        raise a.error("err.extra_args", text=a.rest_after(2)[:40])
    return c.SkipUpdateItem(update_id, a.count(a.tokens[1].text, "update_item", most=99))


def _update_id(a: Args) -> int:
    if not a.tokens:
        raise a.missing("update")
    m = _UPDATE_ID.fullmatch(a.tokens[0].text)
    if not m:
        raise a.error("err.bad_update_ref", value=a.tokens[0].text[:40])
    return int(m[1])
def read_find(a: Args) -> c.Command:
    """`find <words>`: the words as typed (quotes around them are dropped)."""
    text = " ".join(a.rest_after(0).strip("\"“”「」'").split())
    if not text:
        raise a.error("err.find_empty")
    if not any(ch.isalnum() for ch in text):
        raise a.error("err.find_no_words", text=text[:40])
    return c.Find(text[:MAX_NAME_LENGTH])
