"""Customers on the test database (SQLite, or PostgreSQL in that run), through Dealbot.handle:
fields, tags and contacts stored and read back, and a merge moving every row that names the
customer (deals, follow-ups, a chat linked to the customer) and its alias keys."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from core.chat.messages import Incoming
from core.conversations.capture import ChatEvent
from core.services.capture import store_captured
from storage import tables as t


class Console:
    def __init__(self, wired):
        self.wired, self.count = wired, 0

    def __call__(self, user: str, text: str, *, chat: str = ""):
        self.count += 1
        platform = "console" if user == "boss" else "telegram"
        reply = self.wired.bot.handle(Incoming(platform=platform, user_id=user,
                                               user_name=user, text=text, chat_id=chat or user,
                                               message_id=str(self.count), is_direct=not chat))
        assert not reply.is_error, reply.text()
        return reply


def test_fields_and_a_merge_on_the_database(wired):
    say = Console(wired)
    say("boss", "me")
    say("boss", "new Acme 50k")
    say("boss", 'new "Acme Inc" 20k')
    say("boss", 'customer "Acme Inc" industry:能源 tag:重点 tag:VIP owner:@boss')
    say("boss", 'contact "Acme Inc" "王经理" role:采购 email:wang@acme.cn')
    say("1000", "me", chat="")  # the admin on Telegram (console is another account)
    say("1000", 'link customer:"Acme Inc"', chat="-100777")
    bot = wired.bot
    with bot.writing_uow_factory() as uow:
        store_captured(uow, [ChatEvent("telegram", "-100777", "m1", user_id="2001", user_name="Li",
                                       text="hello", sent_at=datetime(2026, 3, 4, 2, tzinfo=UTC))],
                       bot.clock.now(), bot.defaults, ())
        uow.commit()
    with wired.uow() as uow:
        inc = uow.customers.by_name(1, "acme inc")
        assert (inc.industry, inc.tags, inc.owner_id) == ("能源", ["重点", "VIP"], 1)
        assert inc.contacts == [{"name": "王经理", "role": "采购", "email": "wang@acme.cn"}]
        inc_id = inc.id

    reply = say("boss", 'merge customer "Acme Inc" into Acme')
    assert reply.lines[0] == "Moved: 1 deal(s), 0 open task(s), 1 follow-up(s), 1 contact(s)."
    with wired.engine.connect() as connection:
        def customer_ids(table):
            return set(connection.scalars(select(table.c.customer_id).where(table.c.customer_id.is_not(None))))

        assert set(connection.scalars(select(t.customers.c.name))) == {"Acme"}
        (acme_id,) = connection.scalars(select(t.customers.c.id))
        for table in (t.deals, t.interactions, t.chat_bindings):
            assert customer_ids(table) == {acme_id}, table.name
        keys = set(connection.execute(select(t.customer_alias_keys.c.customer_id, t.customer_alias_keys.c.key)))
        assert keys == {(acme_id, "acme inc")} and inc_id != acme_id
    with wired.uow() as uow:
        acme = uow.customers.by_name(1, "Acme Inc")  # by the alias now
        assert (acme.name, acme.industry, acme.tags, acme.owner_id) == ("Acme", "能源", ["重点", "VIP"], 1)
    card = say("boss", "contacts Acme")
    assert card.lines == ["王经理 · 采购 · wang@acme.cn", card.lines[1]] and card.lines[1].startswith("Li · from")
