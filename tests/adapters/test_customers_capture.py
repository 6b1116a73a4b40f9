"""Contacts from a linked group through the real python-telegram-bot against the fake Bot API, the
capture writer as `dealbot run` makes it, and the test database: the customer's side who wrote in
the group are its contacts; a typed contact of that name is joined to their account."""

from __future__ import annotations

from tests.adapters.test_capture import ROOM, WANG, telegram, tg_push, tg_say, writer  # noqa: F401 (fixtures)
from tests.platforms.telegram import message_update, private_chat, user

LI = user(2002, first_name="Li")


async def test_people_who_write_in_the_group_are_the_customers_contacts(telegram, wired):  # noqa: F811
    fake = telegram
    await tg_say(fake, "/new Acme 50k", private_chat(1001))
    await tg_say(fake, "/link D-1", ROOM)
    await tg_push(fake, message_update(fake.next_update_id(), WANG, ROOM, "Can you send the quote?", 1),
                  message_update(fake.next_update_id(), LI, ROOM, "I sign the orders", 2))

    listed = await tg_say(fake, "/contacts Acme", private_chat(1001))
    assert "Contacts of Acme (2)" in listed["text"]
    assert "Wang · from the linked chat (telegram)" in listed["text"]
    assert "Li · from the linked chat (telegram)" in listed["text"]

    joined = await tg_say(fake, "/contact Acme Wang role:buyer phone:13800138000", private_chat(1001))
    assert "Contact Wang added to Acme." in joined["text"]
    assert "Wang · buyer · 13800138000 · in the linked chat (telegram)" in joined["text"]
    with wired.uow() as uow:
        customer = uow.customers.get(1)
        assert customer.contacts == [{"name": "Wang", "role": "buyer", "phone": "13800138000",
                                      "platform": "telegram", "user_id": str(WANG["id"])}]
    listed = await tg_say(fake, "/contacts Acme", private_chat(1001))
    assert "Contacts of Acme (2)" in listed["text"]  # Wang once
    card = await tg_say(fake, "/customer Acme", private_chat(1001))
    assert "Contacts (2):" in card["text"]
