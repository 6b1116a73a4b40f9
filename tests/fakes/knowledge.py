"""The fake of the knowledge port (core.ports.knowledge.KnowledgeRepository)."""

from __future__ import annotations

from tests.fakes.table import Table


class FakeKnowledgeRepository:
    def __init__(self, uow=None):
        self._uow = uow  # the deals and customers, for closed_profiles
        self.lines, self.entries, self.asked, self.retro_rows = Table(), Table(), Table(), Table()
        self.onboarding_rows = Table()

    @property
    def rows(self):
        """Every record, for the harness's counts."""
        return {(kind, key): row for kind, table in (("line", self.lines), ("faq", self.entries),
                                                     ("ask", self.asked), ("retro", self.retro_rows),
                                                     ("onboarding", self.onboarding_rows))
                for key, row in table.rows.items()}

    def all(self):
        return list(self.rows.values())

    def playbook_lines(self, team_id, stage=None, *, removed=False):
        return [line for line in self.lines.all() if line.team_id == team_id
                and (stage is None or line.stage == stage) and (removed or line.removed_at is None)]

    def add_playbook_line(self, line):
        return self.lines.add(line)

    def remove_playbook_line(self, line, by, at):
        line.removed_by, line.removed_at = by, at

    def faq_entries(self, team_id):
        return [e for e in self.entries.all() if e.team_id == team_id and e.removed_at is None]

    def faq_entry(self, faq_id):
        return self.entries.get(faq_id)

    def add_faq(self, entry):
        return self.entries.add(entry)

    def remove_faq(self, entry, at):
        entry.removed_at = at

    def add_ask(self, ask):
        return self.asked.add(ask)

    def ask(self, ask_id):
        return self.asked.get(ask_id)

    def mark_unhelpful(self, ask, at):
        ask.unhelpful_at = at

    def asks(self, team_id, since):
        return [a for a in self.asked.all() if a.team_id == team_id and a.at >= since]

    def put_retro(self, retro):
        old = next((r for r in self.retro_rows.all() if r.deal_id == retro.deal_id), None)
        if old is not None:
            del self.retro_rows.rows[old.id]
        self.retro_rows.add(retro)
        return old

    def retros(self, deal_ids):
        return {r.deal_id: r for r in self.retro_rows.all() if r.deal_id in set(deal_ids)}

    def add_onboarding(self, onboarding):
        return self.onboarding_rows.add(onboarding)

    def save_onboarding(self, onboarding):
        pass  # the object is the row

    def onboarding_of(self, member_id):
        mine = [o for o in self.onboarding_rows.all() if o.member_id == member_id]
        return max(mine, key=lambda o: o.id, default=None)

    def onboardings(self, team_id):
        return sorted((o for o in self.onboarding_rows.all() if o.team_id == team_id), key=lambda o: -o.id)

    def closed_profiles(self, team_id, statuses, limit):
        from core.knowledge.similar import Profile

        uow = self._uow()
        deals = [d for d in uow.deals.all() if d.team_id == team_id and str(d.status) in set(statuses)]
        deals.sort(key=lambda d: (d.closed_at is not None, d.closed_at, d.id), reverse=True)
        return [Profile.of(d, uow.customers.get(d.customer_id)) for d in deals[:limit]]

    def customer_messages(self, customer_id, limit):
        found = [i for i in self._uow().interactions.all() if i.customer_id == customer_id and i.deal_id is None
                 and i.kind == "message" and i.deleted_at is None]
        found.sort(key=lambda i: (i.occurred_at, i.id), reverse=True)
        return found[:limit]
