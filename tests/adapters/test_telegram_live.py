"""What a live Telegram group does that a test chat did not (issue 23), on the fake Bot API:
privacy mode (`link` checks it and never promises what Telegram will not deliver), replies to
the bot's own messages (delivered in privacy mode, so answered), and a group upgraded to a
supergroup (a new chat id: its link and digests follow it)."""

from __future__ import annotations

import asyncio

import pytest

from adapters.telegram import TelegramAdapter, TelegramConfig
from bot.capture import capture_writer
from bot.platforms import chat_mover
from tests.access import let_in
from tests.adapters.test_capture import captured
from tests.platforms.telegram import (
    FakeTelegram,
    group_chat,
    message_update,
    migrated_update,
    private_chat,
    reply_update,
    user,
)

TOKEN = "123456:LIVE-token"
BOSS = user(1000, "boss")  # an admin (the `wired` fixture's DEALBOT_ADMINS)
ALICE = user(1001, "alice")
CUSTOMER = user(2001, first_name="Wang")
GROUP = group_chat(-100123)


@pytest.fixture
async def telegram(wired, async_handler):
    let_in(wired, "telegram", str(ALICE["id"]), "alice")  # Telegram has no self-service: an admin lets her in
    fake = await FakeTelegram(TOKEN).start()
    writer = capture_writer(wired)
    await writer.start()
    adapter = TelegramAdapter(TelegramConfig(token=TOKEN, api_url=fake.url, poll_timeout=1), async_handler,
                              on_chat_message=writer.submit, on_chat_moved=chat_mover(wired))
    await adapter.start()
    yield fake
    await adapter.stop()
    await writer.stop()
    await fake.stop()


async def say(fake: FakeTelegram, text: str, chat: dict, sender: dict = BOSS) -> dict:
    before = len(fake.sent())
    await fake.push(message_update(fake.next_update_id(), sender, chat, text))
    return (await fake.wait_for("sendMessage", before + 1))[-1]


async def a_deal_and_alice_as_rep(fake: FakeTelegram) -> None:
    await say(fake, "/member @alice role:rep team:sales", private_chat(BOSS["id"]))
    assert "D-1" in (await say(fake, "/new Acme 50k", private_chat(ALICE["id"]), ALICE))["text"]


async def eventually(condition, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def binding_of(wired, chat_id: int):
    with wired.uow() as uow:
        return uow.chat_bindings.for_chat("telegram", str(chat_id))


async def test_link_in_privacy_mode_says_how_to_fix_it_and_links_nothing(telegram, wired):
    telegram.privacy_mode = True  # BotFather's default; the bot is no admin of the group
    await a_deal_and_alice_as_rep(telegram)
    answer = (await say(telegram, "/link D-1", GROUP, ALICE))["text"]
    assert "privacy mode" in answer and "admin" in answer and "/setprivacy" in answer
    assert "recorded into" not in answer
    assert binding_of(wired, GROUP["id"]) is None
    assert [c.params["chat_id"] for c in telegram.calls if c.method == "getChatMember"] == [str(GROUP["id"])]


async def test_link_in_privacy_mode_works_once_the_bot_is_an_admin(telegram, wired):
    telegram.privacy_mode = True
    telegram.admin_in.add(GROUP["id"])
    await a_deal_and_alice_as_rep(telegram)
    answer = (await say(telegram, "/link D-1", GROUP, ALICE))["text"]
    assert "recorded into D-1" in answer
    assert binding_of(wired, GROUP["id"]).deal_id == 1


async def test_chinese_link_is_checked_too(telegram, wired):
    telegram.privacy_mode = True
    await a_deal_and_alice_as_rep(telegram)
    answer = (await say(telegram, "/deal 绑定 D-1", GROUP, ALICE))["text"]
    assert "隐私模式" in answer and binding_of(wired, GROUP["id"]) is None


async def test_a_reply_to_the_bots_message_in_a_group_is_answered(telegram, wired):
    await a_deal_and_alice_as_rep(telegram)
    card = (await say(telegram, "/show D-1", GROUP, ALICE))
    bots_message = telegram.messages()[-1]
    assert "Acme" in card["text"]
    before = len(telegram.sent())
    await telegram.push(reply_update(telegram.next_update_id(), ALICE, bots_message, "move D-1 next"))
    answer = (await telegram.wait_for("sendMessage", before + 1))[-1]
    assert "First contact" in answer["text"]
    with wired.uow() as uow:
        assert uow.deals.get(1).stage == "contact"


async def test_a_group_upgraded_to_a_supergroup_keeps_its_link_and_digest(telegram, wired):
    old = {"id": -4001, "type": "group", "title": "Acme deal room"}
    new_id = -1002000004001
    await a_deal_and_alice_as_rep(telegram)
    assert "recorded into D-1" in (await say(telegram, "/link D-1", old, ALICE))["text"]
    assert "weekly" in (await say(telegram, "/digest here weekly", old))["text"]

    await telegram.push(migrated_update(telegram.next_update_id(), old, new_id, ALICE))
    await eventually(lambda: binding_of(wired, new_id) is not None)  # handled like a command: a task

    assert binding_of(wired, old["id"]) is None and binding_of(wired, new_id).deal_id == 1
    with wired.uow() as uow:
        assert [s.frequency for s in uow.digests.for_chat("telegram", str(new_id))] == ["weekly"]
        assert uow.digests.for_chat("telegram", str(old["id"])) == []
        assert [e.action for e in uow.audit.for_entity("D-1")].count("chat.moved") == 1

    supergroup = group_chat(new_id)
    talk = message_update(telegram.next_update_id(), CUSTOMER, supergroup, "Send the quote by Friday", 77)
    await telegram.push(talk)
    await telegram.wait_confirmed(talk["update_id"])
    assert [text for _, text, _, _ in captured(wired, "telegram", str(new_id))] == ["Send the quote by Friday"]
