"""A list cut short says so, with how many were left out ("… and 2 more"), on the test database:
the deal card's tasks and follow-ups, the scorecard's stalled deals, the forecast's deals."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from core.chat.messages import Incoming

MESSAGE_IDS = itertools.count(1)


def say(wired, text: str) -> str:
    """Said in the console by its local admin (DEALBOT_ADMINS: console:boss)."""
    reply = wired.bot.handle(Incoming(platform="console", user_id="boss", user_name="boss", text=text,
                                      message_id=str(next(MESSAGE_IDS))))
    assert not reply.is_error, reply.text()
    return reply.text()


@pytest.fixture
def seven_deals(wired):
    for n in range(1, 8):
        say(wired, f"new Customer{n} {n}0k close:2026-03-25")  # Wed 4 March: all close this month
    return wired


def test_a_deal_card_says_how_many_tasks_and_follow_ups_it_leaves_out(wired):
    say(wired, "new Acme 50k")
    for n in range(1, 8):
        say(wired, f"task step {n} D-1 due:2026-03-2{n}")
        say(wired, f"log D-1 note {n}")

    card = say(wired, "show D-1")
    assert "Open tasks (7):" in card and "T-5 step 5" in card and "T-6" not in card
    assert "… and 2 more: tasks D-1" in card
    assert "Last follow-ups (7):" in card and "note 7" in card and "note 2" not in card
    assert "… and 2 more: history D-1" in card
    chinese = say(wired, "查看 D-1")
    assert "…… 还有 2 条：tasks D-1" in chinese and "最近跟进（7）：" in chinese


def test_the_scorecard_says_how_many_stalled_deals_it_leaves_out(seven_deals):
    wired = seven_deals
    wired.bot.clock.set(wired.bot.clock.now() + timedelta(days=6))  # Lead allows 3 days: all seven stalled

    scorecard = say(wired, "scorecard this week")
    assert "Stalled deals (7):" in scorecard
    assert scorecard.count(" Lead · ") == 5 and "… and 2 more: deals stale" in scorecard


def test_the_forecast_says_how_many_deals_it_leaves_out(seven_deals):
    forecast = say(seven_deals, "forecast")
    assert "from 7 open deals" in forecast
    assert forecast.count("close Wed 25 Mar") == 5 and forecast.rstrip().endswith("… and 2 more")
    assert "…… 还有 2 条" in say(seven_deals, "预测")
