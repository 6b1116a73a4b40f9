"""What dealbot writes to disk is its owner's alone: the SQLite database, its WAL, the log, exports
(mode 0600, their folder 0700), whatever the umask of the shell that started it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_wal_log_and_export_are_owner_only(run_dealbot, tmp_path: Path):
    data = tmp_path / "fresh"
    env = {"DEALBOT_DATABASE_URL": f"sqlite:///{data}/dealbot.db", "DEALBOT_LOG_FILE": str(data / "dealbot.log")}
    previous = os.umask(0o022)  # a usual shell's: files readable by everyone
    try:
        console = run_dealbot(["console"], stdin="new Acme 50k\n", **env)
        exported = run_dealbot(["export", str(tmp_path / "deals.csv")], **env)
    finally:
        os.umask(previous)
    assert console.returncode == 0 and exported.returncode == 0, console.stderr + exported.stderr
    written = [data / "dealbot.db", data / "dealbot.log", tmp_path / "deals.csv"]
    written += [p for p in data.iterdir() if p.name.startswith("dealbot.db-")]  # WAL and its index, if kept
    assert {p.name for p in written} >= {"dealbot.db", "dealbot.log", "deals.csv"}
    assert {p.name: mode(p) for p in written} == {p.name: 0o600 for p in written}
    assert mode(data) == 0o700
