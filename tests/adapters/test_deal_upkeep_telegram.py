"""Keeping a deal true on Telegram (python-telegram-bot against the local fake Bot API): the card's
[Edit] button, tapped, says how to type the change (Telegram has no modals); `/edit` with the
fields changes the deal; `/undo` takes it back."""

from __future__ import annotations

from tests.adapters.test_telegram import (  # noqa: F401  (fixtures)
    GROUP,
    OWNER,
    callback_data,
    fake,
    polling,
    say,
    start_adapter,
)
from tests.platforms.telegram import callback_update


def _amount(wired) -> str:
    with wired.uow() as uow:
        return str(uow.deals.get(1).amount)


async def test_the_edit_button_prompts_and_edit_and_undo_work(fake, polling, wired):  # noqa: F811
    await say(fake, "/new Acme 50k", chat=GROUP)
    card = fake.messages()[-1]
    assert "edit D-1" in callback_data(card)

    await fake.push(callback_update(fake.next_update_id(), OWNER, card, "edit D-1"))
    asked = (await fake.wait_for("sendMessage", 2))[-1]
    assert "What should change on D-1?" in asked["text"] and _amount(wired) == "50000.00"

    edited = await say(fake, "/edit D-1 amount:60k", chat=GROUP)
    assert "D-1 edited." in edited["text"] and "¥50,000 → ¥60,000" in edited["text"]
    assert _amount(wired) == "60000.00"

    undone = await say(fake, "/undo", chat=GROUP)
    assert "Undone: the edit of D-1." in undone["text"] and _amount(wired) == "50000.00"
