"""The figures on a small hand-checked history (golden numbers written out), the periods, the
verbs, who sees which rows, and the win-probability model; on the in-memory fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from core.analytics.counts import StageExits
from core.analytics.reports import build_forecast, build_funnel, build_scorecard
from core.analytics.winprob import WinModel
from core.domain.model import Deal, DealStatus, Interaction, Member, Role, StageChange, Task, Team
from core.domain.pipeline import DEFAULT_PIPELINE
from core.language import commands as c
from core.language.parser import ParseContext
from core.language.periods import parse_period
from core.language.verbs import parse
from tests.fakes import ChatHarness, FakeUnitOfWork, FixedClock

SH = "Asia/Shanghai"
NOW = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)  # Wed 11 Mar 10:00 Shanghai


def local(day: int, hour: int = 10, month: int = 3) -> datetime:
    """A moment in March 2026, Shanghai time, as UTC."""
    return datetime(2026, month, day, hour, tzinfo=UTC) - timedelta(hours=8)


def _deal(uow, deal_id, owner, created, moves, amount=None, close=None, currency="CNY"):
    """moves: [(stage, at)]; the first is where the deal was created."""
    previous = None
    for stage, at in moves:
        uow.stage_changes.add(StageChange(deal_id, previous, stage, at, owner, owner_id=owner,
                                          advance=DEFAULT_PIPELINE.is_advance(previous, stage)))
        previous = stage
    stage, at = moves[-1]
    closed = stage in ("won", "lost")
    uow.deals.add(Deal(f"d{deal_id}", 1, owner, 1, stage, at, created, id=deal_id,
                       amount=Decimal(amount) if amount else None, currency=currency,
                       status=DealStatus(stage) if closed else DealStatus.OPEN,
                       closed_at=at if closed else None, expected_close=close))


@pytest.fixture
def golden():
    """Week 2026-W10 (Mon 2 – Sun 8 March, Shanghai) of a team of two reps and a manager."""
    uow = FakeUnitOfWork()
    uow.teams.add(Team("sales", timezone=SH, id=1))
    uow.members.add(Member("ann", 1, Role.REP, id=1))
    uow.members.add(Member("bo", 1, Role.REP, id=2))
    uow.members.add(Member("max", 1, Role.MANAGER, id=3))
    # 1: created Sunday 1 March 23:59 Shanghai (last week), won Monday 00:00: won in W10.
    _deal(uow, 1, 1, local(1, 23) + timedelta(minutes=59), [("lead", local(1, 23) + timedelta(minutes=59)),
                                                            ("quote", local(2, 0) - timedelta(minutes=1)),
                                                            ("won", local(2, 0))], amount="30000")
    # 2: created Monday 00:00 at demo (reached lead and contact too), won the same day: 9 h cycle.
    _deal(uow, 2, 1, local(2, 0), [("demo", local(2, 0)), ("won", local(2, 9))], amount="10000")
    # 3: created Tuesday, quote, lost Thursday.
    _deal(uow, 3, 2, local(3), [("lead", local(3)), ("contact", local(3, 12)), ("quote", local(4)),
                                ("lost", local(5))], amount="50000")
    # 4: created Wednesday, lost, reopened into negotiation, still open: reached negotiation.
    _deal(uow, 4, 2, local(4), [("lead", local(4)), ("lost", local(4, 15)), ("negotiation", local(6))],
          amount="20000", close=local(20))
    # 5: created Sunday 8 March 23:59:59 (still W10), lead; 6: Monday 9 March 00:00 (W11).
    _deal(uow, 5, 1, local(8, 23) + timedelta(minutes=59, seconds=59), [("lead", local(8, 23) + timedelta(minutes=59, seconds=59))])
    _deal(uow, 6, 1, local(9, 0), [("lead", local(9, 0))])
    # 7: a USD deal won by bo in W10: counted, its amount kept apart.
    _deal(uow, 7, 2, local(2, 12), [("quote", local(2, 12)), ("won", local(7))], amount="3500", currency="USD")
    # 8: an old deal stuck in demo since 20 Feb: stale (limit 10 days).
    _deal(uow, 8, 3, local(20, month=2), [("demo", local(20, month=2))])
    uow.interactions.add(Interaction(1, "call", local(3), kind="call", author_id=1))
    uow.interactions.add(Interaction(1, "captured", local(3), kind="message", author_id=1))
    uow.interactions.add(Interaction(1, "note", local(9, 0), kind="note", author_id=2))  # W11
    uow.tasks.add(Task("late", 2, 1, local(1), due_at=local(6)))  # open, overdue at the week's end
    uow.tasks.add(Task("done late", 2, 1, local(1), due_at=local(6), done_at=local(10)))  # done after the week
    uow.tasks.add(Task("on time", 1, 1, local(1), due_at=local(6), done_at=local(5)))
    return uow


def test_golden_scorecard(golden):
    team = golden.teams.get(1)
    card = build_scorecard(golden, team, DEFAULT_PIPELINE, parse_period("2026-W10", date(2026, 3, 11)), NOW, "CNY")
    data = card.to_json()
    assert (data["week"], data["start"], data["end"]) == ("2026-W10", "2026-03-02T00:00:00+08:00",
                                                        "2026-03-09T00:00:00+08:00")
    assert (data["new_deals"], data["won"], data["lost"]) == (5, 3, 1)  # deals 2, 3, 4, 5, 7; won 1, 2, 7
    assert data["won_amount"] == 40000.0  # CNY only; the USD 3,500 is apart
    assert card.other_amounts == {"USD": Decimal("3500")}
    assert data["win_rate"] == 0.75
    # cycles: 1 min, 9 h, Mon 12:00 -> Sat 10:00 = 4 d 22 h: (60 + 32400 + 424800) / 3 s = 1.7641 days
    assert data["avg_cycle_days"] == 1.76
    assert data["funnel"] == [
        {"stage": "lead", "reached": 5, "conversion": 0.8},
        {"stage": "contact", "reached": 4, "conversion": 1.0},
        {"stage": "demo", "reached": 4, "conversion": 1.0},
        {"stage": "quote", "reached": 4, "conversion": 0.75},  # 2, 3, 4, 7 (3 lost there)
        {"stage": "negotiation", "reached": 3, "conversion": 0.6667},  # 2 and 7 won, 4 reopened here
        {"stage": "won", "reached": 2, "conversion": None},
    ]
    # ann: 1 quote→won (its lead→quote was a minute before the week), 2 demo→won; bo: 3 lead→contact→
    # quote, 7 quote→won (moves to lost and reopening are not advances); overdue at the week's end
    assert data["reps"] == [
        {"member": "ann", "new_deals": 2, "advances": 2, "won": 2, "won_amount": 40000.0, "interactions": 1,
         "overdue_tasks": 0},
        {"member": "bo", "new_deals": 3, "advances": 3, "won": 1, "won_amount": 0.0, "interactions": 0,
         "overdue_tasks": 2},
    ]
    assert data["stale"] == [{"deal": "D-8", "stage": "demo", "days_in_stage": 19.0, "sla_days": 10}]
    assert data["first_response_minutes_median"] is None
    assert list(data) == ["team", "week", "start", "end", "new_deals", "won", "lost", "won_amount", "win_rate",
                          "avg_cycle_days", "funnel", "reps", "stale", "first_response_minutes_median"]


def test_golden_empty_week_and_funnel(golden):
    team = golden.teams.get(1)
    empty = build_scorecard(golden, team, DEFAULT_PIPELINE, parse_period("2026-W20", date(2026, 3, 11)), NOW, "CNY")
    assert (empty.totals.new_deals, empty.win_rate, empty.avg_cycle_days) == (0, None, None)
    assert [s.conversion for s in empty.funnel] == [None] * 6
    march = build_funnel(golden, team, DEFAULT_PIPELINE, parse_period("2026-03", date(2026, 3, 11)))
    # deals 1-7 (deal 1 was created on 1 March); 1, 2, 3, 4, 7 got past lead; 1, 2, 4, 7 to
    # negotiation or further; 1, 2, 7 won
    assert [s.reached for s in march.steps] == [7, 5, 5, 5, 4, 3] and march.overall == 0.4286


def test_golden_forecast(golden):
    team = golden.teams.get(1)
    report = build_forecast(golden, team, DEFAULT_PIPELINE, parse_period("2026-03", date(2026, 3, 11)), NOW, "CNY")
    assert (report.deals, report.pipeline_amount) == (1, Decimal("20000"))  # deal 4 closes on 20 March
    assert report.top[0].estimate.stage == "negotiation"
    assert 0 < report.expected < Decimal("20000")


@pytest.mark.parametrize(("text", "label"), [
    ("this week", "2026-W11"), ("last week", "2026-W10"), ("2026-W10", "2026-W10"), ("本周", "2026-W11"),
    ("上周", "2026-W10"), ("本月", "2026-03"), ("上个月", "2026-02"), ("Q3", "2026-Q3"), ("本季度", "2026-Q1"),
    ("上季度", "2025-Q4"), ("2026-03", "2026-03"), ("3月", "2026-03"), ("next month", "2026-04"), ("今年", "2026"),
])
def test_periods(text, label):
    assert parse_period(text, date(2026, 3, 11)).label == label


def test_period_bounds_are_local_midnights():
    start, end = parse_period("2026-W10", date(2026, 3, 11)).bounds("America/New_York")
    assert start == datetime(2026, 3, 2, 5, tzinfo=UTC)  # EST
    assert end == datetime(2026, 3, 9, 4, tzinfo=UTC)  # EDT since Sunday 8 March


CTX = ParseContext(NOW, SH, DEFAULT_PIPELINE)


@pytest.mark.parametrize(("text", "command"), [
    ("scorecard", c.ShowScorecard()),
    ("周报 上周", c.ShowScorecard(period=parse_period("上周", date(2026, 3, 11)))),
    ("scorecard East Coast 2026-W10", c.ShowScorecard("East Coast", parse_period("2026-W10", date(2026, 3, 11)))),
    ("漏斗 华南 本季度", c.ShowFunnel("华南", parse_period("本季度", date(2026, 3, 11)))),
    ('funnel team:"sales"', c.ShowFunnel("sales")),
    ("预测 下个月", c.ShowForecast(period=parse_period("下个月", date(2026, 3, 11)))),
    ("forecast this quarter", c.ShowForecast(period=parse_period("this quarter", date(2026, 3, 11)))),
])
def test_figure_verbs_parse(text, command):
    assert parse(text, CTX) == command


def test_a_bad_period_is_a_usage_reply():
    chat = ChatHarness(clock=FixedClock(NOW))
    reply = chat.say("boss", "scorecard 2026-W99")
    assert reply.is_error and "not a period" in reply.title and "Usage: scorecard" in reply.text()


def test_reps_see_their_own_row_and_managers_every_row(golden):
    chat = ChatHarness(clock=FixedClock(NOW), uow=golden)
    from core.domain.model import Identity

    for member_id, handle in ((1, "ann"), (3, "max")):
        golden.members.add_identity(Identity("console", handle, member_id))
    rep = chat.say("ann", "scorecard 2026-W10").text()
    manager = chat.say("max", "scorecard 2026-W10").text()
    assert "@ann:" in rep and "@bo:" not in rep and "New deals 5" in rep
    assert "@ann:" in manager and "@bo:" in manager
    other = chat.say("ann", "scorecard nosuchteam")
    assert other.is_error


def test_the_model_lowers_overstaying_deals_and_starts_at_the_defaults():
    empty = WinModel(DEFAULT_PIPELINE, [])
    assert empty.probability("quote", 0) == pytest.approx(0.45)
    exits = [StageExits("quote", exits=100, forward=50, over=40, over_forward=8, far=10, far_forward=1),
             StageExits("negotiation", exits=100, forward=80)]
    model = WinModel(DEFAULT_PIPELINE, exits)
    within, over, far = (model.probability("quote", b) for b in (0, 1, 2))
    assert far <= over < within
    estimate = model.estimate("quote", NOW - timedelta(days=19), NOW)
    assert (estimate.days_over, estimate.similar) == (12, 10)
