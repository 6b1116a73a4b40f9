"""DEALBOT_SQL_LOG: the statements of the driver fast path (storage.driver) reach the log file,
with their time, and SQLAlchemy's echo and events see them; off, they go straight to the driver
and nothing is logged. A real database (SQLite, or PostgreSQL with DEALBOT_TEST_DATABASE_URL),
the real log set-up (bot.logs.setup_logging) and its file."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.logs import QUIET_BELOW_ERROR, QUIET_BELOW_WARNING, SQL_LOGGERS, setup_logging
from core.conversations.capture import CapturedMessage
from storage import tables as t
from storage.capture import insert_captured
from storage.db import make_engine
from storage.driver import bind_processors, copy_rows, marker, run_on_driver
from storage.handled import SqlHandledMessageRepository

AT = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SECRET_CHAT = "C-chat-nobody-should-read"  # a value: the log must not show it
FAST = re.compile(r" INFO storage\.driver: fast path \d+\.\d{3} ms, (\d+) rows (in|out): (.*)$", re.M)


@pytest.fixture
def log_with(tmp_path: Path) -> Iterator:
    """log_with(**settings) -> read(): dealbot's logging set up as `dealbot run` sets it up,
    undone after the test (the root logger's handlers and level, the loggers it quietens)."""
    root = logging.getLogger()
    names = (*QUIET_BELOW_WARNING, *QUIET_BELOW_ERROR, *SQL_LOGGERS)
    saved = root.handlers[:], root.level, {name: logging.getLogger(name).level for name in names}
    settings: list[Settings] = []

    def configure(**values) -> Settings:
        settings.append(Settings(_env_file=None, log_file=tmp_path / "dealbot.log", **values))
        setup_logging(settings[-1])
        return settings[-1]

    yield configure
    for handler in root.handlers:
        if handler not in saved[0]:
            handler.close()
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)
    if hasattr(root, "_dealbot_configured"):
        del root._dealbot_configured


def _read(settings: Settings) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return settings.log_file.read_text(encoding="utf-8") if settings.log_file.exists() else ""


def _fast_path_statements(database_url: str, settings: Settings) -> list[str]:
    """Record a handled message (one statement, a row back) and two more in one executemany,
    as the engine `dealbot run` builds; the statements SQLAlchemy's events saw."""
    engine = make_engine(database_url, hide_parameters=not settings.log_message_text)
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    try:
        with Session(engine) as session:
            assert SqlHandledMessageRepository(session).first_time("slack", SECRET_CHAT, "1", AT)
            dialect = session.connection().dialect
            m, at = marker(dialect), bind_processors(dialect, t.handled_messages, ("handled_at",))[0]
            when = at(AT) if at else AT
            sql = f"INSERT INTO handled_messages (platform, chat_id, message_id, handled_at) VALUES ({m}, {m}, {m}, {m})"
            assert run_on_driver(session, sql, [("slack", SECRET_CHAT, n, when) for n in "23"], many=True) == []
            session.commit()
        with Session(engine) as session:
            stored = session.execute(t.handled_messages.select()).all()
    finally:
        engine.dispose()
    assert sorted(row.message_id for row in stored) == ["1", "2", "3"]  # the same rows either way
    return [sql for sql in seen if "handled_messages" in sql and sql.startswith("INSERT")]


def test_with_the_sql_log_on_fast_path_statements_are_logged_with_their_time(database_url, log_with):
    settings = log_with(sql_log=True)
    seen = _fast_path_statements(database_url, settings)
    log = _read(settings)

    fast = FAST.findall(log)
    assert [(count, way) for count, way, sql in fast if "handled_messages" in sql] == [("1", "out"), ("2", "in")]
    assert all(sql.startswith("INSERT INTO handled_messages") for _, _, sql in fast)
    # SQLAlchemy saw them too: its events, and its own log lines (echo) for the same statements
    assert len(seen) == 2
    assert log.count("INFO sqlalchemy.engine.Engine: INSERT INTO handled_messages") == 2
    assert SECRET_CHAT not in log  # values hidden: DEALBOT_LOG_MESSAGE_TEXT is off


def test_with_the_sql_log_off_the_fast_path_bypasses_sqlalchemy_and_logs_nothing(database_url, log_with):
    settings = log_with()  # DEALBOT_SQL_LOG unset: off
    assert not settings.sql_log
    seen = _fast_path_statements(database_url, settings)
    log = _read(settings)

    assert seen == []  # straight to the driver: SQLAlchemy's events never saw them
    assert "handled_messages" not in log


def test_the_sql_log_shows_values_only_with_message_text_on(database_url, log_with):
    settings = log_with(sql_log=True, log_message_text=True)
    _fast_path_statements(database_url, settings)
    assert SECRET_CHAT in _read(settings)


def test_a_copy_on_postgresql_is_logged_with_its_time(postgres_url, log_with):
    settings = log_with(sql_log=True)
    engine = make_engine(postgres_url)
    try:
        with Session(engine) as session:
            at = bind_processors(engine.dialect, t.handled_messages, ("handled_at",))[0]
            rows = [("telegram", "-100", str(n), at(AT) if at else AT) for n in range(3)]
            copy_rows(session, "handled_messages", ("platform", "chat_id", "message_id", "handled_at"), rows)
            session.commit()
            assert session.execute(t.handled_messages.select()).all() != []
    finally:
        engine.dispose()
    fast = FAST.findall(_read(settings))
    assert fast == [("3", "in", 'COPY handled_messages ("platform", "chat_id", "message_id", "handled_at") FROM STDIN')]


@pytest.mark.parametrize("sql_log", [False, True], ids=["off", "on"])
def test_captured_messages_are_stored_alike_with_the_sql_log_on_or_off(database_url, log_with, sql_log):
    """The capture batch (PostgreSQL: arrays through unnest; SQLite: rows of VALUES) and its
    RETURNING rows, through SQLAlchemy's connection or straight to the driver."""
    settings = log_with(sql_log=sql_log)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            team = session.execute(t.teams.insert().values(name="sales", timezone="UTC", language="en")
                                   .returning(t.teams.c.id)).scalar_one()
            batch = [CapturedMessage(team, f"hello {n}", AT, "slack", "C1", str(n % 3)) for n in range(5)]
            stored = insert_captured(session, batch)
            session.commit()
            rows = session.execute(t.interactions.select().order_by(t.interactions.c.id)).all()
    finally:
        engine.dispose()
    assert [(item.message_id, item.id) for item in stored] == [("0", 1), ("1", 2), ("2", 3)]
    assert [(row.message_id, row.text, row.occurred_at) for row in rows] == [
        ("0", "hello 0", AT), ("1", "hello 1", AT), ("2", "hello 2", AT)]
    assert ("INSERT INTO interactions" in _read(settings)) is sql_log
