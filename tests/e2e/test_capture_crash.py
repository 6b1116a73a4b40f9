"""Chat capture survives a crash: a real `dealbot run` process takes a burst of 10,000 group
messages from the fake Telegram (long polling: Telegram offers every update until a getUpdates
offset confirms it), is killed with SIGKILL in the middle, and is started again. Every update
confirmed before the kill was already stored; after the restart Telegram's redelivery fills in
the rest, and every message is stored exactly once."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.bootstrap import build
from bot.config import Settings
from core.chat.messages import Incoming
from storage import tables as t
from tests.access import let_in
from tests.e2e.conftest import DEALBOT, dealbot_env
from tests.e2e.test_run_three_platforms import free_port, wait_for_line
from tests.platforms.telegram import FakeTelegram, group_chat, message_update, user

pytestmark = pytest.mark.slow

TOKEN = "123456:CRASH-token"
BURST, CHATS = 10_000, 10
CUSTOMER = user(2001, first_name="Wang")


def chat_id(n: int) -> int:
    return -100_900 - n


def seed(database_url: str) -> None:
    """Alice's deal D-1, and CHATS Telegram groups linked to it, through the real core."""
    wired = build(Settings(_env_file=None, database_url=database_url, admins="console:boss"))
    try:
        let_in(wired, "telegram", "1001", "alice")

        def say(text: str, chat: str, direct: bool) -> str:
            reply = wired.bot.handle(Incoming(platform="telegram", user_id="1001", user_name="alice",
                                              text=text, chat_id=chat, message_id=text, is_direct=direct))
            assert not reply.is_error, reply.text()
            return reply.title

        say("new Acme 50k", "1001", True)
        for n in range(CHATS):
            assert "D-1" in say("link D-1", str(chat_id(n)), False)
    finally:
        wired.engine.dispose()


def stored(database_url: str) -> list[tuple[str, str]]:
    """(chat id, message id) of every captured message."""
    engine = build(Settings(_env_file=None, database_url=database_url), migrate=False).engine
    try:
        with engine.connect() as connection:
            c = t.interactions.c
            query = sa.select(c.chat_id, c.message_id).where(c.kind == "message")
            return [(row.chat_id, row.message_id) for row in connection.execute(query)]
    finally:
        engine.dispose()


def burst() -> list[dict]:
    """Message n (1..BURST) in chat n % CHATS, update id n, message id n."""
    return [message_update(n, CUSTOMER, group_chat(chat_id(n % CHATS)), f"message {n}", message_id=n)
            for n in range(1, BURST + 1)]


async def start(env: dict, cwd: Path) -> tuple[asyncio.subprocess.Process, list[str]]:
    process = await asyncio.create_subprocess_exec(
        str(DEALBOT), "run", env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output: list[str] = []
    await wait_for_line(process.stdout, "dealbot running: telegram", output, 60)
    return process, output


async def wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def test_a_burst_survives_sigkill_and_is_stored_exactly_once(database_url, tmp_path: Path):
    seed(database_url)
    fake = await FakeTelegram(TOKEN).start()
    env = dealbot_env(database_url, tmp_path, DEALBOT_HTTP_PORT=str(free_port()), TELEGRAM_BOT_TOKEN=TOKEN,
                      TELEGRAM_API_URL=fake.url)
    process = None
    try:
        process, _ = await start(env, tmp_path)
        began = time.monotonic()
        await fake.push(*burst())
        await wait_until(lambda: fake.offset > BURST // 3, timeout=30)
        confirmed = fake.offset  # no await between reading it and the kill: nothing moves it
        process.send_signal(signal.SIGKILL)
        assert await process.wait() == -signal.SIGKILL
        assert confirmed <= BURST, "the burst was over before the kill"

        at_kill = stored(database_url)
        confirmed_ids = {str(n) for n in range(1, confirmed)}
        assert confirmed_ids <= {m for _, m in at_kill}  # confirmed means stored
        assert len(at_kill) == len(set(at_kill))

        process, _ = await start(env, tmp_path)
        await wait_until(lambda: fake.offset > BURST, timeout=30)
        elapsed = time.monotonic() - began
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()
        await fake.stop()

    after = stored(database_url)
    expected = {(str(chat_id(n % CHATS)), str(n)) for n in range(1, BURST + 1)}
    assert len(after) == BURST and set(after) == expected  # every message, each once
    print(f"\n{BURST} messages, killed after {confirmed - 1} were confirmed "
          f"({len(at_kill)} stored at the kill); all stored {elapsed:.1f} s after the burst began, "
          f"a restart included")
