"""The search index on the fakes: every row of the in-memory repositories read as the SQL index
would answer (core.ports.search.SearchIndex), newest first; the core checks and ranks them."""

from __future__ import annotations

from core.search import results as r
from core.search.terms import vocabulary


class FakeSearchIndex:
    def __init__(self, uow):
        self._uow = uow

    def _deal_visible(self, scope, deal):
        return scope.team_id is None or deal.team_id == scope.team_id

    def _customer_visible(self, scope, customer):
        return scope.team_id is None or customer.team_id == scope.team_id

    def names(self, query, scope, limit):
        hits = []
        customers = {c.id: c for c in self._uow.customers.all()}
        for deal in self._uow.deals.all():
            customer = customers.get(deal.customer_id)
            hit = r.NameHit(r.DEAL, deal.id, (deal.title, customer.name if customer else ""),
                            customer.name if customer else "", deal.stage)
            if self._deal_visible(scope, deal) and query.matches(" ".join(hit.names)):
                hits.append((deal.id * 4, hit))
        for customer in customers.values():
            if not self._customer_visible(scope, customer):
                continue
            hit = r.NameHit(r.CUSTOMER, customer.id, (customer.name, *customer.aliases), customer.name)
            if any(query.matches(name) for name in hit.names):
                hits.append((customer.id * 4 + 1, hit))
            contacts = tuple(str(entry.get("name", "")) for entry in customer.contacts)
            if any(query.matches(name) for name in contacts):
                hits.append((customer.id * 4 + 2, r.NameHit(r.CONTACT, customer.id, contacts, customer.name)))
        return [hit for _, hit in sorted(hits, key=lambda item: -item[0])[:limit]]

    def messages(self, query, scope, limit):
        customers = {c.id: c for c in self._uow.customers.all()}
        found = []
        for row in sorted(self._uow.interactions.all(), key=lambda i: -i.id):
            if row.deleted_at is not None or not row.text or not query.matches(row.text, pinyin=False):
                continue
            if scope.team_id is None or row.team_id == scope.team_id:
                customer = customers.get(row.customer_id)
                found.append(r.MessageHit(row.id, row.kind, row.text, row.occurred_at, row.deal_id,
                                          customer.name if customer else None, row.author_name))
            if len(found) >= limit:
                break
        return found

    def words(self, head):
        names = [d.title for d in self._uow.deals.all()]
        for customer in self._uow.customers.all():
            names += [customer.name, *customer.aliases, *(str(e.get("name", "")) for e in customer.contacts)]
        return sorted(w for w in vocabulary(names) if w.startswith(head))
