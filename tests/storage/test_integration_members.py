"""An API token's member is an integration, not a rep (core.domain.model.MemberKind), on the test
database (SQLite, or PostgreSQL in that run), through the bot as `bot.bootstrap` wires it: made by
`dealbot token create`, it has no row in the scorecard or the leaderboard, is not a quiet rep of
`quality`, is no rep of the health board, `members` says what it is, it takes no target, points
or onboarding, and no daily card or reminder is queued for it; deals it made keep it as their
owner, so the scorecard shows it once it has a figure."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.app.api import Api
from core.domain.model import MemberKind
from core.domain.pipeline import pipeline_of
from core.health.board import build_health
from core.language import commands as c
from core.language.periods import week_of
from core.reminders.scans import Scans
from core.services import deals
from storage import tables
from storage.db import row_counts
from tests.access import let_in
from tests.api.server import make_token
from tests.storage.test_health_on_database import _say


@pytest.fixture
def team(wired):
    """boss (admin) and ann (a rep) of sales, a deal of ann's; `webform`, a rep token of sales."""
    ann = let_in(wired, "telegram", "2001", "ann")
    assert not _say(wired, f"new Acme 50k owner:@{ann}").is_error
    make_token(wired, "webform", "rep")
    return wired


def _integration(wired):
    with wired.uow() as uow:
        return uow.members.by_handle("webform")


def test_a_token_member_is_stored_as_an_integration(team):
    member = _integration(team)
    assert member.kind == MemberKind.INTEGRATION and not member.is_person
    with team.uow() as uow:
        assert all(m.is_person for m in uow.members.in_team(member.team_id) if m.handle != "webform")


def test_the_scorecard_has_no_row_for_the_token(team):
    scorecard = _say(team, "scorecard")
    assert not scorecard.is_error and "@ann" in "\n".join(scorecard.lines)
    assert "webform" not in scorecard.title + "\n".join(scorecard.lines)


def test_the_leaderboard_has_no_row_for_the_token(team):
    assert not _say(team, "points award @ann 5 first deal").is_error
    board = "\n".join(_say(team, "leaderboard").lines)
    assert "@ann" in board and "webform" not in board


def test_quality_does_not_call_the_token_a_quiet_rep(team):
    quality = _say(team, "quality")
    assert not quality.is_error and "@ann" in "\n".join(quality.lines)
    assert "webform" not in "\n".join(quality.lines)


def test_the_health_board_counts_output_per_person(team):
    with team.uow() as uow:
        sales = uow.teams.get(_integration(team).team_id)
        week = week_of(team.bot.clock.now().date())
        health = build_health(uow, sales, pipeline_of(sales.pipeline), week, "CNY", team.bot.clock.now())
    assert {w.reps for w in health.weeks} == {1}  # ann alone


def test_members_and_teams_show_the_token_as_an_integration(team):
    members = _say(team, "members")
    assert [x for x in members.lines if x.startswith("@webform")] == [
        "@webform · integration (API token, acts as rep)"]
    assert "@ann · rep" in members.lines
    assert "2 members" in "\n".join(_say(team, "teams").lines)  # boss and ann


@pytest.mark.parametrize("text", ["target @webform 10 deals", "points award @webform 5 helped",
                                  "onboard @webform"])
def test_a_person_verb_refuses_the_token_and_changes_nothing(team, text):
    before = row_counts(team.engine)
    reply = _say(team, text)
    assert reply.is_error and reply.title == (
        "@webform is an integration (an API token's account), not a person: this is for people only.")
    assert row_counts(team.engine) == before


def test_deals_the_token_makes_are_its_own_and_count_once_it_has_them(team):
    member = _integration(team)
    api = Api(team.bot)
    made = api.call(member.saved_id, "api:webform", None,
                    lambda ctx: deals.create_deal(c.NewDeal(customer="Beta"), ctx).owner_id, writes=True)
    assert made == member.saved_id
    lines = "\n".join(_say(team, "scorecard this week").lines)
    assert "@webform" in lines and "@ann" in lines


def test_no_daily_card_or_reminder_is_queued_for_the_token(team):
    """Its deal goes stale and ends days open: nobody is told, and it is not counted as someone
    the bot could not reach (ann gets her card)."""
    member = _integration(team)
    Api(team.bot).call(member.saved_id, "api:webform", None,
                       lambda ctx: deals.create_deal(c.NewDeal(customer="Beta"), ctx), writes=True)
    team.bot.clock.advance(days=12, hours=8)  # Monday 16 March, 18:00 in Shanghai
    results = Scans(team.bot.uow_factory, team.bot.clock).run_all()
    with team.engine.connect() as db:
        keys = db.execute(select(tables.outbox.c.dedupe_key).where(tables.outbox.c.kind != "access")).scalars().all()
    assert any(k.startswith("daily:") for k in keys)
    assert not [k for k in keys if k.endswith(f":m{member.saved_id}")]
    [daily] = [r for r in results if r.name == "daily"]
    assert (daily.events, daily.unreachable) == (2, 0), daily
