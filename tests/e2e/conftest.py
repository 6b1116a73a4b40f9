"""End-to-end tests run the installed `dealbot` command as a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DEALBOT = Path(sys.executable).with_name("dealbot")


def dealbot_env(database_url: str, tmp_path: Path, **env: str) -> dict[str, str]:
    """The environment of a `dealbot` process on the test database: this one's, without any
    platform credentials or dealbot settings of the machine, plus `env`."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DEALBOT_", "SLACK_", "TELEGRAM_",
                                                                         "DINGTALK_"))}
    environ.update(DEALBOT_DATABASE_URL=database_url, DEALBOT_LOG_FILE=str(tmp_path / "dealbot.log"),
                   PYTHONUNBUFFERED="1")
    return environ | env


@pytest.fixture
def run_dealbot(database_url: str, tmp_path: Path):
    """run_dealbot(args, stdin=..., now=..., **env) -> CompletedProcess, on the test database."""

    def run(args: list[str], *, stdin: str = "", now: str | None = None, timeout: float = 60, **env):
        environ = dealbot_env(database_url, tmp_path, DEALBOT_ADMINS="console:boss")
        if now:
            environ["DEALBOT_FIXED_NOW"] = now
        environ.update(env)
        return subprocess.run([str(DEALBOT), *args], input=stdin, capture_output=True, text=True,
                              timeout=timeout, env=environ, cwd=tmp_path)

    return run
