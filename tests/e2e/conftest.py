"""End-to-end tests run the installed `dealbot` command as a separate process: started afresh
(`run_dealbot`, and every `dealbot run`), or forked from one that has imported the bot already
(`run_dealbot_forked`, tests/e2e/prestarted.py) where a test's subject is what the commands do
rather than how the process starts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.prestarted import Prestarted

DEALBOT = Path(sys.executable).with_name("dealbot")


def dealbot_env(database_url: str, tmp_path: Path, **env: str) -> dict[str, str]:
    """The environment of a `dealbot` process on the test database: this one's, without any
    platform credentials or dealbot settings of the machine, plus `env`."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DEALBOT_", "SLACK_", "TELEGRAM_",
                                                                         "DINGTALK_"))}
    environ.update(DEALBOT_DATABASE_URL=database_url, DEALBOT_LOG_FILE=str(tmp_path / "dealbot.log"),
                   PYTHONUNBUFFERED="1")
    return environ | env


def _console_env(database_url: str, tmp_path: Path, now: str | None, env: dict[str, str]) -> dict[str, str]:
    environ = dealbot_env(database_url, tmp_path, DEALBOT_ADMINS="console:boss")
    if now:
        environ["DEALBOT_FIXED_NOW"] = now
    return environ | env


@pytest.fixture
def run_dealbot(database_url: str, tmp_path: Path):
    """run_dealbot(args, stdin=..., now=..., **env) -> CompletedProcess, on the test database."""

    def run(args: list[str], *, stdin: str = "", now: str | None = None, timeout: float = 60, **env):
        return subprocess.run([str(DEALBOT), *args], input=stdin, capture_output=True, text=True,
                              timeout=timeout, env=_console_env(database_url, tmp_path, now, env), cwd=tmp_path)

    return run


@pytest.fixture(scope="session")
def _prestarted() -> Iterator[Prestarted]:
    server = Prestarted()
    yield server
    server.close()


@pytest.fixture
def run_dealbot_forked(_prestarted: Prestarted, database_url: str, tmp_path: Path):
    """run_dealbot's twin for tests that run the command many times: each run is a process forked
    from one that has imported the bot already (tests/e2e/prestarted.py), not a fresh start."""

    def run(args: list[str], *, stdin: str = "", now: str | None = None, timeout: float = 60, **env):
        return _prestarted.run(args, env=_console_env(database_url, tmp_path, now, env), cwd=tmp_path,
                               stdin=stdin, timeout=timeout)

    return run
