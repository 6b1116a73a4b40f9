"""The fakes of the points ports (core.ports.points): a team's rules, the audit facts, forecast calls."""

from __future__ import annotations

from core.performance import points as pt
from core.performance.points import DealStart, PointRules, TaskTimes
from tests.fakes.table import Table


class FakePointsRepository:
    def __init__(self, uow):
        self._of = uow  # a getter: the fake unit of work is copied for rollbacks
        self.stored: dict[int, dict] = {}

    @property
    def rows(self):
        return self.stored

    def all(self):
        return []  # plain dicts, nothing for commit() to check

    def rules(self, team_id):
        return PointRules.of(self.stored.get(team_id))

    def put_rules(self, team_id, rules):
        self.stored[team_id] = rules.to_dict()

    def entries(self, member_ids, start, end):
        ids = set(member_ids)
        awarded = {f"member:{i}" for i in ids}

        def wanted(e):
            if e.action == pt.AWARD_ACTION:
                return e.entity in awarded and start <= e.at < end
            if e.action == pt.UNDO:
                return e.actor_id in ids and start <= e.at < end + pt.UNDO_WINDOW
            return e.action in pt.SCORED and e.actor_id in ids and start <= e.at < end

        return sorted((e for e in self._of().audit.all() if wanted(e)), key=lambda e: (e.at, e.id))

    def task_times(self, task_ids):
        return {i: TaskTimes(task.created_at, task.due_at) for i in task_ids
                if (task := self._of().tasks.get(i)) is not None}

    def deal_starts(self, deal_ids):
        out = {}
        for i in deal_ids:
            deal = self._of().deals.get(i)
            if deal is None:
                continue
            touches = [e.id for e in self._of().audit.all() if e.entity == f"D-{i}" and e.action in pt.TOUCHES]
            out[i] = DealStart(deal.created_at, min(touches) if touches else None)
        return out


class FakeForecastCallRepository(Table):
    def latest(self, deal_ids):
        out = {}
        for call in sorted(self.all(), key=lambda c: c.id):
            if call.deal_id in deal_ids:
                out[call.deal_id] = call
        return out

    def for_deal(self, deal_id):
        return sorted((c for c in self.all() if c.deal_id == deal_id), key=lambda c: c.id)

    def remove(self, call_id):
        self.rows.pop(call_id, None)
