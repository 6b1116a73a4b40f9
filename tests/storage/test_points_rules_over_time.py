"""A team's point rules count from when they are set: points already earned keep the rule in force
when they were earned (a sales manager's expectation), on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools

from core.chat.messages import Incoming
from tests.access import let_in

_IDS = itertools.count(1)


def say(wired, user: str, text: str):
    reply = wired.bot.handle(Incoming(platform="telegram", user_id=user, user_name=user, text=text,
                                      message_id=f"r{next(_IDS)}"))
    assert not reply.is_error, reply.title
    return reply


def test_changed_rules_do_not_rescore_points_already_earned(wired):
    let_in(wired, "telegram", "11", "alice")
    let_in(wired, "telegram", "13", "mia", role="manager")
    for customer in ("Acme", "Beta", "Gamma"):
        say(wired, "11", f"new {customer} 10k")
    wired.bot.clock.advance(hours=1)
    for deal in ("D-1", "D-2"):  # Wed: two follow-ups at the default 1 point each
        say(wired, "11", f"log {deal} called, demo next week")
    earned = _points(say(wired, "11", "points"))
    assert earned == 2 + 2 * (1 + 3)  # the daily update; two follow-ups (1 each), each a first contact (3)

    wired.bot.clock.advance(hours=1)
    reply = say(wired, "13", "points rule follow-up 5 cap:3")
    assert _points(say(wired, "11", "points")) == earned  # nothing earned changed
    wired.bot.clock.advance(hours=1)
    say(wired, "11", "log D-3 sent the quote")  # the day's third follow-up: within the new cap
    assert _points(say(wired, "11", "points")) == earned + 5 + 3  # 5 by the new rule, a first contact
    wired.bot.clock.advance(days=1)  # Thu
    say(wired, "11", "log D-1 follow-up call")
    say(wired, "11", "log D-2 follow-up call")
    assert _points(say(wired, "11", "points")) == earned + 8 + 2 + 5 + 5  # Thu: the daily update, two follow-ups
    assert "from now on" in reply.title and "already earned keep" in reply.title
    assert "从现在起" in say(wired, "13", "积分 规则 跟进 4").title

    say(wired, "13", "points off")
    say(wired, "13", "points on")
    assert _points(say(wired, "11", "points")) == earned + 20  # off and on again: nothing lost


def _points(reply) -> int:
    """The total in `points`'s title: "Points of @alice · this week: 7"."""
    return int(reply.title.rsplit(":", 1)[1])
