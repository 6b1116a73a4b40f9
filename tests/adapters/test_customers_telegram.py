"""`customer` through the real python-telegram-bot against the fake Bot API (127.0.0.1), on the
test database (SQLite, or PostgreSQL with DEALBOT_TEST_DATABASE_URL): the card, setting fields,
a refusal that changes nothing, the Chinese verb behind /deal."""

from __future__ import annotations

from tests.adapters.test_telegram import OTHER, fake, polling, say, start_adapter  # noqa: F401 (fixtures)
from tests.platforms.telegram import user


def _customer(wired, name: str = "Acme"):
    with wired.uow() as uow:
        return uow.customers.by_name(uow.members.by_handle("alice").team_id, name)


async def test_the_card_and_its_fields_over_telegram(fake, polling, wired):  # noqa: F811
    await say(fake, "/new Acme 50k")
    await say(fake, "/task send the deck D-1")
    sent = await say(fake, "/customer Acme industry:energy source:fair tag:key")
    assert "<b>Customer Acme updated.</b>" in sent["text"]
    assert "Industry: — → energy" in sent["text"]
    customer = _customer(wired)
    assert (customer.industry, customer.source, customer.tags, customer.lifecycle) == (
        "energy", "fair", ["key"], "prospect")

    card = await say(fake, "/customer acme", sender=OTHER)  # bob, of the same team, sees it
    assert "<b>Customer Acme · opportunity</b>" in card["text"]
    assert "<b>Open deals</b>: 1 · ¥50,000" in card["text"]
    assert "T-1 send the deck · D-1" in card["text"]

    refused = await say(fake, "/customer Acme industry:retail", sender=OTHER)  # not bob's customer
    assert "Only the owner of Acme" in refused["text"]
    assert _customer(wired).industry == "energy"

    zh = await say(fake, "/deal 客户 Acme 生命周期:流失")
    assert "客户 Acme 已更新。" in zh["text"] and "生命周期：商机 → 流失客户" in zh["text"]
    assert _customer(wired).lifecycle == "churned"

    funnel = await say(fake, "/funnel this quarter by:industry", sender=OTHER)
    assert "By industry (new deals · won · conversion):" in funnel["text"]
    assert "energy: 1 · 0 · 0%" in funnel["text"]



async def test_merge_over_telegram(fake, polling, wired):  # noqa: F811
    boss = user(1000, "boss")  # an admin (DEALBOT_ADMINS)
    await say(fake, "/new Acme 50k")
    await say(fake, '/new "Acme Inc" 20k')
    refused = await say(fake, '/merge customer "Acme Inc" into Acme')  # alice is a rep
    assert "Only managers and admins merge customers." in refused["text"]
    merged = await say(fake, '/merge customer "Acme Inc" into Acme', sender=boss)
    assert "<b>Merged Acme Inc into Acme.</b>" in merged["text"] and "Moved: 1 deal(s)" in merged["text"]
    with wired.uow() as uow:
        (deal_customers,) = {d.customer_id for d in uow.deals.find()}
        assert uow.customers.get(deal_customers).aliases == ["Acme Inc"]
