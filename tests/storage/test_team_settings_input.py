"""`dealbot team-settings` with wrong values, as the new-user trial (2026-12-07) typed them, on the
real database (SQLite, or PostgreSQL in that run): one line naming what is wrong, exit 2, nothing
changed; never Python's own words ("invalid literal for int()"), never a handle nobody has."""

from __future__ import annotations

import io

import pytest

from bot.outbox_cli import team_settings
from tests.api.server import make_token
from tests.storage.test_leads_sql import _world


def _settings_of(wired) -> dict:
    with wired.uow() as uow:
        return dict(uow.teams.by_name("sales").settings or {})


def _refused(wired, change: str) -> str:
    before, err = _settings_of(wired), io.StringIO()
    assert team_settings(wired, "sales", [change], io.StringIO(), err) == 2, change
    assert _settings_of(wired) == before, change
    lines = err.getvalue().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("change, said", [
    ("leads.capacity=abc", "leads.capacity: must be a whole number between 0 and 100000"),
    ("leads.capacity=1e9", "leads.capacity: must be a whole number between 0 and 100000"),
    ("leads.capacity=99999999999999999999", "leads.capacity: must be a whole number"),
    ("leads.pool_days=abc", "leads.pool_days: must be more than 0 and at most 10000"),
    ("leads.first_contact_hours=x", "leads.first_contact_hours: must be more than 0"),
    ("escalation_days=abc", "escalation_days: 'abc' is not a number"),
    ("catch_up_hours=abc", "catch_up_hours: 'abc' is not a number"),
    ("capture_retention_days=abc", "capture_retention_days: must be a whole number of days"),
    ("quiet_hours=ab", "quiet_hours: 'ab' is not a time of day"),
    ("end_of_day=99:99", "end_of_day: '99:99' is not a time of day (00:00 to 23:59)"),
    ("working_days=xyz-fri", "working_days: 'xyz' is not a day"),
])
def test_a_bad_number_or_time_is_one_plain_line(wired, change, said):
    _world(wired)
    line = _refused(wired, change)
    assert line.startswith(said), line
    assert "invalid literal" not in line and "could not convert" not in line and "must be in 0..23" not in line


def test_the_handles_a_setting_names_must_be_reps_of_the_team(wired):
    say = _world(wired)  # alice, bob, carol reps of sales, mia its manager
    assert _refused(wired, "leads.rules=source:展会=nobody") == \
        "leads.rules: there is no member @nobody; sales's reps: @alice, @bob, @carol"
    assert _refused(wired, "leads.reps=alice,ghost").startswith("leads.reps: there is no member @ghost;")
    assert _refused(wired, "leads.reps=mia").startswith("leads.reps: @mia is a manager, not a rep;")
    make_token(wired, "webform", "rep")  # an integration: it takes leads in, never on
    assert _refused(wired, "leads.reps=alice,webform") == ("leads.reps: @webform is an integration (an API "
                                                          "token), not a rep; sales's reps: @alice, @bob, @carol")
    assert not say("boss", "member @carol remove").is_error
    assert _refused(wired, "leads.reps=alice,carol").startswith("leads.reps: @carol was removed;")
    assert _refused(wired, 'approvals=[{"when": "discount", "over": 15, "approvers": ["@ghost"]}]') == \
        "approvals: there is no member @ghost; approvers are manager, admin or a member's @handle"
    out = io.StringIO()  # the right ones are taken, in any case
    assert team_settings(wired, "sales", ["leads.rules=source:展会=Alice", "leads.reps=alice,bob",
                                          'approvals=[{"when": "discount", "over": 15, "approvers": ["@MIA"]}]'],
                         out, io.StringIO()) == 0
    assert "  leads.reps = alice,bob\n" in out.getvalue()
    # a setting the change does not touch is not checked again (a later removal does not block)
    assert team_settings(wired, "sales", ["leads.capacity=5"], io.StringIO(), io.StringIO()) == 0
