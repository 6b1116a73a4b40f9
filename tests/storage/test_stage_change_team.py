"""stage_changes.team_id (migration 0008) is always its deal's team, on SQLite and PostgreSQL.

The figures read a team's stage changes by that copy alone, so a change left with the old team
would count a moved deal's advances for the team it left. Storage fills the copy in on insert and
rewrites it when a deal moves: here through a CSV import that changes only the team (the history
is kept, not rewritten), then one that changes the team and the history, then a move and a new
change in the same flush.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from core.analytics.reports import funnel_order
from core.domain.model import Deal
from core.domain.pipeline import DEFAULT_PIPELINE
from core.services.transfer import import_deals
from storage import tables as t
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
WEEK = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
ORDER = funnel_order(DEFAULT_PIPELINE)
HEADER = ("ref,title,customer,owner,team,amount,currency,status,created_at,closed_at,lost_reason,expected_close,"
          "entered_lead,entered_contact,entered_demo,entered_quote,entered_negotiation,entered_won,entered_lost,uid")


def _row(team: str, demo_at: str = "2026-01-20T10:00:00Z", uid: str = "1" * 32) -> str:
    """The same deal (its uid) each time, so that `import --update` may change it."""
    return (f"{HEADER}\nCRM-1,Pilot,Acme,@ann,{team},1000,CNY,open,2026-01-05T09:00:00Z,,,,"
            f"2026-01-05T09:00:00Z,2026-01-10T10:00:00Z,{demo_at},,,,,{uid}\n")


def _import(factory_on_each_database, text: str) -> None:
    with SqlUnitOfWork(factory_on_each_database) as uow:
        import_deals(uow, text, now=NOW, default_timezone="UTC", default_language="en", update=True)
        uow.commit()


def _teams_of_changes(factory_on_each_database) -> set[tuple[int, int]]:
    """(deal's team, change's team) of every stored change."""
    with factory_on_each_database() as session:
        c = t.stage_changes.c
        query = select(t.deals.c.team_id, c.team_id).join(t.deals, t.deals.c.id == c.deal_id)
        return {tuple(row) for row in session.execute(query)}


def _advances(factory_on_each_database, team_name: str) -> int:
    with SqlUnitOfWork(factory_on_each_database) as uow:
        team = uow.teams.by_name(team_name)
        return sum(r.advances for r in uow.analytics.scorecard(team.id, *WEEK, NOW, ORDER).reps)


def test_a_moved_deal_takes_its_stage_changes_along(factory_on_each_database):
    _import(factory_on_each_database, _row("East"))
    _import(factory_on_each_database, _row("West"))  # only the team changes: the same three changes are kept
    east, west = _team_ids(factory_on_each_database)
    assert _teams_of_changes(factory_on_each_database) == {(west, west)}
    assert (_advances(factory_on_each_database, "East"), _advances(factory_on_each_database, "West")) == (0, 2)

    _import(factory_on_each_database, _row("East", demo_at="2026-01-21T10:00:00Z"))  # team and history change
    assert _teams_of_changes(factory_on_each_database) == {(east, east)}
    assert (_advances(factory_on_each_database, "East"), _advances(factory_on_each_database, "West")) == (2, 0)


def test_a_change_added_in_the_flush_that_moves_its_deal_gets_the_new_team(factory_on_each_database):
    _import(factory_on_each_database, _row("East"))
    _import(factory_on_each_database, _row("West", uid="2" * 32).replace("CRM-1,Pilot", "CRM-2,Other"))  # makes team West
    east, west = _team_ids(factory_on_each_database)
    with SqlUnitOfWork(factory_on_each_database) as uow:
        deal: Deal = uow.deals.by_ref("CRM-1")
        deal.team_id = west
        assert deal.stage == "demo"
        uow.stage_changes.add(deal.move_to("quote", datetime(2026, 1, 25, tzinfo=UTC), None, DEFAULT_PIPELINE))
        uow.commit()
    assert _teams_of_changes(factory_on_each_database) == {(west, west)}
    assert (_advances(factory_on_each_database, "East"), _advances(factory_on_each_database, "West")) == (0, 5)


def _team_ids(factory_on_each_database) -> tuple[int, int]:
    with SqlUnitOfWork(factory_on_each_database) as uow:
        return uow.teams.by_name("East").id, uow.teams.by_name("West").id
