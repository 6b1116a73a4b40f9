"""The privacy side of `dealbot`: the team settings for capture, and a customer's data export."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow  # starts dealbot processes

NOW = "2026-03-04T10:00:00+08:00"


def test_capture_settings_and_export_customer(run_dealbot_forked, tmp_path):
    session = run_dealbot_forked(["console"], now=NOW, stdin="@alice new Acme 50k\n@alice log D-1 call: pilot agreed\n")
    assert session.returncode == 0, session.stderr

    changed = run_dealbot_forked(["team-settings", "sales", "mask_contacts=on", "capture_retention_days=90",
                           "response_nudge_hours=2", "working_hours=08:30-17:30"])
    assert changed.returncode == 0, changed.stderr
    for line in ("mask_contacts = True", "capture_retention_days = 90", "response_nudge_hours = 2.0",
                 "working_hours = 08:30-17:30"):
        assert line in changed.stdout
    refused = run_dealbot_forked(["team-settings", "sales", "capture_retention_days=0"])
    assert refused.returncode == 2 and "capture_retention_days" in refused.stderr

    exported = run_dealbot_forked(["export-customer", "acme", "-"], now=NOW)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)
    assert data["customer"]["name"] == "Acme" and [d["deal"] for d in data["deals"]] == ["D-1"]
    assert [(i["kind"], i["author"], i["text"]) for i in data["interactions"]] == [
        ("call", "@alice", "pilot agreed")]

    target = tmp_path / "acme.json"
    to_file = run_dealbot_forked(["export-customer", "Acme", str(target)], now=NOW)
    assert to_file.returncode == 0 and "exported 1 interactions of Acme" in to_file.stdout
    assert json.loads(target.read_text(encoding="utf-8"))["team"] == "sales"

    missing = run_dealbot_forked(["export-customer", "Globex", "-"], now=NOW)
    assert missing.returncode == 2 and "no customer 'Globex'" in missing.stderr and missing.stdout == ""
