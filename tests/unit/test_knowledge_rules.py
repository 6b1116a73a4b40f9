"""The pure rules of knowledge: a deal's stage path and commitments (core.knowledge.summary), the
FAQ ranking on a small labelled set (core.knowledge.faq), and the readers of the knowledge verbs
(core.language.knowledge): good words read, bad ones get one clear error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.domain.model import Interaction, StageChange, Task
from core.domain.pipeline import DEFAULT_PIPELINE
from core.knowledge import faq as kb
from core.knowledge import summary as sm
from core.knowledge.records import FaqEntry
from core.language import commands as c
from core.language.errors import ParseError
from core.language.parser import ParseContext
from core.language.verbs import parse

NOW = datetime(2026, 3, 12, 2, tzinfo=UTC)  # Thu 12 Mar 10:00 Shanghai
TZ = "Asia/Shanghai"


def _at(days: float) -> datetime:
    return NOW - timedelta(days=days)


# -- summary ---------------------------------------------------------------------------------------

def test_the_stage_path_counts_whole_days_and_ends_at_the_close_or_now():
    changes = [StageChange(1, None, "lead", _at(10), 1, id=1), StageChange(1, "lead", "demo", _at(7.5), 1, id=2),
               StageChange(1, "demo", "quote", _at(2), 1, id=3)]
    stays = sm.stage_path(changes, NOW, None)
    assert [(s.stage, s.days, s.current) for s in stays] == [("lead", 2, False), ("demo", 5, False),
                                                             ("quote", 2, True)]
    closed = sm.stage_path([*changes, StageChange(1, "quote", "won", _at(1), 1, id=4)], NOW, _at(1))
    assert [(s.stage, s.days, s.current) for s in closed][-2:] == [("quote", 1, False), ("won", 0, False)]


def _task(task_id: int, title: str, created: datetime, due: datetime, done: datetime | None = None,
          cancelled: bool = False) -> Task:
    task = Task(title, 1, 1, created, due_at=due, deal_id=1, done_at=done, id=task_id)
    if cancelled:
        task.cancel(done or NOW)
    return task


def test_a_promise_is_kept_as_its_task_says():
    due = _at(1)
    assert sm.task_status(_task(1, "x", _at(5), due, done=due + timedelta(hours=3)), NOW) == sm.KEPT
    assert sm.task_status(_task(1, "x", _at(5), due, done=due + timedelta(hours=13)), NOW) == sm.KEPT_LATE
    assert sm.task_status(_task(1, "x", _at(5), due, done=_at(0.5), cancelled=True), NOW) == sm.CANCELLED
    assert sm.task_status(_task(1, "x", _at(5), due), NOW) == sm.OVERDUE
    assert sm.task_status(_task(1, "x", _at(5), NOW + timedelta(days=1)), NOW) == sm.OPEN


def test_commitments_come_from_follow_ups_that_made_tasks_and_dated_promises_in_chat():
    said = _at(6)  # Fri 6 Mar 10:00
    logged = Interaction(1, "call: they want the quote; I'll send it Monday", said, kind="call", deal_id=1,
                         author_id=7, id=1)
    note = Interaction(1, "met the CFO", said, kind="note", deal_id=1, author_id=7, id=2)  # no task: no promise
    theirs = Interaction(1, "我们下周三前确认预算", said + timedelta(hours=1), kind="message", deal_id=1,
                         author_kind="contact", author_name="王经理", id=3)
    chatter = Interaction(1, "thanks!", said + timedelta(hours=2), kind="message", deal_id=1, author_id=7, id=4)
    ours = Interaction(1, "I'll send the contract by Friday", said + timedelta(hours=3), kind="message",
                       deal_id=1, author_id=7, id=5)
    from_log = _task(1, logged.text, said, _at(3), done=_at(3.2))
    kept_suggestion = _task(2, "I'll send the contract by Friday", _at(5), datetime(2026, 3, 6, 9, tzinfo=UTC))
    found = sm.commitments([ours, chatter, theirs, note, logged], [from_log, kept_suggestion], NOW, TZ)
    assert [(p.what, p.status, p.task_id, p.ours) for p in found] == [
        (logged.text, sm.KEPT, 1, True),
        ("我们下周三前确认预算", sm.PAST_DUE, None, False),  # Wed 11 Mar, and no task
        ("I'll send the contract by Friday", sm.OVERDUE, 2, True)]  # that Friday 17:00, not done
    assert found[1].contact == "王经理" and found[1].due.astimezone(UTC).date().isoformat() == "2026-03-11"
    assert sm.last_customer_message([ours, chatter, theirs]) is theirs


# -- the FAQ: a small labelled set -------------------------------------------------------------------

ENTRIES = [
    FaqEntry(1, "报价可以打折吗？", "超过 10 万可申请 5% 折扣，需主管审批", NOW, ["报价", "折扣"], id=1),
    FaqEntry(1, "Can we invoice monthly?", "Yes, for contracts over 50k a year.", NOW, ["billing"], id=2),
    FaqEntry(1, "合同模板在哪里", "共享盘 /合同/模板", NOW, [], id=3),
    FaqEntry(1, "How long is the free trial?", "30 days, extendable once by a manager", NOW, ["trial", "试用"], id=4),
    FaqEntry(1, "发票什么时候开？", "收到款项后 3 个工作日内开具增值税专用发票", NOW, ["开票", "billing"], id=5),
    FaqEntry(1, "Who approves a discount above 10%?", "The sales director; ask in #deal-desk", NOW, ["discount"],
             id=6),
]
# (words asked, the entry that should answer first, or None: no good answer)
LABELLED = [
    ("打折", 1), ("报价 折扣", 1), ("baojia", 1), ("bao jia", 1), ("zhekou", 1),
    ("invoice monthly", 2), ("monthly invoicing", 2), ("Invoices", 2),
    ("合同模板", 3), ("hetong", 3), ("hetong muban", 3),
    ("trial", 4), ("free trial length", 4), ("试用", 4),
    ("发票", 5), ("fapiao", 5), ("开票", 5),
    ("discount approval", 6), ("who approves discounts", 6),
    ("weather", None), ("天气怎么样", None), ("", None), ("the a an", None),
]


@pytest.mark.parametrize(("words", "best"), LABELLED, ids=[w or "empty" for w, _ in LABELLED])
def test_the_faq_answers_as_labelled(words, best):
    ranked = kb.rank(ENTRIES, words)
    top = ranked[0] if ranked and ranked[0].score >= kb.GOOD else None
    assert (top.entry.id if top else None) == best, [(r.entry.id, r.score, r.matched) for r in ranked]


def test_the_ranking_says_what_matched_and_does_not_depend_on_the_order_stored():
    first = kb.rank(ENTRIES, "报价 折扣")
    assert first == kb.rank(list(reversed(ENTRIES)), "报价 折扣")
    assert "报价" in first[0].matched and 0 < first[0].score <= 100


# -- the readers --------------------------------------------------------------------------------------

CTX = ParseContext(NOW, TZ, DEFAULT_PIPELINE)


@pytest.mark.parametrize(("text", "command"), [
    ("summary D-12", c.ShowSummary(12)),
    ("总结D-3", c.ShowSummary(3)),
    ("playbook", c.ShowPlaybook()),
    ("话术 报价", c.ShowPlaybook("quote")),
    ('playbook quote add "Lead with ROI"', c.EditPlaybook("quote", "add", "talk", text="Lead with ROI")),
    ("playbook quote add lead with the ROI sheet", c.EditPlaybook("quote", "add", "talk",
                                                                  text="lead with the ROI sheet")),
    ('话术 报价 模板 添加 "您好，报价单已发送"', c.EditPlaybook("quote", "add", "template", text="您好，报价单已发送")),
    ("playbook demo checklist remove 2", c.EditPlaybook("demo", "remove", "checklist", number=2)),
    ("话术 报价 历史", c.PlaybookHistory("quote")),
    ("faq 报价  折扣", c.AskFaq("报价 折扣")),
    ('faq add "Q?" "A." tags:a,b，c', c.AddFaq("Q?", "A.", ("a", "b", "c"))),
    ("问答 删除 F-2", c.RemoveFaq(2)),
    ("faq gaps", c.FaqGaps()),
    ("问答 没帮助 A-7", c.FaqFeedback(7)),
    ("faq \"remove\"", c.AskFaq("\"remove\"")),  # quoted: the word to look for (alone: refused, below)
    ('retro D-4 "why we won"', c.AddRetro(4, "why we won")),
    ("复盘 D-4 价格太高，决策人换了", c.AddRetro(4, "价格太高，决策人换了")),
    ("retro D-4", c.AddRetro(4)),
    ("cases", c.FindCases()),
    ("案例 储能 行业:能源 标签:重点 来源:展会", c.FindCases("储能", "能源", "重点", "展会")),
])
def test_the_knowledge_verbs_read(text, command):
    assert parse(text, CTX) == command


@pytest.mark.parametrize(("text", "key"), [
    ("summary", "err.missing_arg"),
    ("summary D-1 now", "err.extra_args"),
    ("playbook nowhere", "err.unknown_stage"),
    ("playbook quote add", "err.missing_arg"),
    ("playbook quote talk", "kb.playbook_what"),
    ("playbook quote remove", "kb.playbook_remove_number"),
    ("playbook quote remove two", "kb.playbook_remove_number"),
    ("playbook quote remove 0", "kb.playbook_remove_number"),
    ("playbook quote sing", "kb.playbook_what"),
    ('playbook quote add "' + "x" * 501 + '"', "kb.too_long"),
    ("faq", "err.missing_arg"),
    ('faq add "only a question"', "kb.faq_add_quotes"),
    ('faq add question "answer"', "kb.faq_add_quotes"),
    ('faq add "q" "a" tags:' + ",".join("t" * 1 + str(i) for i in range(11)), "kb.too_many_tags"),
    ("retro", "err.missing_arg"),
    ("retro Acme great", "err.bad_deal_ref"),
    ("cases size:big", "err.bad_option"),
    ("cases industry:", "err.bad_option"),
])
def test_bad_words_get_one_clear_error(text, key):
    with pytest.raises(ParseError) as raised:
        parse(text, CTX)
    assert raised.value.key == key


def test_pinyin_spells_every_reading_up_to_four_characters_two_in_answers():
    found = kb.features("行业绿色；另一句报价")
    assert {"hangye", "xingye", "lvse", "luse", "baojia", "lingyiju"} <= found.pinyin
    assert "hetongmuban" in kb.features("合同模板").pinyin
    assert "hetongmuban" not in kb.features("合同模板", kb.ANSWER_SYLLABLES).pinyin
    assert "muban" in kb.features("合同模板", kb.ANSWER_SYLLABLES).pinyin


def test_lessons_go_out_on_working_days_at_the_start_of_working_hours():
    from core.domain.worktime import WorkSettings
    from core.services.onboarding import lesson_days

    settings = WorkSettings(timezone=TZ)
    friday_evening = datetime(2026, 3, 6, 11, tzinfo=UTC)  # Fri 19:00 Shanghai: after working hours
    days = lesson_days(settings, friday_evening, 3)
    assert [d.astimezone(settings.zone).strftime("%a %d %H:%M") for d in days] == \
        ["Mon 09 09:00", "Tue 10 09:00", "Wed 11 09:00"]
    early = datetime(2026, 3, 9, 0, tzinfo=UTC)  # Mon 08:00: today, when working hours begin
    assert lesson_days(settings, early, 1)[0].astimezone(settings.zone).strftime("%a %H:%M") == "Mon 09:00"
    during = datetime(2026, 3, 9, 3, tzinfo=UTC)  # Mon 11:00: at once
    assert lesson_days(settings, during, 1) == [during]


@pytest.mark.parametrize("text, key", [("faq remove", "kb.faq_remove_which"), ("faq remove 3x", "kb.faq_remove_which"),
                                       ("问答 删除", "kb.faq_remove_which"), ("faq unhelpful", "kb.faq_unhelpful_which")])
def test_faq_remove_or_unhelpful_without_a_number_is_refused_not_searched(text, key):
    """`faq remove` alone was a search for "remove", and kept it among the FAQ's gaps."""
    from core.language.errors import UserError

    with pytest.raises(UserError) as refused:
        parse(text, CTX)
    assert refused.value.key == key
