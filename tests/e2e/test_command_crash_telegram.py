"""Telegram never loses an acknowledged command: a real `dealbot run` (long polling) takes
hundreds of `new` commands from many private chats of the fake Telegram and is killed with
SIGKILL at random moments, then started again.

The fake acknowledges as Telegram does: an update is confirmed (and forgotten) only when a later
getUpdates names an offset past it; every update not confirmed is offered again to the next
getUpdates, after a restart too. So `fake.offset` read at the moment of the kill tells which
commands Telegram considers delivered: each of them must have created its deal, and after the
restarts every command exists exactly once (lost 0, duplicated 0).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e import crash
from tests.e2e.conftest import dealbot_env
from tests.e2e.test_run_three_platforms import free_port
from tests.platforms.telegram import FakeTelegram, message_update, private_chat, user

pytestmark = pytest.mark.slow

TOKEN = "123456:ACK-token"
# Telegram's answers are paced at 30 messages/s (PTB's AIORateLimiter, Telegram's broadcast
# limit), and a chat's next command waits for the answer to its last: crash.COMMANDS (400) take
# ~15 s on an idle machine, half a minute or more on a busy one.
COMMANDS, CHATS = crash.COMMANDS, 100
FIRST_USER = 3001


def updates() -> list[dict]:
    """Command n (1..COMMANDS) in user (n % CHATS)'s private chat, update id n, message id n."""
    found = []
    for n in range(1, COMMANDS + 1):
        sender = user(FIRST_USER + n % CHATS, first_name=f"Rep{n % CHATS}")
        found.append(message_update(n, sender, private_chat(sender["id"]), crash.command(n), message_id=n))
    return found


async def test_no_acknowledged_command_is_lost_or_run_twice_across_kills(database_url, tmp_path: Path):
    crash.migrate(database_url)
    fake = await FakeTelegram(TOKEN).start()
    admins = ",".join(f"telegram:{FIRST_USER + i}" for i in range(CHATS))
    env = dealbot_env(database_url, tmp_path, DEALBOT_HTTP_PORT=str(free_port()), TELEGRAM_BOT_TOKEN=TOKEN,
                      TELEGRAM_API_URL=fake.url, DEALBOT_ADMINS=admins)
    seed = time.time_ns() % 1_000_000
    points = crash.kill_points(seed, COMMANDS)
    run = crash.KilledRun(env, tmp_path, "telegram", database_url, lambda: set(range(1, fake.offset)), COMMANDS)
    try:
        began = time.monotonic()
        await fake.push(*updates())
        report = await run.kill_at(points, seed)
        await run.start()
        await crash.wait_until(lambda: fake.offset > COMMANDS, timeout=120, what="every update confirmed")
        elapsed = time.monotonic() - began
        await run.stop()
    finally:
        await run.stop()
        await fake.stop()

    counts = crash.deals_per_title(database_url)
    lost, doubled = crash.lost_and_doubled(counts, range(1, COMMANDS + 1))
    assert (lost, doubled, sum(counts.values())) == ([], [], COMMANDS), f"seed {seed}"
    print(f"\ntelegram: {COMMANDS} commands, killed at (confirmed, then seconds) {points} (seed {seed}) "
          f"with {report} confirmed; lost 0, duplicated 0; {elapsed:.1f} s in all")
