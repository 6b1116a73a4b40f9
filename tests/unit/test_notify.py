"""Deal news (`notify`, 通知) and the DMs of handed work on the fakes: who may subscribe, what each
event queues (and when), the filters, a refused command queuing nothing, `undo` before and after
the news went out, and the dispatcher folding one chat's news into one message."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.dispatcher import Dispatcher
from core.chat.messages import Incoming
from core.domain.pipeline import DEFAULT_PIPELINE
from core.language import commands as c
from core.language.errors import ParseError
from core.language.parser import ParseContext
from core.language.verbs import parse
from core.reminders.outbox import Kind, OutboxStatus
from core.reminders.rules import obsolete_reason
from tests.fakes import ChatHarness, FixedClock

CTX = ParseContext(FixedClock().now(), "Asia/Shanghai", DEFAULT_PIPELINE)
CHANNEL = "-100500"  # the sales group on Telegram
ALL = ("won", "lost", "new", "moved", "assigned")


class Team:
    """sales on Telegram: boss (admin), mia (manager), alice and bob (reps); east has erin."""

    def __init__(self, clock: FixedClock | None = None):
        self.h = ChatHarness(admins=(("telegram", "1"),), clock=clock or FixedClock())
        self.n = 0
        self.say("boss", "me", user="1")
        self.say("boss", "team new east", user="1")
        for user, name, role, team in (("11", "alice", "rep", "sales"), ("12", "bob", "rep", "sales"),
                                       ("13", "mia", "manager", "sales"), ("14", "erin", "rep", "east")):
            self.h.admit(user, "telegram", name=name, admin=("telegram", "1"), role=role, team=team)
        self.users = {"boss": "1", "alice": "11", "bob": "12", "mia": "13", "erin": "14"}

    def say(self, who: str, text: str, *, chat: str = "", user: str | None = None, platform: str = "telegram"):
        self.n += 1
        user = user or self.users[who]
        return self.h.bot.handle(Incoming(platform=platform, user_id=user, user_name=who, text=text,
                                          chat_id=chat or user, message_id=f"m{self.n}", is_direct=not chat))

    def must(self, who: str, text: str, **kw):
        reply = self.say(who, text, **kw)
        assert not reply.is_error, reply.text()
        return reply

    def rows(self, kind: Kind = Kind.NEWS):
        return sorted((m for m in self.h.uow.outbox.all() if m.kind == kind), key=lambda m: m.id)


@pytest.fixture
def team():
    return Team()


@pytest.mark.parametrize(("text", "command"), [
    ("notify", c.ShowNotify()),
    ("notify here", c.SubscribeNotify(ALL)),
    ("notify here all", c.SubscribeNotify(ALL)),
    ("notify here won,lost", c.SubscribeNotify(("won", "lost"))),
    ("notify here lost won", c.SubscribeNotify(("won", "lost"))),
    ("通知 本群 赢单、丢单、新建、推进、转交", c.SubscribeNotify(ALL)),
    ("通知 本群 赢单", c.SubscribeNotify(("won",))),
    ("notify off", c.StopNotify()),
    ("通知 关闭", c.StopNotify()),
    ("news here moved", c.SubscribeNotify(("moved",))),
])
def test_parses(text, command):
    assert parse(text, CTX) == command


def test_min_reads_an_amount_in_the_teams_currency_or_its_own():
    assert parse("notify here won min:100k", CTX).minimum.amount == Decimal(100_000)  # type: ignore[attr-defined]
    assert parse("通知 本群 赢单 最低:10万", CTX).minimum.amount == Decimal(100_000)  # type: ignore[attr-defined]
    assert parse("notify here won min: 5k", CTX).minimum.amount == Decimal(5_000)  # type: ignore[attr-defined]
    assert parse("notify here min:usd5000", CTX).minimum.currency == "USD"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("text", "key"), [
    ("notify there", "err.notify_where"),
    ("notify here wins,bananas", "err.notify_event"),
    ("notify here won min:lots", "err.bad_amount"),
    ("notify here won min:", "err.missing_arg"),
    ("notify here won min:5k min:6k", "err.extra_args"),
    ("notify off please", "err.extra_args"),
])
def test_bad_words_are_one_clear_error(text, key):
    with pytest.raises(ParseError) as raised:
        parse(text, CTX)
    assert raised.value.key == key


def test_a_manager_subscribes_a_chat_and_anyone_may_ask_what_it_gets(team):
    reply = team.must("mia", "notify here won,lost min:100k", chat=CHANNEL)
    assert reply.title == "This chat now gets the deal news of sales: won, lost (deals of ¥100,000 or more)."
    assert team.must("alice", "notify", chat=CHANNEL).title.startswith("This chat gets the deal news of sales: won, lost")
    zh = team.must("mia", "通知 本群 赢单", chat=CHANNEL)  # replaces it, now in Chinese
    assert zh.title == "本群将收到 sales 的商机动态：赢单。"
    subscription = team.h.uow.notify.for_chat("telegram", CHANNEL)
    assert (subscription.events, subscription.language, subscription.min_amount) == (("won",), "zh", None)
    assert len(team.h.uow.notify.all()) == 1
    assert team.must("mia", "notify off", chat=CHANNEL).title == "This chat gets no more deal news."
    assert team.h.uow.notify.all() == []
    assert team.must("mia", "notify", chat=CHANNEL).title.startswith("This chat gets no deal news.")


def test_a_rep_may_not_turn_a_chat_into_a_feed_and_nothing_changes(team):
    before = len(team.h.uow.audit.all())
    reply = team.say("alice", "notify here won", chat=CHANNEL)
    assert reply.is_error and reply.title.startswith("No permission: managers and admins choose")
    assert team.h.uow.notify.all() == [] and len(team.h.uow.audit.all()) == before


def test_notify_off_says_what_each_chat_gets_before_who_may_stop_it(team):
    """Unsubscribed: anyone hears it gets no news; subscribed: a rep may not stop it, a manager may."""
    for who in ("alice", "mia"):
        unsubscribed = team.say(who, "notify off", chat=CHANNEL)
        assert not unsubscribed.is_error and unsubscribed.title.startswith("This chat gets no deal news.")
    assert team.say("alice", "通知 关闭", chat=CHANNEL).title.startswith("本群未订阅商机动态")
    team.must("mia", "notify here won", chat=CHANNEL)
    before = len(team.h.uow.audit.all())
    refused = team.say("alice", "通知 关闭", chat=CHANNEL)
    assert refused.is_error and refused.title.startswith("无权限")
    assert len(team.h.uow.notify.all()) == 1 and len(team.h.uow.audit.all()) == before
    assert team.must("mia", "notify off", chat=CHANNEL).title == "This chat gets no more deal news."
    assert team.must("mia", "notify off", chat=CHANNEL).title.startswith("This chat gets no deal news.")


def test_the_console_cannot_be_posted_to():
    h = ChatHarness()
    h.say("boss", "me")
    reply = h.say("boss", "notify here won")
    assert reply.is_error and reply.title.startswith("I can't post here on my own")
    assert h.uow.notify.all() == []
    off = h.say("boss", "notify off")  # never subscribed: it says so, not that it cannot post here
    assert not off.is_error and off.title.startswith("This chat gets no deal news.")


def test_each_event_queues_one_line_for_the_chat_in_its_language(team):
    team.must("mia", "notify here", chat=CHANNEL)
    team.must("alice", "new Acme 120k")  # D-1
    team.must("alice", "move D-1 next")
    team.must("mia", "assign D-1 @bob")
    team.must("bob", "won D-1")
    team.must("bob", "new Beta 30k")  # D-2
    team.must("bob", "lost D-2 price")
    titles = [row.reply.title for row in team.rows()]
    assert titles == [
        "🆕 D-1 new · Acme · ¥120,000 · Lead · @alice",
        "D-1 moved Lead → First contact · Acme · ¥120,000 · @alice",
        "D-1 handed from @alice to @bob by @mia · Acme · ¥120,000",
        "🏆 D-1 won · Acme · ¥120,000 · @bob",
        "🆕 D-2 new · Beta · ¥30,000 · Lead · @bob",
        "D-2 lost · Beta · ¥30,000 · @bob · reason: price",
    ]
    row = team.rows()[3]
    assert (row.platform, row.chat_id, row.subject, row.status) == ("telegram", CHANNEL, "D-1", OutboxStatus.PENDING)
    assert row.not_before == team.h.clock.now()  # Wednesday 10:00 in Shanghai: working time
    assert row.reply.buttons[0].command == "show D-1"


def test_chinese_subscription_gets_chinese_news(team):
    team.must("mia", "通知 本群 赢单", chat=CHANNEL)
    team.must("alice", "new Acme 120k")
    team.must("alice", "won D-1")
    assert [row.reply.title for row in team.rows()] == ["🏆 D-1 赢单 · Acme · ¥12万 · @alice"]


def test_events_and_min_filter_what_a_chat_gets(team):
    team.must("mia", "notify here won min:100k", chat=CHANNEL)
    team.must("alice", "new Acme 120k")  # D-1: new is not asked for
    team.must("alice", "new Beta 90k")  # D-2: won, but under the minimum
    team.must("alice", "new Gamma")  # D-3: no amount
    team.must("alice", "new Delta USD200k")  # D-4: another currency, never converted
    for n in (1, 2, 3, 4):
        team.must("alice", f"won D-{n}")
    assert [row.subject for row in team.rows()] == ["D-1"]


def test_another_teams_deals_are_not_news_here(team):
    team.must("mia", "notify here", chat=CHANNEL)
    team.must("erin", "new Echo 50k")
    team.must("erin", "won D-1")
    assert team.rows() == []


def test_a_refused_command_queues_nothing(team):
    team.must("mia", "notify here", chat=CHANNEL)
    team.must("alice", "new Acme 50k")
    before = len(team.rows())
    assert team.say("bob", "won D-1").is_error  # not bob's deal
    assert team.say("alice", "move D-1 lead").is_error  # already there
    assert len(team.rows()) == before


def test_news_waits_for_working_time():
    saturday = datetime(2026, 3, 7, 6, 0, tzinfo=UTC)  # 14:00 Saturday in Shanghai
    team = Team(FixedClock(saturday))
    team.must("mia", "notify here won", chat=CHANNEL)
    team.must("alice", "new Acme 50k")
    team.must("alice", "won D-1")
    assert team.rows()[0].not_before == datetime(2026, 3, 9, 0, 0, tzinfo=UTC)  # Monday 08:00 there


def test_undone_before_it_went_out_the_news_is_skipped(team):
    team.must("mia", "notify here won", chat=CHANNEL)
    team.must("alice", "new Acme 50k")
    team.must("alice", "won D-1")
    team.must("alice", "undo")
    won, correction = team.rows()
    with team.h.uow as uow:
        assert obsolete_reason(uow, won.guard, team.h.clock.now()) == "the change was undone"
        assert obsolete_reason(uow, correction.guard, team.h.clock.now()) == "the news it corrects was never sent"


async def test_undone_after_it_was_posted_a_correction_follows(team):
    team.must("mia", "notify here won", chat=CHANNEL)
    team.must("alice", "new Acme 50k")
    team.must("alice", "won D-1")
    notifier = Recorder()
    dispatcher = Dispatcher(lambda: team.h.uow, team.h.clock, {"telegram": notifier})
    await dispatcher.run_once()
    team.must("alice", "undo")
    await dispatcher.run_once()
    assert notifier.groups() == [(CHANNEL, "🏆 D-1 won · Acme · ¥50,000 · @alice"),
                             (CHANNEL, "↩ Taken back by @alice: D-1 marked won.")]


async def test_several_events_for_one_chat_in_one_round_are_one_message(team):
    team.must("mia", "notify here", chat=CHANNEL)
    team.must("boss", "notify here won", chat="-100600")
    team.must("alice", "new Acme 50k")
    team.must("alice", "won D-1")
    team.must("bob", "new Beta 10k")
    notifier = Recorder()
    dispatcher = Dispatcher(lambda: team.h.uow, team.h.clock, {"telegram": notifier})
    await dispatcher.run_once()
    assert sorted(chat for chat, _ in notifier.groups()) == ["-100500", "-100600"]
    grouped = next(reply for chat, reply in notifier.replies if chat == CHANNEL)
    assert grouped.title == "Deal news: 3 updates"
    assert grouped.lines == ["🆕 D-1 new · Acme · ¥50,000 · Lead · @alice", "🏆 D-1 won · Acme · ¥50,000 · @alice",
                             "🆕 D-2 new · Beta · ¥10,000 · Lead · @bob"]
    rows = team.rows()
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert len({row.message_id for row in rows if row.chat_id == CHANNEL}) == 1  # one message for the three
    await dispatcher.run_once()
    assert len(notifier.groups()) == 2  # sent once


def test_a_task_made_for_someone_else_reaches_them(team):
    team.must("alice", "new Acme 50k")
    team.must("mia", "task call back D-1 @alice tomorrow 3pm")
    team.must("alice", "task send deck D-1")  # her own: no DM
    (dm,) = team.rows(Kind.TASK_GIVEN)
    assert (dm.chat_id, dm.subject) == ("11", "T-1")
    assert dm.reply.title == "@mia gave you T-1: call back"
    assert dm.reply.lines == ["Due 2026-03-05 15:00", "On D-1"]
    assert dm.reply.buttons[0].command == "done T-1"
    team.must("alice", "done T-1")
    with team.h.uow as uow:
        assert obsolete_reason(uow, dm.guard, team.h.clock.now()) == "the task is done"


def test_a_managers_task_on_a_reps_deal_goes_to_the_rep_in_their_language(team):
    team.must("alice", "me lang zh")
    team.must("alice", "new Acme 50k")
    team.must("mia", "task call back D-1")
    (dm,) = team.rows(Kind.TASK_GIVEN)
    assert dm.reply.title == "@mia 给您安排了任务 T-1：call back"


def test_the_heir_of_a_removed_member_hears_what_is_theirs(team):
    team.must("alice", "new Acme 50k")
    team.must("alice", "task send deck D-1")
    team.must("boss", "member @alice remove to:@bob")
    dm = [row for row in team.rows(Kind.ASSIGNED) if row.chat_id == "12"]
    assert [row.reply.title for row in dm] == ["@boss handed you @alice's open work: D-1, T-1"]


class Recorder:
    platform = "telegram"

    def __init__(self):
        self.sent: list[tuple[str, str]] = []
        self.replies: list = []

    def groups(self):
        """What went to group chats (the welcomes of the setup went to people)."""
        return [(chat, title) for chat, title in self.sent if chat.startswith("-")]

    async def send(self, chat_id, reply):
        self.sent.append((chat_id, reply.title))
        self.replies.append((chat_id, reply))
        return f"msg{len(self.sent)}"


async def test_a_bundle_shares_a_failure_and_is_retried_whole(team):
    from tests.reminders.test_dispatcher import Answer, ScriptedNotifier

    team.must("mia", "notify here won", chat=CHANNEL)
    for n, customer in enumerate(("Acme", "Beta"), start=1):
        team.must("alice", f"new {customer} 50k")
        team.must("alice", f"won D-{n}")
    with team.h.uow as uow:  # only the news: the setup's welcomes are not this test's
        for row in uow.outbox.all():
            if row.kind != Kind.NEWS:
                uow.outbox.mark_sent(row.id, at=team.h.clock.now(), platform_message_id=None)
        uow.commit()
    notifier = ScriptedNotifier(Answer(status=503))
    dispatcher = Dispatcher(lambda: team.h.uow, team.h.clock, {"telegram": notifier}, backoff=0.001)
    await dispatcher.run_once()
    first, second = team.rows()
    assert (first.status, first.attempts, second.status, second.attempts) == (
        OutboxStatus.PENDING, 1, OutboxStatus.PENDING, 1)
    team.h.clock.advance(seconds=1)
    await dispatcher.run_once()
    assert notifier.sent == [(CHANNEL, "Deal news: 2 updates")]
    assert {row.status for row in team.rows()} == {OutboxStatus.SENT}


def test_more_news_than_one_message_holds_makes_several():
    from bot.dispatcher import bundled
    from core.notify.news import GROUP_LIMIT
    from core.reminders.outbox import OutboxMessage

    now = FixedClock().now()

    def row(n: int, kind: str = "news", chat: str = "C1") -> OutboxMessage:
        return OutboxMessage(platform="slack", chat_id=chat, kind=kind, dedupe_key=f"k{n}",
                             payload={"reply": {"title": f"line {n}"}}, not_before=now, created_at=now, id=n)

    queue = [row(0, "task"), *(row(n) for n in range(1, GROUP_LIMIT + 3)), row(99, "digest")]
    out = bundled(queue)
    assert [m.kind for m in out] == ["task", "news", "news", "digest"]
    assert out[1].reply.title == f"Deal news: {GROUP_LIMIT} updates" and len(out[1].reply.lines) == GROUP_LIMIT
    assert out[2].reply.title == "Deal news: 2 updates"
    assert out[1].payload["bundled"] == list(range(2, GROUP_LIMIT + 1))
    single = [row(1)]
    assert bundled(single) is single  # one news row is sent as it is


def test_an_assigned_deal_reaches_its_new_owner_in_the_morning_not_at_night():
    night = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)  # 23:30 Wednesday in Shanghai
    team = Team(FixedClock(night))
    team.must("alice", "new Acme 50k")
    team.must("mia", "assign D-1 @bob")
    (dm,) = team.rows(Kind.ASSIGNED)
    assert dm.chat_id == "12" and dm.not_before == datetime(2026, 3, 5, 0, 0, tzinfo=UTC)  # 08:00 there


def test_news_never_goes_to_a_chat_linked_to_a_customer(team):
    team.must("alice", "new Acme 50k")
    team.must("alice", "link D-1", chat="-100777")
    reply = team.say("mia", "notify here won", chat="-100777")
    assert reply.is_error and reply.title.startswith("This chat is linked to a customer")
    assert team.h.uow.notify.all() == []


def test_a_feed_chat_linked_to_a_customer_afterwards_gets_no_more_news(team):
    team.must("mia", "notify here won", chat="-100777")
    team.must("alice", "new Acme 50k")
    team.must("alice", "link D-1", chat="-100777")
    team.must("alice", "won D-1")
    assert team.rows() == []
