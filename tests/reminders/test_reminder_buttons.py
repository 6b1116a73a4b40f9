"""A reminder card's button, clicked in the real platform SDK adapters (against the local fake
platforms of tests/adapters), moves the deal: the scan queues the card, the dispatcher sends it
through the adapter's own notifier as a direct message, the owner clicks [→ First contact].

The deal is made on Wednesday 4 March 10:00 (Shanghai); the lead stage allows 3 days, so it is
over its limit on Sunday 8 March 10:00, and the reminder waits for Monday 08:00.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.dispatcher import Dispatcher
from bot.pacing import Pacer
from core.reminders.scans import Scans
from tests.access import let_in, trust
from tests.adapters.on_fakes import (
    block_buttons,
    dingtalk_on_fake,
    inline_buttons,
    slack_on_fake,
    telegram_on_fake,
)
from tests.platforms.telegram import user

MONDAY_MORNING = datetime(2026, 3, 9, 0, 5, tzinfo=UTC)  # 08:05 in Shanghai
MOVE = "move D-1 next"


async def remind(wired, platform: str, notifier) -> None:
    """What `dealbot run` does on Monday morning: scan, then dispatch."""
    wired.bot.clock.set(MONDAY_MORNING)
    scan = Scans(wired.bot.uow_factory, wired.bot.clock, platforms={platform}).reminders()
    assert scan.queued == 1
    dispatcher = Dispatcher(wired.bot.uow_factory, wired.bot.clock, {platform: notifier}, pacer=Pacer({}))
    assert await dispatcher.run_once() == 1
    with wired.uow() as uow:
        [row] = [r for r in uow.outbox.list() if r.kind != "access"]  # not the welcome of let_in
    assert (row.kind, row.status, row.subject) == ("sla", "sent", "D-1")


def stage(wired) -> str:
    with wired.uow() as uow:
        return uow.deals.get(1).stage


async def test_telegram(wired, async_handler):
    let_in(wired, "telegram", "1001", "alice")
    alice = user(1001, "alice")
    async with telegram_on_fake(async_handler) as telegram:
        await telegram.say(alice, "/new Acme 50k")

        await remind(wired, "telegram", telegram.adapter.notifier)
        card = telegram.fake.messages()[-1]
        sent = telegram.fake.sent()[-1]
        assert sent["chat_id"] == "1001" and "over its 3-day limit" in sent["text"]
        assert inline_buttons(sent) == [MOVE, "log D-1", "snooze D-1 2d", "lost D-1"]

        moved = await telegram.tap(alice, card, MOVE)
        assert "D-1" in moved["text"] and stage(wired) == "contact"


async def test_slack(wired, async_handler):
    trust(wired, "slack", "T1")  # the fake workspace lets itself in
    async with slack_on_fake(async_handler, {"U1": "Alice"}) as slack:
        await slack.command("new Acme 50k", "U1")
        await remind(wired, "slack", slack.adapter.notifier)
        card = slack.fake.posted[-1]
        assert card.via == "chat.postMessage" and card.channel == "DU1"  # the DM with alice
        assert block_buttons(card) == [MOVE, "log D-1", "snooze D-1 2d", "lost D-1"]
        moved = await slack.click(MOVE, "U1", "DU1")
    assert "D-1 moved" in moved.text and stage(wired) == "contact"


async def test_dingtalk(wired, async_handler):
    trust(wired, "dingtalk", "dingcorp")
    async with dingtalk_on_fake(async_handler) as dingtalk:
        await dingtalk.say("new Acme 50k")
        await remind(wired, "dingtalk", dingtalk.adapter.notifier)
        recipients, commands = dingtalk.sent_commands()
        assert recipients == ["alice"]
        assert commands == [MOVE, "log D-1", "snooze D-1 2d", "lost D-1"]
        await dingtalk.say(commands[0])  # the button sends its command into the chat as alice
        assert stage(wired) == "contact"
