"""Two weeks of a small team, minute by minute (well, ten minutes at a time), on the test
database: every reminder, escalation, daily card and scorecard, to whom, about what and when.

Shanghai time, working days Monday to Friday, quiet hours 21:00-08:00, daily card at 18:00,
escalation two working days after the breach, catch-up window 24 h. The process stops on
Tuesday 10 March at 18:00 in the middle of a dispatch round (rows claimed, nothing sent) and
starts again on Thursday 12 March at 09:00.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.reminders.outbox import OutboxStatus
from storage import tables
from tests.access import let_in
from tests.reminders.sim import CHATS, PEOPLE, Sim, label, local

EXPECTED = [
    # Monday 2: everything was touched today: no daily cards.
    ("Tue 03 18:00", "alice", "daily", ""),  # D-1, D-3 and D-4 untouched today
    ("Tue 03 18:00", "bob", "daily", ""),  # D-2 (D-5 is new today)
    ("Wed 04 18:00", "alice", "daily", ""),
    ("Wed 04 18:00", "bob", "daily", ""),
    ("Thu 05 08:00", "alice", "task", "T-1"),  # due Wed 22:00, a quiet hour: the next morning
    ("Thu 05 15:00", "bob", "task", "T-2"),  # bob clicks [Snooze 1 day] at 15:10
    ("Thu 05 18:00", "alice", "daily", ""),
    ("Thu 05 18:00", "bob", "daily", ""),
    ("Fri 06 09:00", "alice", "sla", "D-1"),  # lead for 4 days, over its 3-day limit
    ("Fri 06 09:00", "bob", "sla", "D-2"),  # bob clicks [Snooze 2 days] at 09:10
    ("Fri 06 15:10", "bob", "task", "T-2"),  # the snooze is over; bob: done T-2
    ("Fri 06 18:00", "alice", "daily", ""),
    ("Fri 06 18:00", "bob", "daily", ""),
    # The weekend: D-5 breaches on Saturday 09:00, D-2's snooze ends on Sunday 09:10.
    ("Mon 09 08:00", "bob", "sla", "D-5"),
    ("Mon 09 08:00", "bob", "sla", "D-2"),
    ("Mon 09 09:00", "#sales", "digest", "2026-W10"),
    # Monday 10:00 bob moves D-2 and D-5 on by their cards' buttons: no escalation for them.
    ("Mon 09 18:00", "alice", "daily", ""),  # bob touched all his deals today: no card for him
    ("Tue 10 09:00", "mia", "escalation", "D-1"),  # two working days after Friday's reminder
    # Tuesday 18:00: the process dies holding the daily cards; it is back on Thursday 09:00.
    ("Thu 12 09:00", "alice", "daily", ""),  # Tuesday's, held by the dead process: sent once
    ("Thu 12 09:00", "bob", "daily", ""),
    ("Thu 12 09:00", "bob", "task", "T-4"),  # due Wed 15:00: came due while down, sent once
    ("Thu 12 09:00", "alice", "daily", ""),  # Wednesday's card, within the catch-up window
    ("Thu 12 09:00", "bob", "daily", ""),
    # Not sent: D-4's reminder (due Wed 08:00) and T-3's (Wed 08:30) are more than 24 h late;
    # they are on Wednesday's daily card instead. Alice wins D-4 on Thursday: no escalation.
    ("Thu 12 18:00", "alice", "daily", ""),
    ("Thu 12 18:00", "bob", "daily", ""),
    ("Fri 13 18:00", "alice", "daily", ""),
    ("Fri 13 18:00", "bob", "daily", ""),
    ("Mon 16 09:00", "#sales", "digest", "2026-W11"),
]


def script(sim: Sim) -> list:
    say, click = sim.say, sim.click
    return [
        (local(2, 9), lambda: [
            say("boss", "me"), say("mia", "me"), say("carl", "me"),
            say("boss", "member @mia role:manager"),
            say("alice", "new Acme 50k"),  # D-1, lead
            say("bob", "new Globex 30k"),  # D-2, lead
            say("alice", "new Initech 80k stage:quote"),  # D-3
            say("alice", 'task call the Acme CFO D-1 due:"2026-03-04 22:00"'),  # T-1
            say("bob", 'task follow up Globex D-2 due:"2026-03-05 15:00"'),  # T-2
        ]),
        (local(2, 9, 30), lambda: say("mia", "digest here weekly", chat="C_SALES")),
        (local(2, 21, 30), lambda: say("alice", "new Hooli 20k stage:contact")),  # D-4
        (local(3, 9), lambda: say("bob", "new Umbrella 40k")),  # D-5
        (local(5, 15, 10), lambda: click("bob", "T-2", "snooze")),
        (local(6, 9, 10), lambda: click("bob", "D-2", "snooze")),
        (local(6, 15, 30), lambda: say("bob", "done T-2")),
        (local(9, 10), lambda: [
            click("bob", "D-2", "move"), click("bob", "D-5", "move"),
            say("alice", "move D-3 negotiation"),
            say("alice", 'task send the proposal D-4 due:"2026-03-11 08:30"'),  # T-3
            say("bob", 'task send the contract D-5 due:"2026-03-11 15:00"'),  # T-4
        ]),
        (local(12, 10), lambda: say("alice", "won D-4")),
    ]


@pytest.fixture
def world(wired):
    """The real core wired by bot on the test database (SQLite, or PostgreSQL in that run). The
    fakes are held to the same behaviour by tests/storage/test_outbox_contract.py. The team's
    platform accounts were let in by the console admin (their welcome messages are not counted)."""
    for handle, (platform, user_id) in PEOPLE.items():
        if platform != "console":
            let_in(wired, platform, user_id, handle)

    def rows():
        o = tables.outbox.c
        with wired.engine.connect() as connection:
            found = connection.execute(select(tables.outbox).where(o.kind != "access")
                                       .order_by(o.sent_at, o.id)).all()
        return [SimpleNamespace(**row._mapping) for row in found]

    return SimpleNamespace(bot=wired.bot, rows=rows)


@pytest.mark.slow  # 9 s in a full run on a loaded 2-core machine
async def test_two_weeks_of_reminders(world):
    sim = Sim(world)
    sim.clock.set(local(2, 9))
    sim.plan(script(sim))
    crash_at, back_at = local(10, 18), local(12, 9)
    await sim.run(crash_at - timedelta(minutes=10))
    # The crash: a dispatch round claims its rows, then the process is gone.
    sim.scans.run_all()
    held = sim.dispatcher._claim()
    assert {r.kind for r in held} == {"daily"}
    sim.down = True
    sim.clock.set(back_at)
    sim.down = False
    sim.start_process()
    await sim.run(local(16, 10))
    assert not sim.pending

    got = [(when, CHATS[chat], _kind(reply), _subject(reply)) for when, _, chat, reply in sim.received]
    assert sorted(got, key=_order) == sorted(EXPECTED, key=_order)

    rows = world.rows()
    sent = [r for r in rows if r.status == OutboxStatus.SENT]
    from_rows = [(label(r.sent_at), CHATS[r.chat_id], r.kind, r.payload["subject"]) for r in sent]
    assert sorted(from_rows, key=_order) == sorted(EXPECTED, key=_order)
    # Each row went out once, and nothing else went out.
    assert Counter((r.chat_id, r.payload["reply"]["title"]) for r in sent) == \
        Counter((chat, reply.title) for _, _, chat, reply in sim.received)
    assert {r.status for r in rows} == {OutboxStatus.SENT}


def _order(message: tuple) -> tuple:
    """Time order ("Thu 12 09:00" -> (12, "09:00")); messages of one moment in any order."""
    _, day, clock = message[0].split()
    return (int(day), clock, *message[1:])


def _kind(reply) -> str:
    title = reply.title
    for marker, kind in (("Daily progress", "daily"), ("Weekly scorecard", "digest"), ("⚠", "escalation"),
                         ("task", "task"), ("⏰", "sla")):
        if marker in title.replace("Task", "task"):
            return kind
    return "?"


def _subject(reply) -> str:
    import re

    if "scorecard" in reply.title:
        return reply.title.rsplit("· ", 1)[-1]
    found = re.search(r"\b([DT]-\d+)", reply.title)
    return found[1] if found and "Daily" not in reply.title else ""
