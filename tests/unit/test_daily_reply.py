"""Reading answers to the daily card (core.performance.daily_reply): the labelled replies of
tests/data/daily_replies.tsv hold the bar on the held-back validation split, and the rules that
keep precision first hold on their own."""

from __future__ import annotations

import pytest

from core.domain.pipeline import DEFAULT_PIPELINE
from core.performance.daily_reply import OpenDeal, read_update
from tests.daily_replies_labelled import DEALS, KINDS, NOW, TZ, rows, score


def _read(text: str, deals=DEALS):
    return read_update(text, deals, DEFAULT_PIPELINE, NOW, TZ)


def test_the_validation_split_holds_the_bar():
    held_back = rows("validation")
    assert len(held_back) >= 40 and len(rows()) >= 150
    result = score(held_back)
    print("\nvalidation: " + ", ".join(f"{k} P {result.precision(k):.2f} R {result.recall(k):.2f}" for k in KINDS))
    assert result.precision("move") >= 0.95
    assert result.precision() >= 0.9
    assert result.recall() >= 0.8, result.misses


def test_the_issue_example_gives_a_follow_up_a_task_and_a_move():
    reading = _read("Acme 同意下周二演示，华为报价已发，Gamma 没进展")
    got = {p.deal_id: (p.text, p.due and p.due.when.date().isoformat(), p.move_to) for p in reading.proposals}
    assert got == {1: ("Acme 同意下周二演示", "2026-03-10", "demo"), 2: ("华为报价已发", None, "quote"),
                   3: ("Gamma 没进展", None, None)}
    assert reading.proposals[0].move_words == "演示 + 同意" and reading.proposals[0].due_words == "下周二"


@pytest.mark.parametrize("text", [
    "华为报价还没发",  # negated
    "Huawei quote not sent yet",
    "明天给华为发报价",  # planned only: a task, no move
    "will send Huawei the quote by Friday",
    "腾讯周五前确认签约时间",  # signing ahead is no win
    "Tencent signs next Tuesday",
    "Gamma 的演示推迟了",  # postponed
])
def test_no_move_without_the_work_done(text):
    assert all(p.move_to is None for p in _read(text).proposals)


def test_a_move_goes_forward_only():
    assert _read("Beta Corp 报价已发").proposals[0].move_to is None  # D-4 is at Quote already
    assert _read("Initech demo done").proposals[0].move_to is None  # D-6 is at Demo


def test_today_is_a_report_and_a_later_day_a_task():
    assert _read("visited Acme today").proposals[0].due is None
    assert _read("visit Acme tomorrow").proposals[0].due.when.date().isoformat() == "2026-03-05"


def test_a_clause_naming_several_deals_gives_each_a_follow_up_only():
    reading = _read("Acme and Huawei both want a demo next week, quotes sent")
    assert {p.deal_id for p in reading.proposals} == {1, 2}
    assert all(p.due is None and p.move_to is None for p in reading.proposals)


def test_a_clause_without_a_name_continues_the_one_before():
    (acme,) = _read("Acme asked for the spec sheet, sending it tomorrow").proposals
    assert acme.text == "Acme asked for the spec sheet, sending it tomorrow"
    assert acme.due.when.date().isoformat() == "2026-03-05"


def test_a_name_shared_by_two_deals_names_neither():
    deals = (*DEALS, OpenDeal(7, "lead", "Acme", (), "Acme phase 2"))
    reading = _read("Acme 报价已发", deals)
    assert reading.proposals == [] and reading.ambiguous == ["acme"]
    assert [p.deal_id for p in _read("D-7 报价已发", deals).proposals] == [7]  # the number decides


def test_words_that_name_no_deal_are_left_out():
    reading = _read("Zeta 报价已发，今天开了三个会")
    assert reading.proposals == [] and reading.unmatched == ["Zeta 报价已发", "今天开了三个会"]


def test_names_match_whole_latin_words_and_chinese_anywhere():
    assert _read("Acmeville called").proposals == []  # not Acme
    assert [p.deal_id for p in _read("和华为技术开会了").proposals] == [2]
    assert [p.deal_id for p in _read("Tony 说下周签").proposals] == [5]  # a contact
    assert [p.deal_id for p in _read("Huawei liked the demo").proposals] == [2]  # the title's proper name


def test_a_clause_naming_someone_unknown_does_not_carry_the_deal_before():
    # the rep's Huawei deal is known only as 华为: "sent Huawei the quote" is not about Acme
    deals = (OpenDeal(1, "demo", "Acme"), OpenDeal(2, "demo", "华为"))
    reading = _read("Acme agreed to a demo next Tuesday, sent Huawei the quote", deals)
    assert [(p.deal_id, p.move_to) for p in reading.proposals] == [(1, None)]
    assert reading.unmatched == ["sent Huawei the quote"]
    # a weekday or a month is no name: the clause still carries the deal on
    (acme,) = _read("Acme asked for the spec sheet, sending it Thursday", deals).proposals
    assert acme.due is not None


def test_a_chinese_company_is_named_without_its_registered_endings():
    deals = (OpenDeal(1, "lead", "Acme"), OpenDeal(2, "demo", "华为技术有限公司"))
    reading = _read("Acme 同意下周二演示，华为报价已发", deals)
    assert [(p.deal_id, p.move_to) for p in reading.proposals] == [(1, "demo"), (2, "quote")]


def test_a_clause_that_names_no_deal_moves_none_by_its_own_words():
    # 华新 is the rep's customer, 华为 is not: "华为报价已发" must not move Acme to Quote
    deals = (OpenDeal(1, "lead", "Acme"), OpenDeal(2, "demo", "华新"))
    (acme,) = _read("Acme 同意下周二演示，华为报价已发", deals).proposals
    assert (acme.deal_id, acme.move_to) == (1, "demo")
