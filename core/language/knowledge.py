"""The words of the knowledge verbs (issue 20): `summary`, `playbook`, `faq`, `retro`, `cases`.

Their options (tags:, industry:, tag:, source:) are their own, read here, so they stay plain
words elsewhere. Free text (a playbook line, a question, an answer, a retro) is kept as typed.
"""

from __future__ import annotations

import re

from core.language import commands as c
from core.language.parser import Args, Token, fold

_OPTION = re.compile(r"^([^\W\d_][\w]*)[:：](.*)$", re.DOTALL)
_NUMBER = re.compile(r"^#?(\d{1,6})$")
_ASK = re.compile(r"^a-?(\d{1,9})$", re.IGNORECASE)
_FAQ = re.compile(r"^f-?(\d{1,9})$", re.IGNORECASE)
_DEAL_REF = re.compile(r"^(?:d-?|#)\d{1,9}$", re.IGNORECASE)

MAX_LINE = 500  # a playbook line
MAX_QUESTION = 300
MAX_ANSWER = 2000
MAX_RETRO = 2000
MAX_TAGS = 10

SECTIONS = {
    "talk": "talk", "talking": "talk", "points": "talk", "point": "talk", "话术": "talk", "要点": "talk",
    "objection": "objection", "objections": "objection", "异议": "objection", "异议处理": "objection",
    "checklist": "checklist", "check": "checklist", "清单": "checklist", "检查清单": "checklist",
    "template": "template", "templates": "template", "模板": "template", "消息模板": "template",
}
_ADD = {"add", "添加", "新增", "加"}
_REMOVE = {"remove", "delete", "删除", "去掉"}
_HISTORY = {"history", "历史", "版本", "versions"}
_GAPS = {"gaps", "gap", "缺口", "未解答"}
_UNHELPFUL = {"unhelpful", "nothelpful", "没帮助", "无帮助", "没用"}
FAQ_OPTIONS = {"tags": "tags", "tag": "tags", "标签": "tags"}
CASE_OPTIONS = {"industry": "industry", "行业": "industry", "tag": "tag", "tags": "tag", "标签": "tag",
                "source": "source", "来源": "source"}


def read_summary(a: Args) -> c.Command:
    deal_id = a.deal_id()
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    return c.ShowSummary(deal_id)


def read_playbook(a: Args) -> c.Command:
    """`playbook [stage] [section] [add "…" | remove <n> | history]`."""
    tokens = a.tokens
    if not tokens:
        return c.ShowPlaybook()
    stage = a.stage(tokens[0].text)
    rest = tokens[1:]
    section = "talk"
    if rest and not rest[0].quoted and fold(rest[0].text) in SECTIONS:
        section, rest = SECTIONS[fold(rest[0].text)], rest[1:]
        if not rest:
            raise a.error("kb.playbook_what", stage=tokens[0].text[:40])
    if not rest:
        return c.ShowPlaybook(stage)
    word = fold(rest[0].text) if not rest[0].quoted else ""
    if word in _HISTORY and len(rest) == 1:
        return c.PlaybookHistory(stage)
    if word in _REMOVE:
        number = _NUMBER.match(rest[1].text) if len(rest) == 2 else None
        if number is None or int(number[1]) == 0:
            raise a.error("kb.playbook_remove_number")
        return c.EditPlaybook(stage, "remove", section, number=int(number[1]))
    if word in _ADD:
        text = _text_after(a, rest[0]) if len(rest) > 1 else ""
        if not text:
            raise a.missing("playbook_line")
        if len(text) > MAX_LINE:
            raise a.error("kb.too_long", limit=MAX_LINE)
        return c.EditPlaybook(stage, "add", section, text=text)
    raise a.error("kb.playbook_what", stage=tokens[0].text[:40])


def read_faq(a: Args) -> c.Command:
    """`faq add "q" "a" [tags:…]`, `faq remove F-3`, `faq gaps`, `faq unhelpful A-7`, `faq <words>`."""
    tokens = a.tokens
    if not tokens:
        raise a.missing("faq_words")
    word = fold(tokens[0].text) if not tokens[0].quoted else ""
    if word in _ADD:
        return _read_faq_add(a, tokens[1:])
    # `faq remove` and `faq unhelpful` without a right number are refused, not searched for (a
    # search would also keep "remove" among the FAQ's gaps); a search for the word: faq "remove"
    if word in _REMOVE:
        if len(tokens) != 2 or not _FAQ.match(tokens[1].text):
            raise a.error("kb.faq_remove_which")
        return c.RemoveFaq(int(_FAQ.match(tokens[1].text)[1]))  # type: ignore[index]
    if word in _GAPS and len(tokens) == 1:
        return c.FaqGaps()
    if word in _UNHELPFUL:
        if len(tokens) != 2 or not _ASK.match(tokens[1].text):
            raise a.error("kb.faq_unhelpful_which")
        return c.FaqFeedback(int(_ASK.match(tokens[1].text)[1]))  # type: ignore[index]
    words = a.rest_after(0)
    if len(words) > MAX_QUESTION:
        raise a.error("kb.too_long", limit=MAX_QUESTION)
    return c.AskFaq(" ".join(words.split()))


def _read_faq_add(a: Args, tokens: list[Token]) -> c.Command:
    texts: list[str] = []
    tags: list[str] = []
    for tok in tokens:
        option = None if tok.quoted else _OPTION.match(tok.text)
        if option is not None and option[1].casefold() in FAQ_OPTIONS:
            tags += [tag.strip() for tag in re.split(r"[,，、]", option[2]) if tag.strip()]
        elif tok.quoted:
            texts.append(" ".join(tok.text.split()))
        else:
            raise a.error("kb.faq_add_quotes")
    if len(texts) != 2 or not all(texts):
        raise a.error("kb.faq_add_quotes")
    question, answer = texts
    if len(question) > MAX_QUESTION or len(answer) > MAX_ANSWER:
        raise a.error("kb.too_long", limit=MAX_QUESTION if len(question) > MAX_QUESTION else MAX_ANSWER)
    if len(tags) > MAX_TAGS:
        raise a.error("kb.too_many_tags", limit=MAX_TAGS)
    return c.AddFaq(question, answer, tuple(dict.fromkeys(a.name(tag) for tag in tags)))


def read_retro(a: Args) -> c.Command:
    deal_id = a.deal_id()
    text = _text_after(a, a.tokens[0]) if len(a.tokens) > 1 else ""
    if len(text) > MAX_RETRO:
        raise a.error("kb.too_long", limit=MAX_RETRO)
    return c.AddRetro(deal_id, text)


def read_cases(a: Args) -> c.Command:
    if a.tokens and not a.tokens[0].quoted and _DEAL_REF.match(a.tokens[0].text):
        if len(a.tokens) > 1:
            raise a.error("err.extra_args", text=a.rest_after(1)[:40])
        return c.FindCases(like=a.deal_id())
    words: list[str] = []
    options: dict[str, str] = {}
    for tok in a.tokens:
        option = None if tok.quoted else _OPTION.match(tok.text)
        key = CASE_OPTIONS.get(option[1].casefold()) if option else None
        if option is not None and key is None:
            raise a.error("err.bad_option", option=option[1], command=a.verb)
        if key is not None and option is not None:
            value = " ".join(option[2].split())
            if not value:
                raise a.error("err.bad_option", option=option[1], command=a.verb)
            options[key] = a.name(value)
        else:
            words.append(tok.text)
    text = " ".join(words)
    if len(text) > MAX_QUESTION:
        raise a.error("kb.too_long", limit=MAX_QUESTION)
    return c.FindCases(text, options.get("industry"), options.get("tag"), options.get("source"))


def _text_after(a: Args, token: Token) -> str:
    """The raw text after `token`, as typed: one quoted piece loses its quotes."""
    rest = a.raw[token.end:].strip()
    following = [tok for tok in a.tokens if tok.start >= token.end]
    if len(following) == 1 and following[0].quoted:
        return " ".join(following[0].text.split())
    return " ".join(rest.split())


_DONE = {"done", "read", "ok", "完成", "已读", "好的"}


def read_onboard(a: Args) -> c.Command:
    """`onboard`, `onboard @newrep`, `onboard done <n>`."""
    tokens = a.tokens
    if not tokens:
        return c.ShowOnboarding()
    if fold(tokens[0].text) in _DONE:
        number = _NUMBER.match(tokens[1].text) if len(tokens) == 2 else None
        if number is None or int(number[1]) == 0:
            raise a.error("kb.onboard_lesson")
        return c.OnboardingDone(int(number[1]))
    if len(tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    return c.StartOnboarding(a.handle(tokens[0].text))
