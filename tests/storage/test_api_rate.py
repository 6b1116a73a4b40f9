"""The API's rate limit shared through the database (storage.api.take_request): several
`dealbot run` processes on one database draw from one bucket per token, so replicas do not
multiply a token's rate. Two engines stand for two processes, on the test database (SQLite, or
PostgreSQL in that run); threads take requests at once and never overdraw the bucket."""

from __future__ import annotations

import io
import threading

import pytest

from bot.token_cli import create
from core.chat.messages import Incoming
from storage.api import take_request
from storage.db import make_engine

NOW = 1_772_600_000.0  # seconds since the epoch


@pytest.fixture
def tokens(wired):
    assert not wired.bot.handle(Incoming("console", "boss", "me")).is_error  # the team, with its admin
    for name in ("crm", "erp"):
        create(wired, name, "manager", "sales", False, io.StringIO())
    return 1, 2  # their ids, in order of creation


def test_two_processes_draw_from_one_bucket(wired, database_url, tokens):
    crm, erp = tokens
    other = make_engine(database_url)  # a second process's connection pool
    try:
        assert [take_request(wired.engine, crm, 3, NOW), take_request(other, crm, 3, NOW)] == [0.0, 0.0]
        assert take_request(wired.engine, crm, 3, NOW) == 0.0
        assert take_request(other, crm, 3, NOW) == pytest.approx(20.0)  # 3 a minute: one every 20 s
        assert take_request(other, erp, 3, NOW) == 0.0  # another token has its own bucket
        assert take_request(wired.engine, crm, 3, NOW + 10) == pytest.approx(10.0)  # half refilled
        assert take_request(other, crm, 3, NOW + 20) == 0.0
        assert take_request(other, crm, 3, NOW + 20) > 0
        assert take_request(wired.engine, crm, 3, NOW + 3600) == 0.0  # a long pause refills it, not more
        assert [take_request(other, crm, 3, NOW + 3600) for _ in range(3)][-1] > 0
    finally:
        other.dispose()


def test_a_clock_behind_does_not_refill_or_overdraw(wired, tokens):
    crm, _ = tokens
    assert take_request(wired.engine, crm, 2, NOW) == 0.0
    assert take_request(wired.engine, crm, 2, NOW - 30) == 0.0  # another host's clock, 30 s behind
    assert take_request(wired.engine, crm, 2, NOW - 30) > 0


def test_requests_at_once_never_take_more_than_the_bucket_holds(wired, database_url, tokens):
    crm, _ = tokens
    engines = [make_engine(database_url) for _ in range(4)]
    allowed: list[float] = []
    lock = threading.Lock()

    def client(engine):
        for _ in range(10):
            wait = take_request(engine, crm, 12, NOW)
            with lock:
                allowed.append(wait)

    threads = [threading.Thread(target=client, args=(engine,)) for engine in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for engine in engines:
            engine.dispose()
    assert len(allowed) == 40 and sum(1 for wait in allowed if wait == 0.0) == 12
