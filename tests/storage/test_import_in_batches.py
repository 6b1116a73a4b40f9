"""An import written in several short transactions (write_plan_in_batches), on SQLite and
PostgreSQL: a deal made in chat in between never takes an imported number, and a batch that fails
takes back what the earlier batches committed."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.services.transfer import plan_rows, read_deals, write_plan_in_batches
from storage import tables as t
from storage.uow import SqlUnitOfWork
from tests.storage.test_import_on_database import HEADER, NOW, _chat_deal, _count, _row


def _plan(factory, text: str):
    with SqlUnitOfWork(factory) as uow:
        rows = read_deals(uow, text, default_timezone="UTC")
        return plan_rows(uow, rows, now=NOW, default_timezone="UTC", default_language="en")


def _file(*refs: str) -> str:
    return HEADER + "\n" + "".join(f"{_row(ref, won=True)}\n" for ref in refs)  # customer Globex


def test_a_deal_made_in_chat_between_batches_gets_a_number_above_the_import(factory_on_each_database):
    factory, opened = factory_on_each_database, []

    def uow_between_chat_deals():
        if len(opened) == 1:  # after the first transaction: numbers reserved, nothing imported yet
            opened.append(_chat_deal(factory).id)
        opened.append("uow")
        return SqlUnitOfWork(factory)

    result = write_plan_in_batches(uow_between_chat_deals, _plan(factory, _file(*[f"CRM-{n}" for n in range(5)])),
                                   batch=2)
    assert result.created == 5
    chat = opened[1]
    with factory() as session:
        imported = session.scalars(select(t.deals.c.id).where(t.deals.c.ref.is_not(None))).all()
    assert sorted(imported) == [1, 2, 3, 4, 5] and chat == 6


def test_a_failed_batch_takes_back_what_the_earlier_batches_committed(factory_on_each_database):
    factory = factory_on_each_database
    planned = _plan(factory, _file(*[f"CRM-{n}" for n in range(5)]))
    with SqlUnitOfWork(factory) as uow:  # another writer stores CRM-3 after the plan was made
        uow.deals.get(_chat_deal(factory).id).ref = "CRM-3"
        uow.commit()
    counts = {table.name: _count(factory, table) for table in (t.deals, t.customers, t.stage_changes,
                                                               t.audit_entries)}

    with pytest.raises(IntegrityError):  # the second batch, CRM-2 and CRM-3, cannot be stored
        write_plan_in_batches(lambda: SqlUnitOfWork(factory), planned, batch=2)

    assert {table.name: _count(factory, table) for table in (t.deals, t.customers, t.stage_changes,
                                                             t.audit_entries)} == counts
    with factory() as session:
        assert session.scalars(select(t.customers.c.name)).all() == ["Acme"]  # Globex taken back too

