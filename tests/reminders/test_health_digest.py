"""The weekly digest carries the team's health board and a data quality line (core.services.health,
through core.services.analytics.digest_extras), on the test database (SQLite, or PostgreSQL in that
run), with the clock frozen: the figures are the week that ended, the daily digest has none of it."""

from __future__ import annotations

from datetime import UTC, datetime

from core.chat.messages import Incoming
from core.reminders.outbox import DigestSubscription
from core.reminders.scans import Scans
from core.services.analytics import digest_extras
from storage import tables
from tests.fakes import FixedClock

MONDAY_NINE = datetime(2026, 3, 9, 1, 1, tzinfo=UTC)  # Mon 9 March 09:01 Shanghai: 2026-W10's digest is due
EVENING = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)  # Wed 4 March 18:30 Shanghai: the day's digest is due


def _say(wired, text: str, n: list[int] = [0]):  # noqa: B006 (a message counter)
    n[0] += 1
    reply = wired.bot.handle(Incoming(platform="console", user_id="boss", user_name="boss", text=text,
                                      message_id=f"h{n[0]}"))
    assert not reply.is_error, reply.text()
    return reply


def _digests(wired, clock, frequency: str) -> list[dict]:
    with wired.uow() as uow:
        team = uow.teams.by_name(wired.settings.team)
        uow.digests.add(DigestSubscription(team.id, "slack", f"C_{frequency}", frequency, wired.bot.clock.now()))
        uow.commit()
    scans = Scans(wired.bot.uow_factory, FixedClock(clock), platforms=frozenset({"slack"}),
                  defaults=wired.bot.defaults, digest_extras=digest_extras())
    assert scans.digests().queued == 1
    with wired.engine.connect() as connection:
        return [row.payload["reply"] for row in connection.execute(tables.outbox.select())]


def _week_of_work(wired) -> None:
    _say(wired, "new Acme 50k")  # D-1, won the same week
    _say(wired, "won D-1")
    _say(wired, 'csat D-1 5 "smooth"')
    _say(wired, '投诉 Acme "发票晚了"')
    _say(wired, "new Beta stage:quote")  # no amount, no close date: quality


def test_the_weekly_digest_has_the_health_board_and_a_quality_line(wired):
    _week_of_work(wired)
    [reply] = _digests(wired, MONDAY_NINE, "weekly")
    lines = reply["lines"]
    team = wired.settings.team
    start = lines.index("Health board 2026-W10:")
    board = lines[start + 1:start + 9]
    assert board[0].startswith(f"Conversion: {team} 100% →")
    assert board[2].startswith(f"Output per rep: {team} ") and board[6].startswith(f"Satisfaction: {team} 5/5")
    assert board[7].startswith(f"Complaint rate: {team} 100%")  # one complaint, one customer served
    assert lines[start + 9] == ("Data quality: 1 missing amount or date, 0 past close date, 0 stale, "
                                "0 duplicate customers, 0 reps without updates → quality")  # no reps here


def test_the_daily_digest_leaves_it_out(wired):
    _week_of_work(wired)
    [reply] = _digests(wired, EVENING, "daily")
    assert not [line for line in reply["lines"] if "Health board" in line or "Data quality" in line]
