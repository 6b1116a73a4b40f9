"""The core through the real wiring on the test database (SQLite, or PostgreSQL in that run):
the same behaviour as on the fakes, and bad input leaves every table's row count unchanged."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.chat.messages import Incoming
from core.domain.model import DealStatus
from core.services.transfer import export_deals, import_deals
from storage.db import row_counts
from storage.tables import link_codes


class SqlChat:
    def __init__(self, wired):
        self.wired = wired
        self.n = 0

    def say(self, user: str, text: str):
        self.n += 1
        return self.wired.bot.handle(Incoming(platform="console", user_id=user, user_name=user,
                                              text=text, message_id=str(self.n)))

    def counts(self) -> dict[str, int]:
        return row_counts(self.wired.engine)


@pytest.fixture
def chat(wired):
    c = SqlChat(wired)
    for user in ("boss", "alice", "bob"):
        c.say(user, "me")
    return c


def test_deal_lifecycle_is_stored(chat, wired):
    chat.say("alice", "new Acme 50k")
    chat.say("alice", "check D-1 1")
    chat.say("alice", "move D-1 quote")
    chat.say("alice", "跟进 D-1 电话：客户要求下周三前发报价")
    chat.say("alice", "won D-1 48k")
    with wired.uow() as uow:
        deal = uow.deals.get(1)
        assert (deal.status, deal.stage, deal.amount) == (DealStatus.WON, "won", Decimal("48000.00"))
        assert deal.deliverables_done == ["lead:1"]
        changes = [(s.from_stage, s.to_stage) for s in uow.stage_changes.for_deal(1)]
        assert changes == [(None, "lead"), ("lead", "quote"), ("quote", "won")]
        task = uow.tasks.get(1)
        assert task.due_at == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
        actions = [e.action for e in uow.audit.for_entity("D-1")]
        assert actions == ["deal.create", "deal.check", "deal.move", "deal.log", "deal.won"]


BAD_INPUT = [
    "mvoe D-1 demo", "move D-1 qoute", "move D-9 demo", "won D-1 lots", "lost D-9 price",
    "new Neg -5k", "new Acme $5k EUR", "log D-1 " + "y" * 5000,
    "DROP TABLE deals;", "推进 D-1 报价😀", "done T-99", "new Acme\u2060Corp", "task 发报价 D-1 2020-01-01",
    "move D-1 квота", "new Acme close:someday", "<script>alert(1)</script>",
]


@pytest.mark.parametrize("text", BAD_INPUT)
def test_bad_input_stores_nothing(chat, text):
    chat.say("alice", "new Acme")
    before = chat.counts()
    reply = chat.say("alice", text)
    assert reply.is_error
    assert len(reply.title) < 200
    assert chat.counts() == before


def test_a_refused_rep_changes_nothing(chat, wired):
    chat.say("alice", "new Acme")
    before = chat.counts()
    assert chat.say("bob", "won D-1").is_error
    assert chat.counts() == before


def test_a_new_users_bad_first_message_stores_nothing(chat):
    before = chat.counts()
    assert chat.say("newcomer", "mvoe").is_error
    assert chat.counts() == before


def test_csv_round_trip_on_the_database(chat, wired):
    chat.say("alice", "new Acme 50k")
    chat.say("alice", "新建 华为 5万 阶段:报价")
    chat.say("alice", "lost D-2 预算冻结")
    with wired.uow() as uow:
        text = export_deals(uow)
    before = chat.counts()
    with wired.uow() as uow:
        result = import_deals(uow, text, now=wired.bot.clock.now(), default_timezone="Asia/Shanghai",
                              default_language="en")
        uow.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert chat.counts() == before
    with wired.uow() as uow:
        assert export_deals(uow) == text


def test_linking_accounts_merges_members_on_the_database(chat, wired):
    wired.bot.new_code = lambda: "87654321"
    chat.say("alice", "new Acme")
    chat.say("alice", "me link")
    wired.bot.handle(Incoming(platform="slack", user_id="UA", user_name="alice.s", text="hi"))
    chat.say("boss", "member approve R-1")  # a second member, for now
    slack = Incoming(platform="slack", user_id="UA", user_name="alice.s", text="task call Acme tomorrow")
    wired.bot.handle(slack)
    asked = wired.bot.handle(Incoming(platform="slack", user_id="UA", user_name="alice.s",
                                      text="me link 87654321"))
    assert not asked.is_error, asked.title
    with wired.uow() as uow:
        assert uow.members.by_identity("slack", "UA").handle == "alice.s"  # waits for alice
        [request] = uow.session.execute(sa.select(link_codes)).all()
        assert "87654321" not in repr(tuple(request))  # only the code's hash is stored
    confirmed = chat.say("alice", "me link confirm")
    assert not confirmed.is_error, confirmed.title
    with wired.uow() as uow:
        alice = uow.members.by_handle("alice")
        assert uow.members.by_identity("slack", "UA").id == alice.id
        assert uow.tasks.get(1).assignee_id == alice.id
        assert uow.members.by_handle("alice.s") is None
        assert uow.session.execute(sa.select(link_codes)).all() == []


def test_simultaneous_first_commands_all_succeed(wired):
    """Four people write to the bot at the same moment, each for the first time (the member is
    created in the command's transaction): on SQLite a reading transaction cannot take the write
    lock once another commits (storage.db.writing_engine), on PostgreSQL two commands may create
    the same customer (storage.db.is_transient: the loser runs again). No one sees an apology."""
    import dataclasses
    import threading

    # Their workspace is trusted for self-service, so a first message makes a member.
    wired.bot.defaults = dataclasses.replace(wired.bot.defaults, self_service=frozenset({("slack", "T1")}))
    replies = []

    def person(n: int) -> None:
        for i in range(15):
            replies.append(wired.bot.handle(Incoming(
                platform="slack", user_id=f"U{n}", user_name=f"rep{n}", text=f"new Customer{i % 3} {i + 1}k",
                message_id=f"{n}-{i}", chat_id=f"D{n}", is_direct=True, external=False, org="T1")))

    threads = [threading.Thread(target=person, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.title for r in replies if r.is_error] == []
    with wired.uow() as uow:
        deals = uow.deals.find()
        assert len(deals) == 60
        assert len({(d.team_id, d.customer_id) for d in deals}) == 3  # one customer per name


def test_conflicts_with_other_writers_are_transient(wired):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from storage.db import is_transient

    wired.bot.handle(Incoming(platform="console", user_id="alice", text="me", message_id="1"))
    with wired.engine.connect() as connection:
        with pytest.raises(DBAPIError) as duplicate:  # what a second creator of the same member meets
            connection.execute(text("INSERT INTO identities (platform, user_id, member_id) "
                                    "SELECT platform, user_id, member_id FROM identities"))
        connection.rollback()
        with pytest.raises(DBAPIError) as bad_sql:
            connection.execute(text("SELECT no_such_column FROM teams"))
    assert is_transient(duplicate.value)
    assert not is_transient(bad_sql.value) and not is_transient(ValueError("database is locked"))


def test_a_message_delivered_to_two_replicas_at_once_runs_once(wired, let_in):
    """Slack retries an event that was not answered within 3 seconds, perhaps at another replica,
    while the first still runs it: both reach the database (two threads, two connections here,
    as two replicas would), one creates the deal, the other says it was done."""
    import threading

    let_in("slack", "U1", "rep")
    start, replies = threading.Barrier(2), []

    def replica() -> None:
        start.wait()
        replies.append(wired.bot.handle(Incoming(platform="slack", user_id="U1", user_name="rep", text="new Acme 5k",
                                                 chat_id="C1", message_id="1700000000.000100", is_direct=False)))

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    titles = sorted(reply.title for reply in replies)
    assert titles[0].startswith("Already done") and titles[1].startswith("Created D-"), titles
    with wired.uow() as uow:
        assert len(uow.deals.find()) == 1
