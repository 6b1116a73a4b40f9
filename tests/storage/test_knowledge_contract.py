"""The knowledge port (core.ports.knowledge.KnowledgeRepository) on its three backends: the fake,
SQLite and PostgreSQL, held to one contract, so tests/fakes/knowledge.py cannot drift from
storage/knowledge.py."""

from __future__ import annotations

from datetime import timedelta

from core.knowledge.records import FaqAsk, FaqEntry, Onboarding, PlaybookLine, Retro
from tests.storage import test_repository_contract as contract
from tests.storage.test_repository_contract import T0, NewUow, World

# The same fixtures as the main contract: the fakes, SQLite and PostgreSQL.
backend, new_uow, world = contract.backend, contract.new_uow, contract.world


def test_playbook_lines_keep_their_removal(new_uow: NewUow, world: World):
    with new_uow() as uow:
        first = uow.knowledge.add_playbook_line(PlaybookLine(world.team, "quote", "talk", "ROI first", T0,
                                                             added_by=world.alice))
        uow.knowledge.add_playbook_line(PlaybookLine(world.team, "quote", "checklist", "折扣已审批", T0))
        uow.knowledge.add_playbook_line(PlaybookLine(world.team, "demo", "talk", "dashboard", T0))
        uow.knowledge.add_playbook_line(PlaybookLine(world.other_team, "quote", "talk", "theirs", T0))
        uow.commit()
    with new_uow() as uow:
        line = uow.knowledge.playbook_lines(world.team, "quote")[0]
        assert (line.id, line.text, line.added_by, line.added_at) == (first.id, "ROI first", world.alice, T0)
        uow.knowledge.remove_playbook_line(line, world.alice, T0 + timedelta(hours=1))
        uow.commit()
    with new_uow() as uow:
        assert [x.text for x in uow.knowledge.playbook_lines(world.team, "quote")] == ["折扣已审批"]
        every = uow.knowledge.playbook_lines(world.team, "quote", removed=True)
        assert [(x.text, x.removed_at) for x in every] == [("ROI first", T0 + timedelta(hours=1)), ("折扣已审批", None)]
        assert [x.text for x in uow.knowledge.playbook_lines(world.team)] == ["折扣已审批", "dashboard"]


def test_faq_entries_and_the_questions_asked(new_uow: NewUow, world: World):
    with new_uow() as uow:
        entry = uow.knowledge.add_faq(FaqEntry(world.team, "报价可以打折吗？", "可以", T0, ["报价", "折扣"]))
        gone = uow.knowledge.add_faq(FaqEntry(world.team, "old", "answer", T0))
        uow.knowledge.add_faq(FaqEntry(world.other_team, "theirs", "answer", T0))
        uow.knowledge.remove_faq(gone, T0)
        early = uow.knowledge.add_ask(FaqAsk(world.team, "zhekou", T0, world.alice, entry.id, 70))
        uow.knowledge.add_ask(FaqAsk(world.team, "weather", T0 + timedelta(days=2), world.alice))
        uow.commit()
    with new_uow() as uow:
        assert [(e.question, e.tags) for e in uow.knowledge.faq_entries(world.team)] == \
            [("报价可以打折吗？", ["报价", "折扣"])]
        assert uow.knowledge.faq_entry(gone.id).removed_at == T0  # still there, removed
        ask = uow.knowledge.ask(early.id)
        assert (ask.words, ask.best_id, ask.score, ask.unhelpful_at) == ("zhekou", entry.id, 70, None)
        uow.knowledge.mark_unhelpful(ask, T0 + timedelta(hours=1))
        uow.commit()
    with new_uow() as uow:
        assert uow.knowledge.ask(early.id).unhelpful_at == T0 + timedelta(hours=1)
        assert [a.words for a in uow.knowledge.asks(world.team, T0 + timedelta(days=1))] == ["weather"]
        assert [a.words for a in uow.knowledge.asks(world.team, T0)] == ["zhekou", "weather"]
        assert uow.knowledge.ask(10_000) is None


def test_one_retro_per_deal_replaced(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal = uow.deals.add(world.deal())
        other = uow.deals.add(world.deal(title="other"))
        assert uow.knowledge.put_retro(Retro(deal.id, world.team, "first", T0, world.alice)) is None
        uow.commit()
    with new_uow() as uow:
        old = uow.knowledge.put_retro(Retro(deal.id, world.team, "second", T0 + timedelta(days=1), world.alice))
        assert old.text == "first"
        uow.commit()
    with new_uow() as uow:
        found = uow.knowledge.retros([deal.id, other.id])
        assert list(found) == [deal.id] and found[deal.id].text == "second"
        assert uow.knowledge.retros([]) == {}


def test_onboardings_keep_their_rows_and_progress(new_uow: NewUow, world: World):
    with new_uow() as uow:
        first = uow.knowledge.add_onboarding(Onboarding(world.team, world.alice, T0, world.bob, [3, 4, 5]))
        uow.commit()
    with new_uow() as uow:
        found = uow.knowledge.onboarding_of(world.alice)
        assert (found.id, found.outbox_ids, found.done, found.manager_id) == (first.id, [3, 4, 5], [], world.bob)
        found.done.append(2)
        uow.knowledge.save_onboarding(found)
        later = uow.knowledge.add_onboarding(Onboarding(world.team, world.alice, T0 + timedelta(days=30)))
        uow.commit()
    with new_uow() as uow:
        assert uow.knowledge.onboarding_of(world.alice).id == later.id
        assert [(o.id, o.done) for o in uow.knowledge.onboardings(world.team)] == [(later.id, []), (first.id, [2])]
        assert uow.knowledge.onboarding_of(world.bob) is None


def test_closed_profiles_read_deals_with_their_customers_latest_first(new_uow: NewUow, world: World):
    from decimal import Decimal

    from core.domain.model import DealStatus

    with new_uow() as uow:
        acme = uow.customers.get(world.acme)
        acme.industry, acme.source, acme.tags = "Energy ", "Trade  Show", ["Key"]
        early = uow.deals.add(world.deal(status=DealStatus.WON, closed_at=T0, amount=Decimal("500.00")))
        late = uow.deals.add(world.deal(status=DealStatus.LOST, closed_at=T0 + timedelta(days=1)))
        uow.deals.add(world.deal())  # open
        uow.deals.add(world.deal(customer_id=world.globex, team_id=world.other_team, status=DealStatus.WON,
                                 closed_at=T0))
        uow.commit()
    with new_uow() as uow:
        both = uow.knowledge.closed_profiles(world.team, [DealStatus.WON, DealStatus.LOST], 10)
        assert [p.deal_id for p in both] == [late.id, early.id]
        won = uow.knowledge.closed_profiles(world.team, [DealStatus.WON], 10)
        assert len(won) == 1
        profile = won[0]
        assert (profile.customer_id, profile.industry, profile.source, profile.tags, profile.amount,
                profile.closed_at) == (world.acme, "energy", "trade show", frozenset({"key"}), Decimal("500.00"), T0)
        assert uow.knowledge.closed_profiles(world.team, [DealStatus.WON, DealStatus.LOST], 1)[0].deal_id == late.id


def test_customer_messages_are_those_of_chats_linked_to_the_customer(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal = uow.deals.add(world.deal())
        mine = [uow.interactions.add(world.interaction(customer_id=world.acme, kind="message", text=f"m{n}",
                                                       occurred_at=T0 + timedelta(minutes=n), chat_id="c1",
                                                       message_id=f"m{n}")) for n in range(3)]
        uow.interactions.add(world.interaction(customer_id=world.acme, deal_id=deal.id, kind="message",
                                               text="in the deal's chat", chat_id="c2", message_id="d1"))
        uow.interactions.add(world.interaction(customer_id=world.acme, kind="note", text="a note"))
        uow.interactions.add(world.interaction(customer_id=world.globex, team_id=world.other_team, kind="message",
                                               text="another customer", chat_id="c3", message_id="g1"))
        uow.commit()
    with new_uow() as uow:
        found = uow.knowledge.customer_messages(world.acme, 2)
        assert [i.text for i in found] == ["m2", "m1"]
        assert [i.id for i in uow.knowledge.customer_messages(world.acme, 10)] == [m.id for m in reversed(mine)]
