"""Merging two records of one customer (`merge customer "Acme Inc" into Acme`), in SQL."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage import tables as t
from storage.search import index_customers, index_deals_of_customers

# every table that names a customer, but its own alias keys (deleted with it)
CUSTOMER_REFERENCES = (
    (t.deals, t.deals.c.customer_id),
    (t.interactions, t.interactions.c.customer_id),
    (t.chat_bindings, t.chat_bindings.c.customer_id),
    (t.suggestions, t.suggestions.c.customer_id),
    (t.leads, t.leads.c.customer_id),
    (t.satisfaction_scores, t.satisfaction_scores.c.customer_id),
    (t.complaints, t.complaints.c.customer_id),
)


def merge_customers(session: Session, from_id: int, into_id: int) -> None:
    session.flush()  # what the core changed of into_id (aliases, contacts, tags) goes first
    for table, column in CUSTOMER_REFERENCES:
        session.execute(table.update().where(column == from_id).values({column.name: into_id}))
    session.execute(delete(t.customer_alias_keys).where(t.customer_alias_keys.c.customer_id == from_id))
    session.execute(delete(t.customers).where(t.customers.c.id == from_id))
    index_customers(session.connection(), [from_id, into_id])  # from_id's documents go
    index_deals_of_customers(session.connection(), [into_id])  # the moved deals carry into_id's name
    session.expire_all()  # loaded objects still hold the old ids
