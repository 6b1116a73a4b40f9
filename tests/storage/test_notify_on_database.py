"""Deal news on the test database (SQLite, or PostgreSQL in that run): the subscription's row, the
news queued in the change's own transaction, a refused or failed command queuing nothing, `undo`,
and the dispatcher sending one chat's news as one message, once, through the SQL outbox."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.dispatcher import Dispatcher
from core.chat.messages import Incoming
from core.notify.feed import NotifySubscription
from core.reminders.outbox import Kind, OutboxStatus
from storage.tables import notify_subscriptions
from tests.access import let_in

IDS = itertools.count(1)
CHANNEL = "-100500"


def say(wired, text: str, *, user: str = "1000", chat: str = ""):
    return wired.bot.handle(Incoming(platform="telegram", user_id=user, user_name="boss" if user == "1000" else user,
                                     text=text, chat_id=chat or user, is_direct=not chat, message_id=str(next(IDS))))


def must(wired, text: str, **kw):
    reply = say(wired, text, **kw)
    assert not reply.is_error, reply.text()
    return reply


def news(wired):
    with wired.uow() as uow:
        return sorted((m for m in uow.outbox.list(limit=500) if m.kind == Kind.NEWS), key=lambda m: m.id or 0)


class Recorder:
    platform = "telegram"

    def __init__(self):
        self.sent: list[tuple[str, object]] = []

    async def send(self, chat_id, reply):
        self.sent.append((chat_id, reply))
        return f"msg{len(self.sent)}"

    def to(self, chat: str):
        return [reply for sent_to, reply in self.sent if sent_to == chat]


@pytest.fixture
def team(wired):
    must(wired, "me")
    let_in(wired, "telegram", "11", "alice")
    return wired


def test_the_subscription_is_one_row_per_chat_replaced_in_place(team):
    must(team, "notify here won,lost min:100k", chat=CHANNEL)
    must(team, "通知 本群 赢单 最低:5万", chat=CHANNEL)
    with team.engine.connect() as connection:
        rows = connection.execute(select(notify_subscriptions)).all()
    assert len(rows) == 1
    row = rows[0]
    assert (row.platform, row.chat_id, row.events, row.language, row.min_currency) == (
        "telegram", CHANNEL, "won", "zh", "CNY")
    with team.uow() as uow:
        subscription = uow.notify.for_chat("telegram", CHANNEL)
        assert subscription.min_amount == Decimal(50_000) and subscription.id == row.id
        assert [s.chat_id for s in uow.notify.for_team(subscription.team_id)] == [CHANNEL]
    must(team, "notify off", chat=CHANNEL)
    with team.uow() as uow:
        assert uow.notify.for_chat("telegram", CHANNEL) is None


def test_the_repository_keeps_the_id_of_a_replaced_subscription(team):
    with team.uow() as uow:
        team_id = uow.members.by_handle("boss").team_id
        first = uow.notify.save(NotifySubscription(team_id, "slack", "C1", ("won",), "en", team.bot.clock.now()))
        again = uow.notify.save(NotifySubscription(team_id, "slack", "C1", ("lost", "new"), "en", team.bot.clock.now(),
                                                   min_amount=Decimal("0.5"), min_currency="USD"))
        uow.commit()
    assert first.id == again.id
    with team.uow() as uow:
        stored = uow.notify.for_chat("slack", "C1")
        assert (stored.events, stored.min_amount, stored.min_currency) == (("lost", "new"), Decimal("0.50"), "USD")
        assert uow.notify.remove("slack", "C1") == 1 and uow.notify.remove("slack", "C1") == 0


def test_news_is_queued_with_the_change_and_a_refusal_queues_nothing(team):
    must(team, "notify here", chat=CHANNEL)
    must(team, "new Acme 120k", user="11")  # D-1, alice's
    refused = say(team, "won D-1 nonsense-amount", user="11")
    assert refused.is_error
    assert say(team, "move D-1 lead", user="11").is_error
    must(team, "won D-1", user="11")
    rows = news(team)
    assert [row.reply.title for row in rows] == ["🆕 D-1 new · Acme · ¥120,000 · Lead · @alice",
                                                 "🏆 D-1 won · Acme · ¥120,000 · @alice"]
    assert {(row.platform, row.chat_id, row.status) for row in rows} == {("telegram", CHANNEL, OutboxStatus.PENDING)}


async def test_one_chats_news_goes_out_as_one_message_once(team):
    must(team, "notify here", chat=CHANNEL)
    must(team, "new Acme 50k", user="11")
    must(team, "move D-1 next", user="11")
    must(team, "won D-1", user="11")
    notifier = Recorder()
    dispatcher = Dispatcher(team.bot.uow_factory, team.bot.clock, {"telegram": notifier})
    await dispatcher.run_once()
    (message,) = notifier.to(CHANNEL)
    assert message.title == "Deal news: 3 updates" and len(message.lines) == 3
    rows = news(team)
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert len({row.message_id for row in rows}) == 1
    await dispatcher.run_once()
    assert len(notifier.to(CHANNEL)) == 1


async def test_undo_before_the_news_went_out_sends_nothing_and_after_sends_a_correction(team):
    must(team, "notify here won", chat=CHANNEL)
    must(team, "new Acme 50k", user="11")
    must(team, "new Beta 60k", user="11")
    must(team, "won D-1", user="11")
    must(team, "undo", user="11")  # before any dispatch: neither the win nor a correction goes
    notifier = Recorder()
    dispatcher = Dispatcher(team.bot.uow_factory, team.bot.clock, {"telegram": notifier})
    await dispatcher.run_once()
    assert notifier.to(CHANNEL) == []
    assert [row.status for row in news(team)] == [OutboxStatus.SKIPPED, OutboxStatus.SKIPPED]

    must(team, "won D-2", user="11")
    await dispatcher.run_once()
    must(team, "undo", user="11")  # after: a correction follows
    await dispatcher.run_once()
    assert [reply.title for reply in notifier.to(CHANNEL)] == ["🏆 D-2 won · Beta · ¥60,000 · @alice",
                                                              "↩ Taken back by @alice: D-2 marked won."]
