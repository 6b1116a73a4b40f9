"""Random deal histories for the analytics property test, built as the services build them.

A deal starts in some stage (not always the first), then moves: forward, back, skipping stages,
won, lost, reopened, sometimes several times in the same instant; its status, closed_at and
stage_entered_at follow the last move, as core.services.deals keeps them. Moments cluster on the
teams' week boundaries (local midnights, a microsecond or a second either side) so half-open
windows and time zones are exercised; some deals have no history rows at all (old imports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from core.domain.model import (
    Customer,
    Deal,
    Interaction,
    Member,
    Role,
    StageChange,
    Task,
    Team,
)
from core.domain.pipeline import DEFAULT_PIPELINE
from core.language.periods import week_of

ZONES = ["Asia/Shanghai", "America/New_York", "UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"]
FIRST_WEEK = week_of(date(2026, 3, 2))  # New York changes to summer time on Sunday 8 March
WEEKS = 4
STAGES = DEFAULT_PIPELINE.keys
OPEN = [s.key for s in DEFAULT_PIPELINE.open_stages]
KINDS = ["note", "call", "meeting", "email", "message"]
# Stays between moves: exactly on the stages' limits + 1 day and 2 × limit + 1 days, or just off.
STEPS = [timedelta(0), timedelta(hours=5)] + [timedelta(days=d) for d in (1, 4, 7, 8, 11, 15, 21, 29)]
NUDGES = [timedelta(0), timedelta(0), timedelta(seconds=-1), timedelta(microseconds=1)]


def week_bounds(tz: str, weeks: int = WEEKS) -> list[datetime]:
    return [FIRST_WEEK.previous(-i).bounds(tz)[0] for i in range(weeks + 1)]


@dataclass
class History:
    teams: list[Team]
    members: list[Member]
    customers: list[Customer]
    deals: list[Deal] = field(default_factory=list)
    changes: list[StageChange] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    moments: list[datetime] = field(default_factory=list)  # interesting instants to query at

    def rows(self) -> list[list]:
        """Insert order: parents first."""
        return [self.teams, self.members, self.customers, self.deals, self.changes, self.tasks,
                self.interactions]


@st.composite
def moments(draw, anchors: list[datetime]) -> datetime:
    anchor = draw(st.sampled_from(anchors))
    nudge = draw(st.one_of(
        st.sampled_from([timedelta(0), timedelta(microseconds=-1), timedelta(microseconds=1),
                         timedelta(seconds=-1), timedelta(seconds=1)]),
        st.integers(-3 * 86400, 9 * 86400).map(lambda s: timedelta(seconds=s)),
        st.integers(0, 10**6).map(lambda us: timedelta(days=3, microseconds=us)),
    ))
    return anchor + nudge


@st.composite
def histories(draw) -> History:
    zones = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=2, unique=True))
    teams = [Team(f"team{i}", timezone=tz, id=i + 1) for i, tz in enumerate(zones)]
    members = [Member(f"m{i}", team_id=teams[i % len(teams)].id, role=Role.REP, id=i + 1) for i in range(3)]
    # two customers a team (ids t and t + 100), of drawn kinds: `funnel by:industry|source|tag`
    customers = [Customer(f"c{id_}", team_id=t.id, id=id_, industry=draw(st.sampled_from([None, "energy", "能源"])),
                          source=draw(st.sampled_from([None, "fair"])),
                          tags=draw(st.lists(st.sampled_from(["vip", "重点", "key"]), max_size=2, unique=True)))
                 for t in teams for id_ in (t.id, t.id + 100)]
    history = History(teams, members, customers)
    anchors = [b for team in teams for b in week_bounds(team.timezone)]
    for deal_id in range(1, draw(st.integers(0, 12)) + 1):
        _deal(draw, history, deal_id, anchors)
    for task_id in range(1, draw(st.integers(0, 5)) + 1):
        _task(draw, history, task_id, anchors)
    for item_id in range(1, draw(st.integers(0, 5)) + 1):
        team = draw(st.sampled_from(teams))
        history.interactions.append(Interaction(
            team_id=team.id, text="x", occurred_at=draw(moments(anchors)), kind=draw(st.sampled_from(KINDS)),
            author_id=draw(st.sampled_from([None, *(m.id for m in members)])), id=item_id))
    history.moments = draw(st.lists(moments(anchors), min_size=3, max_size=3))
    return history


def _deal(draw, history: History, deal_id: int, anchors: list[datetime]) -> None:
    team = draw(st.sampled_from(history.teams))
    owner = draw(st.sampled_from(history.members))
    created = draw(moments(anchors))
    stage = draw(st.sampled_from(OPEN))
    deal = Deal(
        title=f"d{deal_id}", customer_id=draw(st.sampled_from([team.id, team.id + 100])), owner_id=owner.id, team_id=team.id, stage=stage,
        stage_entered_at=created, created_at=created, id=deal_id,
        amount=draw(st.one_of(st.none(), st.integers(1, 10**9).map(lambda c: Decimal(c).scaleb(-2)))),
        currency=draw(st.sampled_from(["CNY", "CNY", "USD"])),
        expected_close=draw(st.one_of(st.none(), moments(anchors))),
    )
    # Through the pipeline, as the services write them: each change keeps whose deal it was and
    # whether it advanced, and the deal its furthest stage.
    changes = [deal.creation(owner.id, DEFAULT_PIPELINE)]
    at = created
    for _ in range(draw(st.integers(0, 5))):
        at += draw(st.sampled_from(STEPS)) + draw(st.sampled_from(NUDGES))
        if draw(st.integers(0, 5)) == 0:  # handed to another rep: later advances are theirs
            deal.owner_id = draw(st.sampled_from(history.members)).id
        target = draw(st.sampled_from([s for s in STAGES if s != deal.stage]))
        changes.append(deal.move_to(target, at, owner.id, DEFAULT_PIPELINE))
    history.deals.append(deal)
    if draw(st.integers(0, 9)):  # one deal in ten has no history rows (an old import)
        for change in changes:
            change.id = len(history.changes) + 1
            history.changes.append(change)
    else:
        deal.furthest_stage = None


def _task(draw, history: History, task_id: int, anchors: list[datetime]) -> None:
    team = draw(st.sampled_from(history.teams))
    due = draw(st.one_of(st.none(), moments(anchors)))
    done = draw(st.one_of(st.none(), moments(anchors)))
    history.tasks.append(Task(title="t", assignee_id=draw(st.sampled_from(history.members)).id,
                              team_id=team.id, created_at=datetime(2026, 1, 1, tzinfo=UTC), due_at=due,
                              done_at=done, id=task_id))
