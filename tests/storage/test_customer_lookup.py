"""Finding a customer by name reads only the customer it finds, however many the team has.

Not a timing (bench/customers.py times it): the database answers from the name and alias keys,
so no other customer row comes back to Python. Counted with the ORM's load event.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from core.domain.model import Customer, Team
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_uow(request: pytest.FixtureRequest) -> Iterator:
    engine = make_engine(request.getfixturevalue(f"{request.param}_url"))
    factory = make_session_factory(engine)
    yield lambda: SqlUnitOfWork(factory)
    engine.dispose()


@contextmanager
def customers_loaded() -> Iterator[list[str]]:
    loaded: list[str] = []

    def count(customer: Customer, _context) -> None:
        loaded.append(customer.name)

    event.listen(Customer, "load", count)
    try:
        yield loaded
    finally:
        event.remove(Customer, "load", count)


def test_a_lookup_loads_no_customer_but_the_one_it_finds(new_uow):
    with new_uow() as uow:
        team = uow.teams.add(Team(name="East")).id
        for n in range(120):
            uow.customers.add(Customer(name=f"Customer {n}", team_id=team, aliases=[f"C{n}", f"客户{n}"]))
        uow.commit()
    with new_uow() as uow, customers_loaded() as loaded:
        assert uow.customers.by_name(team, "Nobody Inc") is None
        assert uow.customers.by_name(team, "客户77").name == "Customer 77"  # by alias
        assert uow.customers.by_name(team, "CUSTOMER 99").name == "Customer 99"
        created = uow.customers.named(team, "Brand New Co")  # `new` with a new customer
        uow.commit()
    assert loaded == ["Customer 77", "Customer 99"]
    with new_uow() as uow:
        assert uow.customers.named(team, "brand new co").id == created.id
