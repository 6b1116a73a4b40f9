"""Points (core.performance.points, read by core.performance.standings from the audit trail) equal
a plain count kept alongside random chat sessions, on SQLite and PostgreSQL; and spamming a
command earns no more than its daily cap.

Each example empties the database and plays a session through Dealbot.handle with a frozen
clock moved forward step by step: alice and bob log follow-ups on their own deals, tick
deliverables, finish their tasks, take their last change back with `undo`, and mia (their
manager) awards points. The test keeps its own record of what each command did (what `undo`
took back included) and scores it with the team's rules (the defaults, or random points and caps
a manager set with `points rule`) written out again here, per week window, against
`leaderboard`'s figures (each member's points and the change on the week before).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.chat.messages import Incoming
from core.language.periods import week_of
from core.performance.standings import board
from storage import tables
from storage.tables import metadata

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Mon 2 March 09:00 Shanghai
WEEKS = [week_of(date(2026, 3, 2)), week_of(date(2026, 3, 9)), week_of(date(2026, 3, 16))]
LEAD_DAYS = 3  # the default pipeline's first stage limit
DEFAULTS = {"follow": (1, 5), "deliverable": (2, 5), "task": (2, 5), "first": (3, 3), "daily": (2, 1)}  # (points, cap)
WORDS = {"follow": "follow-up", "deliverable": "deliverable", "task": "task", "first": "first-contact",
         "daily": "daily"}  # how `points rule` names them


@dataclass
class Entry:
    seq: int
    actor: str
    kind: str  # log, check, done, undo, award
    entity: str
    at: datetime
    key: str = ""  # the deliverable
    undid: int | None = None
    points: int = 0  # an award's
    to: str = ""  # an award's member
    undone: bool = False


@dataclass
class Model:
    entries: list[Entry] = field(default_factory=list)
    checked: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    done: set[str] = field(default_factory=set)

    def add(self, **kw) -> Entry:
        entry = Entry(seq=len(self.entries), **kw)
        self.entries.append(entry)
        return entry


class Session:
    def __init__(self, wired):
        self.wired = wired
        self.n = 0

    def say(self, who: str, text: str):
        self.n += 1
        return self.wired.bot.handle(Incoming(platform="console", user_id=who, user_name=who, text=text,
                                              message_id=f"m{self.n}"))

    def must(self, who: str, text: str):
        reply = self.say(who, text)
        assert not reply.is_error, (text, reply.text())
        return reply


def _empty(wired) -> None:
    with wired.engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


def _setup(wired) -> tuple[Session, dict[str, list[str]], dict[str, list[str]], dict]:
    _empty(wired)
    wired.bot.clock.set(START)
    s = Session(wired)
    for who in ("boss", "alice", "bob", "mia"):
        s.must(who, "me")
    s.must("boss", "member @mia role:manager")
    s.must("alice", "new Acme 50k")
    s.must("alice", "new Beta 20k")
    s.must("bob", "new Gamma 30k")
    s.must("alice", "task call Acme due:2026-03-04 18:00")
    s.must("alice", "task send the quote due:2026-03-16 12:00")
    s.must("bob", "task visit Gamma due:2026-03-06 10:00")
    with wired.uow() as uow:
        ids = {m.handle: m.id for m in uow.members.in_team(uow.teams.by_name("sales").id)}
        deals = {who: [f"D-{d.id}" for d in sorted(uow.deals.find(owner_id=ids[who]), key=lambda d: d.id)]
                 for who in ("alice", "bob")}
        tasks = {who: [t for t in sorted(uow.tasks.find(assignee_id=ids[who]), key=lambda t: t.id)]
                 for who in ("alice", "bob")}
        task_codes = {who: [t.code for t in found] for who, found in tasks.items()}
        times = {t.code: (t.created_at, t.due_at) for found in tasks.values() for t in found}
        created = {f"D-{d.id}": d.created_at for d in uow.deals.find()}
    return s, deals, task_codes, {"tasks": times, "deals": created, "ids": ids}


steps = st.tuples(
    st.sampled_from([1, 2, 4, 9, 30, 90, 240, 600, 1440]),  # minutes to wait before
    st.sampled_from(["alice", "bob"]),
    st.sampled_from(["log", "log", "check", "done", "undo", "award"]),
    st.integers(0, 1),  # which deal / task / deliverable
    st.integers(-5, 10).filter(bool),  # an award's points
)


def _play(s: Session, model: Model, deals, tasks, step) -> None:
    wait, who, kind, which, points = step
    s.wired.bot.clock.advance(minutes=wait)
    now = s.wired.bot.clock.now()
    mine_deals, mine_tasks = deals[who], tasks[who]
    if kind == "log":
        deal = mine_deals[which % len(mine_deals)]
        s.must(who, f"log {deal} call about the price")
        model.add(actor=who, kind="log", entity=deal, at=now)
    elif kind == "check":
        deal, item = mine_deals[0], which + 1
        s.must(who, f"check {deal} {item}")
        if str(item) not in model.checked[deal]:
            model.checked[deal].add(str(item))
            model.add(actor=who, kind="check", entity=deal, at=now, key=str(item))
    elif kind == "done":
        task = mine_tasks[which % len(mine_tasks)]
        reply = s.say(who, f"done {task}")
        if task in model.done:
            assert reply.is_error
        else:
            assert not reply.is_error, reply.text()
            model.done.add(task)
            model.add(actor=who, kind="done", entity=task, at=now)
    elif kind == "undo":
        s.say(who, "undo")
        window = [e for e in model.entries if e.actor == who and e.kind in ("check", "done")
                  and e.at >= now - timedelta(minutes=10)]
        if not window:
            return
        last = window[-1]
        if any(e.entity == last.entity and e.seq > last.seq for e in model.entries):
            return  # undone already, or changed since: nothing happens
        last.undone = True
        model.add(actor=who, kind="undo", entity=last.entity, at=now, undid=last.seq)
        if last.kind == "check":
            model.checked[last.entity].discard(last.key)
        else:
            model.done.discard(last.entity)
    else:
        s.must("mia", f"points award @{who} {points} for the week")
        model.add(actor="mia", kind="award", entity=who, at=now, points=points, to=who)


def _expected(model: Model, facts: dict, start: datetime, end: datetime, rules: dict) -> dict[str, int]:
    """The rules, plainly: each kept entry in [start, end), in order, capped per local day."""
    total: dict[str, int] = defaultdict(int)
    used: dict[tuple, int] = defaultdict(int)
    seen: set[tuple] = set()
    first_touch = {}
    for e in model.entries:
        if e.kind == "log":
            first_touch.setdefault(e.entity, e.seq)

    def earn(who: str, rule: str, value: tuple[int, int], day: date) -> None:
        points, cap = value
        if used[(who, rule, day)] < cap:
            used[(who, rule, day)] += 1
            total[who] += points

    for e in model.entries:
        if e.undone or not start <= e.at < end:
            continue
        local = e.at.astimezone(SH)
        day = local.date()
        if e.kind == "award":
            total[e.to] += e.points
            continue
        if e.kind not in ("log", "check", "done"):
            continue
        if day.weekday() < 5 and local.hour < 18 and (e.actor, day) not in seen:
            seen.add((e.actor, day))
            earn(e.actor, "daily", rules["daily"], day)
        if e.kind == "log":
            if (e.actor, e.entity, day) not in seen:
                seen.add((e.actor, e.entity, day))
                earn(e.actor, "follow", rules["follow"], day)
            if first_touch[e.entity] == e.seq and e.at - facts["deals"][e.entity] <= timedelta(days=LEAD_DAYS):
                earn(e.actor, "first", rules["first"], day)
        if e.kind == "check":
            earn(e.actor, "deliverable", rules["deliverable"], day)
        if e.kind == "done":
            created, due = facts["tasks"][e.entity]
            if e.at <= due and e.at - created >= timedelta(hours=1):
                earn(e.actor, "task", rules["task"], day)
    return dict(total)


def _check(wired, model: Model, facts: dict, rules: dict) -> None:
    with wired.uow() as uow:
        team = uow.teams.by_name("sales")
        for week in WEEKS:
            start, end = week.bounds(team.timezone)
            before_start, _ = week.previous().bounds(team.timezone)
            expected = _expected(model, facts, start, end, rules)
            previous = _expected(model, facts, before_start, start, rules)
            result = board(uow, team, week)
            rows = {r.member_id: r for r in result.rows}
            for handle in ("alice", "bob"):
                row = rows[facts["ids"][handle]]
                assert row.points == expected.get(handle, 0), (week.label, handle)
                assert row.improvement == expected.get(handle, 0) - previous.get(handle, 0), (week.label, handle)
            assert [r.points for r in result.rows] == sorted((r.points for r in result.rows), reverse=True)


rule_sets = st.one_of(st.just(DEFAULTS), st.fixed_dictionaries(
    {key: st.tuples(st.integers(0, 5), st.integers(1, 4)) for key in DEFAULTS}))


@pytest.mark.slow  # a session of commands per example on each database
@given(rule_sets, st.lists(steps, min_size=3, max_size=28))
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_points_equal_a_plain_count_of_what_was_done(wired, rules, session):
    s, deals, tasks, facts = _setup(wired)
    if rules != DEFAULTS:  # the team's own rules, set as a manager does
        for key, (points, cap) in rules.items():
            s.must("mia", f"points rule {WORDS[key]} {points} cap:{cap}")
    wired.bot.clock.advance(hours=1)  # the tasks' creation is out of undo's reach
    model = Model()
    for step in session:
        _play(s, model, deals, tasks, step)
    _check(wired, model, facts, rules)


def test_spamming_a_command_earns_no_more_than_its_cap(wired):
    s, deals, tasks, facts = _setup(wired)
    wired.bot.clock.advance(hours=1)
    deal = deals["alice"][0]
    for n in range(40):  # forty follow-ups on one deal, a minute apart
        s.must("alice", f"log {deal} call {n}")
        wired.bot.clock.advance(minutes=1)
    for _ in range(10):  # tick and take back, over and over
        s.must("alice", f"check {deal} 1")
        s.must("alice", "undo")
    week = WEEKS[0]
    with wired.uow() as uow:
        team = uow.teams.by_name("sales")
        row = next(r for r in board(uow, team, week).rows if r.member_id == facts["ids"]["alice"])
    # the daily update (2), one follow-up for the one deal and day (1), its first contact (3);
    # every tick was taken back: nothing for them
    assert row.points == 2 + 1 + 3
    for other in deals["alice"][1:] + deals["bob"]:  # five deals a day at most: here two more
        s.must("alice" if other in deals["alice"] else "bob", f"log {other} call")
    with wired.uow() as uow:
        team = uow.teams.by_name("sales")
        rows = {r.member_id: r.points for r in board(uow, team, week).rows}
    assert rows[facts["ids"]["alice"]] == 6 + 1 + 3
    assert rows[facts["ids"]["bob"]] == 2 + 1 + 3
    with wired.engine.connect() as connection:
        assert connection.execute(select(tables.audit_entries.c.id)).all()  # it is all in the audit trail
