"""The first start as README.md tells it: `cp .env.example .env`, then `dealbot console` and
`dealbot run`, with the embedded database in the per-user data folder (not the current
directory). No DEALBOT_DATABASE_URL here: these tests are about the defaults."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import DEALBOT
from tests.e2e.test_run_three_platforms import free_port, wait_for_line
from tests.platforms.telegram import FakeTelegram

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
TOKEN = "123456:FIRST-start"


def first_start_env(home: Path, **env: str) -> dict[str, str]:
    """A machine with no dealbot setting in the environment: only what .env says applies."""
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith(("DEALBOT_", "SLACK_", "TELEGRAM_", "DINGTALK_", "XDG_"))}
    environ.update(HOME=str(home), XDG_DATA_HOME=str(home / "share"), PYTHONUNBUFFERED="1")
    return environ | env


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder holding a copy of .env.example as .env, as every set-up page says to make."""
    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copyfile(REPO / ".env.example", folder / ".env")
    return folder


def dealbot(args: list[str], cwd: Path, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([str(DEALBOT), *args], input=stdin, capture_output=True, text=True, timeout=120,
                          cwd=cwd, env=env)


def test_console_starts_with_the_example_env_and_keeps_data_in_the_data_folder(workdir: Path, tmp_path: Path):
    env = first_start_env(tmp_path / "home")
    created = dealbot(["console"], workdir, env, stdin="new Acme 50k\n")
    assert created.returncode == 0, created.stderr
    assert created.stderr == ""
    assert "D-1" in created.stdout

    data = tmp_path / "home" / "share" / "dealbot"
    assert (data / "dealbot.db").is_file() and (data / "dealbot.log").is_file()
    assert not (workdir / "data").exists()  # nothing beside .env

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shown = dealbot(["console"], elsewhere, env, stdin="show D-1\n")  # no .env here: same defaults
    assert shown.returncode == 0 and "Acme" in shown.stdout, shown.stdout + shown.stderr


def test_database_url_still_wins_over_the_data_folder(workdir: Path, tmp_path: Path):
    own = tmp_path / "own.db"
    env = first_start_env(tmp_path / "home", DEALBOT_DATABASE_URL=f"sqlite:///{own}")
    result = dealbot(["console"], workdir, env, stdin="new Acme 50k\n")
    assert result.returncode == 0, result.stderr
    assert own.is_file()
    assert not (tmp_path / "home" / "share" / "dealbot" / "dealbot.db").exists()


async def test_run_without_a_chat_platform_serves_the_api_only(workdir: Path, tmp_path: Path):
    """A team on the REST API / lead web form alone: `dealbot run` starts with no platform set
    (it used to refuse with exit 2), says so, and serves the API with a token."""
    port = free_port()
    env = first_start_env(tmp_path / "home", DEALBOT_HTTP_PORT=str(port))
    assert dealbot(["console"], workdir, env, stdin="new Acme 50k\n").returncode == 0  # the first team
    made = dealbot(["token", "create", "crm", "--role", "manager", "--team", "sales"], workdir, env)
    assert made.returncode == 0, made.stdout + made.stderr
    secret = made.stdout.strip().splitlines()[-1]
    process = await asyncio.create_subprocess_exec(str(DEALBOT), "run", env=env, cwd=workdir,
                                                   stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    output: list[str] = []
    try:
        await wait_for_line(process.stdout, "dealbot running: api only", output, 60)
        assert "no chat platform is configured, so only the HTTP server runs" in "".join(output)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/healthz")).json() == {"ok": True}
            deals = await client.get("/api/v1/deals", headers={"Authorization": f"Bearer {secret}"})
            assert deals.status_code == 200 and "Acme" in deals.text, deals.text
            lead = await client.post("/api/v1/leads", json={"company": "Beta Corp"},
                                     headers={"Authorization": f"Bearer {secret}"})
            assert lead.status_code == 201, lead.text
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    rest = (await process.stdout.read()).decode()
    assert "Traceback" not in "".join(output) + rest


async def test_run_with_the_example_env_and_a_telegram_token_serves(workdir: Path, tmp_path: Path):
    fake = await FakeTelegram(TOKEN).start()
    env = first_start_env(tmp_path / "home", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=fake.url,
                          DEALBOT_HTTP_PORT=str(free_port()))
    process = await asyncio.create_subprocess_exec(str(DEALBOT), "run", env=env, cwd=workdir,
                                                   stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    output: list[str] = []
    try:
        await wait_for_line(process.stdout, "dealbot running: telegram", output, 60)
        started = output[-1]
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.stop()
    data_file = tmp_path / "home" / "share" / "dealbot" / "dealbot.db"
    assert f"data: {data_file}" in started  # printed at start: where the data is
    assert data_file.is_file()
