"""The outbox, digest subscriptions and the scans' queries: one contract for the fakes, SQLite
and PostgreSQL (fixtures shared with test_repository_contract)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from core.domain.model import DealStatus, Role, StageChange, Task
from core.reminders.outbox import DigestSubscription, OutboxMessage, OutboxStatus
from tests.storage import test_repository_contract as contract
from tests.storage.test_repository_contract import T0, NewUow, World

# The contract's fixtures: fakes, SQLite and PostgreSQL, and its small seeded world.
backend, new_uow, world = contract.backend, contract.new_uow, contract.world

MINUTE = timedelta(minutes=1)


def message(key: str, *, platform: str = "slack", chat: str = "U1", at=T0) -> OutboxMessage:
    return OutboxMessage(platform=platform, chat_id=chat, kind="sla", dedupe_key=key,
                         payload={"reply": {"title": key}, "guard": None, "subject": "D-1"},
                         not_before=at, created_at=T0)


def add(new_uow: NewUow, *messages: OutboxMessage) -> list[bool]:
    with new_uow() as uow:
        stored = [uow.outbox.add(m) for m in messages]
        uow.commit()
    return stored


def test_a_dedupe_key_is_stored_once(new_uow: NewUow):
    assert add(new_uow, message("sla:D-1"), message("sla:D-2")) == [True, True]
    assert add(new_uow, message("sla:D-1", chat="U9")) == [False]
    with new_uow() as uow:
        assert uow.outbox.existing_keys(["sla:D-1", "sla:D-3"]) == {"sla:D-1"}
        assert uow.outbox.counts() == {"pending": 2}
        assert [m.chat_id for m in uow.outbox.list()] == ["U1", "U1"]


def test_adding_many_skips_taken_keys_and_stores_the_rest(new_uow: NewUow):
    add(new_uow, message("sla:D-1"))
    with new_uow() as uow:
        uow.outbox.add_all([message("sla:D-1", chat="U9"), message("sla:D-2"), message("sla:D-3", chat="U3")])
        uow.outbox.add_all([])
        uow.commit()
    with new_uow() as uow:
        assert sorted((m.dedupe_key, m.chat_id) for m in uow.outbox.list()) == [
            ("sla:D-1", "U1"), ("sla:D-2", "U1"), ("sla:D-3", "U3")]


def test_claim_takes_due_rows_of_its_platforms_once(new_uow: NewUow):
    add(new_uow, message("a"), message("b", at=T0 + MINUTE), message("c", platform="telegram"),
        message("later", at=T0 + timedelta(hours=1)))
    with new_uow() as uow:
        first = uow.outbox.claim(now=T0 + MINUTE, lease_until=T0 + 5 * MINUTE, limit=10, platforms=["slack"])
        uow.commit()
    assert [m.dedupe_key for m in first] == ["a", "b"]
    assert first[0].payload["reply"]["title"] == "a" and first[0].claimed_until == T0 + 5 * MINUTE
    with new_uow() as uow:  # held: nobody else gets them
        assert uow.outbox.claim(now=T0 + 2 * MINUTE, lease_until=T0 + 9 * MINUTE, limit=10,
                                platforms=["slack"]) == []
        uow.commit()
    with new_uow() as uow:  # the hold ran out (its dispatcher died): taken again
        again = uow.outbox.claim(now=T0 + 6 * MINUTE, lease_until=T0 + 9 * MINUTE, limit=1,
                                 platforms=["slack", "telegram"])
        uow.commit()
    assert [m.dedupe_key for m in again] == ["a"]


def test_outcomes_are_recorded_on_the_row(new_uow: NewUow):
    add(new_uow, message("sent"), message("retry"), message("failed"), message("skipped"))
    with new_uow() as uow:
        rows = {m.dedupe_key: m.id for m in uow.outbox.claim(now=T0, lease_until=T0 + MINUTE, limit=9,
                                                              platforms=["slack"])}
        uow.outbox.mark_sent(rows["sent"], at=T0, platform_message_id="ts.1")
        uow.outbox.retry_later(rows["retry"], not_before=T0 + MINUTE, error="HTTP 503")
        uow.outbox.mark_failed(rows["failed"], at=T0, error="channel_not_found")
        uow.outbox.mark_skipped(rows["skipped"], at=T0, reason="the deal moved")
        uow.commit()
    with new_uow() as uow:
        got = {m.dedupe_key: m for m in uow.outbox.list(limit=10)}
        assert uow.outbox.counts() == {"sent": 1, "pending": 1, "failed": 1, "skipped": 1}
        sent, retry = got["sent"], got["retry"]
        assert (sent.status, sent.sent_at, sent.message_id, sent.attempts) == (OutboxStatus.SENT, T0, "ts.1", 1)
        assert (retry.status, retry.not_before, retry.attempts, retry.claimed_until) == \
            (OutboxStatus.PENDING, T0 + MINUTE, 1, None)
        assert retry.last_error == "HTTP 503"
        assert got["failed"].last_error == "channel_not_found"
        assert [m.dedupe_key for m in uow.outbox.list(statuses=["failed", "skipped"])] == ["skipped", "failed"]
        # a sent row is final: late news from a slow dispatcher changes nothing
        uow.outbox.mark_failed(sent.id, at=T0, error="late")
        uow.outbox.retry_later(retry.id, not_before=T0 + 2 * MINUTE, error=None, count_attempt=False)
        assert uow.outbox.requeue([got["failed"].id, sent.id], now=T0 + 3 * MINUTE) == 1
        uow.commit()
    with new_uow() as uow:
        got = {m.dedupe_key: m for m in uow.outbox.list(limit=10)}
        assert got["sent"].status == OutboxStatus.SENT
        assert (got["retry"].attempts, got["retry"].last_error) == (1, "HTTP 503")
        assert (got["failed"].status, got["failed"].attempts) == (OutboxStatus.PENDING, 0)


def test_release_lets_go_of_held_rows(new_uow: NewUow):
    add(new_uow, message("a"))
    with new_uow() as uow:
        held = uow.outbox.claim(now=T0, lease_until=T0 + MINUTE, limit=9, platforms=["slack"])
        uow.outbox.release([m.id for m in held])
        uow.commit()
    with new_uow() as uow:
        assert len(uow.outbox.claim(now=T0, lease_until=T0 + MINUTE, limit=9, platforms=["slack"])) == 1


def test_digest_subscriptions(new_uow: NewUow, world: World):
    def sub(chat: str, frequency: str = "weekly") -> DigestSubscription:
        return DigestSubscription(world.team, "slack", chat, frequency, T0, world.alice)

    with new_uow() as uow:
        assert [uow.digests.add(sub("C1")), uow.digests.add(sub("C1")), uow.digests.add(sub("C1", "daily")),
                uow.digests.add(sub("C2"))] == [True, False, True, True]
        uow.commit()
    with new_uow() as uow:
        assert [(s.chat_id, s.frequency) for s in uow.digests.for_team(world.team)] == \
            [("C1", "weekly"), ("C1", "daily"), ("C2", "weekly")]
        assert uow.digests.remove("slack", "C1") == 2
        assert [s.chat_id for s in uow.digests.for_chat("slack", "C2")] == ["C2"]
        assert uow.digests.for_team(world.other_team) == []


def test_scan_marks_only_move_forward(new_uow: NewUow):
    with new_uow() as uow:
        assert uow.reminders.mark("reminders") is None
        uow.reminders.set_mark("reminders", T0)
        uow.reminders.set_mark("reminders", T0 - MINUTE)
        uow.commit()
    with new_uow() as uow:
        assert uow.reminders.mark("reminders") == T0
        uow.reminders.set_mark("reminders", T0 + MINUTE)
        uow.commit()
    with new_uow() as uow:
        assert uow.reminders.mark("reminders") == T0 + MINUTE
        assert uow.reminders.mark("daily") is None


def test_scan_queries_read_windows(new_uow: NewUow, world: World):
    day = timedelta(days=1)
    with new_uow() as uow:
        d1 = uow.deals.add(world.deal(stage="lead", stage_entered_at=T0)).id
        d2 = uow.deals.add(world.deal(stage="quote", stage_entered_at=T0 + day, snoozed_until=T0 + 3 * day)).id
        uow.deals.add(world.deal(stage="lead", stage_entered_at=T0, status=DealStatus.WON, closed_at=T0))
        uow.deals.add(world.deal(team_id=world.other_team, customer_id=world.globex, owner_id=world.bob,
                                 stage_entered_at=T0))
        t1 = uow.tasks.add(world.task(due_at=T0 + day)).id
        uow.tasks.add(world.task(due_at=T0 + day, done_at=T0))
        t3 = uow.tasks.add(Task(title="late", assignee_id=world.bob, team_id=world.team, created_at=T0,
                                due_at=T0 - day, snoozed_until=T0 + 2 * day)).id
        uow.commit()
    with new_uow() as uow:
        r = uow.reminders
        assert [d.id for d in r.deals_entered(world.team, [("lead", T0 - MINUTE, T0)])] == [d1]
        assert r.deals_entered(world.team, [("lead", T0, T0 + day)]) == []  # (after, until]
        both = r.deals_entered(world.team, [("lead", T0 - MINUTE, T0), ("quote", T0, T0 + day)])
        assert sorted(d.id for d in both) == [d1, d2]
        stamp = next(d for d in both if d.id == d2)
        assert (stamp.stage, stamp.owner_id, stamp.snoozed_until) == ("quote", world.alice, T0 + 3 * day)
        assert [d.id for d in r.deals_snoozed(world.team, T0, T0 + 3 * day)] == [d2]
        assert [t.id for t in r.tasks_due(world.team, T0, T0 + day)] == [t1]
        assert [t.id for t in r.tasks_snoozed(world.team, T0, T0 + 2 * day)] == [t3]
        assert list(r.people_with_work(world.team, T0)) == sorted([world.alice, world.bob])
        mine = sorted(r.open_deals(world.team, world.alice), key=lambda d: d.id)
        assert [(d.id, d.last_touched) for d in mine] == [(d1, T0), (d2, T0)]  # never touched: created
        assert r.open_deals(world.other_team, world.alice) == []
        assert [t.id for t in r.overdue_tasks(world.team, world.bob, T0)] == [t3]
        assert r.overdue_tasks(world.team, world.alice, T0) == []


def test_figures(new_uow: NewUow, world: World):
    day = timedelta(days=1)
    with new_uow() as uow:
        won = uow.deals.add(world.deal(status=DealStatus.WON, stage="won", closed_at=T0 + day,
                                       amount=Decimal("1000.50")))
        uow.deals.add(world.deal(status=DealStatus.LOST, stage="lost", closed_at=T0 + day))
        uow.deals.add(world.deal(amount=Decimal(300), stage_entered_at=T0 - 10 * day))
        uow.deals.add(world.deal(amount=Decimal(200), currency="USD", created_at=T0 - 30 * day))
        uow.stage_changes.add(StageChange(won.id, "quote", "won", T0 + day, world.alice))
        uow.stage_changes.add(StageChange(won.id, None, "lead", T0, world.alice))
        uow.tasks.add(world.task(due_at=T0))
        uow.members.get(world.alice).role = Role.REP
        uow.commit()
    with new_uow() as uow:
        f = uow.reminders.figures(world.team, T0 - day, T0 + 2 * day, {"lead": T0 - 5 * day})
    assert (f.new_deals, f.won, f.lost, f.stage_moves, f.open_deals, f.stale, f.overdue_tasks) == \
        (3, 1, 1, 1, 2, 1, 1)
    assert f.won_amount == {"CNY": Decimal("1000.50")}
    assert f.open_amount == {"CNY": Decimal(300), "USD": Decimal(200)}
    assert f.win_rate == 0.5
