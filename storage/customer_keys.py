"""The indexed keys a customer is found by (core.domain.model.customer_key of its name and aliases).

`customers.name_key` and the rows of `customer_alias_keys` are copies of what the name and the
aliases say, kept in step here: by mapper events for customers the ORM writes, and by
`write_alias_keys` for the import's bulk insert. A Core INSERT into customers gets its name key
from the column default (storage.tables); it has no aliases to index.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, delete, event, insert, inspect

from core.domain.model import Customer, customer_key
from storage import tables as t


def write_alias_keys(connection: Connection, customers: Iterable[Customer]) -> None:
    """Replace the alias keys of these (already stored) customers with what their aliases say."""
    customers = list(customers)
    if not customers:
        return
    keys = t.customer_alias_keys
    connection.execute(delete(keys).where(keys.c.customer_id.in_([c.id for c in customers])))
    rows = [{"customer_id": c.id, "team_id": c.team_id, "key": key}
            for c in customers for key in {customer_key(alias) for alias in c.aliases}]
    if rows:
        connection.execute(insert(keys), rows)


def _set_name_key(_mapper, _connection: Connection, customer: Customer) -> None:
    customer.name_key = customer_key(customer.name)  # type: ignore[attr-defined]  # storage's column


def _inserted(_mapper, connection: Connection, customer: Customer) -> None:
    if customer.aliases:
        write_alias_keys(connection, [customer])


def _updated(_mapper, connection: Connection, customer: Customer) -> None:
    state = inspect(customer).attrs
    if state.aliases.history.has_changes() or state.team_id.history.has_changes():
        write_alias_keys(connection, [customer])


def listen() -> None:
    """Keep the keys of ORM-written customers in step (storage.orm calls this once, on mapping)."""
    event.listen(Customer, "before_insert", _set_name_key)
    event.listen(Customer, "before_update", _set_name_key)
    event.listen(Customer, "after_insert", _inserted)
    event.listen(Customer, "after_update", _updated)
