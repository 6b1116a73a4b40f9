"""The fake of the file transfer port (core.ports.files.TransferStore)."""

from __future__ import annotations


class FakeTransferStore:
    """core.ports.files.TransferStore over the fake unit of work: the same answers, one row at a time."""

    def __init__(self, uow):
        self._uow = uow

    def deals_by_uid(self, uids):
        wanted = set(uids)
        return {d.uid: d for d in self._uow.deals.all() if d.uid in wanted}

    def deals_by_number(self, numbers):
        return {n: self._uow.deals.get(n) for n in numbers if self._uow.deals.get(n) is not None}

    def deals_by_source_ref(self, refs):
        wanted = {ref.casefold() for ref in refs}
        return {d.ref.casefold(): d for d in self._uow.deals.all() if d.ref and d.ref.casefold() in wanted}

    def deals_created_at(self, times):
        wanted = set(times)
        return sorted((d for d in self._uow.deals.all() if d.created_at in wanted), key=lambda d: d.id)

    def stage_changes_of(self, deal_ids):
        return {i: [(c.to_stage, c.at) for c in self._uow.stage_changes.for_deal(i)] for i in deal_ids}

    def customers_of(self, team_id):
        return sorted((c for c in self._uow.customers.all() if c.team_id == team_id), key=lambda c: c.id)

    def add_customers(self, customers):
        for customer in customers:
            self._uow.customers.add(customer)

    def add_new_customers(self, names):
        from core.domain.model import Customer

        return [self._uow.customers.add(Customer(name=name, team_id=team_id)).id for team_id, name in names]

    def reserve_numbers(self, count, wanted):
        deals = self._uow.deals  # next_id never goes back: like SQLite's AUTOINCREMENT
        base = max(deals.next_id - 1, max(wanted, default=0))
        deals.next_id = base + count + 1
        return list(range(base + 1, base + count + 1))

    def add_deals(self, deals, changes, audit):
        from core.domain.model import AuditEntry, Deal, StageChange

        for values in deals:
            self._uow.deals.add(Deal(**values))
        for values in changes:
            self._uow.stage_changes.add(StageChange(**values))
        for values in audit:
            self._uow.audit.add(AuditEntry(**values))
