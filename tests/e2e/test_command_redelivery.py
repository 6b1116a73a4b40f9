"""A command is not run twice when Telegram delivers it again: a real `dealbot run` process
takes `new Acme 50k` from the fake Telegram and answers, then is killed with SIGKILL; its
getUpdates confirmation is taken as lost, so after the restart Telegram offers the same update
again. The deal is created once, and the second answer says the message was handled before."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from bot.bootstrap import build
from bot.config import Settings
from tests.access import let_in
from tests.e2e.conftest import dealbot_env
from tests.e2e.test_capture_crash import start
from tests.e2e.test_run_three_platforms import free_port
from tests.platforms.telegram import FakeTelegram, message_update, private_chat, user

pytestmark = pytest.mark.slow

TOKEN = "123456:REDELIVER-token"
REP = user(1001, username="alice", first_name="Alice")


def deal_titles(database_url: str) -> list[str]:
    wired = build(Settings(_env_file=None, database_url=database_url), migrate=False)
    try:
        with wired.uow() as uow:
            return [deal.title for deal in uow.deals.find()]
    finally:
        wired.engine.dispose()


async def test_a_command_redelivered_after_a_crash_runs_once(database_url, tmp_path: Path):
    wired = build(Settings(_env_file=None, database_url=database_url, admins="console:boss"))  # migrated
    let_in(wired, "telegram", "1001", "alice")  # a member, let in by the console admin
    wired.engine.dispose()
    fake = await FakeTelegram(TOKEN).start()
    env = dealbot_env(database_url, tmp_path, DEALBOT_HTTP_PORT=str(free_port()), TELEGRAM_BOT_TOKEN=TOKEN,
                      TELEGRAM_API_URL=fake.url)
    command = message_update(7, REP, private_chat(1001), "new Acme 50k", message_id=70)
    process = None
    try:
        process, _ = await start(env, tmp_path)
        await fake.push(command)
        first = (await fake.wait_for("sendMessage", 1, timeout=30))[0]
        process.send_signal(signal.SIGKILL)
        assert await process.wait() == -signal.SIGKILL

        process, _ = await start(env, tmp_path)
        await fake.push(command)  # the confirming getUpdates never reached Telegram
        again = (await fake.wait_for("sendMessage", 2, timeout=30))[1]
        process.send_signal(signal.SIGTERM)
        assert await process.wait() == 0
    finally:
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()
        await fake.stop()

    assert "Created D-1 for Acme" in first["text"]
    assert "Already done" in again["text"] and "D-2" not in again["text"]
    assert deal_titles(database_url) == ["Acme"]
