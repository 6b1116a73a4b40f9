"""The command language (DESIGN.md §4): text in, a Command out, or a ParseError.

Structured words (verbs, ids, options, amounts) are read after NFKC folding, so full-width
"：", "＠" and digits work; free text (notes, reasons, task titles) is kept exactly as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core import commands as c
from core.amounts import DEFAULT_CURRENCY, Money, parse_amount
from core.dates import DateMatch, find_date, parse_date
from core.dates_zh import cn_number
from core.errors import ParseError
from core.periods import Period, parse_period
from core.pipeline import Pipeline
from core.verbs import ZH_PREFIXES, find_verb, suggest_verb

MAX_LENGTH = 4000


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
_NAME = re.compile(r"^[\w .,&'’()/+\-·]{1,100}$")
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
}
_LANGUAGES = {"en": "en", "english": "en", "英文": "en", "英语": "en",
              "zh": "zh", "chinese": "zh", "中文": "zh", "汉语": "zh", "cn": "zh"}
_ROLES = {"rep": "rep", "销售": "rep", "manager": "manager", "主管": "manager",
          "经理": "manager", "admin": "admin", "管理员": "admin"}


def parse(text: str, ctx: ParseContext) -> c.Command:
    text = _CONTROL.sub("", text).strip()
    if len(text) > MAX_LENGTH:
        raise ParseError("err.too_long", length=len(text), limit=MAX_LENGTH)
    if not text:
        return c.Help()
    verb_word, rest_at = _split_verb(text)
    verb = find_verb(_fold(verb_word))
    if verb is None:
        raise ParseError("err.unknown_verb", word=verb_word[:40], suggestion=suggest_verb(_fold(verb_word)))
    args = _Args(text, rest_at, verb.key, ctx)
    return _PARSERS[verb.key](args)


def _split_verb(text: str) -> tuple[str, int]:
    first = text.split(maxsplit=1)[0]
    if find_verb(_fold(first)) is None:
        for prefix in ZH_PREFIXES:
            if first.startswith(prefix):
                return prefix, len(prefix)
    return first, len(first)


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold()


class _Args:
    """The words after the verb, with helpers that raise ParseError naming the verb."""

    def __init__(self, text: str, start: int, verb: str, ctx: ParseContext):
        self.raw, self.start, self.verb, self.ctx = text, start, verb, ctx
        self.tokens = _tokenize(text, start, verb)

    def error(self, key: str, **params) -> ParseError:
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
        money = parse_amount(word, self.ctx.currency)
        if money is None:
            raise self.error("err.bad_amount", value=word[:40])
        return money

    def date(self, word: str) -> datetime:
        when = parse_date(word, self.ctx.now, self.ctx.timezone)
        if when is None:
            raise self.error("err.bad_date", value=word[:40])
        return when

    def name(self, word: str) -> str:
        word = " ".join(word.split())
        if not _NAME.match(word) or not any(ch.isalpha() for ch in word):
            raise self.error("err.bad_name", value=word[:40])
        return word

    def handle(self, word: str) -> str:
        m = _HANDLE.match(word if word.startswith("@") else "@" + word)
        if not m:
            raise self.error("err.bad_handle", value=word[:40])
        return m[1].lower()

    def split_options(self, allowed: set[str], tokens: list[Token] | None = None):
        """(positional tokens, {option: value}) — an unknown key:value is an error."""
        positional, options = [], {}
        for tok in self.tokens if tokens is None else tokens:
            m = _OPTION.match(tok.text) if not tok.quoted else None
            if m and m[1].casefold() in OPTION_NAMES:
                key = OPTION_NAMES[m[1].casefold()]
                if key not in allowed:
                    raise self.error("err.bad_option", option=m[1], command=self.verb)
                options[key] = m[2].strip()
            else:
                positional.append(tok)
        return positional, options


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
                end = text.find(close, i + 1)
                if end < 0:
                    raise ParseError("err.unclosed_quote", verb=verb)
                parts.append(text[i + 1 : end])
                quoted, i = quoted or i == begin, end + 1
            else:
                parts.append(text[i])
                i += 1
        word = "".join(parts)
        tokens.append(Token(word if quoted else unicodedata.normalize("NFKC", word), begin, i, quoted))
    return tokens


# -- one parser per verb ---------------------------------------------------------------------------

def _help(a: _Args) -> c.Command:
    return c.Help(a.tokens[0].text.casefold() if a.tokens else None)


def _new(a: _Args) -> c.Command:
    positional, opts = a.split_options({"stage", "close", "owner", "title"})
    owner = a.handle(opts["owner"]) if opts.get("owner") else None
    words: list[str] = []
    amount = None
    for tok in positional:
        if tok.text.startswith("@") and not tok.quoted:
            owner = a.handle(tok.text)
        elif amount is None and words and (money := parse_amount(tok.text, a.ctx.currency)):
            amount = money
        elif amount is not None:
            raise a.error("err.extra_args", text=tok.text[:40])
        else:
            words.append(tok.text)
    if not words:
        raise a.missing("customer")
    title = a.name(opts["title"]) if opts.get("title") else None
    return c.NewDeal(
        customer=a.name(" ".join(words)),
        amount=amount,
        stage=a.stage(opts["stage"]) if opts.get("stage") else None,
        close=a.date(opts["close"]) if opts.get("close") else None,
        owner=owner,
        title=title,
    )


def _show(a: _Args) -> c.Command:
    deal_id = a.deal_id()
    extra = [_WORDS.get(t.text.casefold()) for t in a.tokens[1:]]
    if extra == ["history"]:
        return c.ShowHistory(deal_id)
    if extra:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    return c.ShowDeal(deal_id)


def _history(a: _Args) -> c.Command:
    deal_id = a.deal_id()
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    return c.ShowHistory(deal_id)


def _deals(a: _Args) -> c.Command:
    positional, opts = a.split_options({"stage"})
    scope, stale = "team", False
    stage = a.stage(opts["stage"]) if opts.get("stage") else None
    for tok in positional:
        word = _WORDS.get(tok.text.casefold())
        if word in ("mine", "team", "all"):
            scope = word
        elif word == "stale":
            stale = True
        else:
            stage = a.stage(tok.text)
    return c.ListDeals(scope=scope, stage=stage, stale=stale)


def _move(a: _Args) -> c.Command:
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


def _check(a: _Args) -> c.Command:
    deal_id = a.deal_id()
    if len(a.tokens) < 2:
        raise a.missing("item")
    if len(a.tokens) > 2 or not a.tokens[1].text.isdigit() or int(a.tokens[1].text) < 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    return c.CheckDeliverable(deal_id, int(a.tokens[1].text))


def _won(a: _Args) -> c.Command:
    deal_id = a.deal_id()
    if len(a.tokens) > 2:
        raise a.error("err.extra_args", text=a.rest_after(2)[:40])
    amount = a.amount(a.tokens[1].text) if len(a.tokens) == 2 else None
    return c.WinDeal(deal_id, amount)


def _lost(a: _Args) -> c.Command:
    deal_id = a.deal_id()
    return c.LoseDeal(deal_id, a.rest_after(1))  # no reason: the bot asks for one


def _log(a: _Args) -> c.Command:
    deal_id = a.deal_id()
    text = a.rest_after(1)
    kind = "note"
    if m := _KIND_PREFIX.match(text):
        kind, text = _KINDS[m[1].casefold()], text[m.end() :].strip()
    return c.LogFollowUp(deal_id, text, kind, _future_date_in(text, a.ctx))


def _future_date_in(text: str, ctx: ParseContext) -> DateMatch | None:
    found = find_date(text, ctx.now, ctx.timezone)
    return found if found and found.when > ctx.now else None


def _task(a: _Args) -> c.Command:
    deal_id, assignee, due = None, None, None
    kept: list[Token] = []
    positional, opts = a.split_options({"due"})
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
        due = found.when
        title = _without_span(title, found) or title
    if not title:
        raise a.missing("title")
    if due is not None and due <= a.ctx.now:
        raise a.error("err.past_date", when_at=due)
    return c.AddTask(title=title[:200], deal_id=deal_id, due=due, assignee=assignee)


def _join_raw(raw: str, tokens: list[Token]) -> str:
    return " ".join(raw[t.start : t.end] for t in tokens).strip()


def _without_span(text: str, found: DateMatch) -> str:
    return " ".join((text[: found.start] + " " + text[found.end :]).split())


def _tasks(a: _Args) -> c.Command:
    if not a.tokens:
        return c.ListTasks()
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    word = a.tokens[0].text
    if _DEAL_ID.match(word):
        return c.ListTasks(scope="deal", deal_id=a.deal_id_of(word))
    scope = _WORDS.get(word.casefold())
    if scope not in ("mine", "overdue", "team"):
        raise a.error("err.extra_args", text=word[:40])
    return c.ListTasks(scope=scope)


def _done(a: _Args) -> c.Command:
    if not a.tokens:
        raise a.missing("task")
    m = _TASK_ID.match(a.tokens[0].text)
    if not m:
        raise a.error("err.bad_task_ref", value=a.tokens[0].text[:40])
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    return c.CompleteTask(int(m[1]))


def _me(a: _Args) -> c.Command:
    if not a.tokens:
        return c.ShowMe()
    what = _WORDS.get(a.tokens[0].text.casefold())
    if what == "link":
        return _link(a)
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


def _link(a: _Args) -> c.Command:
    if len(a.tokens) == 1:
        return c.StartLink()
    code = a.tokens[1].text
    if len(a.tokens) > 2 or not re.fullmatch(r"\d{8}", code):
        raise a.error("err.bad_link_code")
    return c.LinkAccount(code)


def _timezone(a: _Args, value: str) -> str:
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        raise a.error("err.bad_timezone", value=value[:40]) from None
    return value


def _team(a: _Args) -> c.Command:
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


def _member(a: _Args) -> c.Command:
    if not a.tokens:
        return c.ListMembers()
    positional, opts = a.split_options({"role", "team"})
    if len(positional) != 1:
        raise a.missing("member") if not positional else a.error(
            "err.extra_args", text=positional[1].text[:40])
    role = opts.get("role")
    if role is not None and role.casefold() not in _ROLES:
        raise a.error("err.bad_role", value=role[:40])
    return c.UpdateMember(
        handle=a.handle(positional[0].text),
        role=_ROLES[role.casefold()] if role else None,
        team=a.name(opts["team"]) if opts.get("team") else None,
    )


# -- snooze and digest ---------------------------------------------------------------------------

MAX_SNOOZE_DAYS = 30
_SNOOZE_SPAN = re.compile(
    r"^(?:for\s+)?(?P<n>[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十]{1,3}|an?)\s*(?:个)?"
    r"(?P<unit>d|days?|天|日|h|hrs?|hours?|小时|钟头|w|wks?|weeks?|周|星期|礼拜|m|mins?|minutes?|分钟)$",
    re.IGNORECASE,
)
_SPAN_UNITS = {"d": "days", "天": "days", "日": "days", "h": "hours", "小": "hours", "钟": "hours",
               "w": "weeks", "周": "weeks", "星": "weeks", "礼": "weeks", "m": "minutes", "分": "minutes"}


def _snooze(a: _Args) -> c.Command:
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


def _snooze_until(a: _Args, text: str) -> datetime:
    if m := _SNOOZE_SPAN.match(text.strip()):
        count = 1.0 if m["n"].lower() in ("a", "an") else None
        if count is None:
            count = float(m["n"]) if m["n"][0].isdigit() else cn_number(m["n"])
        unit = _SPAN_UNITS.get(m["unit"][0].lower())
        if count is not None and unit is not None:
            return a.ctx.now + timedelta(**{unit: count})
    when = parse_date(text, a.ctx.now, a.ctx.timezone)
    if when is None:
        raise a.error("err.bad_snooze", value=text[:40])
    return when


_DIGEST_WORDS = {
    "here": "here", "这里": "here", "本群": "here", "此群": "here", "这个群": "here",
    "weekly": "weekly", "week": "weekly", "每周": "weekly", "周报": "weekly",
    "daily": "daily", "day": "daily", "每日": "daily", "每天": "daily", "日报": "daily",
    "off": "off", "stop": "off", "none": "off", "关闭": "off", "取消": "off", "停止": "off",
}


def _digest(a: _Args) -> c.Command:
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


def _link_chat(a: _Args) -> c.Command:
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


def _unlink_chat(a: _Args) -> c.Command:
    if a.tokens:
        raise a.error("err.extra_args", text=a.rest_after(0)[:40])
    return c.UnlinkChat()


def _capture(a: _Args) -> c.Command:
    if not a.tokens:
        return c.ShowCapture()
    word = a.tokens[0].text.casefold()
    if word not in _CAPTURE_WORDS:
        raise a.error("err.bad_capture", value=a.tokens[0].text[:40])
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    on = _CAPTURE_WORDS[word]
    return c.ShowCapture() if on is None else c.SetCapture(on)


# -- scorecard, funnel, forecast -------------------------------------------------------------------

def _figures(a: _Args, command: type) -> c.Command:
    """`[team] [period]`: the longest tail of words that names a period is the period; the words
    before it (or `team:<name>`) name the team."""
    positional, opts = a.split_options({"team"})
    words = [tok.text for tok in positional]
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
    return command(team=a.name(team) if team else None, period=period)


def _looks_like_period(word: str) -> bool:
    return bool(re.search(r"\d", word)) and not any(ch.isalpha() and not ch.isascii() for ch in word[:1])


# -- keep, dismiss (suggested next steps), forget (privacy) ----------------------------------------

_SUGGESTION_ID = re.compile(r"^s-?(\d{1,9})$", re.IGNORECASE)


def _suggestion(a: _Args, command: type) -> c.Command:
    if not a.tokens:
        raise a.missing("suggestion")
    m = _SUGGESTION_ID.match(a.tokens[0].text)
    if not m:
        raise a.error("err.bad_suggestion_ref", value=a.tokens[0].text[:40])
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    return command(int(m[1]))


def _forget(a: _Args) -> c.Command:
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


_PARSERS: dict[str, Callable[[_Args], c.Command]] = {
    "help": _help, "new": _new, "show": _show, "history": _history, "deals": _deals,
    "move": _move, "check": _check, "won": _won, "lost": _lost, "log": _log, "task": _task,
    "tasks": _tasks, "done": _done, "me": _me, "team": _team, "member": _member,
    "snooze": _snooze, "digest": _digest,
    "link": _link_chat, "unlink": _unlink_chat, "capture": _capture,
    "keep": lambda a: _suggestion(a, c.KeepSuggestion), "dismiss": lambda a: _suggestion(a, c.DismissSuggestion),
    "forget": _forget,
    "scorecard": lambda a: _figures(a, c.ShowScorecard), "funnel": lambda a: _figures(a, c.ShowFunnel),
    "forecast": lambda a: _figures(a, c.ShowForecast),
}
