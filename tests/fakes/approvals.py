"""The fake of the approvals port (core.ports.approvals.ApprovalRepository)."""

from __future__ import annotations

import copy

from core.approvals.machine import State, Trail


class FakeApprovalRepository:
    def __init__(self):
        self.rows = {}
        self.decided = {}  # id -> Decision
        self._ids = 0

    def all(self):
        return [*self.rows.values(), *self.decided.values()]

    def _next(self):
        self._ids += 1
        return self._ids

    def add(self, approval):
        approval.id = len(self.rows) + 1
        self.rows[approval.id] = copy.deepcopy(approval)

    def get(self, approval_id):
        row = self.rows.get(approval_id)
        return copy.deepcopy(row)  # a copy, as SQL reads one: changing it changes nothing stored

    def of_deal(self, deal_id):
        return [copy.deepcopy(a) for a in sorted(self.rows.values(), key=lambda a: a.id) if a.deal_id == deal_id]

    def pending(self, team_id=None):
        return [copy.deepcopy(a) for a in sorted(self.rows.values(), key=lambda a: a.id)
                if a.state == State.PENDING and (team_id is None or a.team_id == team_id)]

    def asked_by(self, member_id, limit=20):
        mine = [a for a in sorted(self.rows.values(), key=lambda a: -a.id) if a.requester_id == member_id]
        return [copy.deepcopy(a) for a in mine[:limit]]

    def decisions(self, approval_id):
        return [copy.deepcopy(d) for d in sorted(self.decided.values(), key=lambda d: d.id)
                if d.approval_id == approval_id]

    def decide(self, approval, decision, from_step):
        stored = self.rows.get(approval.id)
        if stored is None or stored.state != State.PENDING or stored.step != from_step:
            return False
        self.rows[approval.id] = copy.deepcopy(approval)
        decision.id = len(self.decided) + 1
        self.decided[decision.id] = copy.deepcopy(decision)
        return True

    def trails(self, deal_ids):
        trails = {}
        for approval in sorted(self.rows.values(), key=lambda a: a.id):
            if approval.deal_id in deal_ids:
                trails.setdefault(approval.deal_id, []).append(Trail(copy.deepcopy(approval),
                                                                     self.decisions(approval.id)))
        return trails
