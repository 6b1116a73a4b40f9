"""Points (积分): what a member earns for keeping the pipeline true, computed from stored facts.

Points are never stored. They are read from the audit trail (every change is audited in its own
transaction, core.access.audit) with the tasks and deals it names, so a figure is the same
whenever and wherever it is computed, an `undo` takes its points away by itself (an undone entry
earns nothing), and nothing else in the code has to remember to "add points". The rules:

| rule            | a member earns it for                                                        |
|-----------------|------------------------------------------------------------------------------|
| `daily_update`  | their first update of a working day made before the team's end of day        |
| `follow_up`     | a follow-up logged (`log`), once per deal a day                              |
| `deliverable`   | a deliverable checked, once per deal and deliverable                         |
| `task_on_time`  | a task done by its due time, made at least an hour before it was done        |
| `next_step`     | a suggested next step kept (`keep S-3`)                                      |
| `first_contact` | the first follow-up or move of a new deal within its first stage's time limit |
| `award`         | a manager's award (`points award @alice 5 "reason"`), audited, uncapped       |

Each rule has points and a daily cap (per member, per local day of the team); a team may change
both, or turn points off (`PointRules.enabled`). Spamming a command earns at most the cap. A
change counts from the moment it is made (`RuleTimeline`, read from the audited changes): points
already earned keep the rule they were earned under.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from core.domain.model import AuditEntry
from core.domain.worktime import WorkSettings

DAILY_UPDATE, FOLLOW_UP, DELIVERABLE, TASK_ON_TIME, NEXT_STEP, FIRST_CONTACT = (
    "daily_update", "follow_up", "deliverable", "task_on_time", "next_step", "first_contact")
AWARD = "award"
RULES = (DAILY_UPDATE, FOLLOW_UP, DELIVERABLE, TASK_ON_TIME, NEXT_STEP, FIRST_CONTACT)
MAX_POINTS, MAX_CAP, MAX_AWARD = 100, 100, 1000
AWARD_ACTION, RULES_ACTION = "points.award", "points.rules"
UNDO = "undo"
UNDO_WINDOW = timedelta(minutes=10)  # core.services.undo.WINDOW: an undo comes at most this late
TASK_LEAD = timedelta(hours=1)  # a task made and done at once is no task kept
# An update of a deal (or a task) for the daily rule; the first touch of a new deal.
UPDATES = frozenset({"deal.log", "deal.move", "deal.check", "deal.edit", "deal.won", "deal.lost", "task.done"})
TOUCHES = ("deal.log", "deal.move", "deal.won", "deal.lost")
SCORED = UPDATES | {"task.create", AWARD_ACTION}


@dataclass(frozen=True)
class Rule:
    points: int
    cap: int  # at most this many a day


DEFAULT_RULES: dict[str, Rule] = {
    DAILY_UPDATE: Rule(2, 1), FOLLOW_UP: Rule(1, 5), DELIVERABLE: Rule(2, 5),
    TASK_ON_TIME: Rule(2, 5), NEXT_STEP: Rule(1, 3), FIRST_CONTACT: Rule(3, 3),
}


@dataclass(frozen=True)
class PointRules:
    """A team's rules; a team that never set any has the defaults."""

    enabled: bool = True
    rules: Mapping[str, Rule] = field(default_factory=lambda: dict(DEFAULT_RULES))

    def rule(self, key: str) -> Rule:
        return self.rules.get(key, DEFAULT_RULES[key])

    def with_rule(self, key: str, points: int, cap: int | None) -> PointRules:
        old = self.rule(key)
        return replace(self, rules={**self.rules, key: Rule(points, old.cap if cap is None else cap)})

    def to_dict(self) -> dict[str, Any]:
        return {"enabled": self.enabled,
                "rules": {k: {"points": self.rule(k).points, "cap": self.rule(k).cap} for k in RULES}}

    @classmethod
    def of(cls, stored: Mapping[str, Any] | None) -> PointRules:
        """From to_dict's form; a value that does not read falls back to the default."""
        if not stored:
            return cls()
        rules = dict(DEFAULT_RULES)
        for key, value in (stored.get("rules") or {}).items():
            try:
                if key in rules:
                    rules[key] = Rule(_bounded(value["points"], MAX_POINTS), _bounded(value["cap"], MAX_CAP))
            except (KeyError, TypeError, ValueError):
                continue
        return cls(enabled=bool(stored.get("enabled", True)), rules=rules)


@dataclass(frozen=True)
class RuleTimeline:
    """A team's rules over time: a point is scored by the rules in force when it was earned, so a
    changed rule (or points turned off and on) counts from then on and never re-scores what was
    earned before. `changes` are (from when, the rules from then), oldest first; `first` the rules
    before the first change."""

    first: PointRules
    changes: tuple[tuple[tuple[datetime, int], PointRules], ...] = ()  # ((at, audit id), rules)

    @property
    def current(self) -> PointRules:
        return self.changes[-1][1] if self.changes else self.first

    def at(self, moment: datetime, entry_id: int = 0) -> PointRules:
        """The rules in force at `moment`; at the very moment of a change, for the audit entries
        written before it (a lower id) the rules before it."""
        found = self.first
        for since, rules in self.changes:
            if since > (moment, entry_id):
                break
            found = rules
        return found

    @classmethod
    def of(cls, current: PointRules, entries: Iterable[AuditEntry]) -> RuleTimeline:
        """From the team's audited rule changes (RULES_ACTION, before/after as to_dict's changed
        fields) walked back from the rules stored now."""
        changes = sorted((e for e in entries if e.action == RULES_ACTION), key=lambda e: (e.at, e.id or 0))
        state = current.to_dict()
        timeline: list[tuple[tuple[datetime, int], PointRules]] = []
        for entry in reversed(changes):
            timeline.append(((entry.at, entry.id or 0), PointRules.of(state)))
            state = {**state, **(entry.before or {})}
        return cls(PointRules.of(state), tuple(reversed(timeline)))


def _bounded(value: object, most: int) -> int:
    number: int = int(value)  # type: ignore[call-overload]
    if not 0 <= number <= most:
        raise ValueError(number)
    return number


@dataclass(frozen=True)
class TaskTimes:
    created_at: datetime
    due_at: datetime | None


@dataclass(frozen=True)
class DealStart:
    created_at: datetime
    first_touch: int | None  # the id of the deal's first audited follow-up or move


@dataclass(frozen=True)
class Facts:
    """What the rules read: audit entries of some members in a window (with the `undo` entries
    that may cancel them), and the tasks and deals they name."""

    entries: Sequence[AuditEntry]
    tasks: Mapping[int, TaskTimes] = field(default_factory=dict)
    deals: Mapping[int, DealStart] = field(default_factory=dict)


@dataclass(frozen=True)
class PointEvent:
    member_id: int
    rule: str
    points: int
    at: datetime
    entity: str
    reason: str = ""
    entry_id: int = field(default=0, compare=False)  # the audit entry it was earned by


def code_number(entity: str, prefix: str) -> int | None:
    if entity.startswith(prefix) and entity[len(prefix):].isdigit():
        return int(entity[len(prefix):])
    return None


def events(facts: Facts, rules: PointRules | RuleTimeline, settings: WorkSettings, first_stage_days: int | None,
           start: datetime, end: datetime) -> list[PointEvent]:
    """Every point earned in [start, end) by the members whose entries `facts` holds, in order,
    each by the rules in force when it was earned (a RuleTimeline; plain rules: always), each
    rule's daily cap applied per member and local day. Nothing while points are off now."""
    if isinstance(rules, PointRules):
        rules = RuleTimeline(rules)
    if not rules.current.enabled:
        return []
    undone = {(e.after or {}).get("undid") for e in facts.entries if e.action == UNDO}
    kept = sorted((e for e in facts.entries if e.action in SCORED and e.actor_id is not None
                   and e.id not in undone and start <= e.at < end), key=lambda e: (e.at, e.id or 0))
    found: list[PointEvent] = []
    seen: set[tuple[Any, ...]] = set()

    def once(*key: Any) -> bool:
        if key in seen:
            return False
        seen.add(key)
        return True

    for entry in kept:
        actor = entry.actor_id
        assert actor is not None
        day = settings.local(entry.at).date()
        after, before = entry.after or {}, entry.before or {}
        deal = code_number(entry.entity, "D-")
        if entry.action == AWARD_ACTION:
            member = after.get("member_id")
            if isinstance(member, int) and isinstance(after.get("points"), int):
                found.append(PointEvent(member, AWARD, after["points"], entry.at, entry.entity,
                                        str(after.get("reason", "")), entry.id or 0))
            continue
        if entry.action in UPDATES and settings.is_working_day(day) \
                and settings.local(entry.at).time() < settings.end_of_day and once(DAILY_UPDATE, actor, day):
            found.append(PointEvent(actor, DAILY_UPDATE, 0, entry.at, entry.entity, entry_id=entry.id or 0))
        if entry.action == "deal.log" and once(FOLLOW_UP, actor, deal, day):
            found.append(PointEvent(actor, FOLLOW_UP, 0, entry.at, entry.entity, entry_id=entry.id or 0))
        if entry.action == "deal.check":
            new = set(after.get("deliverables_done") or ()) - set(before.get("deliverables_done") or ())
            found += [PointEvent(actor, DELIVERABLE, 0, entry.at, entry.entity, entry_id=entry.id or 0)
                      for key in sorted(new) if once(DELIVERABLE, deal, key)]
        if entry.action == "task.done" and (task := code_number(entry.entity, "T-")) is not None:
            times = facts.tasks.get(task)
            if times is not None and times.due_at is not None and entry.at <= times.due_at \
                    and entry.at - times.created_at >= TASK_LEAD and once(TASK_ON_TIME, task):
                found.append(PointEvent(actor, TASK_ON_TIME, 0, entry.at, entry.entity, entry_id=entry.id or 0))
        if entry.action == "task.create" and after.get("from") and once(NEXT_STEP, after["from"]):
            found.append(PointEvent(actor, NEXT_STEP, 0, entry.at, entry.entity, entry_id=entry.id or 0))
        if entry.action in TOUCHES and deal is not None and first_stage_days is not None:
            begun = facts.deals.get(deal)
            if begun is not None and begun.first_touch == entry.id \
                    and entry.at - begun.created_at <= timedelta(days=first_stage_days):
                found.append(PointEvent(actor, FIRST_CONTACT, 0, entry.at, entry.entity, entry_id=entry.id or 0))
    return _capped(found, rules, settings)


def _capped(found: Iterable[PointEvent], timeline: RuleTimeline, settings: WorkSettings) -> list[PointEvent]:
    counts: dict[tuple[int, str, date], int] = defaultdict(int)
    out = []
    for event in found:
        rules = timeline.at(event.at, event.entry_id)
        if not rules.enabled:  # points were off then: nothing was earned
            continue
        if event.rule == AWARD:
            out.append(event)
            continue
        rule = rules.rule(event.rule)
        key = (event.member_id, event.rule, settings.local(event.at).date())
        if counts[key] >= rule.cap or not rule.points:
            continue
        counts[key] += 1
        out.append(replace(event, points=rule.points))
    return out


def totals(found: Iterable[PointEvent]) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for event in found:
        out[event.member_id] += event.points
    return dict(out)


def by_rule(found: Iterable[PointEvent], member_id: int) -> dict[str, tuple[int, int]]:
    """One member's (times, points) per rule."""
    out: dict[str, tuple[int, int]] = {}
    for event in found:
        if event.member_id == member_id:
            times, points = out.get(event.rule, (0, 0))
            out[event.rule] = (times + 1, points + event.points)
    return out


@dataclass(frozen=True)
class Standing:
    member_id: int
    points: int
    previous: int

    @property
    def improvement(self) -> int:
        return self.points - self.previous


def leaderboard(now: Mapping[int, int], before: Mapping[int, int], members: Iterable[int]) -> list[Standing]:
    """Every member's standing, most points first (then the member id, for a stable order)."""
    rows = [Standing(m, now.get(m, 0), before.get(m, 0)) for m in members]
    return sorted(rows, key=lambda s: (-s.points, s.member_id))


def most_improved(rows: Sequence[Standing]) -> Standing | None:
    """The member who gained most over the previous period; None when nobody gained."""
    best = max(rows, key=lambda s: (s.improvement, -s.member_id), default=None)
    return best if best is not None and best.improvement > 0 else None
