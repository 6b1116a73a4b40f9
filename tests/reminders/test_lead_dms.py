"""A lead's offer reaches the chosen rep as a direct message on each platform, through the real
SDK adapters against the local fake platforms: the lead is taken in (the console), the dispatcher
sends the DM through the adapter's own notifier, and the rep's [Accept] click there makes the
customer and the deal; on Telegram a [Pass] offers the next lead on to the next rep."""

from __future__ import annotations

from bot.dispatcher import Dispatcher
from bot.pacing import Pacer
from core.chat.messages import Incoming
from tests.access import let_in, trust
from tests.adapters.on_fakes import (
    block_buttons,
    dingtalk_on_fake,
    inline_buttons,
    slack_on_fake,
    telegram_on_fake,
)
from tests.platforms.telegram import callback_update, user

ACCEPT, PASS = "lead L-1 accept", "lead L-1 pass"


def take_in(wired, text: str = "lead Acme Wang 13800138000 source:expo") -> None:
    reply = wired.bot.handle(Incoming("console", "boss", text))
    assert not reply.is_error, reply.text()


async def send_dms(wired, platform: str, notifier) -> list:
    dispatcher = Dispatcher(wired.bot.uow_factory, wired.bot.clock, {platform: notifier}, pacer=Pacer({}))
    await dispatcher.run_once()
    with wired.uow() as uow:
        rows = [r for r in uow.outbox.list() if r.kind == "lead"]
    assert rows and all(r.status == "sent" for r in rows), [(r.status, r.last_error) for r in rows]
    return rows


def lead_state(wired, lead_id: int = 1):
    with wired.uow() as uow:
        lead = uow.leads.get(lead_id)
        owner = uow.members.get(lead.owner_id) if lead.owner_id else None
        return str(lead.status), owner.handle if owner else None, lead.deal_id


async def test_telegram(wired, async_handler):
    let_in(wired, "telegram", "1001", "alice")
    let_in(wired, "telegram", "1002", "bob")
    async with telegram_on_fake(async_handler) as telegram:
        fake = telegram.fake
        take_in(wired)
        take_in(wired, "lead Beta")
        await send_dms(wired, "telegram", telegram.adapter.notifier)
        sent = {m["chat_id"]: m for m in fake.sent()}
        assert set(sent) == {"1001", "1002"}  # round robin: L-1 to alice, L-2 to bob
        offer = sent["1001"]
        assert "A new lead for you, L-1" in offer["text"] and "Acme" in offer["text"]
        assert inline_buttons(offer) == [ACCEPT, PASS]
        card = next(m for m in fake.messages() if m.get("chat", {}).get("id") == 1001)
        await fake.push(callback_update(fake.next_update_id(), user(1002, "bob"), fake.messages()[-1], "lead L-2 pass"))
        await fake.push(callback_update(fake.next_update_id(), user(1001, "alice"), card, ACCEPT))
        await fake.wait_for("sendMessage", 4)
        assert lead_state(wired) == ("accepted", "alice", 1)
        assert lead_state(wired, 2)[:2] == ("offered", "alice")  # bob passed: the next rep's turn


async def test_slack(wired, async_handler):
    trust(wired, "slack", "T1")
    async with slack_on_fake(async_handler, {"U1": "Alice"}) as slack:
        await slack.command("me", "U1")  # alice joins
        take_in(wired)
        await send_dms(wired, "slack", slack.adapter.notifier)
        dm = slack.fake.posted[-1]
        assert dm.via == "chat.postMessage" and dm.channel == "DU1" and "A new lead for you, L-1" in dm.all_text()
        assert block_buttons(dm) == [ACCEPT, PASS]
        accepted = await slack.click(ACCEPT, "U1", "DU1")
    assert "L-1 accepted: D-1 for Acme" in accepted.text
    assert lead_state(wired)[0] == "accepted"


async def test_dingtalk(wired, async_handler):
    trust(wired, "dingtalk", "dingcorp")
    async with dingtalk_on_fake(async_handler) as dingtalk:
        await dingtalk.say("me")  # alice joins
        take_in(wired, "线索 华为 王经理 13800138000 来源:展会")
        await send_dms(wired, "dingtalk", dingtalk.adapter.notifier)
        recipients, commands = dingtalk.sent_commands()
        assert recipients == ["alice"]
        assert commands == [ACCEPT, PASS]
        await dingtalk.say(commands[0])  # the button sends its command into the chat as alice
        status, owner, deal = lead_state(wired)
        assert (status, owner) == ("accepted", "alice") and deal == 1
