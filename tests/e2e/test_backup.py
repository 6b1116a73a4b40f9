"""`dealbot backup` taken while a real `dealbot run` captures a burst of Telegram group messages,
restored into an empty database: every message acknowledged to Telegram before the backup began
is in it. Then restore's refusal of a database holding data, and --force. On the test database
(SQLite, or PostgreSQL in that run: pg_dump / pg_restore)."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from storage.migrate import head
from tests.e2e.conftest import DEALBOT, dealbot_env
from tests.e2e.running import dealbot_running
from tests.e2e.test_capture_crash import CHATS, CUSTOMER, chat_id, seed, stored, wait_until
from tests.e2e.test_run_three_platforms import free_port
from tests.platforms.telegram import FakeTelegram, group_chat, message_update

pytestmark = pytest.mark.slow

TOKEN = "123456:BACKUP-token"
BURST = 6000


async def dealbot(env: dict, cwd: Path, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(str(DEALBOT), *args, env=env, cwd=cwd,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode, out.decode()


def empty_database(request, database_url: str, tmp_path: Path) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'dealbot.db'}"
    return request.getfixturevalue("make_pg_database")()


async def test_backup_during_a_capture_burst_restores_every_acknowledged_message(request, database_url,
                                                                                  tmp_path: Path):
    seed(database_url)
    fake = await FakeTelegram(TOKEN).start()
    env = dealbot_env(database_url, tmp_path, DEALBOT_HTTP_PORT=str(free_port()), TELEGRAM_BOT_TOKEN=TOKEN,
                      TELEGRAM_API_URL=fake.url)
    backup = tmp_path / "backup.file"
    try:
        async with dealbot_running(env, tmp_path):
            await fake.push(*[message_update(n, CUSTOMER, group_chat(chat_id(n % CHATS)), f"message {n}",
                                             message_id=n) for n in range(1, BURST + 1)])
            await wait_until(lambda: fake.offset > BURST // 4, timeout=60)
            acknowledged = fake.offset - 1  # Telegram's getUpdates offset: 1..acknowledged are confirmed
            code, out = await dealbot(env, tmp_path, "backup", str(backup))
            assert code == 0, out
            at_end_of_backup = fake.offset - 1
            await wait_until(lambda: fake.offset > BURST, timeout=60)
    finally:
        await fake.stop()
    assert acknowledged < BURST, "the burst was over before the backup began"
    assert "backup written" in out and f"schema revision {head()}" in out
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600

    target = empty_database(request, database_url, tmp_path)
    restore_env = dealbot_env(target, tmp_path)
    code, out = await dealbot(restore_env, tmp_path, "restore", str(backup))
    assert code == 0, out
    restored = {message for _, message in stored(target)}
    assert {str(n) for n in range(1, acknowledged + 1)} <= restored  # every acknowledged message
    assert restored <= {str(n) for n in range(1, BURST + 1)}
    print(f"\n{acknowledged} acknowledged when the backup began, {len(restored)} in it, "
          f"{at_end_of_backup} acknowledged when it ended")

    # the original, with all its data, is refused unless asked; nothing in it changes
    before = sorted(stored(database_url))
    code, out = await dealbot(dealbot_env(database_url, tmp_path), tmp_path, "restore", str(backup))
    assert code == 2 and "not empty" in out and "--force" in out and "Traceback" not in out
    assert sorted(stored(database_url)) == before
    code, out = await dealbot(dealbot_env(database_url, tmp_path), tmp_path, "restore", "--force", str(backup))
    assert code == 0, out
    assert {message for _, message in stored(database_url)} == restored


async def test_restore_refuses_what_is_no_backup(database_url, tmp_path: Path):
    env = dealbot_env(f"sqlite:///{tmp_path / 'new.db'}", tmp_path)
    (tmp_path / "notes.txt").write_text("not a database\n")
    code, out = await dealbot(env, tmp_path, "restore", str(tmp_path / "notes.txt"))
    assert code == 2 and "is not an SQLite database file" in out and "Traceback" not in out
    code, out = await dealbot(env, tmp_path, "restore", str(tmp_path / "missing.db"))
    assert code == 2 and "there is no file" in out
    assert not (tmp_path / "new.db").exists()
