"""The contract of handled messages (core.ports.unit_of_work.HandledMessageRepository) on the fakes, SQLite and
PostgreSQL: a message is handled once, a rolled-back record does not count, old records go."""

from __future__ import annotations

from datetime import timedelta

from tests.storage import test_repository_contract as contract
from tests.storage.test_repository_contract import T0, NewUow

backend, new_uow = contract.backend, contract.new_uow


def test_a_message_is_handled_the_first_time_only(new_uow: NewUow):
    with new_uow() as uow:
        assert uow.handled.first_time("telegram", "-100", "41", T0)
        uow.commit()
    with new_uow() as uow:
        assert not uow.handled.first_time("telegram", "-100", "41", T0 + timedelta(minutes=1))
        # the same id is another message in another chat or on another platform
        assert uow.handled.first_time("telegram", "-200", "41", T0)
        assert uow.handled.first_time("slack", "-100", "41", T0)
        uow.commit()


def test_a_record_rolled_back_with_its_command_does_not_count(new_uow: NewUow):
    with new_uow() as uow:
        assert uow.handled.first_time("slack", "C1", "1700000000.000100", T0)
        uow.rollback()
    with new_uow() as uow:
        assert uow.handled.first_time("slack", "C1", "1700000000.000100", T0)


def test_records_older_than_the_cut_off_are_forgotten(new_uow: NewUow):
    with new_uow() as uow:
        for n in range(3):
            uow.handled.first_time("dingtalk", "cid1", f"msg{n}", T0 + timedelta(days=n))
        uow.commit()
    with new_uow() as uow:
        assert uow.handled.forget_before(T0 + timedelta(days=1)) == 1
        uow.commit()
    with new_uow() as uow:
        assert uow.handled.first_time("dingtalk", "cid1", "msg0", T0)  # forgotten
        assert not uow.handled.first_time("dingtalk", "cid1", "msg1", T0)
