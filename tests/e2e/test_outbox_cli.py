"""`dealbot outbox` and `dealbot team-settings` as admins run them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # starts dealbot processes


def test_dealbot_outbox_and_team_settings(run_dealbot_forked):
    run_dealbot_forked(["console"], stdin="@boss me\n")  # creates the team `sales`
    result = run_dealbot_forked(["outbox", "--status", "all"])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "outbox: 0 pending, 0 sent, 0 failed, 0 skipped\n"
    result = run_dealbot_forked(["team-settings", "sales", "end_of_day=17:30"])
    assert result.returncode == 0, result.stderr
    assert "  end_of_day = 17:30\n" in result.stdout
