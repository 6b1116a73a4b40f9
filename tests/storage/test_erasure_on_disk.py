"""`forget` erases from the disk, not only from query results (issue 14 §5).

A contact's message becomes a kept next step (a task whose title, audit entry and outbound webhook
delivery copy it, e-mail and phone included), and the contact came in as a lead, a member with a name, an e-mail and a Telegram account writes in the linked
chat; both are forgotten. Then the raw files are searched for every erased string: SQLite's
database file and its WAL; PostgreSQL's data files of every table, index and TOAST relation of
the test's own database (pg_relation_filepath under data_directory, after a CHECKPOINT: the test
runs on the database's machine, as root). Both databases run in every run.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import insert, select

from bot import webhooks
from bot.bootstrap import build
from bot.config import Settings
from core.access.door import AccessRequest, RequestStatus
from core.chat.context import Defaults
from core.chat.messages import Incoming
from core.conversations.capture import ChatEvent
from core.conversations.suggestions import suggest_next_steps
from core.domain.model import ChatBinding, Identity
from core.services.capture import store_captured
from storage.tables import api_idempotency, api_tokens, webhook_deliveries
from tests.fakes import FixedClock

CONTACT, CONTACT_ID = "Qiuyue Lanfang", "2001"
EMAIL, PHONE, PHRASE = "qiuyue.lanfang@example.com", "13987654321", "Zephyrine proposal"
MEMBER, MEMBER_NAME, MEMBER_EMAIL, MEMBER_TG = "zorblatt", "Zorblatt Quimby", "zq@example.org", "777000123"
MEMBER_WORDS = "Quimbyfest budget is settled"
# What the forgotten member typed to dealbot: a question to the FAQ (kept for `faq gaps`) and a
# free-text answer to the daily card (kept as a proposal until confirmed).
MEMBER_ASK, MEMBER_UPDATE = "Quimbyvault rebate rule", "Blorbco agreed to the Quimbydemo next Tuesday"
ERASED = [CONTACT, EMAIL, PHONE, PHRASE, MEMBER, MEMBER_NAME, MEMBER_EMAIL, MEMBER_TG, MEMBER_WORDS,
          MEMBER_ASK, "Quimbydemo"]
GROUP = "-100777"


def _spellings(text: str) -> set[bytes]:
    """How a string may lie in a file: UTF-8, and inside JSON text (non-ASCII as \\uXXXX)."""
    return {text.lower().encode(), json.dumps(text.lower())[1:-1].encode()}


def _found(files: list[Path]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for path in files:
        content = path.read_bytes().lower()
        for text in ERASED:
            if any(s in content for s in _spellings(text)):
                hits.setdefault(text, []).append(path.name)
    return hits


def _sqlite_files(url: str) -> list[Path]:
    database = Path(url.removeprefix("sqlite:///"))
    return [p for p in (database, database.with_name(database.name + "-wal")) if p.exists()]


def _postgres_files(url: str) -> list[Path]:
    libpq = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq, autocommit=True) as connection:
        connection.execute("CHECKPOINT")  # what is in shared buffers reaches the files
        data = Path(connection.execute("SHOW data_directory").fetchone()[0])
        rows = connection.execute(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
            "WHERE c.relnamespace IN ('public'::regnamespace, 'pg_toast'::regnamespace) "
            "AND c.relkind IN ('r', 'i', 't') AND pg_relation_filepath(c.oid) IS NOT NULL").fetchall()
    files = []
    for (relative,) in rows:
        main = data / relative
        files += [main, *sorted(main.parent.glob(main.name + ".[0-9]*"))]  # 1 GB segments
    assert files and all(f.exists() for f in files[:1])
    return [f for f in files if f.exists()]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path: Path):
    """(url, files): a database of this test's own on each engine, and how to list its files.

    On PostgreSQL a transaction stays open in another database meanwhile, as other clients of a
    shared server have: it must not keep the erased rows (see storage/erasure.py)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url"), _sqlite_files
        return
    url = request.getfixturevalue("make_pg_database")(migrated=True)
    server = request.getfixturevalue("pg_url").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(server) as elsewhere:
        elsewhere.execute("SELECT txid_current()")  # an open transaction with an id
        yield url, _postgres_files
        elsewhere.rollback()


def test_forgotten_words_are_nowhere_in_the_database_files(database, tmp_path: Path):
    url, files = database
    clock = FixedClock()
    wired = build(Settings(_env_file=None, database_url=url, log_file=tmp_path / "dealbot.log",
                           admins="console:boss"), migrate=False, clock=clock)
    said = iter(range(1, 100))

    def say(user: str, text: str):
        reply = wired.bot.handle(Incoming(platform="console", user_id=user, user_name=user, text=text,
                                          message_id=str(next(said))))
        assert not reply.is_error, reply.title
        return reply

    for user in ("boss", "alice", MEMBER):  # console users are members
        say(user, "me")
    # a webhook subscription: each change below is also kept as a delivery's body (never sent here)
    webhooks.add(wired, "http://127.0.0.1:9/hook", "*", io.StringIO())
    say("alice", "new Acme 50k")
    say("alice", f'lead Zephyrine "{CONTACT}" {PHONE} {EMAIL} note:"{CONTACT} met us at the fair" pool')
    with wired.uow() as uow:
        alice, member = uow.members.by_handle("alice"), uow.members.by_handle(MEMBER)
        member.display_name, member.email = MEMBER_NAME, MEMBER_EMAIL
        uow.members.add_identity(Identity("telegram", MEMBER_TG, member.id))
        # the Telegram account came in through the door: an access request, approved
        uow.access.add_request(AccessRequest("telegram", MEMBER_TG, MEMBER, clock.now(), user_name=MEMBER_NAME,
                                             status=RequestStatus.APPROVED, decided_by=alice.id))
        uow.chat_bindings.add(ChatBinding("telegram", GROUP, alice.team_id, clock.now(), bound_by=alice.id, deal_id=1))
        uow.commit()
    events = [
        ChatEvent("telegram", GROUP, "m1", user_id=CONTACT_ID, user_name=CONTACT, sent_at=clock.now(),
                  text=f"I'll send the {PHRASE} by Friday to {EMAIL}, my mobile is {PHONE}"),
        ChatEvent("telegram", GROUP, "m2", user_id=MEMBER_TG, user_name=MEMBER_NAME, sent_at=clock.now(),
                  text=MEMBER_WORDS),
    ]
    with wired.uow() as uow:
        store_captured(uow, events, clock.now(), Defaults(), [suggest_next_steps])
        uow.commit()
    say("alice", "keep S-1")  # a task whose title, audit entry and webhook body copy the contact's sentence
    with wired.engine.begin() as connection:  # an answer the REST API keeps for a retried POST
        token = connection.execute(insert(api_tokens).values(
            name="crm-sync", token_hash="0" * 64, member_id=1, created_at=clock.now())).inserted_primary_key[0]
        connection.execute(insert(api_idempotency).values(
            token_id=token, key="k1", request_hash="1" * 64, status=201, created_at=clock.now(),
            body=json.dumps({"contacts": [{"name": CONTACT, "email": EMAIL}], "note": "ok"})))
    # Text the team wrote naming the two people: a logged follow-up (searchable), a task, a
    # complaint, a satisfaction comment, a retrospective, a playbook line, an FAQ answer, a lead note.
    say("alice", f"log D-1 call: {CONTACT} ({PHONE}) wants {MEMBER_NAME} on the next call")
    say("alice", f"task D-1 send {CONTACT} the contract friday")
    say("alice", f'complaint Acme "{CONTACT} says the delivery was late"')
    say("alice", f'csat D-1 4 "{CONTACT} was pleased, wrote from {EMAIL}"')
    say(MEMBER, f"faq {MEMBER_ASK}")
    say(MEMBER, "new Blorbco 10k")
    update = say(MEMBER, MEMBER_UPDATE)  # a direct message read as the daily update: U-1, pending
    assert "U-1" in " ".join([update.title, *update.lines]), update
    say("boss", f'playbook demo add "Ask {MEMBER_NAME} how he did it"')
    say("boss", f'faq add "Who knows rebates?" "{MEMBER_NAME}, or mail {MEMBER_EMAIL}"')
    say("alice", "won D-1")
    say("alice", f'retro D-1 "{CONTACT} decided after the demo"')
    with wired.engine.connect() as connection:
        bodies = " ".join(connection.execute(select(webhook_deliveries.c.body)).scalars())
    assert EMAIL in bodies and PHRASE in bodies
    wired.engine.dispose()
    assert set(_found(files(url))) >= {EMAIL, PHONE, PHRASE, MEMBER_WORDS, MEMBER_ASK, "Quimbydemo"}

    wired = build(Settings(_env_file=None, database_url=url, log_file=tmp_path / "dealbot.log",
                           admins="console:boss"), migrate=False, clock=clock)
    say("boss", f"forget @{CONTACT}")
    say("boss", f"forget @{MEMBER}")
    # the team's own records stay, without the people: the follow-up is still found by its words
    found = say("alice", "find wants")
    assert "[erased]" in " ".join(found.lines) and CONTACT not in " ".join(found.lines), found
    assert CONTACT not in " ".join(say("alice", "find Qiuyue").lines)
    with wired.engine.connect() as connection:  # the kept answer is still JSON, and still answers
        [body] = connection.execute(select(api_idempotency.c.body)).scalars()
    assert json.loads(body)["note"] == "ok"
    wired.engine.dispose()
    assert _found(files(url)) == {}
