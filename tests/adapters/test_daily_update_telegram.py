"""The daily update by reply on Telegram (python-telegram-bot against the local fake Bot API): a
free-text answer in the private chat comes back as a proposal with [Confirm all] and a [Skip] per
item as inline buttons; tapping [Confirm all] writes it, another person's tap writes nothing."""

from __future__ import annotations

from tests.adapters.test_telegram import (  # noqa: F401  (fixtures)
    OTHER,
    OWNER,
    callback_data,
    fake,
    polling,
    say,
    stage_of,
    start_adapter,
)
from tests.platforms.telegram import callback_update, private_chat


async def test_an_answer_is_proposed_and_confirmed_by_button(fake, polling, wired):  # noqa: F811
    await say(fake, "/new Acme 50k")
    await say(fake, "/new Beta 20k")
    sent = await say(fake, "Acme 同意下周二演示，Beta 报价已发")
    assert "U-1" in sent["text"] and stage_of(wired, 1) == "lead"
    proposal = fake.messages()[-1]
    assert callback_data(proposal) == ["confirm U-1", "skip U-1 1", "skip U-1 2"]

    before = len(fake.sent())
    await fake.push(callback_update(fake.next_update_id(), OWNER, proposal, "skip U-1 2"))
    shown = (await fake.wait_for("sendMessage", before + 1))[-1]
    assert callback_data(shown) == ["confirm U-1", "skip U-1 1"]

    before = len(fake.sent())
    await fake.push(callback_update(fake.next_update_id(), OWNER, proposal, "confirm U-1"))
    done = (await fake.wait_for("sendMessage", before + 1))[-1]
    assert "U-1" in done["text"] and stage_of(wired, 1) == "demo" and stage_of(wired, 2) == "lead"


async def test_someone_elses_tap_writes_nothing(fake, polling, wired):  # noqa: F811
    await say(fake, "/new Acme 50k")
    await say(fake, "Acme 报价已发")
    proposal = fake.messages()[-1]
    await say(fake, "/me", sender=OTHER, chat=private_chat(OTHER["id"]))
    before = len(fake.sent())
    await fake.push(callback_update(fake.next_update_id(), OTHER, proposal, "confirm U-1"))
    await fake.wait_for("sendMessage", before + 1)
    assert stage_of(wired, 1) == "lead"
