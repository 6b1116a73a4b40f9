"""README.md's `pytest` runs on SQLite alone unless DEALBOT_TEST_DATABASE_URL names a PostgreSQL
server, even when one is reachable on this machine: nobody's database is used unasked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
POSTGRES_ONLY = "tests/reminders/test_leader.py::test_one_holder_at_a_time"

pytestmark = pytest.mark.slow  # each test runs pytest in a process of its own


def run_pytest(test: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DEALBOT_TEST_")} | env
    return subprocess.run([sys.executable, "-m", "pytest", "-rs", test], capture_output=True, text=True,
                          cwd=REPO, env=environ, timeout=120)


def test_without_the_variable_postgresql_tests_skip_and_say_which_variable():
    result = run_pytest(POSTGRES_ONLY)
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "set DEALBOT_TEST_DATABASE_URL" in result.stdout


def test_the_old_second_name_no_longer_selects_a_server():
    result = run_pytest(POSTGRES_ONLY, DEALBOT_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    assert "1 skipped" in result.stdout, result.stdout
