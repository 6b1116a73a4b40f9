"""bot/import_pacing.py: an import's write transactions sized to the write lock they hold, with the
lock left free between them; a fake clock, so nothing here waits."""

from __future__ import annotations

from bot.import_pacing import LockPacer, pacer_for


class FakeTime:
    def __init__(self):
        self.now, self.slept = 0.0, []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def run(pacer: LockPacer, time: FakeTime, deals: int, holds: float, built: float = 0.0) -> None:
    """One transaction of `deals` that holds the lock `holds` seconds, after `built` seconds of
    building its values outside it."""
    time.now += built
    with pacer.transaction(deals):
        time.now += holds


def test_batches_follow_the_time_they_hold_the_lock():
    time = FakeTime()
    pacer = LockPacer(hold=0.4, pause=0.1, first=1000, clock=time.clock, sleep=time.sleep)
    run(pacer, time, 0, 0.3)  # the first transaction (customers, numbers) does not size batches
    assert pacer.size() == 1000
    run(pacer, time, 1000, 0.1)  # fast: at most twice as many next
    assert pacer.size() == 2000
    run(pacer, time, 2000, 0.2)
    assert pacer.size() == 4000
    run(pacer, time, 4000, 1.6)  # slower as the indexes grow: back to 0.4 s worth
    assert pacer.size() == 1000
    run(pacer, time, 1000, 100.0)  # a stalled machine: never below the smallest batch
    assert pacer.size() == 50
    assert pacer.transactions == 5 and pacer.longest == 100.0


def test_the_lock_stays_free_between_transactions_for_the_pause_minus_the_building():
    time = FakeTime()
    pacer = LockPacer(hold=0.4, pause=0.1, clock=time.clock, sleep=time.sleep)
    run(pacer, time, 0, 0.2)
    run(pacer, time, 1000, 0.4, built=0.03)
    run(pacer, time, 1000, 0.4, built=0.25)  # building took longer than the pause: no sleep
    assert time.slept == [0.07, 0.0]


def test_postgresql_batches_do_not_pause():
    assert pacer_for("postgresql").pause == 0 and pacer_for("sqlite").pause > 0.1
