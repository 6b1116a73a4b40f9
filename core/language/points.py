"""The words of `points`, `leaderboard` (积分, 排行榜) and `review` (过单): their sub-commands in
both languages, read into commands (core.language.commands)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from core.language import commands as c
from core.language.parser import Args, _figures, fold
from core.language.periods import parse_period

MAX_AWARD = 1000
MAX_RULE_POINTS = 100
RULE_WORDS = {
    "daily": "daily_update", "daily-update": "daily_update", "daily_update": "daily_update", "update": "daily_update",
    "日报": "daily_update", "每日更新": "daily_update",
    "follow-up": "follow_up", "followup": "follow_up", "follow_up": "follow_up", "log": "follow_up",
    "跟进": "follow_up",
    "deliverable": "deliverable", "check": "deliverable", "输出物": "deliverable", "阶段输出物": "deliverable",
    "task": "task_on_time", "task-on-time": "task_on_time", "task_on_time": "task_on_time", "任务": "task_on_time",
    "按时完成": "task_on_time",
    "next-step": "next_step", "next_step": "next_step", "nextstep": "next_step", "keep": "next_step",
    "下一步": "next_step",
    "first-contact": "first_contact", "first_contact": "first_contact", "first": "first_contact",
    "首次联系": "first_contact", "首次跟进": "first_contact",
}
_AWARD = {"award", "give", "bonus", "奖励", "奖励积分", "加分"}
_RULES = {"rules", "rule", "规则", "积分规则"}
_OFF = {"off", "disable", "关闭", "停用"}
_ON = {"on", "enable", "开启", "启用"}
_CAP = {"cap", "上限", "每日上限"}

ANSWER_WORDS = {
    "commit": "commit", "committed": "commit", "承诺": "commit", "确定": "commit",
    "best": "best_case", "best-case": "best_case", "best_case": "best_case", "bestcase": "best_case",
    "最佳": "best_case", "最佳情况": "best_case", "可能": "best_case",
    "pipeline": "pipeline", "管道": "pipeline", "跟进中": "pipeline",
    "lost": "lost", "丢单": "lost", "输单": "lost",
    "slip": "slip", "延期": "slip", "推迟": "slip",
    "skip": "skip", "next": "skip", "跳过": "skip", "下一个": "skip",
}
CLOSING_WORDS = {"closing", "本期", "本月成交", "closing-this-period"}


def read_points(a: Args) -> c.Command:
    """`points [@user] [period]`, `points award @user <n> <reason>`, `points rules`,
    `points rule <rule> <n> [cap:<n>]`, `points on|off`."""
    tokens = a.tokens
    first = fold(tokens[0].text) if tokens and not tokens[0].quoted else ""
    if first in _AWARD:
        if len(tokens) < 2 or not tokens[1].text.startswith("@"):
            raise a.missing("handle")
        if len(tokens) < 3:
            raise a.missing("points")
        points = a.count(tokens[2].text, "award", least=-MAX_AWARD, most=MAX_AWARD)
        if points == 0:
            raise a.error("err.points_award_zero", most=MAX_AWARD)
        reason = a.rest_after(3).strip().strip("\"“”'")
        if not reason:
            raise a.missing("award_reason")
        return c.AwardPoints(handle=a.handle(tokens[1].text), points=points, reason=reason[:200])
    if first in _RULES:
        if len(tokens) == 1:
            return c.ShowPointRules()
        rule = RULE_WORDS.get(fold(tokens[1].text))
        if rule is None:
            raise a.error("err.points_rule", value=tokens[1].text[:40])
        rest = tokens[2:]
        if not rest:
            raise a.missing("points")
        points = a.count(rest[0].text, "rule_points", least=0, most=MAX_RULE_POINTS)
        cap = None
        words = [tok.text for tok in rest[1:]]
        if words:
            joined = " ".join(words).replace("：", ":")
            name, _, value = joined.partition(":")
            if not value and len(words) == 2:
                name, value = words
            if fold(name.strip()) not in _CAP or not value.strip():
                raise a.error("err.points_cap", value=joined[:40])
            # A cap of 0 would silently stop the rule (or be read as "no cap"): the way to turn a
            # rule off is 0 points, and the reply says so.
            if value.strip() == "0":
                raise a.error("err.points_cap_zero", rule=tokens[1].text[:40])
            cap = a.count(value.strip(), "points_cap", least=1, most=MAX_RULE_POINTS)
        return c.SetPointRule(rule=rule, points=points, cap=cap)
    if first in _OFF or first in _ON:
        if len(tokens) > 1:
            raise a.error("err.points_extra", value=a.rest_after(1)[:40])
        return c.SwitchPoints(on=first in _ON)
    handle = None
    rest = tokens
    if tokens and tokens[0].text.startswith("@"):
        handle, rest = a.handle(tokens[0].text), tokens[1:]
    period = None
    if rest:
        said = " ".join(tok.text for tok in rest)
        period = parse_period(said, a.ctx.now.astimezone(ZoneInfo(a.ctx.timezone)).date())
        if period is None:
            raise a.error("err.bad_period", value=said[:40])
    return c.ShowPoints(handle=handle, period=period)


def read_leaderboard(a: Args) -> c.Command:
    return _figures(a, c.ShowLeaderboard)


_DEAL_LIKE = re.compile(r"^(?:d-?|#)\d+$", re.IGNORECASE)  # a deal id, however many digits


def read_review(a: Args) -> c.Command:
    """`review [team] [closing]`, or the answer on a card: `review D-12 <answer> [date] [closing]`."""
    tokens = a.tokens
    words = [tok.text for tok in tokens]
    closing = bool(words) and fold(words[-1]) in CLOSING_WORDS and not tokens[-1].quoted
    if closing:
        words = words[:-1]
    if words and _DEAL_LIKE.match(words[0]):  # deal_id_of refuses one too long for any deal
        deal_id = a.deal_id_of(words[0])
        if len(words) < 2:
            raise a.missing("answer")
        answer = ANSWER_WORDS.get(fold(words[1]))
        if answer is None:
            raise a.error("err.review_answer", value=words[1][:40])
        close = None
        if answer == "slip":
            said = " ".join(words[2:])
            if not said:
                raise a.missing("slip_date")
            close = a.date(said)
        elif len(words) > 2:
            raise a.error("err.review_extra", value=" ".join(words[2:])[:40])
        return c.CallDeal(deal_id=deal_id, answer=answer, close=close, closing=closing)
    team = " ".join(words) if words else None
    return c.StartReview(team=a.name(team) if team else None, closing=closing)
