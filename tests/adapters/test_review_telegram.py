"""The pipeline review on Telegram (python-telegram-bot against the local fake Bot API): the card's
[Commit] … [Skip] buttons travel as callback data, a tap runs its answer as whoever tapped — a
rep's tap on a manager's card (or forged data) is refused and changes nothing — and the manager's
tap records the call and shows the next card."""

from __future__ import annotations

from tests.access import let_in
from tests.adapters.test_telegram import (  # noqa: F401  (fixtures)
    OTHER,
    OWNER,
    callback_data,
    fake,
    polling,
    say,
    start_adapter,
)
from tests.platforms.telegram import callback_update, user

MANAGER = user(1003, "mia")


async def tap(fake, sender: dict, message: dict, data: str) -> dict:  # noqa: F811
    before = len(fake.sent("sendMessage"))
    await fake.push(callback_update(fake.next_update_id(), sender, message, data))
    return (await fake.wait_for("sendMessage", before + 1))[-1]


def _calls(wired) -> list[tuple[int, str]]:
    with wired.uow() as uow:
        return [(c.deal_id, c.category) for d in (1, 2) for c in uow.forecast_calls.for_deal(d)]


async def test_review_buttons_answer_as_the_tapper_and_walk_to_the_next_card(fake, polling, wired):  # noqa: F811
    let_in(wired, "telegram", str(MANAGER["id"]), "mia", role="manager")
    await say(fake, "/new Acme 50k")  # D-1, alice's
    await say(fake, "/new Beta 80k", sender=OTHER)  # D-2, bob's: the largest, first
    await say(fake, "/review", sender=MANAGER)
    card = fake.messages()[-1]
    assert "Pipeline review of sales: 2 open deals" in card["text"] and "D-2" in card["text"]
    data = callback_data(card)
    assert data[:3] == ["review D-2 commit", "review D-2 best", "review D-2 pipeline"]
    assert data[3].startswith("review D-2 slip 20") and data[4:] == ["review D-2 lost", "review D-2 skip"]

    refused = await tap(fake, OTHER, card, "review D-2 commit")  # bob taps mia's card
    assert "No permission: pipeline reviews are for managers" in refused["text"]
    assert _calls(wired) == []

    await tap(fake, MANAGER, card, "review D-2 commit")
    answered = fake.messages()[-1]
    assert "D-2: Commit." in answered["text"] and "Deal 2 of 2" in answered["text"] and "D-1" in answered["text"]
    assert callback_data(answered)[0] == "review D-1 commit"
    assert _calls(wired) == [(2, "commit")]

    done = await tap(fake, MANAGER, answered, "review D-1 lost")
    assert "D-1: Lost." in done["text"] and "Review of sales done" in done["text"]
    assert _calls(wired) == [(1, "lost"), (2, "commit")]
    with wired.uow() as uow:  # each answer is a task for the deal's owner
        owners = sorted((t.deal_id, t.assignee_id) for t in uow.tasks.find(open_only=True) if t.deal_id)
        alice, bob = (uow.members.by_handle(h).id for h in ("alice", "bob"))
    assert owners == [(1, alice), (2, bob)]
    assert OWNER  # alice, the rep of D-1
