"""Next-step detection (core.conversations.nextsteps) on a table of real-looking chat messages.

Every row says what a careful reader would expect: the due date of the commitment the message
makes (the reference moment is Wed 4 Mar 2026 10:00 in Shanghai; a day without a time is due
at 17:00), or None when the message should suggest nothing. The table is the ground truth, not
a description of what the rules happen to do: rows the rules get wrong stay in and count
against precision or recall, which the test prints.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.conversations.nextsteps import RULES, commitment_rule, detect

TZ = "Asia/Shanghai"
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo(TZ))  # a Wednesday

# (message, expected due "YYYY-MM-DD HH:MM" or None)
TABLE: list[tuple[str, str | None]] = [
    # -- commitments with a date, English --------------------------------------------------------
    ("I'll send the revised quote by Friday.", "2026-03-06 17:00"),
    ("We will get back to you by Monday with the pricing.", "2026-03-09 17:00"),
    ("Let me check with legal and revert by tomorrow.", "2026-03-05 17:00"),
    ("Will send the contract tomorrow morning", "2026-03-05 09:00"),
    ("I'm going to call you at 3pm tomorrow to walk through the proposal.", "2026-03-05 15:00"),
    ("Thanks Li Wei! I'll have the updated deck ready by end of week.", "2026-03-06 17:00"),
    ("We'll ship the pilot units next Tuesday.", "2026-03-10 17:00"),
    ("You'll have the signed PO before March 20.", "2026-03-20 17:00"),
    ("Our team will get back to you by Thursday.", "2026-03-05 17:00"),
    ("I can send the security questionnaire answers by Friday, does that work for you?", "2026-03-06 17:00"),
    ("Let's meet next Wednesday at 2pm to review the contract.", "2026-03-11 14:00"),
    ("I'm sending the invoice tomorrow.", "2026-03-05 17:00"),
    ("Sure, I'll set up the demo environment in 3 days.", "2026-03-07 17:00"),
    ("Following up on Monday's call, I'll send the quote by Friday.", "2026-03-06 17:00"),
    ("We plan to sign the contract on March 15.", "2026-03-15 17:00"),
    ("Will confirm the delivery date with the factory by Thursday.", "2026-03-05 17:00"),
    ("I'll circle back with the legal redlines early next week", "2026-03-09 17:00"),
    ("Quick update: pricing approved internally 🎉 we'll send the contract over tmr", "2026-03-05 17:00"),
    ("If the PO arrives by Friday, we'll ship next week.", "2026-03-09 17:00"),
    ("I'll be there at 3pm tomorrow.", "2026-03-05 15:00"),
    ("Ok, I'll call you at 4PM to go through the numbers", "2026-03-04 16:00"),
    ("I'll send the revised SOW by Friday, ok?", "2026-03-06 17:00"),
    ("I'll think about it and let you know next week.", "2026-03-09 17:00"),
    ("We're flying to Shenzhen on March 12 to meet the procurement team", "2026-03-12 17:00"),
    # -- commitments with a date, Chinese and mixed ----------------------------------------------
    ("我会在周五前把修改后的报价发给你", "2026-03-06 17:00"),
    ("好的，下周三前给报价", "2026-03-11 17:00"),
    ("明天发合同", "2026-03-05 17:00"),
    ("我来安排，明天下午3点和你们技术开个会", "2026-03-05 15:00"),
    ("我们这边下周一前出方案", "2026-03-09 17:00"),
    ("回头我整理一下，周四给你", "2026-03-05 17:00"),
    ("我们会尽快，最晚月底前签合同", "2026-03-31 17:00"),
    ("收到，我明天上午把资料发您", "2026-03-05 09:00"),
    ("下周二我们过去拜访，顺便演示新版本", "2026-03-10 17:00"),
    ("我这边3月10号之前把合同盖章寄回", "2026-03-10 17:00"),
    ("OK，我明天把quote发给你", "2026-03-05 17:00"),
    ("我们周五之前会把POC报告发过去", "2026-03-06 17:00"),
    ("I'll send the 报价 by 下周一", "2026-03-09 17:00"),
    ("没问题，我们下周五之前给到正式报价", "2026-03-13 17:00"),
    ("我争取本周五前把测试账号开好", "2026-03-06 17:00"),
    ("我们会在3天后安排工程师上门", "2026-03-07 17:00"),
    ("明天下午我给您打电话确认细节", "2026-03-05 14:00"),
    ("那我们下周三上午10点开会过一下合同", "2026-03-11 10:00"),
    ("好的 我们下午3点准时上线", "2026-03-04 15:00"),
    ("我明天发给你，可以吗？", "2026-03-05 17:00"),
    ("张总，合同我们周五前寄出，请查收", "2026-03-06 17:00"),
    ("我们下周一安排培训，大概两个小时", "2026-03-09 17:00"),
    # -- written after the rules, and left as they came out ------------------------------------
    ("Noted with thanks. Our engineer will visit your site on 18 March.", "2026-03-18 17:00"),
    ("Signed copy of the contract to follow by Friday", "2026-03-06 17:00"),
    ("We'd be happy to arrange a site visit next Thursday.", "2026-03-12 17:00"),
    ("Do you think we'll be able to close by end of month?", None),
    ("I'll need the signed NDA before Friday", None),
    ("我们预计下个月初完成部署", "2026-04-01 17:00"),
    ("Reminder: the demo is tomorrow at 10am", None),
    ("I'll send you the invoice on the 15th", "2026-03-15 17:00"),
    ("晚点我把会议纪要发群里，下周一前大家确认一下", None),
    ("Can do Friday 3pm for the call, I'll send an invite", "2026-03-06 15:00"),
    ("收到！明早九点前回复您", "2026-03-05 09:00"),
    # -- commitments without a date ----------------------------------------------------------------
    ("I'll send it over.", None),
    ("我们会尽快给您回复", None),
    ("Let me check with my manager and get back to you.", None),
    ("我来安排", None),
    ("We will prepare the proposal.", None),
    ("I'll loop in our solutions engineer.", None),
    # -- questions ------------------------------------------------------------------------------
    ("Can you send the quote by Friday?", None),
    ("能不能下周三前给我们报价？", None),
    ("Will you be able to join the demo tomorrow at 3pm?", None),
    ("你们明天发合同吗", None),
    ("When will the contract be ready? Next week?", None),
    ("Shall I send the proposal by Friday?", None),
    ("周五之前能给报价吗？", None),
    ("Could we meet next Tuesday instead?", None),
    # -- dates without a commitment ---------------------------------------------------------------
    ("The meeting was moved to Friday.", None),
    ("Our fiscal year ends in March.", None),
    ("客户下周一开始休假", None),
    ("Last Friday's demo went well, thanks everyone.", None),
    ("我们公司3月15号搬家", None),
    ("I will be out of office until Monday.", None),
    ("他们财务下周一付款", None),
    ("我昨天已经把报价发给您了", None),
    ("pls send me the deck by EOD", None),
    ("Could you please share the SOW before next Monday", None),
    ("Let me know by Friday if you need anything else.", None),
    ("The budget review is on March 18 and the board meets in April.", None),
    # -- negations ------------------------------------------------------------------------------
    ("Sorry, I won't be able to send the quote by Friday.", None),
    ("我们下周三前可能给不了报价", None),
    ("I'll try, but I can't promise Friday.", None),
    ("明天来不及发合同了", None),
    ("We will not be able to ship before March 20.", None),
    ("恐怕周五前没法把方案发给您", None),
    # -- small talk ------------------------------------------------------------------------------
    ("今天天气不错", None),
    ("Happy Friday everyone!", None),
    ("周末愉快！", None),
    ("Thanks for the great meeting today!", None),
    ("哈哈好的", None),
    ("See you tomorrow!", None),
    ("Nice to meet you all 👋", None),
    ("收到，谢谢", None),
    ("Good morning team", None),
    ("我会议室订好了，明天见", None),
]


def _due(text: str) -> datetime | None:
    step = detect(text, NOW, TZ)
    return None if step is None else step.due


def _expected(value: str | None) -> datetime | None:
    return None if value is None else datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(TZ))


def test_the_table_is_big_and_varied():
    chinese = [m for m, _ in TABLE if any("\u4e00" <= ch <= "\u9fff" for ch in m)]
    assert len(TABLE) >= 60
    assert len(chinese) >= 25
    assert sum(due is not None for _, due in TABLE) >= 25


def test_precision_and_recall_on_the_table(capsys):
    tp = fp = fn = tn = 0
    wrong_dates, misses = [], []
    for message, expected in TABLE:
        found, want = _due(message), _expected(expected)
        if found is not None and want is not None:
            tp += 1
            if found != want:
                wrong_dates.append((message, found, want))
        elif found is not None:
            fp += 1
            misses.append(f"false positive: {message!r} -> {found}")
        elif want is not None:
            fn += 1
            misses.append(f"missed: {message!r} (expected {want})")
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    with capsys.disabled():
        print(f"\nnext steps on {len(TABLE)} messages: precision {precision:.3f} ({tp}/{tp + fp}), "
              f"recall {recall:.3f} ({tp}/{tp + fn}); true negatives {tn}")
        for line in misses:
            print("  " + line)
    assert precision >= 0.9
    assert recall >= 0.8
    assert wrong_dates == [], "every true positive has the exact due date"


@pytest.mark.parametrize(("text", "rule"), [
    ("I'll send it Friday", "en.will"),
    ("Let me check by Monday", "en.let_me"),
    ("Let me know by Monday", None),
    ("我会议室订好了", None),
    ("Invoice to follow by Friday", "en.to_follow"),
    ("on it, sending tomorrow", "en.elided"),
])
def test_rules_are_named(text, rule):
    assert commitment_rule(text) == rule


@pytest.mark.parametrize(("text", "rule", "cue", "date_words"), [
    ("报价单我明早发您", "zh.ours", "我明早发 + 报价单", "明早"),
    ("我们会在周五前发", "zh.ours", "我们会在周五前发", "周五前"),
    ("好的，下周三前给报价", "zh.elided", "给 + 报价", "下周三前"),
    ("明天下午3点的会议我已经约好了，到时候我给您打电话", "zh.ours", "我给您打电话", "明天下午3点"),
    ("我们 Friday 前 update 一下 deck", "zh.ours", "我们 Friday 前 update + deck", "Friday 前"),
    ("我们售前明天上午10点给您演示", "zh.ours", "我们售前明天上午10点给您演示", "明天上午10点"),
    ("I'll send the revised quote by Friday.", "en.will", "I'll send the revised quote", "by Friday"),
    ("can't make Friday, Monday for sure", "en.assurance", "for sure", "Monday"),
    ("我们 IT 周五前 whitelist 你们的 IP", "zh.ours", "我们 IT 周五前 whitelist + IP", "周五前"),
    ("next Friday 之前我们 go live", "zh.ours", "我们 go live", "next Friday 之前"),
    ("这个bug我们明天修好", "zh.ours", "我们明天修好 + bug", "明天"),
    ("POC 环境周五前 ready 好", "zh.elided", "ready", "周五前"),
    ("Happy to jump on a call Monday, I'll send an invite.", "en.elided", "Happy to jump on a call", "Monday"),
])
def test_a_step_says_which_words_made_it(text, rule, cue, date_words):
    step = detect(text, NOW, TZ)
    assert (step.rule, step.cue, step.date_words) == (rule, cue, date_words)


def _rule_one_by_one(sentence: str) -> str | None:
    """What the combined rule search must answer: each rule searched on its own, the leftmost
    match winning, and the first key of rules matching at the same place."""
    hits = [(found.start(), key) for key, pattern in RULES.items()
            if (found := re.search(pattern, sentence, re.IGNORECASE))]
    return min(hits)[1] if hits else None


@pytest.mark.parametrize("text", [text for text, _ in TABLE])
def test_one_search_names_the_rule_fourteen_searches_would(text):
    sentence = text.replace("’", "'")
    assert commitment_rule(sentence) == _rule_one_by_one(sentence)


_PIECES = st.sampled_from(["I'll", "we will", "let me", "let us know", "our team will", "send", "call",
                           "我们会", "我来", "回头发给你", "你", "明天", "we're sending", "expect it by",
                           "can", ",", " ", "Will send", "get back to you", "we plan to", "ok, "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=8).map("".join))
def test_one_search_agrees_with_the_rules_on_any_mix(sentence):
    assert commitment_rule(sentence) == _rule_one_by_one(sentence)


def test_a_message_with_no_date_like_text_is_never_date_parsed(monkeypatch):
    import core.conversations.nextsteps as nextsteps

    def refuse(*args, **kwargs):
        raise AssertionError("find_date called for a message with no date-like text")

    monkeypatch.setattr(nextsteps, "find_date", refuse)
    assert detect("I'll send it over, thanks!", NOW, TZ) is None
    assert detect("我们会尽快给您回复", NOW, TZ) is None


def test_the_step_keeps_the_sentence_and_the_rule():
    step = detect("Hi all. Following up on Monday's call, I'll send the quote by Friday. Cheers", NOW, TZ)
    assert step.sentence == "Following up on Monday's call, I'll send the quote by Friday."
    assert step.rule == "en.will"
    assert step.has_time is False


def test_zh_without_a_subject_names_its_rule():
    assert detect("好的，下周三前给报价", NOW, TZ).rule == "zh.elided"


def test_a_past_due_is_not_a_next_step():
    evening = NOW.replace(hour=18)
    assert detect("I'll send it today", evening, TZ) is None


def test_the_timezone_decides_the_day():
    # 10:00 in Shanghai is 02:00 UTC, but 21:00 the day before in New York.
    step = detect("I'll send it tomorrow", NOW, "America/New_York")
    assert step.due == datetime(2026, 3, 4, 17, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.mark.parametrize(("text", "due"), [
    # an English word in a Chinese verb's slot: after our side or the time phrase, or before a
    # complement (一下, 完, 好, 掉)
    ("我们周四前 deploy 到测试环境", "2026-03-05 17:00"),
    ("bug 下周一前 fix 掉", "2026-03-09 17:00"),
    ("下周二前我们 approve 完这个 PR", "2026-03-10 17:00"),
    # … but not a noun phrase, a party or an absence
    ("我们周五 public holiday", None),
    ("明天 client 那边 review 完给我们反馈", None),
    ("老板下周 on leave", None),
    # a verb and its result
    ("付款流程我们后天跑完", "2026-03-06 17:00"),
    ("我们下周二之前把账号配好", "2026-03-10 17:00"),
    ("周五前能弄好吗", None),
    # when something is, a hold, a Chinese question without a comma before its tag
    ("kickoff 定在下周二", None),
    ("我们安排在下周三上门", "2026-03-11 17:00"),
    ("下周一的 kickoff 先 hold 住", None),
    ("We'll put Friday's rollout on hold.", None),
    ("明天 call 方便吗？", None),
    ("我明天发给你，方便吗？", "2026-03-05 17:00"),
    # a state of the whole day is not the promise
    ("我明天 full day meeting，Friday 再 sync", "2026-03-06 17:00"),
])
def test_the_second_round_generalises(text, due):
    step = detect(text, NOW, TZ)
    expected = None if due is None else datetime.strptime(due, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(TZ))
    assert (None if step is None else step.due) == expected


@pytest.mark.parametrize(("text", "due"), [
    # 请 inside a word is no request: 邀请, 申请, 请示
    ("我明天发会议邀请给您", "2026-03-05 17:00"),
    ("我们周五前提交申请", "2026-03-06 17:00"),
    ("麻烦明天把合同发我", None),
    # a meeting moved by us lends its new date to the promise after it; alone it is no promise
    ("明天的会我这边临时有事，改到周五下午吧，我再发个邀请", "2026-03-06 14:00"),
    ("moving it to Friday 3pm and I'll resend the invite", "2026-03-06 15:00"),
    ("明天的会改到下周一", None),
    ("The demo was moved to Friday.", None),
    # an action judged, an action after 的, our side wanting to receive: no promise
    ("辛苦各位，今天沟通很顺利", None),
    ("thanks 各位，今天的 meeting 很 productive", None),
    ("我们老板说 Friday 要看到 final quote", None),
    ("我们财务下周一要拿到发票", None),
    ("我们老板周五要 final quote", None),  # an English verb after "final" is a thing
    # a week other than next week before a bare weekday; hedges; a move with "instead"; judged
    ("下下周我们在上海，周二过去拜访", "2026-03-17 17:00"),
    ("The week after next we're in Shanghai and can visit on Tuesday.", "2026-03-17 17:00"),
    ("We're hoping to get the quote to you by Friday.", "2026-03-06 17:00"),
    ("They're hoping to close by Friday.", None),
    ("Friday instead then, I'll update the invite.", "2026-03-06 17:00"),
    ("今天 demo 反响很热烈", None),
    ("今天 workshop 讨论得很深入，thanks all", None),
    ("我们明天会很快发给您", "2026-03-05 17:00"),
    ("这个很重要我们明天发", "2026-03-05 17:00"),
    ("我们周五前 send final quote", "2026-03-06 17:00"),
    ("周五的演示我来准备", "2026-03-06 17:00"),
    # a state and a promise in one clause; a bare weekday after "next week" is that week's
    ("We're at the expo in Guangzhou next week and can drop by your office on Wednesday.", "2026-03-11 17:00"),
    ("我下周在北京，周四可以顺便过去拜访", "2026-03-12 17:00"),
    ("I'll send it on Thursday.", "2026-03-05 17:00"),
    ("Wed next week we kick off, I'll send the agenda by Friday.", "2026-03-06 17:00"),
    ("下周的会议我们周五前把材料发您", "2026-03-06 17:00"),
    ("我下周参加培训", None),
    # a hedge, an adverb, an invite sent with no subject
    ("We should definitely be able to get the quote to you by Friday.", "2026-03-06 17:00"),
    ("We can definitely get the PO raised on Monday.", "2026-03-09 17:00"),
    ("Sent you an invite for tomorrow 3pm to walk through the rollout plan.", "2026-03-05 15:00"),
    ("Sent you the deck yesterday.", None),
    ("You should send it over by Friday.", None),
])
def test_the_third_round_generalises(text, due):
    step = detect(text, NOW, TZ)
    expected = None if due is None else datetime.strptime(due, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(TZ))
    assert (None if step is None else step.due) == expected
