"""What admins see and change: `dealbot outbox` (failed and waiting rows, retry) and
`dealbot team-settings` (working days, quiet hours, reminder timing)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from bot.cli_errors import CliError
from bot.outbox_cli import list_rows, retry_rows, team_settings
from core.domain.model import Team
from core.domain.worktime import WorkSettings
from core.reminders.outbox import OutboxMessage


def _row(wired, key, *, fail: str | None = None):
    now = wired.bot.clock.now()
    with wired.uow() as uow:
        message = OutboxMessage(platform="slack", chat_id="C1", kind="digest", dedupe_key=key,
                                payload={"reply": {"title": key}}, not_before=now, created_at=now)
        uow.outbox.add(message)
        if fail:
            uow.outbox.mark_failed(message.id, at=now, error=fail)
        uow.commit()


def test_outbox_lists_failed_and_waiting_rows_and_retries(wired):
    _row(wired, "digest:t1:2026-W10:slack:C1", fail="SlackApiError: channel_not_found")
    _row(wired, "digest:t1:2026-W10:slack:C2")
    out = io.StringIO()
    assert list_rows(wired, "failed,pending", 50, out) == 0
    text = out.getvalue()
    assert text.startswith("outbox: 1 pending, 0 sent, 1 failed, 0 skipped")
    assert "failed   2026-03-04T02:00:00+00:00 slack:C1 digest digest:t1:2026-W10:slack:C1 attempts=1 " \
           "error=SlackApiError: channel_not_found" in text
    assert "retry failed rows with: dealbot outbox retry" in text
    out = io.StringIO()
    assert retry_rows(wired, [], out) == 0
    assert out.getvalue() == "1 failed row(s) back in the queue\n"
    with wired.uow() as uow:
        assert uow.outbox.counts() == {"pending": 2}
    assert list_rows(wired, "bogus", 5, io.StringIO()) == 2


def test_team_settings_show_and_change(wired):
    with wired.uow() as uow:
        uow.teams.add(Team(name="华东", timezone="Asia/Shanghai"))
        uow.commit()
    out, err = io.StringIO(), io.StringIO()
    assert team_settings(wired, "华东", ["quiet_hours=22:00-07:30", "working_days=mon-sat",
                                        "escalation_days=1"], out, err) == 0, err.getvalue()
    assert "  quiet_hours = 22:00-07:30\n" in out.getvalue()
    assert "  working_days = mon,tue,wed,thu,fri,sat\n" in out.getvalue()
    with wired.uow() as uow:
        team = uow.teams.by_name("华东")
        settings = WorkSettings.of(team.timezone, team.settings)
    assert settings.escalation_days == 1 and 5 in settings.working_days
    assert settings.quiet_end.minute == 30
    err = io.StringIO()
    assert team_settings(wired, "华东", ["quiet_hours=late"], io.StringIO(), err) == 2
    assert err.getvalue().startswith("quiet_hours:")
    with pytest.raises(CliError, match="no team named 'nobody'; teams: "):  # main() says it, exit 2
        team_settings(wired, "nobody", [], io.StringIO(), io.StringIO())


def test_catch_up_window_is_a_setting():
    settings = WorkSettings.of("UTC", {"catch_up_hours": 6, "task_lead_minutes": 30})
    assert (settings.catch_up, settings.task_lead) == (timedelta(hours=6), timedelta(minutes=30))


def test_retrying_a_row_that_is_not_a_failed_one_says_so(wired):
    """The new-user trial: `dealbot outbox retry 999` said “0 failed row(s) back in the queue” (exit 0)."""
    _row(wired, "digest:t1:2026-W10:slack:C1", fail="SlackApiError: channel_not_found")
    _row(wired, "digest:t1:2026-W10:slack:C2")  # pending: nothing to retry
    with pytest.raises(CliError, match=r"^no failed outbox row 2, 999; `dealbot outbox --status all` lists them"):
        retry_rows(wired, [1, 2, 999], io.StringIO())
    with wired.uow() as uow:
        assert uow.outbox.counts() == {"pending": 1, "failed": 1}  # row 1 was not retried either


def test_an_unknown_setting_lists_every_known_one(wired):
    """The new-user trial: `team-settings sales bogus=1` listed the reminder settings only, not the
    leads.* ones nor approvals, which the same command sets."""
    with wired.uow() as uow:
        uow.teams.add(Team(name="sales", timezone="Asia/Shanghai"))
        uow.commit()
    err = io.StringIO()
    assert team_settings(wired, "sales", ["bogus=1"], io.StringIO(), err) == 2
    assert err.getvalue().startswith("unknown setting 'bogus'; known: working_days, ")
    assert "leads.capacity" in err.getvalue() and "approvals" in err.getvalue()


def test_the_default_team_is_set_before_dealbot_first_started(wired):
    """The new-user trial: `dealbot team-settings sales currency=USD` on a fresh install answered
    “no team named 'sales'; teams: none yet (try: dealbot demo)”: the default team is made at the
    first start, and the demo has a database of its own. The default team is made here as well."""
    name = wired.settings.team
    out = io.StringIO()
    assert team_settings(wired, name, ["currency=USD"], out, io.StringIO()) == 0
    assert "  currency = USD\n" in out.getvalue()
    with wired.uow() as uow:
        assert uow.teams.by_name(name).settings["currency"] == "USD"
    with pytest.raises(CliError, match="no team named 'nobody'; teams: " + name):
        team_settings(wired, "nobody", [], io.StringIO(), io.StringIO())
