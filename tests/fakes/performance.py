"""The fake of the performance port (core.ports.performance.TargetRepository)."""

from __future__ import annotations

from tests.fakes.table import Table


class FakeTargetRepository(Table):
    def put(self, target):
        old = self.remove(target)
        target.id = None
        self.add(target)
        return old

    def remove(self, target):
        old = next((t for t in self.all() if t.key == target.key), None)
        if old is not None:
            del self.rows[old.id]
        return old

    def of_team(self, team_id, day=None):
        found = [t for t in self.all() if t.team_id == team_id
                 and (day is None or t.period_start <= day < t.period_end)]
        return sorted(found, key=lambda t: (t.period_start, t.period_end, t.member_id is not None,
                                            t.member_id or 0, t.metric))


class FakeDailyUpdateRepository(Table):
    def save(self, update):
        self.rows[update.id] = update
