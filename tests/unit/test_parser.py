"""The command language: what each message parses to, and the errors bad input gets."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.domain.amounts import Money
from core.domain.pipeline import DEFAULT_PIPELINE
from core.language import commands as c
from core.language.errors import ParseError
from core.language.parser import MAX_LENGTH, ParseContext
from core.language.verbs import parse

NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # Wed 4 Mar 2026, 10:00 in Shanghai
CTX = ParseContext(NOW, "Asia/Shanghai", DEFAULT_PIPELINE)


def p(text):
    return parse(text, CTX)


def shanghai(*args):
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", c.Help()),
        ("help", c.Help()),
        ("帮助 move", c.Help("move")),
        ("new Acme", c.NewDeal("Acme")),
        ("new Acme Corp 50k", c.NewDeal("Acme Corp", Money(Decimal("50000"), "CNY"))),
        ("新建 华为 5万 阶段:报价", c.NewDeal("华为", Money(Decimal("50000")), stage="quote")),
        ("新建 华为 5万 阶段：报价", c.NewDeal("华为", Money(Decimal("50000")), stage="quote")),
        ('new "Big Co" $3.5k stage:demo title:"Pilot 2026"',
         c.NewDeal("Big Co", Money(Decimal("3500"), "USD"), stage="demo", title="Pilot 2026")),
        ("new Acme 1.2m owner:@Bob", c.NewDeal("Acme", Money(Decimal("1200000")), owner="bob")),
        ("new Acme @bob", c.NewDeal("Acme", owner="bob")),
        ("new Acme close:2026-03-31", c.NewDeal("Acme", close=shanghai(2026, 3, 31, 17, 0))),
        ("show D-12", c.ShowDeal(12)),
        ("查看 d12", c.ShowDeal(12)),
        ("show D-12 history", c.ShowHistory(12)),
        ("历史 D-3", c.ShowHistory(3)),
        ("deals", c.ListDeals()),
        ("deals mine stale", c.ListDeals("mine", stale=True)),
        ("商机 全部 阶段:谈判", c.ListDeals("all", stage="negotiation")),
        ("deals quote", c.ListDeals(stage="quote")),
        ("move D-12 quote", c.MoveDeal(12, "quote")),
        ("move D-12 to first contact", c.MoveDeal(12, "contact")),
        ("推进 D-12 报价", c.MoveDeal(12, "quote")),
        ("推进D-12 报价", c.MoveDeal(12, "quote")),
        ("move d-7 next", c.MoveDeal(7, c.NEXT)),
        ("推进 D-7 下一步", c.MoveDeal(7, c.NEXT)),
        ("check D-2 1", c.CheckDeliverable(2, 1)),
        ("won D-12", c.WinDeal(12)),
        ("赢单 D-12 ¥12,000", c.WinDeal(12, Money(Decimal("12000")))),
        ("lost D-12 went with a competitor", c.LoseDeal(12, "went with a competitor")),
        ("丢单 D-12 预算砍了", c.LoseDeal(12, "预算砍了")),
        ("done T-7", c.CompleteTask(7)),
        ("完成 t7", c.CompleteTask(7)),
        ("tasks", c.ListTasks()),
        ("待办 逾期", c.ListTasks("overdue")),
        ("tasks D-3", c.ListTasks("deal", 3)),
        ("me", c.ShowMe()),
        ("me lang zh", c.SetLanguage("zh")),
        ("我 语言 英文", c.SetLanguage("en")),
        ("me tz Europe/Berlin", c.SetTimezone("Europe/Berlin")),
        ("team", c.ListTeams()),
        ("team new East China tz:Asia/Shanghai lang:zh", c.CreateTeam("East China", "Asia/Shanghai", "zh")),
        ("member", c.ListMembers()),
        ("成员 @Alice 角色:主管 团队:华东", c.UpdateMember("alice", "manager", "华东")),
    ],
)
def test_parses(text, expected):
    assert p(text) == expected


def test_task_with_chinese_date_and_deal():
    cmd = p("task 发报价 D-12 下周三")
    assert cmd == c.AddTask("发报价", 12, shanghai(2026, 3, 11, 17, 0))


def test_task_due_option_and_assignee():
    cmd = p("task send quote D-3 @bob due:2026-03-10")
    assert cmd == c.AddTask("send quote", 3, shanghai(2026, 3, 10, 17, 0), "bob")


def test_log_keeps_text_and_finds_next_step():
    cmd = p("跟进 D-5 电话：客户要求下周三前发报价")
    assert (cmd.deal_id, cmd.kind, cmd.text) == (5, "call", "客户要求下周三前发报价")
    assert cmd.next_step.when == shanghai(2026, 3, 11, 17, 0)


def test_log_with_a_past_date_makes_no_next_step():
    cmd = p("log D-5 met them yesterday")
    assert cmd.next_step is None


def error_of(text) -> ParseError:
    with pytest.raises(ParseError) as info:
        p(text)
    return info.value


@pytest.mark.parametrize(
    ("text", "key", "suggestion"),
    [
        ("mvoe D-1 quote", "err.unknown_verb", "move"),
        ("推近 D-1 报价", "err.unknown_verb", "推进"),
        ("move D-1 qoute", "err.unknown_stage", "quote"),
        ("move D-1 negotation", "err.unknown_stage", "negotiation"),
        ("move D-1 报价😀", "err.unknown_stage", "quote"),
        ("move X-1 quote", "err.bad_deal_ref", None),
        ("move D-1", "err.missing_arg", None),
        ("show", "err.missing_arg", None),
        ("won D-1 lots", "err.bad_amount", None),
        ("won D-1 99999999999999999999", "err.amount_too_large", None),  # was “not an amount. Try 50000…”
        ("new Acme 9999999999999999", "err.amount_too_large", None),
        ("new Foo 1e9", "err.bad_amount", None),  # was a customer named “Foo 1e9”, without an amount
        ("won D-1 2.5E6", "err.bad_amount", None),
        ("lost", "err.missing_arg", None),
        ("new", "err.missing_arg", None),
        ("new Acme\u2060Corp", "err.bad_name", None),
        ("new " + "x" * 101, "err.name_too_long", None),
        ("new Acme close:someday", "err.bad_date", None),
        ('new "Acme', "err.unclosed_quote", None),
        ("new Acme 50k extra", "err.extra_args", None),
        ("new Acme 5k close:", "cust.empty_value", None),  # was ignored: a deal without its close
        ("new Acme stage: quote", "cust.empty_value", None),  # was a customer “Acme quote”
        ("task call them due:", "cust.empty_value", None),  # was a task without its due date
        ("任务 打电话 截止:", "cust.empty_value", None),
        ("new 5k", "err.amount_not_customer", None),  # was a customer named “5k”, without an amount
        ("新建 5万 阶段:报价", "err.amount_not_customer", None),
        ("new Acme due:tomorrow", "err.bad_option", None),
        ("done D-1", "err.bad_task_ref", None),
        ("me lang fr", "err.bad_language", None),
        ("me tz Mars/Olympus", "err.bad_timezone", None),
        ("member @bob role:boss", "err.bad_role", None),
        ("9", "err.no_button", None),  # a number with no button beside the last reply (console: click)
        ("DROP TABLE deals; --", "err.unknown_verb", None),
        ("<script>alert(1)</script>", "err.unknown_verb", None),
        ("task", "err.missing_arg", None),
        ("task call them 2020-01-01", "err.past_date", None),
        ("task call them due:13/45", "err.bad_date", None),  # was 13 Dec 2045
    ],
)
def test_bad_input_errors(text, key, suggestion):
    err = error_of(text)
    assert err.key == key
    assert err.suggestion == suggestion


def test_over_long_message():
    err = error_of("log D-1 " + "x" * MAX_LENGTH)
    assert err.key == "err.too_long"
    assert err.params == {"length": MAX_LENGTH + 8, "limit": MAX_LENGTH}


@pytest.mark.parametrize("text", ["scorecard week: last week", "health week: last week", "健康度 周：上周",
                                  "周报 周：上周", "funnel period: last month"])
def test_the_usage_lines_period_label_typed_as_shown_is_no_team(text):
    """`health [team] [week: last week]` typed as the usage shows it: `week:` was read as a team."""
    command = parse(text, CTX)
    assert command.team is None and command.period is not None


@pytest.mark.parametrize(("text", "customer", "amount"), [
    ('new "5k"', "5k", None),  # quoted: the name the README says to quote
    ("new 3M 50k", "3M", Money(Decimal(50000), "CNY")),  # the first word of a longer text is the name's
    ("new 5k Corp", "5k Corp", None),
])
def test_an_amount_shaped_word_is_a_name_only_when_more_than_the_amount(text, customer, amount):
    cmd = p(text)
    assert (cmd.customer, cmd.amount) == (customer, amount)


def test_a_slash_due_date_takes_the_time_after_it():
    """`due:3/15 10am` was due 15 March at 17:00, with “10am” left in the title."""
    cmd = p("task call them due:3/15 10am")
    assert (cmd.title, cmd.due) == ("call them", shanghai(2026, 3, 15, 10, 0))
