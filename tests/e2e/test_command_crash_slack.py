"""Slack never loses an acknowledged command: a real `dealbot run` (Socket Mode) takes
hundreds of direct-message commands from many users of the fake Slack and is killed with SIGKILL
at random moments, then started again.

The fake acknowledges and retries as Slack does for the Events API (tests/platforms/slack.py):
an envelope the app acknowledged is done; the events of envelopes it did not acknowledge are sent
again, with the same event_id, on the next connection. So the acks the fake holds at the moment
of a kill tell which commands Slack considers delivered: each of them must have created its
deal, and after the restarts every command exists exactly once (lost 0, duplicated 0).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.e2e import crash
from tests.e2e.conftest import dealbot_env
from tests.e2e.test_run_three_platforms import free_port
from tests.platforms.slack import FakeSlack, event_callback, message_event

pytestmark = pytest.mark.slow

COMMANDS, USERS = crash.COMMANDS, 50
WINDOW = 50  # events on their way at once: people typing, not one burst redelivered whole at each kill


def user_id(n: int) -> str:
    return f"U{100 + n % USERS}"


def events() -> list[dict]:
    """Command n (1..COMMANDS) in the direct chat of user n % USERS, event id Ev<n>."""
    return [event_callback(message_event(crash.command(n), user=user_id(n), channel="D" + user_id(n),
                                         channel_type="im", ts=f"1772600000.{n:06d}"), event_id=f"Ev{n}")
            for n in range(1, COMMANDS + 1)]


async def feed(fake: FakeSlack) -> None:
    for body in events():
        await crash.wait_until(lambda: fake.outstanding() < WINDOW, 120, "room in the window")
        await fake.deliver_events([body])


def acknowledged(fake: FakeSlack) -> set[int]:
    return {int(body["event_id"].removeprefix("Ev")) for body in fake.acknowledged_events()}


async def test_no_acknowledged_command_is_lost_or_run_twice_across_kills(database_url, tmp_path: Path):
    crash.migrate(database_url)
    fake = await FakeSlack().start()
    fake.max_retries = 100  # each kill, and any reconnect on a loaded machine, costs waiting events a retry
    for n in range(USERS):
        fake.add_user(user_id(n), f"Rep {n}", username=f"rep{n}")
    admins = ",".join(f"slack:{user_id(n)}" for n in range(USERS))
    env = dealbot_env(database_url, tmp_path, DEALBOT_HTTP_PORT=str(free_port()), SLACK_BOT_TOKEN="xoxb-ack",
                      SLACK_APP_TOKEN="xapp-ack", SLACK_API_URL=fake.api_url, DEALBOT_ADMINS=admins)
    seed = time.time_ns() % 1_000_000
    points = crash.kill_points(seed, COMMANDS)
    run = crash.KilledRun(env, tmp_path, "slack", database_url, lambda: acknowledged(fake), COMMANDS)
    feeding: list[asyncio.Task] = []

    def feed_once_connected() -> None:  # the commands flow from the first start on
        if not feeding:
            feeding.append(asyncio.create_task(feed(fake)))

    try:
        began = time.monotonic()
        report = await run.kill_at(points, seed, feed_once_connected)
        await run.start()
        try:
            await crash.wait_until(lambda: len(acknowledged(fake)) == COMMANDS, timeout=120,
                                   what="every command acknowledged")
        except AssertionError as timed_out:
            feeder = feeding[0] if feeding else None
            failed = feeder.exception() if feeder is not None and feeder.done() else None
            raise AssertionError(f"seed {seed}: {len(acknowledged(fake))} of {COMMANDS} acknowledged, "
                                 f"{fake.outstanding()} outstanding, {len(fake.dropped)} dropped, "
                                 f"feeder {'failed: ' + repr(failed) if failed else 'running or done'}; "
                                 f"the log ends: {list(crash.LOG_TAIL)[-10:]}") \
                from timed_out
        elapsed = time.monotonic() - began
        await run.stop()
    finally:
        for task in feeding:
            task.cancel()
        await run.stop()
        await fake.close()

    counts = crash.deals_per_title(database_url)
    lost, doubled = crash.lost_and_doubled(counts, range(1, COMMANDS + 1))
    assert (lost, doubled, sum(counts.values())) == ([], [], COMMANDS), f"seed {seed}"
    retried = sum(1 for envelope in fake.envelopes.values() if envelope["retry_attempt"])
    print(f"\nslack: {COMMANDS} commands, killed at (acknowledged, then seconds) {points} (seed {seed}) "
          f"with {report} acknowledged; {retried} events retried; lost 0, duplicated 0; {elapsed:.1f} s in all")
