"""A team's own currency, set with `dealbot team-settings`, in real processes: a number typed in
chat is in it, and `dealbot forecast` reports in it with every other currency apart."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow  # starts dealbot processes

NOW = "2026-03-04T10:00:00+08:00"


def test_the_teams_currency_reaches_chat_and_figures(run_dealbot_forked):
    assert run_dealbot_forked(["console"], stdin="@boss me\n", now=NOW).returncode == 0
    settings = run_dealbot_forked(["team-settings", "sales", "currency=usd"], now=NOW)
    assert settings.returncode == 0 and "currency = USD" in settings.stdout
    chat = run_dealbot_forked(["console"], stdin="@boss new Acme 5000 close:2026-03-20\n"
                                         "@boss new Beta ¥48k close:end of March\n", now=NOW)
    assert "$5,000" in chat.stdout and "¥48,000" in chat.stdout
    forecast = json.loads(run_dealbot_forked(["forecast", "--format", "json"], now=NOW).stdout)
    assert (forecast["currency"], forecast["pipeline_amount"]) == ("USD", 5000)
    assert forecast["other_currencies"] == {"CNY": 48000}
    refused = run_dealbot_forked(["team-settings", "sales", "currency=dollars"], now=NOW)
    assert refused.returncode == 2 and "not a currency" in refused.stderr and "Traceback" not in refused.stderr
