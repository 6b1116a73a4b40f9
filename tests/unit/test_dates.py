"""Dates in chat text: whole values, expressions inside sentences, the pre-filter, formatting.

Every table uses one fixed moment: Wednesday 4 March 2026, 10:00 in Shanghai.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.language.dates import text as dates
from core.language.dates.text import (
    DateMatch,
    find_date,
    format_when,
    has_date_hint,
    parse_date,
    warm_up,
)

TZ = "Asia/Shanghai"
SHANGHAI = ZoneInfo(TZ)
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI)  # a Wednesday


def local(text: str, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=zone)


ENGLISH = [
    ("today", "2026-03-04 17:00"),
    ("tomorrow", "2026-03-05 17:00"),
    ("tmrw", "2026-03-05 17:00"),
    ("tonight", "2026-03-04 20:00"),
    ("EOD", "2026-03-04 17:00"),
    ("end of day", "2026-03-04 17:00"),
    ("the day after tomorrow", "2026-03-06 17:00"),
    ("Friday", "2026-03-06 17:00"),
    ("this Friday", "2026-03-06 17:00"),
    ("by Friday", "2026-03-06 17:00"),
    ("before Friday", "2026-03-06 17:00"),
    ("next Friday", "2026-03-13 17:00"),  # the Friday of next week, like 下周五
    ("Wednesday", "2026-03-04 17:00"),  # today: 17:00 is still ahead
    ("Wednesday 9am", "2026-03-11 09:00"),  # today's 9:00 is past
    ("Monday", "2026-03-09 17:00"),
    ("next Monday", "2026-03-09 17:00"),
    ("Friday afternoon", "2026-03-06 14:00"),
    ("in 3 days", "2026-03-07 17:00"),
    ("in 2 weeks", "2026-03-18 17:00"),
    ("in a month", "2026-04-04 17:00"),
    ("2 weeks from now", "2026-03-18 17:00"),
    ("in 2 hours", "2026-03-04 12:00"),
    ("in half an hour", "2026-03-04 10:30"),
    ("next week", "2026-03-09 17:00"),  # its Monday
    ("next month", "2026-04-01 17:00"),  # its 1st (in running text; as a whole value its end: below)
    ("end of month", "2026-03-31 17:00"),
    ("end of next month", "2026-04-30 17:00"),
    ("end of the week", "2026-03-06 17:00"),
    ("EOW", "2026-03-06 17:00"),
    ("March 15", "2026-03-15 17:00"),
    ("15 March", "2026-03-15 17:00"),
    ("15th of March", "2026-03-15 17:00"),
    ("March 1", "2027-03-01 17:00"),  # already past this year
    ("Mar 4", "2026-03-04 17:00"),  # today, still ahead
    ("March 15th, 2027", "2027-03-15 17:00"),
    ("2026-03-15", "2026-03-15 17:00"),
    ("2026-03-15 14:00", "2026-03-15 14:00"),
    ("3pm tomorrow", "2026-03-05 15:00"),
    ("tomorrow at 3pm", "2026-03-05 15:00"),
    ("tomorrow 15:00", "2026-03-05 15:00"),
    ("tomorrow morning", "2026-03-05 09:00"),
    ("Mon 10am", "2026-03-09 10:00"),
    ("Friday 3:30 pm", "2026-03-06 15:30"),
    ("next Friday 3pm", "2026-03-13 15:00"),
    ("3pm", "2026-03-04 15:00"),  # later today
    ("9am", "2026-03-05 09:00"),  # already past today
    ("noon", "2026-03-04 12:00"),
    ("Fri 6 Mar 17:00", "2026-03-06 17:00"),  # what format_when writes reads back
    ("Fri", "2026-03-06 17:00"),  # a lone abbreviation is a day when it is the whole value
    ("15/03/2026", "2026-03-15 17:00"),  # dateparser reads what our rules don't
]

CHINESE = [
    ("今天", "2026-03-04 17:00"),
    ("明天", "2026-03-05 17:00"),
    ("后天", "2026-03-06 17:00"),
    ("大后天", "2026-03-07 17:00"),
    ("今晚", "2026-03-04 20:00"),
    ("今晚8点", "2026-03-04 20:00"),
    ("明早", "2026-03-05 09:00"),
    ("明晚", "2026-03-05 20:00"),
    ("明天下午", "2026-03-05 14:00"),  # dateparser drops 下午
    ("明天下午3点", "2026-03-05 15:00"),
    ("明天15点", "2026-03-05 15:00"),
    ("明天 15:00", "2026-03-05 15:00"),
    ("明天3点", "2026-03-05 15:00"),  # a bare 1-6点 is afternoon
    ("后天上午10点", "2026-03-06 10:00"),
    ("下午三点", "2026-03-04 15:00"),
    ("下午3点半", "2026-03-04 15:30"),
    ("晚上8点", "2026-03-04 20:00"),
    ("中午12点", "2026-03-04 12:00"),
    ("上午10点半", "2026-03-04 10:30"),
    ("上午9点", "2026-03-05 09:00"),  # past today, so tomorrow
    ("晚上12点", "2026-03-05 00:00"),  # the coming midnight
    ("3点一刻前", "2026-03-04 15:15"),
    ("下午三点二十", "2026-03-04 15:20"),
    ("下午3点零五", "2026-03-04 15:05"),
    ("明天下午3点五分", "2026-03-05 15:05"),
    ("下班前", "2026-03-04 17:00"),
    ("明天下班前", "2026-03-05 17:00"),
    ("周五", "2026-03-06 17:00"),
    ("周三", "2026-03-04 17:00"),  # today, 17:00 still ahead
    ("星期天", "2026-03-08 17:00"),
    ("礼拜5", "2026-03-06 17:00"),
    ("周7", "2026-03-08 17:00"),
    ("本周五", "2026-03-06 17:00"),
    ("这周五", "2026-03-06 17:00"),
    ("本周一", "2026-03-02 17:00"),  # the member named this week: kept although past
    ("下周五", "2026-03-13 17:00"),
    ("下个星期三", "2026-03-11 17:00"),
    ("下下周一", "2026-03-16 17:00"),
    ("下周", "2026-03-09 17:00"),
    ("周五前", "2026-03-06 17:00"),
    ("下周三之前", "2026-03-11 17:00"),
    ("周五以前", "2026-03-06 17:00"),
    ("周五下午3点", "2026-03-06 15:00"),
    ("周五晚上", "2026-03-06 20:00"),
    ("三天后", "2026-03-07 17:00"),
    ("3天后", "2026-03-07 17:00"),
    ("十天后", "2026-03-14 17:00"),
    ("两周后", "2026-03-18 17:00"),
    ("两个星期以后", "2026-03-18 17:00"),
    ("3个月后", "2026-06-04 17:00"),
    ("半个月后", "2026-03-19 17:00"),
    ("3天内", "2026-03-07 17:00"),
    ("3小时后", "2026-03-04 13:00"),
    ("半小时之后", "2026-03-04 10:30"),
    ("三天后下午3点", "2026-03-07 15:00"),
    ("月底", "2026-03-31 17:00"),
    ("月底前", "2026-03-31 17:00"),
    ("月初", "2026-04-01 17:00"),
    ("下月初", "2026-04-01 17:00"),
    ("下个月底", "2026-04-30 17:00"),
    ("6月底", "2026-06-30 17:00"),
    ("年底", "2026-12-31 17:00"),
    ("下个月5号", "2026-04-05 17:00"),
    ("本月20号", "2026-03-20 17:00"),
    ("3月15号", "2026-03-15 17:00"),
    ("3月15日", "2026-03-15 17:00"),
    ("3月1日", "2027-03-01 17:00"),  # already past this year
    ("2026年3月15日", "2026-03-15 17:00"),
    ("三月十五日", "2026-03-15 17:00"),
    ("3月15号下午3点", "2026-03-15 15:00"),
    ("3月15日 14:30", "2026-03-15 14:30"),
    ("20号", "2026-03-20 17:00"),
    ("3号", "2026-04-03 17:00"),  # the 3rd of this month is past
    ("15号前", "2026-03-15 17:00"),
]

TABLE = ENGLISH + CHINESE


def test_the_table_is_big_and_balanced():
    assert len(TABLE) >= 80
    assert len(ENGLISH) >= 40
    assert len(CHINESE) >= 40


VALUE_ENDS = {"next month"}  # in running text its 1st, as a whole value its end (test below)


@pytest.mark.parametrize(("text", "expected"), [row for row in TABLE if row[0] not in VALUE_ENDS])
def test_parse_date(text, expected):
    assert parse_date(text, NOW, TZ) == local(expected)


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_parse_date_returns_the_members_zone(text, expected):
    assert parse_date(text, NOW, TZ).tzinfo == SHANGHAI


# The table entries our own rules read are found whole inside text too, with the same moment.
NOT_FOUND_ALONE = {"Fri", "15/03/2026"}  # a lone abbreviation; a value only dateparser reads


@pytest.mark.parametrize(
    ("text", "expected"), [row for row in TABLE if row[0] not in NOT_FOUND_ALONE]
)
def test_find_date_reads_each_whole_expression(text, expected):
    assert find_date(text, NOW, TZ) == DateMatch(
        local(expected), 0, len(text), find_date(text, NOW, TZ).has_time
    )


@pytest.mark.parametrize(
    ("text", "has_time"),
    [
        ("tomorrow", False),
        ("by Friday", False),
        ("in 3 days", False),
        ("2026-03-15", False),
        ("tomorrow 3pm", True),
        ("tonight", True),
        ("in 2 hours", True),
        ("周五前", False),
        ("月底", False),
        ("明天下班前", False),
        ("明天下午", True),
        ("下午3点", True),
        ("3小时后", True),
    ],
)
def test_has_time_is_false_for_a_day_alone(text, has_time):
    assert find_date(text, NOW, TZ).has_time is has_time


FOUND_IN_SENTENCES = [
    ("客户要求下周三前发报价", "下周三前", "2026-03-11 17:00"),
    ("客户说下周三前给报价", "下周三前", "2026-03-11 17:00"),
    ("send revised quote by next Friday 3pm", "by next Friday 3pm", "2026-03-13 15:00"),
    ("call them tomorrow", "tomorrow", "2026-03-05 17:00"),
    ("明天下午3点 call 张总", "明天下午3点", "2026-03-05 15:00"),
    ("meeting Friday 3pm with 李总", "Friday 3pm", "2026-03-06 15:00"),
    ("报价5万，下周一前确认", "下周一前", "2026-03-09 17:00"),
    ("他们说3月15号签约", "3月15号", "2026-03-15 17:00"),
    ("会议改到后天上午10点，记得带合同", "后天上午10点", "2026-03-06 10:00"),
    ("发票月底前开出来", "月底前", "2026-03-31 17:00"),
    ("这个单子三天后再跟", "三天后", "2026-03-07 17:00"),
    ("follow up in 2 weeks", "in 2 weeks", "2026-03-18 17:00"),
    ("let's talk at 3pm", "at 3pm", "2026-03-04 15:00"),
    ("I'll call you at 3PM", "at 3PM", "2026-03-04 15:00"),  # chat writes the hour in capitals too
    ("Demo moved to Friday 10 A.M.", "Friday 10 A.M.", "2026-03-06 10:00"),
    ("meeting on 2026-03-15 at 14:00", "on 2026-03-15 at 14:00", "2026-03-15 14:00"),
    ("I'll call on Mon", "on Mon", "2026-03-09 17:00"),
    ("demo done, 下周五之前发合同", "下周五之前", "2026-03-13 17:00"),
    ("quote ¥12,000 for 10 users, due Friday", "due Friday", "2026-03-06 17:00"),
    ("D-12 客户说周五前给答复 thanks", "周五前", "2026-03-06 17:00"),
    ("EOD please", "EOD", "2026-03-04 17:00"),
    ("he will sign March 15 or so", "March 15", "2026-03-15 17:00"),
    ("our team will issue the PO on 3/10.", "on 3/10", "2026-03-10 17:00"),  # month/day after a preposition
    ("SOW的初稿我3/10之前发给你们", "3/10之前", "2026-03-10 17:00"),
    ("call 3/10 3pm?", "3/10 3pm", "2026-03-10 15:00"),
    ("发票3/12号开", "3/12号", "2026-03-12 17:00"),
    ("我们财务本周内安排付款", "本周内", "2026-03-06 17:00"),  # within this week: its Friday
    ("k will sign n send back b4 fri", "b4 fri", "2026-03-06 17:00"),
]


@pytest.mark.parametrize(("text", "span", "expected"), FOUND_IN_SENTENCES)
def test_find_date_in_a_sentence(text, span, expected):
    found = find_date(text, NOW, TZ)
    assert text[found.start : found.end] == span
    assert found.when == local(expected)


NOT_DATES = [
    "报价5万",
    "50k deal with ACME",
    "¥12,000",
    "D-12 推进到谈判",
    "done T-7",
    "客户电话13812345678",
    "call +86 138 1234 5678",
    "升级到v2.3版本",
    "3 users",
    "需要10个账号",
    "在3号楼开会",  # building 3, not the 3rd
    "有3点意见",  # three points, not three o'clock
    "能不能便宜一点",  # "a bit"
    "一周一次",  # a frequency
    "上周五已经发了",  # last week: past dates are not read
    "we met last Friday",
    "I sat with them",
    "we may sign",
    "好的，谢谢",
    "sounds good",
    "about 1/2 of the team",  # a fraction: month/day only after a preposition or in Chinese
    "50/50 split",
    "我们有3/4的客户在用",  # a fraction in Chinese too
    "客户评分4/5",  # a score
    "on 2/30",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_find_date_ignores_numbers_that_are_not_dates(text):
    assert find_date(text, NOW, TZ) is None


@pytest.mark.parametrize("text", [row[0] for row in TABLE] + [row[0] for row in FOUND_IN_SENTENCES])
def test_hint_is_true_for_every_date(text):
    assert has_date_hint(text)


@pytest.mark.parametrize(
    "text", ["好的，谢谢", "sounds good", "ok thanks!", "收到", "50k", "D-12", "v2.3", "3 users"]
)
def test_hint_is_false_for_plain_text(text):
    assert not has_date_hint(text)


def test_new_york_interprets_in_its_own_zone():
    new_york = ZoneInfo("America/New_York")
    # NOW is 21:00 on Tuesday 3 March in New York.
    assert parse_date("tomorrow", NOW, "America/New_York") == local("2026-03-04 17:00", new_york)
    assert parse_date("3pm", NOW, "America/New_York") == local("2026-03-04 15:00", new_york)
    assert parse_date("周五", NOW, "America/New_York") == local("2026-03-06 17:00", new_york)
    monday = parse_date("next week", NOW, "America/New_York")
    assert monday == local("2026-03-09 17:00", new_york)
    assert monday.utcoffset() == timedelta(hours=-4)  # daylight saving started on 8 March


def test_now_may_be_in_any_zone():
    assert parse_date("明天", NOW.astimezone(UTC), TZ) == local("2026-03-05 17:00")


def test_hours_later_count_real_time_across_a_dst_change():
    new_york = ZoneInfo("America/New_York")
    before_the_change = datetime(2026, 3, 8, 1, 30, tzinfo=new_york)
    assert parse_date("in 1 hour", before_the_change, "America/New_York") == datetime(
        2026, 3, 8, 3, 30, tzinfo=new_york
    )


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        # Friday 18:00: this Friday's 17:00 is gone, so a bare Friday is next week's
        (datetime(2026, 3, 6, 18, 0, tzinfo=SHANGHAI), "周五", "2026-03-13 17:00"),
        (datetime(2026, 3, 6, 18, 0, tzinfo=SHANGHAI), "Friday", "2026-03-13 17:00"),
        (datetime(2026, 3, 6, 16, 0, tzinfo=SHANGHAI), "Friday", "2026-03-06 17:00"),
        # the last day of the month after 17:00: next month's end
        (datetime(2026, 3, 31, 18, 0, tzinfo=SHANGHAI), "月底", "2026-04-30 17:00"),
        (datetime(2026, 3, 31, 18, 0, tzinfo=SHANGHAI), "end of month", "2026-04-30 17:00"),
        # "today" is today even after 17:00: the member said today
        (datetime(2026, 3, 4, 18, 0, tzinfo=SHANGHAI), "today", "2026-03-04 17:00"),
        # 31号 in April: the next month that has a 31st
        (datetime(2026, 4, 2, 10, 0, tzinfo=SHANGHAI), "31号", "2026-05-31 17:00"),
        (datetime(2026, 12, 31, 18, 0, tzinfo=SHANGHAI), "年底", "2027-12-31 17:00"),
    ],
)
def test_future_preference_at_other_moments(now, text, expected):
    assert parse_date(text, now, TZ) == local(expected)


@pytest.mark.parametrize("text", ["", "   ", "hello", "50k", "D-12", "T-7", "12", "下个月31号"])
def test_parse_date_rejects_values_that_are_not_dates(text):
    assert parse_date(text, NOW, TZ) is None


def test_parse_date_needs_the_whole_text_to_be_a_date():
    assert parse_date("call them tomorrow", NOW, TZ) is None


def test_unknown_timezone_gives_none():
    assert parse_date("明天", NOW, "Mars/Olympus") is None
    assert find_date("明天", NOW, "") is None


def test_chinese_rules_never_call_dateparser(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("dateparser was called")

    monkeypatch.setattr(dates.dateparser, "parse", fail)
    for text, expected in CHINESE:
        assert parse_date(text, NOW, TZ) == local(expected)
        assert find_date(f"客户说{text}给报价", NOW, TZ) is not None


@pytest.mark.parametrize(
    ("lang", "has_time", "expected"),
    [
        ("en", True, "Fri 6 Mar 17:00"),
        ("en", False, "Fri 6 Mar"),
        ("zh", True, "3月6日 周五 17:00"),
        ("zh-CN", False, "3月6日 周五"),
    ],
)
def test_format_when(lang, has_time, expected):
    assert format_when(local("2026-03-06 17:00"), lang, has_time, NOW) == expected


def test_format_when_sunday_and_single_digit_times():
    sunday = local("2027-03-07 09:05")
    assert format_when(sunday, "en", now=local("2027-01-01 00:00")) == "Sun 7 Mar 09:05"
    assert format_when(sunday, "zh", now=local("2027-01-01 00:00")) == "3月7日 周日 09:05"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "Sun 7 Mar 2027 09:05"), ("zh", "2027年3月7日 周日 09:05")],
)
def test_format_when_shows_the_year_of_a_date_outside_this_year(lang, expected):
    assert format_when(local("2027-03-07 09:05"), lang, now=NOW) == expected
    assert format_when(local("2025-12-31 09:05"), lang, now=NOW).count("2025") == 1


def test_warm_up_runs():
    warm_up()


def test_very_long_text():
    text = "好的" * 50_000 + "下周五前" + " ok" * 10_000
    found = find_date(text, NOW, TZ)
    assert found.when == local("2026-03-13 17:00")
    assert parse_date(text, NOW, TZ) is None


DATEISH = st.sampled_from(
    [row[0] for row in TABLE]
    + list("0123456789 :：-/.,号日月周前后天点半下本这上午晚早今明年底初个小时内")
    + ["am", "pm", "AM", "PM", "P.M.", "Pm", "in ", " days", "next ", "by ", "of ", "March", "Sat", "T-7",
       "5万", "¥"]
)
DATEISH_TEXT = st.lists(DATEISH, max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), DATEISH_TEXT))
def test_never_raises(text):
    parse_date(text, NOW, TZ)
    find_date(text, NOW, TZ)
    has_date_hint(text)


@settings(max_examples=300, deadline=None)
@given(DATEISH_TEXT)
def test_hint_never_hides_a_date(text):
    # the readers themselves, not find_date: that one asks the hint first
    if dates._first_hit(text, NOW, lenient=False) is not None:
        assert has_date_hint(text)


# -- deadline forms of chat (issue 22): found in free text, with their span -------------------------
@pytest.mark.parametrize(("text", "span", "due", "has_time"), [
    ("I'll send it by the 15th.", "by the 15th", "2026-03-15 17:00", False),
    ("invoice on the 2nd", "on the 2nd", "2026-04-02 17:00", False),  # the 2nd of March is past
    ("first thing Monday I'll call", "first thing Monday", "2026-03-09 09:00", True),
    ("first thing tomorrow", "first thing tomorrow", "2026-03-05 09:00", True),
    ("numbers to you COB Thursday", "COB Thursday", "2026-03-05 17:00", False),
    ("EOD tomorrow", "EOD tomorrow", "2026-03-05 17:00", False),
    ("back to you Friday EOD", "Friday EOD", "2026-03-06 17:00", False),
    ("within 5 days", "within 5 days", "2026-03-09 17:00", False),
    ("within 2 hours", "within 2 hours", "2026-03-04 12:00", True),
    ("by Wed next week", "by Wed next week", "2026-03-11 17:00", False),
    ("Friday next week", "Friday next week", "2026-03-13 17:00", False),
    ("ping u 2moro", "2moro", "2026-03-05 17:00", False),
    ("tomorrow 下午3点 call 你", "tomorrow 下午3点", "2026-03-05 15:00", True),
    ("我中午前把报价更新一下", "中午前", "2026-03-04 12:00", True),
    # mixed: an English day before Chinese, a Chinese day with an English or run-on clock time
    ("Wed next week 我们 deliver", "Wed next week", "2026-03-11 17:00", False),
    ("明天3pm 我们 demo", "明天3pm", "2026-03-05 15:00", True),
    ("明天 at 10:30am 过来", "明天 at 10:30am", "2026-03-05 10:30", True),
    ("下周一10点我们 call 一下", "下周一10点", "2026-03-09 10:00", True),
    ("周五 4pm sync", "周五 4pm", "2026-03-06 16:00", True),
    # working days skip the weekend (issue 22, third round); spoken days; 一早 is first thing
    ("circle back within 3 working days", "within 3 working days", "2026-03-09 17:00", False),
    ("within two business days", "within two business days", "2026-03-06 17:00", False),
    ("in 1 business day", "in 1 business day", "2026-03-05 17:00", False),
    ("我们5个工作日内寄到", "5个工作日内", "2026-03-11 17:00", False),
    ("3 个工作日内 update", "3 个工作日内", "2026-03-09 17:00", False),
    ("明儿给您发过去", "明儿", "2026-03-05 17:00", False),
    ("今儿下午发", "今儿下午", "2026-03-04 14:00", True),
    ("后儿个过去", "后儿个", "2026-03-06 17:00", False),
    ("明天一早打给您", "明天一早", "2026-03-05 09:00", True),
])
def test_deadline_forms_of_chat(text, span, due, has_time):
    found = find_date(text, NOW, TZ)
    assert text[found.start:found.end] == span
    assert found.when == datetime.strptime(due, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)
    assert found.has_time is has_time


@pytest.mark.parametrize("text", ["the 5th floor", "for the 3rd time", "the 2nd of the two options"])
def test_an_ordinal_that_is_not_a_day(text):
    assert find_date(text, NOW, TZ) is None


def test_the_pre_filter_admits_the_new_forms():
    assert all(has_date_hint(text) for text in ("by the 15th", "2moro", "中午前", "on the 1st"))


@pytest.mark.parametrize(("text", "span"), [
    ("明天 3 个人过来", "明天"),  # a count, not a clock time
    ("周一10个客户", "周一"),
    ("wed", None),  # a lone abbreviation stays a word
])
def test_a_chinese_day_keeps_to_itself_without_a_clock_time(text, span):
    found = find_date(text, NOW, TZ)
    assert (None if found is None else text[found.start:found.end]) == span


@pytest.mark.parametrize(("value", "expected"), [
    ("this month", "2026-03-31 17:00"), ("本月", "2026-03-31 17:00"), ("这个月", "2026-03-31 17:00"),
    ("next month", "2026-04-30 17:00"), ("下个月", "2026-04-30 17:00"), ("下月", "2026-04-30 17:00"),
    ("this quarter", "2026-03-31 17:00"), ("next quarter", "2026-06-30 17:00"), ("本季度", "2026-03-31 17:00"),
])
def test_a_period_named_from_today_as_a_value_is_its_end(value, expected):
    """close:this month was today, and due:this month refused as past; close:next month its 1st."""
    assert parse_date(value, NOW, TZ).strftime("%Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize("text, expected", [
    ("我发了个invite，下周一下午3点一起过一下", "2026-03-09 15:00"),  # 一起 "together", not a minute
    ("明天下午三点一定到", "2026-03-05 15:00"),  # 一定 "surely"
    ("明天下午3点一下班就走", "2026-03-05 15:00"),
])
def test_a_word_after_a_chinese_hour_is_not_its_minutes(text: str, expected: str):
    found = find_date(text, NOW, TZ)
    assert found is not None and found.when == local(expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("3/15", "2026-03-15 17:00"),
    ("3/15 10am", "2026-03-15 10:00"),  # with fallback=False too: an option's value takes the time
    ("3/15 at 15:30", "2026-03-15 15:30"),
    ("3/1", "2027-03-01 17:00"),  # past this year: next year's
    ("15/3", "2026-03-15 17:00"),  # 15 cannot be a month: day first
    ("12/31/2026", "2026-12-31 17:00"),
    ("15/03/2026", "2026-03-15 17:00"),
])
def test_a_slash_date_is_read_by_our_rules(text, expected):
    assert parse_date(text, NOW, TZ, fallback=False) == local(expected)


@pytest.mark.parametrize("text", ["13/45", "1/45", "13/13", "0/5", "2/30", "3/15 25:00"])
def test_a_slash_shape_no_month_and_day_fit_is_no_date(text):
    """dateparser guessed these: 13/45 was 13 Dec 2045, 1/45 was 7 Jan 2045."""
    assert parse_date(text, NOW, TZ) is None
