"""What the kill -9 command tests share: a real `dealbot run` process killed with SIGKILL at
random moments and started again, and the count of deals each command created.

Each test sends a thousand or more `new Acme 10k title:C<n>` commands (deal title C<n> for
command n; one customer, as a customer's name is matched against all of the team's customers in
Python, which thousands of new customers would turn into the test's bottleneck) through a
platform's real SDK from a fake platform server, kills the process while they are
being handled, and after each kill compares what the fake saw acknowledged with what the
database holds: an acknowledged command must have created its deal, and no command may have
created two. The acting users are admins by DEALBOT_ADMINS, so no test relies on a stranger
becoming a member on first contact.
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from pathlib import Path

import sqlalchemy as sa

from bot.bootstrap import build
from bot.config import Settings
from storage import tables as t
from tests.e2e.conftest import DEALBOT
from tests.e2e.test_run_three_platforms import wait_for_line

# One kill -9 under load per platform and run: each kill proves the same thing at another random
# moment, and every round costs a restart and PER_ROUND more commands. Raise it to hunt a bug.
KILLS = 1
PER_ROUND = 200  # commands a kill point is drawn from: the load around a kill, whatever KILLS is
COMMANDS = PER_ROUND * (KILLS + 1)  # the last share runs after the last restart


def title(n: int) -> str:
    return f"C{n}"


def command(n: int) -> str:
    return f"new Acme 10k title:{title(n)}"


def migrate(database_url: str) -> None:
    build(Settings(_env_file=None, database_url=database_url)).engine.dispose()


def deals_per_title(database_url: str) -> Counter:
    """How many deals have each title."""
    engine = build(Settings(_env_file=None, database_url=database_url), migrate=False).engine
    try:
        with engine.connect() as connection:
            return Counter(row.title for row in connection.execute(sa.select(t.deals.c.title)))
    finally:
        engine.dispose()


def lost_and_doubled(counts: Counter, acknowledged: Iterable[int]) -> tuple[list[int], list[str]]:
    """The acknowledged commands without their deal, and the titles with more than one deal."""
    lost = sorted(n for n in acknowledged if counts[title(n)] == 0)
    doubled = sorted(name for name, count in counts.items() if count > 1)
    return lost, doubled


async def start(env: dict, cwd: Path, platform: str) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        str(DEALBOT), "run", env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    await wait_for_line(process.stdout, f"dealbot running: {platform}", [], 60)
    _DRAINS.add(asyncio.create_task(drain(process.stdout)))
    return process


_DRAINS: set[asyncio.Task] = set()  # strong references, so the drains are not collected mid-run
LOG_TAIL: deque[str] = deque(maxlen=40)  # the last lines of the process's log, for a failure message


async def drain(stream: asyncio.StreamReader) -> None:
    """Read the process's log to its end. Without a reader the pipe fills after some hundred kB
    and the process blocks on its next log line, which looks like a process that stopped working."""
    try:
        while line := await stream.readline():
            LOG_TAIL.append(line.decode(errors="replace").rstrip())
    finally:
        _DRAINS.discard(asyncio.current_task())


async def kill(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    assert await process.wait() == -signal.SIGKILL


async def stop(process: asyncio.subprocess.Process | None) -> None:
    """SIGTERM (a clean stop must succeed); SIGKILL whatever is still running after a failure."""
    if process is None or process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def wait_until(condition: Callable[[], bool], timeout: float, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        await asyncio.sleep(0.01)


def kill_points(seed: int, total: int) -> list[tuple[int, float]]:
    """When to kill: once that many commands are acknowledged, plus that many seconds. Random,
    spread over the run (the k-th in the k-th of its KILLS + 1 shares), printed with the seed to
    replay."""
    chosen = random.Random(seed)
    return [(chosen.randrange(total * k // (KILLS + 1), total * (k + 1) // (KILLS + 1)),
             round(chosen.uniform(0, 0.5), 2)) for k in range(KILLS)]


async def reach(point: tuple[int, float], progress: Callable[[], int]) -> None:
    """Wait until `progress()` (commands acknowledged) reaches the point, then its seconds."""
    count, delay = point
    await wait_until(lambda: progress() >= count, 90, f"{count} commands acknowledged")
    await asyncio.sleep(delay)


class KilledRun:
    """`dealbot run` for one platform, killed at each point and started again. `acknowledged()`
    gives the numbers of the commands the fake platform considers delivered, read right before
    each kill (no await in between, so nothing moves)."""

    def __init__(self, env: dict, cwd: Path, platform: str, database_url: str,
                 acknowledged: Callable[[], set[int]], total: int):
        self.env, self.cwd, self.platform, self.database_url = env, cwd, platform, database_url
        self.acknowledged, self.total = acknowledged, total
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await start(self.env, self.cwd, self.platform)

    async def kill_at(self, points: list[tuple[int, float]], seed: int,
                      started: Callable[[], None] = lambda: None) -> list[int]:
        """Start, reach the point, kill, check, for each point; return the acknowledged counts."""
        report = []
        for point in points:
            await self.start()
            started()
            await reach(point, lambda: len(self.acknowledged()))
            acked = self.acknowledged()
            await kill(self.process)
            assert len(acked) < self.total, "every command was acknowledged before the kill"
            lost, doubled = lost_and_doubled(deals_per_title(self.database_url), acked)
            assert (lost, doubled) == ([], []), f"seed {seed}: lost {lost[:10]}, doubled {doubled[:10]}"
            report.append(len(acked))
        return report

    async def stop(self) -> None:
        await stop(self.process)
