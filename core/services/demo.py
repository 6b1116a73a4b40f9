"""`dealbot demo`: six months of two teams' pipeline, so a new user sees full figures at once.

Deterministic: a seeded generator, laid out backwards from `now` (so the current and last weeks
always have data; the same `now` gives the same database). Two teams of four reps and a manager;
each deal walks the default pipeline with stays and outcomes drawn from the seed's story: early
on fewer than one deal in ten is won and cycles are long; month by month the team wins more
(about one in five) and faster (cycles about 40% shorter); deals that overstay a stage are lost
more often. Some deals start at a later stage, a few are reopened after being lost; each has
follow-ups and tasks, some of them overdue.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from core.access.audit import record
from core.domain.model import (
    Customer,
    Deal,
    DealStatus,
    Identity,
    Interaction,
    Member,
    Role,
    Task,
    Team,
)
from core.domain.pipeline import DEFAULT_PIPELINE, LOST, WON
from core.ports.unit_of_work import UnitOfWork

SEED = 2026
WEEKS = 26
DEALS_PER_TEAM = 180
OPEN = [s.key for s in DEFAULT_PIPELINE.open_stages]
# Typical days in each stage, early in the history (they shrink by up to 40% later on).
STAY_DAYS = {"lead": 2.5, "contact": 6.0, "demo": 8.0, "quote": 6.0, "negotiation": 11.0}
# Chance to move on from each stage: early in the history, and at its end.
ADVANCE_EARLY = {"lead": 0.75, "contact": 0.55, "demo": 0.70, "quote": 0.40, "negotiation": 0.75}
ADVANCE_LATE = {"lead": 0.88, "contact": 0.70, "demo": 0.82, "quote": 0.50, "negotiation": 0.88}
OVERSTAY_PENALTY = 0.35
STALL = 0.12  # the chance that a deal stalls in a stage: it stays three to six times as long  # the chance to move on, for a deal that overstayed the stage's limit

# A stage change of the story: (from stage, to stage, when); None from: the deal's creation.
Move = tuple[str | None, str, datetime]


class DemoError(Exception):
    """The database already has deals: the demo loads into an empty one only."""


@dataclass(frozen=True)
class TeamSpec:
    name: str
    timezone: str
    language: str
    manager: tuple[str, str]  # handle, display name
    reps: tuple[tuple[str, str], ...]


def default_teams(first_team: str, timezone: str, language: str) -> list[TeamSpec]:
    return [
        TeamSpec(first_team, timezone, language, ("liuyang", "刘洋"),
                 (("liwei", "李伟"), ("zhangmin", "张敏"), ("chenjie", "陈杰"), ("wangfang", "王芳"))),
        TeamSpec("华南", "Asia/Shanghai", "zh", ("huangqing", "黄青"),
                 (("zhaolei", "赵磊"), ("sunli", "孙丽"), ("zhoutao", "周涛"), ("wuhua", "吴华"))),
    ]


_FIRMS = ("星辰", "远航", "华信", "蓝海", "金桥", "云帆", "鼎盛", "恒通", "青松", "明德", "天成", "博远",
          "Acme", "Globex", "Initech", "Umbrella", "Northwind", "Contoso", "Hooli", "Vandelay")
_TRADES = ("科技", "物流", "医疗", "教育", "制造", "软件", "电子", "食品", "咨询", "能源")
_LOST_REASONS = ("预算被砍", "选择了竞争对手", "项目暂停", "price too high", "went with a competitor",
                 "no decision maker")
_NOTES = {
    "en": ("call: walked through their requirements", "meeting: demo for the IT team",
           "email: sent the solution document", "call: discussed pricing and timeline",
           "meeting: met procurement", "note: waiting for budget approval"),
    "zh": ("电话：沟通需求", "会议：给技术团队做方案演示", "邮件：发送解决方案文档", "电话：讨论报价和时间表",
           "会议：拜访采购部门", "等待客户预算审批"),
}
_KINDS = {"call": "call", "电话": "call", "meeting": "meeting", "会议": "meeting", "email": "email",
          "邮件": "email"}
_TASKS = {"en": ("send the revised quote", "follow up on the demo", "prepare the contract draft"),
          "zh": ("发送修改后的报价", "跟进方案演示反馈", "准备合同草案")}


def load_demo(uow: UnitOfWork, now: datetime, teams: list[TeamSpec], currency: str = "CNY") -> dict[str, int]:
    """Writes the demo into an empty database (DemoError otherwise); the caller commits."""
    if any(uow.deals.find(team_id=t.id) for t in uow.teams.list()):
        raise DemoError("the database already has deals: load the demo into an empty database")
    rng = random.Random(SEED)
    counts = {"teams": 0, "members": 0, "deals": 0, "stage_changes": 0, "tasks": 0, "interactions": 0}
    for spec in teams:
        _Team(uow, rng, now, spec, currency, counts).load()
    record(uow, action="demo.load", entity="demo", at=now, actor_id=None, source="demo", after=dict(counts))
    return counts


class _Team:
    def __init__(self, uow: UnitOfWork, rng: random.Random, now: datetime, spec: TeamSpec,
                 currency: str, counts: dict[str, int]):
        self.uow, self.rng, self.now, self.spec, self.currency, self.counts = uow, rng, now, spec, currency, counts
        self.zone = ZoneInfo(spec.timezone)
        today = now.astimezone(self.zone).date()
        monday = today - timedelta(days=today.weekday())
        self.start = datetime.combine(monday - timedelta(weeks=WEEKS), time(9), self.zone)
        self.lang = "zh" if spec.language == "zh" else "en"

    def load(self) -> None:
        team = self.uow.teams.by_name(self.spec.name)
        if team is None:
            team = self.uow.teams.add(Team(self.spec.name, timezone=self.spec.timezone,
                                           language=self.spec.language))
            self.counts["teams"] += 1
        self.team = team
        self._member(*self.spec.manager, Role.MANAGER)
        self.reps = [self._member(handle, name, Role.REP) for handle, name in self.spec.reps]
        self.skill = {rep.id: 0.9 + 0.05 * i for i, rep in enumerate(self.reps)}
        self.customers = [self.uow.customers.add(Customer(f"{firm}{trade}" if not firm.isascii()
                                                          else f"{firm} {self.rng.choice(('Corp', 'Ltd', 'Group'))}",
                                                          team_id=team.saved_id))
                          for firm, trade in self._firms()]
        span = (self.now - self.start).total_seconds()
        for i in range(DEALS_PER_TEAM):
            # More deals later in the history: the team is growing.
            share = (i + self.rng.random()) / DEALS_PER_TEAM
            created = self._working_time(self.start + timedelta(seconds=span * share ** 0.85))
            if created < self.now:
                self._deal(created, min(1.0, share / 0.6))  # the changes took hold in four months

    def _firms(self) -> list[tuple[str, str]]:
        pairs = [(firm, self.rng.choice(_TRADES)) for firm in _FIRMS]
        self.rng.shuffle(pairs)
        return pairs[:14]

    def _member(self, handle: str, name: str, role: Role) -> Member:
        member = self.uow.members.by_handle(handle)
        if member is None:
            member = self.uow.members.add(Member(handle, team_id=self.team.saved_id, role=role, display_name=name,
                                                 created_at=self.start))
            self.uow.members.add_identity(Identity("console", handle, member.saved_id))
            self.counts["members"] += 1
        return member

    def _working_time(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.zone)
        while local.weekday() >= 5:
            local += timedelta(days=1)
        hour = 9 + self.rng.random() * 8.5
        return datetime.combine(local.date(), time(int(hour), int(hour % 1 * 60)), self.zone)

    # -- one deal's life ------------------------------------------------------------------------
    def _deal(self, created: datetime, era: float) -> None:
        rng = self.rng
        owner = rng.choice(self.reps)
        stage = rng.choices(OPEN[:3], weights=(85, 10, 5))[0]
        amount = Decimal(int(rng.lognormvariate(11.2, 0.7)) // 1000 * 1000 + 5000)
        cycle = timedelta(days=55 * (1 - 0.4 * era) * rng.uniform(0.7, 1.4))
        rng.choice(self.customers)  # drawn for the title once: kept, so the demo's deals stay as they were
        customer = rng.choice(self.customers)
        deal = self.uow.deals.add(Deal.new(
            DEFAULT_PIPELINE, stage=stage, at=created,
            title=customer.name, customer_id=customer.id,
            owner_id=owner.id, team_id=self.team.id,
            amount=amount, currency=self.currency, expected_close=self._close_date(created + cycle),
            last_activity_at=created))
        self.counts["deals"] += 1
        moves: list[Move] = [(None, stage, created)]
        self._walk(deal, moves, era, self.skill[owner.id])
        changes = [deal.creation(owner.id, DEFAULT_PIPELINE)]
        changes += [deal.move_to(to_stage, at, owner.id, DEFAULT_PIPELINE) for _, to_stage, at in moves[1:]]
        for change in changes:
            self.uow.stage_changes.add(change)
        self.counts["stage_changes"] += len(changes)
        if deal.status == DealStatus.LOST:
            deal.lost_reason = rng.choice(_LOST_REASONS)
        elif deal.is_open and deal.expected_close is not None and deal.expected_close < self.now:
            # The rep keeps the close date of an open deal in the future.
            deal.expected_close = self._close_date(self.now + timedelta(days=rng.uniform(3, 50)))
        deal.deliverables_done = self._ticked(moves)
        deal.last_activity_at = self._follow_ups(deal, moves, owner)
        self._tasks(deal, owner)

    def _walk(self, deal: Deal, moves: list[Move], era: float, skill: float) -> None:
        rng, stage, at = self.rng, moves[0][1], moves[0][2]
        reopened = False
        while stage not in (WON, LOST):
            limit = DEFAULT_PIPELINE.get(stage).sla_days or 7
            stay = timedelta(days=STAY_DAYS[stage] * (1 - 0.5 * era) * rng.lognormvariate(0, 0.6))
            if rng.random() < STALL:
                stay *= rng.uniform(3, 6)
            if at + stay >= self.now:
                return  # still there today
            at = self._working_time(at + stay) if stay > timedelta(hours=20) else at + stay
            if at >= self.now:
                return
            chance = ADVANCE_EARLY[stage] + (ADVANCE_LATE[stage] - ADVANCE_EARLY[stage]) * era
            if stay > timedelta(days=limit + 1):
                chance *= OVERSTAY_PENALTY
            if rng.random() < min(0.95, chance * skill):
                # an open stage always has a next one (won after the last): `or WON` is never taken
                target = DEFAULT_PIPELINE.next_open_after(stage) or WON
                if target != WON and rng.random() < 0.08:
                    target = DEFAULT_PIPELINE.next_open_after(target) or WON  # skips a stage
            else:
                target = LOST
            moves.append((stage, target, at))
            stage = target
            if stage == LOST and not reopened and rng.random() < 0.04:
                reopened = True
                back = at + timedelta(days=rng.uniform(5, 20))
                if back < self.now:
                    moves.append((LOST, "quote", back))
                    stage, at = "quote", back

    def _close_date(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.zone)
        return datetime.combine(local.date(), time(17), self.zone).astimezone(moment.tzinfo)

    def _ticked(self, moves: list[Move]) -> list[str]:
        done = []
        for _, stage, _ in moves:
            if stage in OPEN:
                count = len(DEFAULT_PIPELINE.get(stage).deliverables)
                done += [f"{stage}:{n}" for n in range(1, count + 1) if self.rng.random() < 0.8]
        return sorted(set(done))

    def _follow_ups(self, deal: Deal, moves: list[Move], owner: Member) -> datetime:
        last = deal.created_at
        for (_, stage, at), following in zip(moves, [*moves[1:], None], strict=True):
            if stage not in OPEN:
                continue
            until = following[2] if following else self.now
            for _ in range(self.rng.choice((0, 1, 1, 2))):
                when = at + (until - at) * self.rng.random()
                text = self.rng.choice(_NOTES[self.lang])
                prefix, _, rest = text.replace("：", ":").partition(":")
                kind = _KINDS.get(prefix, "note")
                text = rest.strip() if rest else text
                self.uow.interactions.add(Interaction(
                    team_id=deal.team_id, text=text, occurred_at=when, kind=kind, deal_id=deal.id,
                    customer_id=deal.customer_id, author_id=owner.id, platform="console"))
                self.counts["interactions"] += 1
                last = max(last, when)
        return max([last, *(at for _, _, at in moves)])

    def _tasks(self, deal: Deal, owner: Member) -> None:
        rng = self.rng
        for _ in range(rng.choice((0, 1, 1, 2))):
            created = deal.stage_entered_at
            due = created + timedelta(days=rng.uniform(1, 12))
            cancelled = None
            if deal.is_open:
                done = due - timedelta(hours=3) if rng.random() < 0.5 and due < self.now else None
            elif deal.closed_at is not None and due > deal.closed_at:
                done = cancelled = deal.closed_at  # still open when the deal closed: cancelled with it
            else:
                done = due
            self.uow.tasks.add(Task(title=rng.choice(_TASKS[self.lang]), assignee_id=owner.saved_id,
                                    team_id=deal.team_id, created_at=created, due_at=due, deal_id=deal.id,
                                    done_at=done if done is None or done < self.now else None,
                                    cancelled_at=cancelled if cancelled is not None and cancelled < self.now else None))
            self.counts["tasks"] += 1
