"""DingTalk never loses an acknowledged command: a real `dealbot run` (Stream mode) takes
hundreds of one-to-one robot messages from the fake DingTalk and is killed with SIGKILL at random moments,
then started again.

The fake acknowledges as DingTalk documents it (tests/platforms/dingtalk.py): a robot
message is pushed once, fire-and-forget; a frame whose ack never came is not pushed again. So
the acks the fake holds at the moment of a kill tell which commands DingTalk considers
delivered: each of them must have created its deal, exactly once. A command taken but not yet
committed when the process died is not redelivered by DingTalk, and its sender got no answer:
the test counts those, and checks no command ever created two deals.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.e2e import crash
from tests.e2e.conftest import dealbot_env
from tests.e2e.test_run_three_platforms import free_port
from tests.platforms.dingtalk import FakeDingTalk

pytestmark = pytest.mark.slow

COMMANDS, USERS = crash.COMMANDS, 50
WINDOW = 50  # frames on their way at once: people typing, not one burst


def staff(n: int) -> str:
    return f"rep{n % USERS}"


async def feed(fake: FakeDingTalk) -> None:
    """Command n (1..COMMANDS) from staff member n % USERS, one-to-one, msgId and frame id n."""
    for n in range(1, COMMANDS + 1):
        await crash.wait_until(lambda: fake.outstanding() < WINDOW, 120, "room in the window")
        await fake.send_callback(fake.message(crash.command(n), user=staff(n), msg_id=f"msg{n}"),
                                 frame_id=f"frame-{n}")


def acknowledged(fake: FakeDingTalk) -> set[int]:
    return {int(ack["headers"]["messageId"].removeprefix("frame-")) for ack in fake.acks
            if ack.get("code") == 200 and ack.get("headers", {}).get("messageId", "").startswith("frame-")}


async def test_no_acknowledged_command_is_lost_or_run_twice_across_kills(database_url, tmp_path: Path):
    crash.migrate(database_url)
    fake = FakeDingTalk()
    await fake.start()
    env = dealbot_env(database_url, tmp_path, DEALBOT_HTTP_PORT=str(free_port()),
                      DINGTALK_CLIENT_ID=fake.client_id, DINGTALK_CLIENT_SECRET=fake.client_secret,
                      DINGTALK_API_URL=fake.url,
                      DEALBOT_ADMINS=",".join(f"dingtalk:{staff(n)}" for n in range(USERS)))
    seed = time.time_ns() % 1_000_000
    points = crash.kill_points(seed, COMMANDS)
    run = crash.KilledRun(env, tmp_path, "dingtalk", database_url, lambda: acknowledged(fake), COMMANDS)
    feeding: list[asyncio.Task] = []

    def feed_once_connected() -> None:  # the commands flow from the first start on
        if not feeding:
            feeding.append(asyncio.create_task(feed(fake)))

    try:
        began = time.monotonic()
        report = await run.kill_at(points, seed, feed_once_connected)
        await run.start()
        await asyncio.wait_for(feeding[0], 120)
        await crash.wait_until(lambda: fake.outstanding() == 0, 60, "every frame acked")
        elapsed = time.monotonic() - began
        await run.stop()
    finally:
        for task in feeding:
            task.cancel()
        await run.stop()
        await fake.close()

    counts = crash.deals_per_title(database_url)
    acked = acknowledged(fake)
    lost, doubled = crash.lost_and_doubled(counts, acked)
    assert (lost, doubled) == ([], []), f"seed {seed}"
    never_acked = set(range(1, COMMANDS + 1)) - acked
    dropped_unrun = sorted(n for n in never_acked if counts[crash.title(n)] == 0)
    assert len(fake.dropped) == len(never_acked) <= crash.KILLS * WINDOW, f"seed {seed}"
    print(f"\ndingtalk: {COMMANDS} commands, killed at (acknowledged, then seconds) {points} (seed {seed}) "
          f"with {report} acknowledged; lost 0, duplicated 0 of {len(acked)} acknowledged; "
          f"{len(never_acked)} taken without an ack by a killed process (not pushed again by DingTalk), "
          f"{len(dropped_unrun)} of them never committed; {elapsed:.1f} s in all")
