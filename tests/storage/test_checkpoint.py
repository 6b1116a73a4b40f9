"""storage.checkpoint: the SQLite log is copied back by the checkpointer's thread, so it stays
small even when the writers never checkpoint themselves."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import event, text

from storage.checkpoint import wal_checkpointer
from storage.db import make_engine

ROWS_PER_ROUND = 2_000  # about 30 pages of log each


@pytest.fixture
def engine_without_auto_checkpoints(tmp_path):
    """A dealbot SQLite engine whose writers never checkpoint: what shrinks the log is ours."""
    engine = make_engine(f"sqlite:///{tmp_path / 'checkpoint.db'}")
    event.listen(engine, "connect", lambda conn, _record: conn.execute("PRAGMA wal_autocheckpoint=0"))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
    yield engine
    engine.dispose()


def _write_a_round(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO notes (body) VALUES (:body)"),
                           [{"body": f"note {n} " * 8} for n in range(ROWS_PER_ROUND)])


def _log_size(engine) -> int:
    return Path(engine.url.database + "-wal").stat().st_size


def _wait_for_a_checkpoint_begun_after_now(checkpointer) -> None:
    runs, deadline = checkpointer.runs, time.monotonic() + 10
    while checkpointer.runs < runs + 2 and time.monotonic() < deadline:  # one may be under way now
        time.sleep(0.005)
    assert checkpointer.runs >= runs + 2, "the checkpointer stopped running"


def test_a_checkpoint_copies_the_whole_log_back(engine_without_auto_checkpoints):
    engine = engine_without_auto_checkpoints
    _write_a_round(engine)
    result = wal_checkpointer(engine).checkpoint()
    assert result.busy == 0
    assert result.log_pages > 0
    assert result.copied_pages == result.log_pages
    with engine.connect() as connection:  # and every row is in the database
        assert connection.execute(text("SELECT count(*) FROM notes")).scalar_one() == ROWS_PER_ROUND


def test_the_thread_keeps_the_log_from_growing(engine_without_auto_checkpoints):
    engine = engine_without_auto_checkpoints
    checkpointer = wal_checkpointer(engine, interval=0.01)
    _write_a_round(engine)
    one_round = _log_size(engine)
    checkpointer.start()
    try:
        for _ in range(10):
            _write_a_round(engine)
            _wait_for_a_checkpoint_begun_after_now(checkpointer)
            assert checkpointer.last.copied_pages == checkpointer.last.log_pages > 0
    finally:
        checkpointer.stop()
    # Each write transaction after a complete checkpoint starts the log over: ten rounds later
    # it holds about two rounds, not eleven (without the thread it grows by a round each time).
    assert _log_size(engine) <= 2.5 * one_round


def test_stop_ends_the_thread(engine_without_auto_checkpoints):
    checkpointer = wal_checkpointer(engine_without_auto_checkpoints, interval=0.01)
    checkpointer.start()
    thread = checkpointer._thread
    checkpointer.stop()
    assert not thread.is_alive()


def test_only_a_sqlite_file_gets_one(tmp_path):
    postgres = make_engine("postgresql://postgres@127.0.0.1:5432/test")  # not connected
    memory = make_engine("sqlite://")
    try:
        assert wal_checkpointer(postgres) is None
        assert wal_checkpointer(memory) is None
        assert wal_checkpointer(make_engine(f"sqlite:///{tmp_path / 'x.db'}")) is not None
    finally:
        postgres.dispose()
        memory.dispose()
