"""The weekly digest carries the scorecard's funnel, the forecast and the chart, as `dealbot run`
wires it (bot/outbound.digest_extras_for): on the demo history, on the test database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.outbound import digest_extras_for
from core.reminders.outbox import DigestSubscription
from core.reminders.scans import Scans
from core.services.demo import default_teams, load_demo
from storage import tables
from tests.fakes import FixedClock

MONDAY_NINE = datetime(2026, 3, 9, 1, 1, tzinfo=UTC)  # Mon 9 March 09:01 Shanghai: last week's digest is due


@pytest.mark.slow  # 6 s in a full run on a loaded 2-core machine
def test_the_weekly_digest_has_the_funnel_the_forecast_and_a_chart(wired):
    settings = wired.settings
    with wired.uow() as uow:
        load_demo(uow, wired.bot.clock.now(), default_teams(settings.team, settings.timezone, settings.language))
        team = uow.teams.by_name(settings.team)
        uow.digests.add(DigestSubscription(team.id, "slack", "C_SALES", "weekly", wired.bot.clock.now()))
        uow.commit()
    scans = Scans(wired.bot.uow_factory, FixedClock(MONDAY_NINE), platforms=frozenset({"slack"}),
                  defaults=wired.bot.defaults, digest_extras=digest_extras_for(wired))
    assert scans.digests().queued == 1

    with wired.engine.connect() as connection:
        payload = connection.execute(tables.outbox.select()).one().payload
    reply = payload["reply"]
    assert payload["subject"] == "2026-W10"
    assert any(line.startswith("Lead ") and "→ Signed" in line for line in reply["lines"])  # the funnel
    assert any(line.startswith("Expected: ¥") for line in reply["lines"])  # the forecast
    chart = Path(reply["image_path"])
    assert chart.parent == Path(settings.log_file).parent / "charts"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 10_000
