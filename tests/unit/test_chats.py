"""`link`, `unlink` and `capture`: parsing in both languages, where they work, who may use them,
and what they store (core on the in-memory fakes)."""

from __future__ import annotations

import pytest

from core.chat.messages import Incoming
from core.domain.pipeline import DEFAULT_PIPELINE
from core.language import commands as c
from core.language.parser import ParseContext
from core.language.verbs import parse
from tests.fakes import ChatHarness, FixedClock

CTX = ParseContext(FixedClock().now(), "Asia/Shanghai", DEFAULT_PIPELINE)


@pytest.mark.parametrize(("text", "command"), [
    ("link D-12", c.LinkChat(deal_id=12)),
    ("link d12", c.LinkChat(deal_id=12)),
    ("绑定 D-12", c.LinkChat(deal_id=12)),
    ("绑定D-12", c.LinkChat(deal_id=12)),
    ("link customer:Acme Corp", c.LinkChat(customer="Acme Corp")),
    ("link customer: Acme", c.LinkChat(customer="Acme")),
    ('link customer:"Acme Corp"', c.LinkChat(customer="Acme Corp")),
    ("绑定 客户：华为", c.LinkChat(customer="华为")),
    ("unlink", c.UnlinkChat()),
    ("解绑", c.UnlinkChat()),
    ("capture", c.ShowCapture()),
    ("capture status", c.ShowCapture()),
    ("记录 状态", c.ShowCapture()),
    ("capture off", c.SetCapture(False)),
    ("记录 关", c.SetCapture(False)),
    ("记录关", c.SetCapture(False)),
    ("capture on", c.SetCapture(True)),
    ("记录 开", c.SetCapture(True)),
    ("me link", c.StartLink()),  # identity linking is unchanged
    ("我 绑定 12345678", c.LinkAccount("12345678")),
    ("记录跟进 D-1 called", c.LogFollowUp(1, "called", "note", None)),  # the longer verb still wins
])
def test_parses(text, command):
    assert parse(text, CTX) == command


@pytest.mark.parametrize(("text", "key"), [
    ("link", "err.missing_arg"),
    ("link customer:", "err.missing_arg"),
    ("link Acme", "err.bad_deal_ref"),
    ("link D-1 now", "err.extra_args"),
    ("link 12345678", "err.link_code_here"),  # a code belongs to `me link`
    ("link customer:" + "x" * 101, "err.name_too_long"),
    ("unlink D-1", "err.extra_args"),
    ("capture maybe", "err.bad_capture"),
    ("capture off now", "err.extra_args"),
])
def test_refuses(text, key):
    from core.language.errors import ParseError

    with pytest.raises(ParseError) as caught:
        parse(text, CTX)
    assert caught.value.key == key


class Room(ChatHarness):
    """A harness that can speak in a group chat of a platform."""

    def __init__(self):
        super().__init__(admins=(("slack", "UBOSS"),))

    def let_in(self, *users: str) -> Room:
        """The admin first, then each user asks and is approved as a rep."""
        self.say_in("UBOSS", "me", chat="Dboss", direct=True)
        for user in users:
            self.admit(user, "slack", admin=("slack", "UBOSS"))
        return self

    def say_in(self, user: str, text: str, chat: str = "C1", platform: str = "slack", direct: bool = False):
        self._count += 1
        return self.bot.handle(Incoming(platform=platform, user_id=user, user_name=user, text=text,
                                        chat_id=chat, message_id=str(self._count), is_direct=direct))


@pytest.fixture
def room() -> Room:
    room = Room().let_in("alice", "bob")
    room.say_in("alice", "new Acme 50k", chat="Dalice", direct=True)
    room.say_in("bob", "new Globex 10k", chat="Dbob", direct=True)
    return room


def test_link_posts_a_visible_notice_and_stores_the_binding(room):
    reply = room.say_in("alice", "link D-1")

    assert not reply.is_error
    assert "recorded into D-1" in reply.title and "@alice" in reply.title and "capture off" in reply.title
    binding = room.uow.chat_bindings.for_chat("slack", "C1")
    assert (binding.deal_id, binding.customer_id, binding.capturing) == (1, None, True)
    assert [e.action for e in room.uow.audit.for_entity("D-1")][-1] == "chat.link"
    assert "already recorded into D-1" in room.say_in("alice", "link D-1").title


def test_link_in_chinese_answers_in_chinese(room):
    reply = room.say_in("alice", "绑定 D-1")
    assert "本群消息将记录到商机 D-1" in reply.title


@pytest.mark.parametrize(("platform", "chat", "direct"), [("slack", "Dalice", True), ("console", "#room", False)])
def test_link_refuses_direct_chats_and_the_console(room, platform, chat, direct):
    before = room.counts()
    reply = room.say_in("alice", "link D-1", chat=chat, platform=platform, direct=direct)
    assert reply.is_error and "me link" in reply.title
    assert room.counts() == before


def test_only_the_owner_managers_and_admins_may_link_or_stop(room):
    before = room.counts()
    refused = room.say_in("bob", "link D-1")
    assert refused.is_error and "No permission" in refused.title
    assert room.counts() == before

    room.say_in("alice", "link D-1")
    for text in ("capture off", "unlink"):
        assert room.say_in("bob", text).is_error
    assert room.uow.chat_bindings.for_chat("slack", "C1").capturing is True
    assert "recorded into D-1" in room.say_in("bob", "capture status").title  # anyone may look

    assert "paused" in room.say_in("UBOSS", "capture off").title  # an admin
    assert room.uow.chat_bindings.for_chat("slack", "C1").capturing is False
    assert "Recording again" in room.say_in("alice", "capture on").title
    assert "no longer recorded" in room.say_in("alice", "unlink").title
    assert room.uow.chat_bindings.for_chat("slack", "C1") is None
    assert "not recorded" in room.say_in("bob", "capture").title


def test_one_chat_records_into_one_deal_or_customer(room):
    room.say_in("alice", "link D-1")
    before = room.counts()
    reply = room.say_in("UBOSS", "link D-2")
    assert reply.is_error and "unlink" in reply.title
    assert room.counts() == before


def test_link_a_customer(room):
    assert room.say_in("bob", "link customer:Acme").is_error  # owns no deal of Acme
    reply = room.say_in("alice", "link customer:acme")
    assert "the customer Acme" in reply.title
    binding = room.uow.chat_bindings.for_chat("slack", "C1")
    assert (binding.deal_id, binding.customer_id) == (None, 1)
    assert room.say_in("alice", "link customer:Nobody").title == "There is no customer “Nobody” in your team."


def test_capture_status_needs_a_group(room):
    assert room.say_in("alice", "capture", chat="Dalice", direct=True).is_error


def test_link_is_in_help_in_both_languages(room):
    english = room.say_in("alice", "help").text()
    chinese = room.say_in("alice", "帮助").text()
    assert "link — record this group chat" in english and "capture — pause" in english
    assert "绑定 — 将本群消息记录到商机" in chinese and "记录 — 暂停" in chinese


def test_a_deal_discussed_in_its_linked_chat_is_not_untouched_on_the_daily_card():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from core.conversations.capture import ChatEvent
    from core.reminders.scans import Scans
    from core.services.capture import store_captured

    def at(day: int, hour: int) -> datetime:
        return datetime(2026, 3, day, hour, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)

    room = Room()
    room.clock.set(at(2, 9))  # Monday
    room.let_in("alice")
    room.say_in("alice", "new Acme 50k", chat="Dalice", direct=True)
    room.say_in("alice", "new Globex 10k", chat="Dalice", direct=True)
    room.say_in("alice", "link D-1")
    room.clock.set(at(3, 11))  # Tuesday: only Acme's chat talks
    with room.uow as uow:
        store_captured(uow, [ChatEvent("slack", "C1", "m1", user_id="UX", user_name="Wang", external=True,
                                       text="Any news on the quote?", sent_at=at(3, 11))],
                       room.clock.now(), room.bot.defaults)
        uow.commit()
    room.clock.set(at(3, 18))
    Scans(lambda: room.uow, room.clock, platforms={"slack"}).daily()

    [card] = [row for row in room.uow.outbox.all() if row.kind == "daily"]
    text = card.reply.text()
    assert "Not touched today (1)" in text and "D-2 Globex" in text and "D-1 Acme" not in text
