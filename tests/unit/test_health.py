"""The health board, satisfaction, complaints and data quality (core.health, core.services.health,
core.services.feedback) on the fakes: reading the verbs, golden figures written out by hand, who sees
and changes what, one clear message for bad input and nothing changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from core.domain.model import Customer, Deal, DealStatus, Identity, Interaction, Member, Role, Team
from core.domain.pipeline import DEFAULT_PIPELINE
from core.health.board import build_health
from core.health.quality import loose_key
from core.language import commands as c
from core.language.errors import ParseError
from core.language.parser import ParseContext
from core.language.periods import week_of
from core.language.verbs import parse
from core.performance.targets import Target
from tests.fakes import ChatHarness, FakeUnitOfWork, FixedClock

SH = "Asia/Shanghai"
NOW = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)  # Wed 11 March 10:00 Shanghai; last week is 2026-W10
CTX = ParseContext(NOW, SH, DEFAULT_PIPELINE, "CNY")


def local(day: int, hour: int = 10, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC) - timedelta(hours=8)


def _deal(uow, deal_id, owner, customer, moves, amount=None, close=None, team=1):
    """A deal through its stages [(stage, at), …], as the services write it."""
    (stage, created), later = moves[0], moves[1:]
    deal = Deal.new(DEFAULT_PIPELINE, stage=stage, at=created, title=f"d{deal_id}", customer_id=customer,
                    owner_id=owner, team_id=team, id=deal_id, amount=None if amount is None else Decimal(amount),
                    expected_close=close)
    uow.stage_changes.add(deal.creation(owner, DEFAULT_PIPELINE))
    for to, at in later:
        uow.stage_changes.add(deal.move_to(to, at, owner, DEFAULT_PIPELINE))
    uow.deals.add(deal)
    return deal


@pytest.fixture
def chat():
    uow = FakeUnitOfWork()
    uow.teams.add(Team("sales", timezone=SH, id=1))
    uow.teams.add(Team("east", timezone=SH, id=2))
    for member_id, (handle, role, team) in enumerate((("ann", Role.REP, 1), ("bo", Role.REP, 1),
                                                      ("max", Role.MANAGER, 1), ("erin", Role.REP, 2),
                                                      ("boss", Role.ADMIN, 1), ("eve", Role.MANAGER, 2)), start=1):
        uow.members.add(Member(handle, team, role, id=member_id))
        uow.members.add_identity(Identity("console", handle, member_id))
    for customer_id, name, team in ((1, "Acme Inc.", 1), (2, "ACME", 1), (3, "Beta", 1), (4, "Delta", 2)):
        uow.customers.add(Customer(name, team, id=customer_id))
    _deal(uow, 1, 1, 1, [("quote", local(1)), ("won", local(4))], "30000")
    _deal(uow, 2, 1, 3, [("lead", local(2)), ("lost", local(5))])
    _deal(uow, 3, 2, 2, [("demo", local(3)), ("won", local(6))], "10000")
    _deal(uow, 4, 2, 3, [("quote", local(5))], "20000")  # no close date, past the first stage
    _deal(uow, 5, 1, 3, [("demo", local(20, month=2))], "8000", close=local(1))  # stale, close date passed
    _deal(uow, 6, 4, 4, [("lead", local(2))], team=2)
    uow.interactions.add(Interaction(1, "call", local(25, month=2), kind="call", deal_id=5, author_id=1))
    uow.interactions.add(Interaction(1, "gone", local(8), kind="message", deal_id=5,
                                     deleted_at=local(8, 11)))  # deleted: no touch
    uow.interactions.add(Interaction(1, "note", local(10), kind="note", deal_id=4, author_id=2))  # bo, this week
    uow.targets.put(Target(1, None, "won_amount", "month", date(2026, 3, 1), date(2026, 4, 1), Decimal(100000),
                           "CNY", 3, local(1)))
    uow.commit()
    return ChatHarness(clock=FixedClock(NOW), uow=uow, admins=(("console", "boss"),))


# -- reading -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ('csat D-12 4 "quick delivery"', c.RecordSatisfaction(12, 4, "quick delivery")),
    ("满意度 D-3 5分", c.RecordSatisfaction(3, 5)),
    ("csat D-3 4/5", c.RecordSatisfaction(3, 4)),
    ("csat D-3", c.RecordSatisfaction(3)),
    ('complaint Acme "late delivery"', c.LogComplaint("late delivery", customer="Acme")),
    ('complaint Acme Group "late delivery" again', c.LogComplaint("late delivery again", customer="Acme Group")),
    ('complaint "Acme Group" late', c.LogComplaint("late", customer="Acme Group")),
    ("complaint Acme late delivery", c.LogComplaint("late delivery", customer="Acme")),
    ('投诉 D-1 “发票开错了”', c.LogComplaint("发票开错了", deal_id=1)),
    ("resolve C-3 refunded", c.ResolveComplaint(3, "refunded")),
    ("解决 c3", c.ResolveComplaint(3)),
    ("complaints", c.ListComplaints()),
    ("投诉列表 全部", c.ListComplaints(everything=True)),
    ("health", c.ShowHealth()),
    ("销售健康度 east", c.ShowHealth(team="east")),
    ("quality east", c.ShowQuality(team="east")),
    ("数据质量 team:华南", c.ShowQuality(team="华南")),
])
def test_reading(text, expected):
    assert parse(text, CTX) == expected


@pytest.mark.parametrize(("text", "key"), [
    ("csat D-3 6", "err.csat_score"), ("csat D-3 0", "err.csat_score"), ('csat D-3 "4"', "err.csat_score"),
    ("csat", "err.missing_arg"), ("csat T-3 4", "err.bad_deal_ref"),
    ("complaint", "err.missing_arg"), ("complaint Acme", "err.missing_arg"),
    ('complaint Acme "' + "x" * 501 + '"', "err.text_too_long"),
    ("resolve", "err.missing_arg"), ("resolve D-3", "err.bad_complaint_ref"),
    ("complaints open please", "err.extra_args"),
    ("csat D-2 4 5", "err.csat_comment_quoted"), ("csat D-2 4 fast delivery", "err.csat_comment_quoted"),
    ('csat D-2 4 "fast" 5', "err.csat_comment_quoted"), ("满意度 D-2 4分 5", "err.csat_comment_quoted"),
    ("resolve C-1 C-2", "err.one_complaint"), ("解决 C-1 c2", "err.one_complaint"),
])
def test_bad_input_is_one_message(text, key):
    with pytest.raises(ParseError) as caught:
        parse(text, CTX)
    assert caught.value.key == key


def test_health_period_reads_like_the_scorecards():
    command = parse("health sales 2026-W09", CTX)
    assert command.team == "sales" and command.period == week_of(date(2026, 2, 23))


# -- the figures, by hand ------------------------------------------------------------------------------

def test_golden_figures_of_last_week(chat):
    uow = chat.uow
    chat.say("ann", 'csat D-1 4 "fast"')
    chat.say("bo", "csat D-3 5")
    chat.say("max", 'complaint Acme Inc. "late delivery"')
    uow.feedback.scores.rows[1].recorded_at = local(4)  # recorded in W10
    uow.feedback.scores.rows[2].recorded_at = local(6)
    uow.feedback.complaint_rows.rows[1].logged_at = local(5)
    uow.feedback.add_score(uow.feedback.scores.rows[1].__class__(1, 1, 1, 2, local(25, month=2)))  # W09
    board = build_health(uow, uow.teams.get(1), DEFAULT_PIPELINE, week_of(date(2026, 3, 2)), "CNY")
    assert [w.period.label for w in board.weeks] == ["2026-W06", "2026-W07", "2026-W08", "2026-W09", "2026-W10"]
    week = board.week
    assert week.conversion == 0.6667  # won D-1 and D-3, lost D-2
    assert week.cycle == 3.0  # 3 days each
    assert week.output == 20000.0  # ¥40,000 ÷ ann and bo
    assert week.attainment == 0.4  # ¥40,000 of the March target's ¥100,000
    assert (week.open_deals, week.touched, week.discipline) == (2, 1, 0.5)  # D-4 moved 5 March; D-5 not since 25 Feb
    assert week.first_response is None
    assert week.csat == 4.5
    assert (week.complaints, week.served, week.complaint_rate) == (1, 2, 0.5)  # Acme Inc. and ACME were served
    before = board.weeks[-2]
    assert before.conversion is None and before.csat == 2.0 and before.complaint_rate is None
    assert before.attainment == 0.0  # the March target on 1 March, nothing won yet
    assert (before.open_deals, before.touched) == (2, 2)  # D-1 in quote since 1 Mar, D-5 followed up 25 Feb
    assert board.trend("discipline") == [None, None, 1.0, 1.0, 0.5]


def test_the_reply_side_by_side_with_arrows(chat):
    reply = chat.say("boss", "health")
    assert not reply.is_error
    assert reply.title.startswith("Health board · 2026-W10")
    conversion = next(line for line in reply.lines if line.startswith("Conversion:"))
    assert "sales 66.7% → (before: — — — —)" in conversion and " · east — →" in conversion  # east closed nothing
    discipline = next(line for line in reply.lines if line.startswith("Update discipline:"))
    assert "sales 50% ↓ (before: — — 100% 100%)" in discipline
    assert any(line.startswith("No team target for east") for line in reply.lines)
    zh = chat.say("max", "健康度")
    assert zh.title.startswith("销售健康度 · 2026-W10") and "east" not in zh.text()
    assert any(line.startswith("人均产出：sales ¥2万") for line in zh.lines)


def test_a_team_is_its_members_and_admins(chat):
    assert not chat.say("ann", "health").is_error  # a rep sees the team's board
    refused = chat.say("eve", "health sales")
    assert refused.is_error and "sales" in refused.title
    assert chat.say("nobody-team", "health zzz").is_error
    assert chat.say("boss", "health nowhere").title == "There is no team “nowhere”."


# -- satisfaction and complaints -----------------------------------------------------------------------

def test_csat_asks_then_records_and_audits(chat):
    asked = chat.say("ann", "csat D-1")
    assert [b.command for b in asked.buttons] == [f"csat D-1 {n}" for n in range(1, 6)]
    recorded = chat.say("ann", asked.buttons[1].command)
    assert recorded.title == "Satisfaction 2/5 recorded for D-1 (Acme Inc.)."
    assert any('complaint D-1 "…"' in line for line in recorded.lines)  # a low score
    assert [s.score for s in chat.uow.feedback.scores_of(1)] == [2]
    assert chat.uow.audit.all()[-1].action == "csat.record"
    assert "Scores so far: 2" in chat.say("ann", "csat D-1").text()


def test_a_later_score_the_same_day_replaces_the_earlier_one(chat):
    chat.say("ann", "csat D-1 4")
    chat.say("ann", "csat D-1 4/5")
    again = chat.say("ann", 'csat D-1 3 "slow reply"')
    assert again.title == "Satisfaction 3/5 recorded for D-1 (Acme Inc.)."
    assert "It replaces today's earlier score 4/5 for D-1." in again.lines
    assert [(s.score, s.comment) for s in chat.uow.feedback.scores_of(1)] == [(3, "slow reply")]
    assert chat.uow.audit.all()[-1].before == {"score": 4, "comment": ""}
    chat.uow.feedback.scores.rows[1].recorded_at -= timedelta(days=1)  # yesterday's score stays
    chat.say("ann", "csat D-1 5")
    assert [s.score for s in chat.uow.feedback.scores_of(1)] == [3, 5]


def test_an_extra_argument_is_refused_not_stored(chat):
    before = chat.counts()
    refused = chat.say("ann", "csat D-1 4 5")
    assert refused.is_error and 'Put the comment in quotes: csat D-1 4 "5"' in refused.text()
    chat.say("max", 'complaint Acme Inc. "late delivery"')
    logged = chat.counts()
    assert before != logged
    refused = chat.say("max", "resolve C-1 C-2")
    assert refused.is_error and "One complaint at a time: resolve C-1, then resolve C-2." in refused.text()
    assert chat.counts() == logged and chat.uow.feedback.complaint(1).is_open


def test_csat_is_for_whoever_may_change_the_deal(chat):
    before = chat.counts()
    assert chat.say("bo", "csat D-1 5").is_error  # ann's deal
    assert chat.say("erin", "csat D-1 5").is_error  # another team's
    assert chat.say("ann", "csat D-99 5").is_error
    assert chat.counts() == before
    assert not chat.say("max", "csat D-1 5").is_error


def test_complaints_are_logged_listed_and_resolved(chat):
    logged = chat.say("bo", '投诉 ACME "发货太慢"')
    assert logged.title == "已登记 ACME 的投诉 C-1。"
    chat.say("ann", 'complaint D-1 "wrong invoice"')
    listed = chat.say("max", "complaints")
    assert listed.title == "Open complaints: 2"
    assert listed.lines[0].startswith("C-2 · Acme Inc. ·") and listed.lines[0].endswith("open: wrong invoice")
    assert chat.say("erin", "complaints").lines == ["No complaints."]  # east's list is east's
    before = chat.counts()
    assert chat.say("ann", "resolve C-1").title.startswith("No permission: C-1 about ACME")  # bo logged it, owns its deal
    assert chat.say("erin", "resolve C-1").title == "There is no complaint C-1."
    assert chat.say("ann", "resolve C-9").title == "There is no complaint C-9."
    assert chat.counts() == before
    assert chat.say("bo", "resolve C-1 sent by air").title == "C-1 (ACME) resolved."
    assert chat.say("max", "resolve C-1").title == "C-1 is already resolved."
    assert chat.say("max", "complaints").title == "Open complaints: 1"
    assert chat.say("max", "complaints all").lines[1].startswith("C-1 · ACME")
    assert chat.say("erin", 'complaint Beta "x"').is_error  # another team's customer is not even named


def test_merging_customers_moves_their_feedback():
    from core.health.feedback import Complaint

    uow = FakeUnitOfWork()
    uow.customers.add(Customer("Acme", 1, id=1))
    uow.customers.add(Customer("Acme Inc", 1, id=2))
    uow.feedback.add_complaint(Complaint(1, 2, "x", NOW))
    uow.merge_customers(2, 1)
    assert uow.feedback.complaints(1)[0].customer_id == 1


# -- data quality --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b"), [
    ("Acme Inc.", "ACME"), ("Acme Co., Ltd.", "acme"), ("华为技术有限公司", "华为技术"), ("Beta  GmbH", "beta"),
    ("E*TRADE", "etrade"), ("Ｃａｆé", "café"),
])
def test_loose_keys_meet(a, b):
    assert loose_key(a) == loose_key(b)


@pytest.mark.parametrize(("a", "b"), [("Acme", "Acme Robotics"), ("Inc", "Ltd"), ("有限公司", "公司")])
def test_loose_keys_keep_apart(a, b):
    assert loose_key(a) != loose_key(b)


def test_quality_lists_each_problem_with_its_fix(chat):
    reply = chat.say("max", "quality")
    text = reply.text()
    assert reply.title == "Data quality · sales: 5 to fix"
    assert "D-4 (Quote): no close date → edit D-4 close:…" in text
    assert "D-5: was to close" in text and "edit D-5 close:…" in text
    assert "D-5 (Demo): 19 days → move D-5 next" in text
    assert '“Acme Inc.” ~ “ACME” → merge customer "ACME" into "Acme Inc."' in text
    assert "@ann → deals owner:@ann" in text and "@bo →" not in text  # bo logged a follow-up this week
    assert [b.command for b in reply.buttons] == ["edit D-4", "edit D-5", "log D-5",
                                                  'merge customer "ACME" into "Acme Inc."', "deals owner:@ann"]
    merged = chat.say("max", reply.buttons[3].command)  # the one-tap fix works
    assert not merged.is_error
    assert "duplicate" not in chat.say("max", "quality").text().lower()


def test_a_rep_sees_their_own_deals_in_quality(chat):
    text = chat.say("bo", "数据质量").text()
    assert "D-4（报价）：缺成交日期" in text and "D-5" not in text


def test_quality_when_all_is_well():
    uow = FakeUnitOfWork()
    uow.teams.add(Team("solo", timezone=SH, id=1))
    uow.members.add(Member("max", 1, Role.MANAGER, id=1))
    uow.members.add_identity(Identity("console", "max", 1))
    uow.commit()
    chat = ChatHarness(clock=FixedClock(NOW), uow=uow, admins=())
    assert chat.say("max", "quality").lines == [
        "Nothing to fix: every open deal has its amount and dates, nothing is stale, no customer looks doubled, "
        "everyone updated this week."]
    assert DealStatus.OPEN  # the module's deals are open ones


def test_the_digest_lines_are_the_week_that_ended(chat):
    from core.services.health import digest_lines

    uow = chat.uow
    team = uow.teams.get(1)
    start, end = week_of(date(2026, 3, 2)).bounds(SH)
    lines = digest_lines(uow, team, start, end, "en", "CNY", end)
    assert lines[0] == "Health board 2026-W10:" and lines[1].startswith("Conversion: sales 66.7% →")
    # ann and bo both made deals in W10: nobody was quiet in the week that ended
    assert lines[-1] == ("Data quality: 1 missing amount or date, 1 past close date, 1 stale, 1 duplicate customers, "
                         "0 reps without updates → quality")


def test_a_won_deal_asks_for_the_customers_satisfaction(chat):
    won = chat.say("bo", "won D-4")
    assert won.lines[-1] == "Ask the customer how satisfied they are (1–5), then record it: csat D-4"
    assert [b.command for b in won.buttons] == ["csat D-4"]
    asked = chat.say("bo", won.buttons[0].command)
    assert asked.title == "How satisfied is Beta with D-4? Ask them, then tap their answer (1–5)."


def test_a_month_asked_for_is_its_last_whole_week():
    from core.health.board import weeks_of
    from core.language.periods import month_of

    assert weeks_of(month_of(date(2026, 11, 5)))[-1].label == "2026-W48"  # 23–29 Nov; 30 Nov starts W49
    assert weeks_of(month_of(date(2026, 5, 5)))[-1].label == "2026-W22"  # 25–31 May ends with the month
    assert [w.label for w in weeks_of(week_of(date(2026, 3, 2)))] == [
        "2026-W06", "2026-W07", "2026-W08", "2026-W09", "2026-W10"]


def test_the_week_in_progress_is_measured_as_of_now(chat):
    uow = chat.uow
    _deal(uow, 7, 1, 3, [("lead", local(10))])  # Lead's limit is 3 days: touched as of now, not as of Sunday
    week = week_of(date(2026, 3, 9))
    as_of_now = build_health(uow, uow.teams.get(1), DEFAULT_PIPELINE, week, "CNY", NOW).week
    at_the_end = build_health(uow, uow.teams.get(1), DEFAULT_PIPELINE, week, "CNY").week
    assert (as_of_now.open_deals, as_of_now.touched) == (3, 2)  # D-4 (a note on the 10th), D-7; not D-5
    assert (at_the_end.open_deals, at_the_end.touched) == (3, 1)  # by 16 March D-7 would be overdue
