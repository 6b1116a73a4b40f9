"""The weekly digest carries the week's points: the top three and the most improved on the week
before (core.reminders.scans with core.performance.standings), on the test database with the
clock frozen and moved by hand; a team with points off gets none."""

from __future__ import annotations

from datetime import UTC, datetime

from core.chat.messages import Incoming
from core.reminders.outbox import DigestSubscription
from core.reminders.scans import Scans
from storage import tables
from tests.fakes import FixedClock

LAST_WEEK = datetime(2026, 2, 25, 2, 0, tzinfo=UTC)  # Wed 25 Feb 10:00 Shanghai (2026-W09)
THIS_WEEK = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # Wed 4 March (2026-W10)
MONDAY_NINE = datetime(2026, 3, 9, 1, 1, tzinfo=UTC)  # Mon 9 March 09:01: W10's digest is due


def _play(wired) -> None:
    n = iter(range(1000))

    def say(who, text):
        reply = wired.bot.handle(Incoming(platform="console", user_id=who, user_name=who, text=text,
                                          message_id=f"d{next(n)}"))
        assert not reply.is_error, reply.text()

    wired.bot.clock.set(LAST_WEEK)
    for who in ("boss", "alice", "bob", "carol", "dan", "mia"):
        say(who, "me")
    say("boss", "member @mia role:manager")
    for who in ("alice", "bob", "carol", "dan"):
        say(who, f"new {who.title()} Ltd 10k")  # D-1 … D-4
    say("alice", "log D-1 call")  # last week: alice 2 + 1 + 3, bob 2 + 1 + 3, carol and dan nothing
    say("bob", "log D-2 call")
    wired.bot.clock.set(THIS_WEEK)
    say("alice", "log D-1 call")  # this week: alice 2 + 1 = 3
    say("bob", "log D-2 call")  # bob 3 + a 10 award = 13
    say("mia", "points award @bob 10 the Beta demo")
    say("carol", "log D-3 call")  # carol's first touch, too late (3 days limit): 3
    say("dan", "check D-4 1")  # dan 2 + 2 = 4 (his deal's first touch is still to come)


def _digest(wired) -> list[str]:
    scans = Scans(wired.bot.uow_factory, FixedClock(MONDAY_NINE), platforms=frozenset({"slack"}),
                  defaults=wired.bot.defaults)
    assert scans.digests().queued == 1
    with wired.engine.connect() as connection:
        return connection.execute(tables.outbox.select()).one().payload["reply"]["lines"]


def _subscribe(wired) -> None:
    with wired.uow() as uow:
        team = uow.teams.by_name("sales")
        uow.digests.add(DigestSubscription(team.id, "slack", "C_SALES", "weekly", LAST_WEEK))
        uow.commit()


def test_the_weekly_digest_names_the_top_three_and_the_most_improved(wired):
    _play(wired)
    _subscribe(wired)
    lines = _digest(wired)
    head = lines.index("Points this week, top three:")
    assert lines[head + 1:head + 5] == [
        "1. @bob · 13 (+7 on the period before)",
        "2. @dan · 4 (+4 on the period before)",
        "3. @alice · 3 (-3 on the period before)",
        "Most improved: @bob (+7)",
    ]


def test_a_team_with_points_off_gets_no_points_in_its_digest(wired):
    _play(wired)
    wired.bot.handle(Incoming(platform="console", user_id="mia", user_name="mia", text="points off", message_id="off"))
    _subscribe(wired)
    lines = _digest(wired)
    assert not any("Points" in line or "@bob ·" in line for line in lines)
