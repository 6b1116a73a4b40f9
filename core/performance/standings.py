"""A team's points over a window, read through the ports (core.ports.points) and counted by the
rules of core.performance.points; the leaderboard of a period against the one before it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.domain.model import Member, Team, people
from core.domain.pipeline import pipeline_of
from core.domain.worktime import WorkSettings
from core.language.periods import Period
from core.performance import points as pt
from core.performance.points import Facts, PointEvent, PointRules, Standing
from core.ports.unit_of_work import UnitOfWork


def team_events(uow: UnitOfWork, team: Team, members: Sequence[Member], start: datetime, end: datetime,
                rules: PointRules | None = None) -> list[PointEvent]:
    """The points the members earned in [start, end), each by the team's rules in force then."""
    rules = rules or uow.points.rules(team.saved_id)
    if not rules.enabled or not members:
        return []
    timeline = pt.RuleTimeline.of(rules, uow.audit.for_entity(f"team:{team.saved_id}"))
    entries = uow.points.entries([m.saved_id for m in members], start, end)
    task_ids = {n for e in entries if e.action == "task.done" and (n := pt.code_number(e.entity, "T-")) is not None}
    deal_ids = {n for e in entries if e.action in pt.TOUCHES and (n := pt.code_number(e.entity, "D-")) is not None}
    facts = Facts(entries, uow.points.task_times(task_ids) if task_ids else {},
                  uow.points.deal_starts(deal_ids) if deal_ids else {})
    pipeline = pipeline_of(team.pipeline)
    first = pipeline.open_stages[0].sla_days if pipeline.open_stages else None
    return pt.events(facts, timeline, WorkSettings.of(team.timezone, team.settings), first, start, end)


@dataclass(frozen=True)
class Board:
    rules: PointRules
    rows: list[Standing]  # every active person (no integration), most points first
    improved: Standing | None


def board(uow: UnitOfWork, team: Team, period: Period) -> Board:
    """The team's leaderboard of a period, each member's points against the period before."""
    rules = uow.points.rules(team.saved_id)
    members = people(uow.members.in_team(team.saved_id))
    start, end = period.bounds(team.timezone)
    before_start, before_end = period.previous().bounds(team.timezone)
    now = pt.totals(team_events(uow, team, members, start, end, rules))
    before = pt.totals(team_events(uow, team, members, before_start, before_end, rules))
    rows = pt.leaderboard(now, before, [m.saved_id for m in members])
    return Board(rules, rows, pt.most_improved(rows))


def board_window(uow: UnitOfWork, team: Team, start: datetime, end: datetime, previous_start: datetime) -> Board:
    """The same over explicit windows ([previous_start, start) is the one before): the weekly digest's."""
    rules = uow.points.rules(team.saved_id)
    members = people(uow.members.in_team(team.saved_id))
    now = pt.totals(team_events(uow, team, members, start, end, rules))
    before = pt.totals(team_events(uow, team, members, previous_start, start, rules))
    rows = pt.leaderboard(now, before, [m.saved_id for m in members])
    return Board(rules, rows, pt.most_improved(rows))
