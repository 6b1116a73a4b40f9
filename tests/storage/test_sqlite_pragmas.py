"""make_engine's SQLite tuning: every connection gets the pragmas, transactions are real."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from storage.db import make_engine


@pytest.fixture
def sqlite_engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'dealbot.db'}")
    yield engine
    engine.dispose()


def _pragma(connection: sa.Connection, name: str):
    return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_pragmas_are_set_on_every_connection(sqlite_engine: sa.Engine):
    connections = [sqlite_engine.connect() for _ in range(2)]  # two pooled DBAPI connections
    try:
        for connection in connections:
            assert _pragma(connection, "journal_mode") == "wal"
            assert _pragma(connection, "synchronous") == 1  # NORMAL
            assert _pragma(connection, "foreign_keys") == 1
            assert _pragma(connection, "busy_timeout") == 5000
    finally:
        for connection in connections:
            connection.close()


def test_the_parent_directory_is_created(tmp_path: Path, sqlite_engine: sa.Engine):
    with sqlite_engine.connect():
        pass
    assert (tmp_path / "nested" / "dir" / "dealbot.db").is_file()


def test_foreign_keys_are_enforced(sqlite_engine: sa.Engine):
    with sqlite_engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        connection.exec_driver_sql("CREATE TABLE child (parent_id INTEGER REFERENCES parent(id))")
    with pytest.raises(sa.exc.IntegrityError), sqlite_engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO child VALUES (42)")


def test_ddl_and_savepoints_are_transactional(sqlite_engine: sa.Engine):
    # pysqlite left alone would autocommit DDL and break SAVEPOINT; storage.db emits BEGIN.
    with sqlite_engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        connection.rollback()
        assert not sa.inspect(connection).has_table("t")
    with sqlite_engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        with connection.begin_nested() as savepoint:
            connection.exec_driver_sql("INSERT INTO t VALUES (2)")
            savepoint.rollback()
        connection.commit()
        assert connection.exec_driver_sql("SELECT x FROM t").scalars().all() == [1]


def test_readers_do_not_wait_for_each_other(sqlite_engine: sa.Engine):
    with sqlite_engine.connect() as first, sqlite_engine.connect() as second:
        assert first.exec_driver_sql("SELECT 1").scalar() == 1
        assert second.exec_driver_sql("SELECT 1").scalar() == 1  # both inside a transaction


def test_immediate_transactions_take_the_write_lock_up_front(sqlite_engine: sa.Engine):
    with sqlite_engine.connect() as writer:
        writer.execution_options(sqlite_begin="IMMEDIATE")
        writer.exec_driver_sql("SELECT 1")
        with sqlite_engine.connect() as other:
            # Fail at once rather than after the 5 s busy_timeout (on the raw connection, since
            # any statement through `other` would begin its transaction).
            other.connection.driver_connection.execute("PRAGMA busy_timeout=0")
            other.execution_options(sqlite_begin="IMMEDIATE")
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                other.exec_driver_sql("SELECT 1")


def test_secure_delete_is_on_whatever_the_sqlite_build_says(tmp_path: Path):
    """Debian's SQLite zeroes deleted content by default; other builds do not, and then an
    erased row would stay readable in the file's free space."""
    import sqlite3

    def build_without_secure_delete():
        connection = sqlite3.connect(tmp_path / "dealbot.db", check_same_thread=False)
        connection.execute("PRAGMA secure_delete=OFF")
        return connection

    engine = make_engine(f"sqlite:///{tmp_path / 'dealbot.db'}", creator=build_without_secure_delete)
    try:
        with engine.connect() as connection:
            assert _pragma(connection, "secure_delete") == 1
    finally:
        engine.dispose()
