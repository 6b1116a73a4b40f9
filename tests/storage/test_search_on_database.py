"""`find` on the test database (SQLite, or PostgreSQL in that run), through Dealbot.handle: the
database's own index kept in the transaction of each write (capture batches, edits, deletions,
`forget`, renames, merges, follow-ups), and what each asker may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from core.chat.messages import Incoming
from core.conversations.capture import Action, ChatEvent
from core.services.capture import store_captured
from storage.db import make_engine
from storage.migrate import upgrade
from tests.access import let_in

T0 = datetime(2026, 3, 4, 2, tzinfo=UTC)


class Chat:
    def __init__(self, wired):
        self.wired, self.count = wired, 0

    def __call__(self, user: str, text: str, *, chat: str = "", error: bool = False):
        self.count += 1
        platform = "console" if user == "boss" else "telegram"
        reply = self.wired.bot.handle(Incoming(platform=platform, user_id=user, user_name=user, text=text,
                                               chat_id=chat or user, message_id=f"s{self.count}",
                                               is_direct=not chat))
        assert reply.is_error is error, reply.text()
        return reply

    def capture(self, *events: ChatEvent, fail: bool = False) -> None:
        bot = self.wired.bot
        with bot.writing_uow_factory() as uow:
            store_captured(uow, list(events), bot.clock.now(), bot.defaults, ())
            if not fail:
                uow.commit()


def _said(chat: str, message_id: str, text: str, minute: int = 0, action: Action = Action.NEW) -> ChatEvent:
    return ChatEvent("telegram", chat, message_id, user_id="2001", user_name="Wang", text=text,
                     sent_at=T0 + timedelta(minutes=minute), action=action)


def _indexed_messages(wired) -> int:
    with wired.engine.connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM search_messages")).scalar_one()


def _world(wired) -> Chat:
    say = Chat(wired)
    say("boss", "me")
    alice = let_in(wired, "telegram", "11", "alice")
    bob = let_in(wired, "telegram", "12", "bob")
    let_in(wired, "telegram", "13", "mia", role="manager")
    say("boss", "team new east")
    let_in(wired, "telegram", "14", "erin", team="east")
    say("11", "new Acme 50k")  # D-1
    say("11", "new 华为技术有限公司 5万")  # D-2
    say("12", 'new "Beta Foods" 20k')  # D-3
    say("14", "new Acme Holdings 9k")  # D-4: another team's
    say("11", 'contact 华为技术有限公司 "王经理"')
    say("11", "log D-1 sent the revised quote to Acme")
    for n, who in ((1, "11"), (2, "11"), (3, "12"), (4, "14")):
        say(who, f"link D-{n}", chat=f"-40{n}")
    assert (alice, bob) == ("alice", "bob")
    return say


def test_names_pinyin_chinese_substrings_and_typos(wired):
    say = _world(wired)
    assert say("11", "find acm").lines == ["Deal D-1 · Acme (Lead)", "Customer · Acme",
                                           "Follow-up · D-1 · 2026-03-04: sent the revised quote to Acme"]
    assert say("11", "搜索 华为").lines == ["商机 D-2 · 华为技术有限公司（线索）", "客户：华为技术有限公司"]
    assert say("11", "搜索 技术有限").lines[0] == "商机 D-2 · 华为技术有限公司（线索）"
    assert say("11", "find huawei").lines[0] == "Deal D-2 · 华为技术有限公司 (Lead)"
    assert say("11", "find wang").lines == ["Contact · 王经理 — 华为技术有限公司"]
    reply = say("11", "find Acmee")
    assert reply.title == "Nothing for “Acmee”; showing “acme”." and reply.lines[0] == "Deal D-1 · Acme (Lead)"
    # pinyin tolerates one typo the same way, at the start of a longer name too (huawei…jishu…)
    for typo in ("huwei", "huawie", "huaweii", "huawai"):
        reply = say("11", f"find {typo}")
        assert reply.title == f"Nothing for “{typo}”; showing “huawei”.", reply.title
        assert reply.lines[0] == "Deal D-2 · 华为技术有限公司 (Lead)"
    assert say("11", "搜索 huwei").title == "没有找到“huwei”，以下为“huawei”的结果。"
    assert say("11", "find hxwxi").title == "Nothing found for “hxwxi” among what you may see."
    assert say("11", "find D-1").lines == ["Deal D-1 · Acme (Lead)"]
    assert say("11", "find zebra").title == "Nothing found for “zebra” among what you may see."
    assert say("11", "find", error=True).title.startswith("Tell me what to look for")
    # a rename re-indexes the customer and its deals in the same transaction
    say("11", "customer 华为技术有限公司 name:腾讯")
    assert say("11", "find tengxun").lines == ["Deal D-2 · 华为技术有限公司 — 腾讯 (Lead)", "Customer · 腾讯"]
    assert say("11", "find huawei").lines[1] == "Customer · 腾讯 (华为技术有限公司)"  # now an alias


def test_each_asker_sees_what_they_may_open(wired):
    say = _world(wired)
    say.capture(*(_said(f"-40{n}", f"q{n}", f"please resend the quote for deal {n}", n) for n in (1, 2, 3, 4)))

    def deals_and_messages(who: str) -> list[str]:
        reply = say(who, "find quote")
        return [line.split(" · ")[1] for line in reply.lines]

    # a rep finds what `show` opens for them: the team's deals, their chats and follow-ups
    assert deals_and_messages("11") == ["D-3", "D-2", "D-1", "D-1"]  # alice: bob's D-3 too
    assert deals_and_messages("12") == ["D-3", "D-2", "D-1", "D-1"]  # bob: alice's D-1 and D-2 too
    assert deals_and_messages("13") == ["D-3", "D-2", "D-1", "D-1"]  # mia: the sales team's
    assert deals_and_messages("boss") == ["D-4", "D-3", "D-2", "D-1", "D-1"]  # the admin: all teams
    assert say("14", "find acme").lines == ["Deal D-4 · Acme Holdings (Lead)", "Customer · Acme Holdings"]
    assert say("14", "find deal 4").lines == ["Message · D-4 · 2026-03-04 Wang: please resend the quote for deal 4"]
    assert say("12", "find acme").lines[:2] == ["Deal D-1 · Acme (Lead)", "Customer · Acme"]  # not east's
    assert all("Holdings" not in line for line in say("12", "find acme").lines)
    assert say("13", "find beta").lines == ["Deal D-3 · Beta Foods (Lead)", "Customer · Beta Foods"]  # the team's
    assert say("14", "find beta").title == "Nothing found for “beta” among what you may see."
    assert say("12", "find D-1").lines == ["Deal D-1 · Acme (Lead)"]
    assert not say("12", "show D-1").is_error  # what find shows, show opens
    assert say("14", "find D-1").title == "Nothing found for “D-1” among what you may see."
    assert say("14", "show D-1", error=True).is_error


def test_captured_messages_are_indexed_in_their_batch_and_leave_with_edits_deletions_and_forget(wired):
    say = _world(wired)
    before = _indexed_messages(wired)
    say.capture(_said("-401", "m1", "the zeppelin budget is approved"), fail=True)  # rolled back: no row
    assert _indexed_messages(wired) == before
    say.capture(_said("-401", "m1", "the zeppelin budget is approved"),
                _said("-402", "m2", "我们下周三前给您答复报价", 1))
    assert _indexed_messages(wired) == before + 2
    assert say("11", "find zeppelin").lines == ["Message · D-1 · 2026-03-04 Wang: the zeppelin budget is approved"]
    assert say("11", "find zeppel").lines == say("11", "find zeppelin").lines  # no whole word: a beginning
    assert say("11", "搜索 答复报价").lines == ["聊天消息 · D-2 · 2026-03-04 Wang：我们下周三前给您答复报价"]

    say.capture(_said("-401", "m1", "the airship budget is approved", 2, Action.EDIT))
    assert say("11", "find zeppelin").title.startswith("Nothing found")
    assert say("11", "find airship").lines[0].endswith("the airship budget is approved")
    say.capture(_said("-402", "m2", "", 3, Action.DELETE))
    assert say("11", "搜索 答复报价").title.startswith("在您可查看的范围内没有找到")
    assert _indexed_messages(wired) == before + 1

    say("boss", "forget @Wang")  # a contact's words leave the index with the messages
    assert say("11", "find airship").title.startswith("Nothing found")
    assert _indexed_messages(wired) == before


def test_a_merge_moves_the_deals_documents_to_the_remaining_customer(wired):
    say = _world(wired)
    say("11", 'new "Acme Inc" 20k')  # D-5
    say("boss", 'merge customer "Acme Inc" into Acme')
    assert say("11", "find acme inc").lines == ["Deal D-5 · Acme Inc — Acme (Lead)", "Customer · Acme (Acme Inc)"]
    assert [line for line in say("11", "find acme").lines if line.startswith("Customer")] == ["Customer · Acme"]


def test_the_migration_indexes_what_was_stored_before_it(database_url, request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'old.db'}" if database_url.startswith("sqlite")
           else request.getfixturevalue("make_pg_database")())
    engine = make_engine(url)
    upgrade(engine, "0020_performance")
    at = "2026-01-05 09:00:00.000000"
    with engine.begin() as db:
        db.execute(sa.text("INSERT INTO teams (id, name, timezone, language) VALUES (1, 'East', 'UTC', 'en')"))
        db.execute(sa.text("INSERT INTO members (id, handle, team_id, role, display_name) VALUES (1, 'ann', 1, 'admin', '')"))
        db.execute(sa.text("INSERT INTO customers (id, name, name_key, team_id, lifecycle, aliases, contacts)"
                           " VALUES (1, '华为技术有限公司', '华为技术有限公司', 1, 'lead', '[]', '[]')"))
        db.execute(sa.text("INSERT INTO deals (id, title, customer_id, owner_id, team_id, stage, stage_entered_at,"
                           " created_at, currency, status, deliverables_done, uid) VALUES (1, 'Kiosk rollout', 1, 1, 1,"
                           " 'lead', :at, :at, 'CNY', 'open', '[]', 'u1')"), {"at": at})
        db.execute(sa.text("INSERT INTO interactions (team_id, text, occurred_at, kind, deal_id, platform, chat_id)"
                           " VALUES (1, 'kiosk quote sent', :at, 'note', 1, 'console', 'ann')"), {"at": at})
    upgrade(engine)
    with engine.connect() as db:
        names = db.execute(sa.text("SELECT count(*) FROM search_names")).scalar_one()
        messages = db.execute(sa.text("SELECT count(*) FROM search_messages")).scalar_one()
        words = set(db.execute(sa.text("SELECT word FROM search_words")).scalars())
    engine.dispose()
    assert (names, messages) == (2, 1)  # the deal, the customer (no contacts); the follow-up
    assert {"kiosk", "rollout", "huaweijishuyouxiangongsi"} <= words


def test_an_import_indexes_its_deals_and_customers_and_undoing_it_drops_them(factory_on_each_database):
    from core.search.results import Scope
    from core.search.terms import read_query
    from core.services.transfer import import_deals
    from storage.uow import SqlUnitOfWork

    header = ("ref,title,customer,owner,team,amount,currency,status,created_at,closed_at,lost_reason,"
              "expected_close,entered_lead,entered_contact,entered_demo,entered_quote,entered_negotiation,"
              "entered_won,entered_lost")
    rows = [f",{title},{customer},@ann,East,1000,CNY,open,2026-01-05T09:00:00Z,,,,2026-01-05T09:00:00Z,,,,,,"
            for title, customer in (("Kiosk rollout", "Globex"), ("扩容", "深圳腾讯科技"))]
    with SqlUnitOfWork(factory_on_each_database) as uow:
        import_deals(uow, "\n".join([header, *rows]) + "\n", now=T0, default_timezone="UTC", default_language="en")
        uow.commit()
    def found(words: str) -> list[tuple[str, tuple[str, ...]]]:
        return [(hit.kind, hit.names) for hit in uow.search.names(read_query(words), Scope(), 10)]

    with SqlUnitOfWork(factory_on_each_database) as uow:

        assert found("kiosk") == [("deal", ("Kiosk rollout", "Globex"))]
        assert found("tengxun") == [("customer", ("深圳腾讯科技",)), ("deal", ("扩容", "深圳腾讯科技"))]
        assert found("globex") == [("customer", ("Globex",)), ("deal", ("Kiosk rollout", "Globex"))]
        assert uow.search.words("gl") == ["globex"]
        deal_ids = sorted({hit.id for hit in uow.search.names(read_query("kiosk"), Scope(), 10)}
                          | {hit.id for hit in uow.search.names(read_query("扩容"), Scope(), 10)})
        customer_ids = [hit.id for hit in uow.search.names(read_query("globex"), Scope(), 10) if hit.kind == "customer"]
        uow.transfer.remove_import(deal_ids, customer_ids)  # a failed import takes back what it wrote
        uow.commit()
    with SqlUnitOfWork(factory_on_each_database) as uow:
        assert found("kiosk") == found("globex") == []
        assert found("tengxun") == [("customer", ("深圳腾讯科技",))]
