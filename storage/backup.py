"""`dealbot backup FILE` and `dealbot restore FILE`: a consistent copy of the whole database.

SQLite: the online backup API (sqlite3.Connection.backup) copies every page in one step inside
one read transaction. With the WAL journal a reader never blocks the writer, so `dealbot run`
keeps capturing meanwhile, and the copy is the database as of one commit: every message
acknowledged before the backup began is in it. The copy is written beside FILE and renamed when
complete and checked (PRAGMA quick_check), so FILE is never half a backup.

PostgreSQL: `pg_dump --format=custom` (a snapshot in one repeatable-read transaction, equally
safe while replicas write), then a check that `pg_restore --list` reads the file and finds the
tables' data. Restore is `pg_restore --clean --if-exists --single-transaction`: all or nothing.

Restore refuses a database that holds any row unless `force` is given: one mistyped URL must not
overwrite production. A backup from a newer dealbot (a schema revision this one does not know)
is refused too; an older one is restored as it is and then migrated (`dealbot migrate`, automatic
for SQLite).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from storage.db import normalize_url, row_counts

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """What went wrong, in one sentence the operator can act on."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    revision: str | None
    deals: int
    interactions: int
    size: int

    def line(self) -> str:
        return (f"{self.path}: {self.size:,} bytes, schema revision {self.revision or 'none'}, "
                f"{self.deals} deals, {self.interactions} recorded messages and follow-ups")


def writable_target(file: str) -> Path:
    """Where `dealbot backup` may write: a file in a folder that exists (not stdout, not a folder)."""
    if not file.strip() or file == "-":
        raise BackupError("name the file to write the backup to, e.g. dealbot backup /srv/backups/dealbot.bak")
    target = Path(file).expanduser()
    if target.is_dir():
        raise BackupError(f"{target} is a folder: name a file in it, e.g. {target / 'dealbot.bak'}")
    if not target.parent.is_dir():
        raise BackupError(f"there is no folder {target.parent} to write {target.name} into")
    return target


def readable_backup(file: str) -> Path:
    if not file.strip():
        raise BackupError("name the backup file to restore, e.g. dealbot restore /srv/backups/dealbot.bak")
    path = Path(file).expanduser()
    if path.is_dir():
        raise BackupError(f"{path} is a folder, not a backup file")
    return path


# -- SQLite ----------------------------------------------------------------------------------------
def backup_sqlite(url: URL, target: Path) -> BackupSummary:
    source_path = _sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"there is no database at {source_path}")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # deals are the owner's alone
    os.close(fd)
    try:
        source = sqlite3.connect(source_path, timeout=30)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            summary = _sqlite_summary(copy, target, partial)
        finally:
            copy.close()
            source.close()
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return summary


def restore_sqlite(url: URL, backup: Path, *, known: set[str], force: bool) -> BackupSummary:
    check_format(backup, SQLITE_MAGIC, "an SQLite database file (dealbot backup of an SQLite install)")
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        summary = _sqlite_summary(source, backup, backup)
        _refuse_newer(summary.revision, known)
        target_path = _sqlite_path(url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        if target_path.exists():
            _refuse_non_empty(url, force)
        target = sqlite3.connect(target_path, timeout=30)
        try:
            source.backup(target)  # page by page into the live file: its WAL and locks stay valid
        finally:
            target.close()
        os.chmod(target_path, 0o600)
    finally:
        source.close()
    return summary


def _sqlite_path(url: URL) -> Path:
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("backup needs a database file (DEALBOT_DATABASE_URL sqlite:///path/to/dealbot.db)")
    return Path(database).expanduser()


def _sqlite_summary(connection: sqlite3.Connection, shown: Path, path: Path) -> BackupSummary:
    problem = connection.execute("PRAGMA quick_check").fetchone()[0]
    if problem != "ok":
        raise BackupError(f"{shown} fails SQLite's check: {problem}")
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "alembic_version" not in tables:
        raise BackupError(f"{shown} holds no dealbot database (no schema revision in it)")
    revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()

    def count(table: str) -> int:
        return connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] if table in tables else 0

    return BackupSummary(shown, revision[0] if revision else None, count("deals"), count("interactions"),
                         path.stat().st_size)


# -- PostgreSQL ------------------------------------------------------------------------------------
def backup_postgres(url: URL, target: Path, engine: Engine) -> BackupSummary:
    revision, deals, interactions = _pg_figures(engine)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    _run_tool("pg_dump", ["--format=custom", "--no-owner", f"--file={partial}"], url)
    try:
        os.chmod(partial, 0o600)
        listing = _run_tool("pg_restore", ["--list", str(partial)], None)
        missing = [table for table in ("alembic_version", "deals") if f"TABLE DATA public {table} " not in listing]
        if missing:
            raise BackupError(f"the dump lacks the data of {', '.join(missing)}: not a complete dealbot backup")
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupSummary(target, revision, deals, interactions, target.stat().st_size)


def restore_postgres(url: URL, backup: Path, engine: Engine, *, known: set[str], force: bool) -> BackupSummary:
    check_format(backup, PGDUMP_MAGIC, "a pg_dump custom-format file (dealbot backup of a PostgreSQL install)")
    _run_tool("pg_restore", ["--list", str(backup)], None)  # readable at all, before touching anything
    _refuse_non_empty(url, force, engine)
    _run_tool("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
                             str(backup)], url)
    revision, deals, interactions = _pg_figures(engine)
    if revision is not None and revision not in known:
        # restored already (pg_restore was all or nothing); say what to do rather than pretend
        raise BackupError(f"restored, but the backup is at schema revision {revision}, newer than this "
                          "dealbot knows: run the dealbot version that made it")
    return BackupSummary(backup, revision, deals, interactions, backup.stat().st_size)


def _pg_figures(engine: Engine) -> tuple[str | None, int, int]:
    from storage.migrate import current

    counts = row_counts(engine)
    return current(engine), counts.get("deals", 0), counts.get("interactions", 0)


def _run_tool(tool: str, args: list[str], url: URL | None) -> str:
    """Run pg_dump / pg_restore; the password goes in the environment, never on the command line."""
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client); "
                          "PostgreSQL backups use it")
    env = dict(os.environ)
    command = [tool, *args]
    if url is not None:
        libpq = url.set(drivername="postgresql")
        if libpq.password is not None:
            env["PGPASSWORD"] = str(libpq.password)
        command.append(f"--dbname={libpq.set(password=None).render_as_string(hide_password=False)}")
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[0]
        raise BackupError(f"{tool} failed: {first}")
    return done.stdout


# -- both ------------------------------------------------------------------------------------------
def check_format(path: Path, magic: bytes, what: str) -> None:
    try:
        with open(path, "rb") as file:
            head = file.read(len(magic))
    except FileNotFoundError:
        raise BackupError(f"there is no file {path}") from None
    if head != magic:
        raise BackupError(f"{path} is not {what}")


def _refuse_newer(revision: str | None, known: set[str]) -> None:
    if revision is not None and revision not in known:
        raise BackupError(f"the backup is at schema revision {revision}, newer than this dealbot knows: "
                          "restore it with the dealbot version that made it")


def _refuse_non_empty(url: URL, force: bool, engine: Engine | None = None) -> None:
    if force:
        return
    from storage.db import make_engine

    own = engine is None
    engine = engine or make_engine(url)
    try:
        counts = row_counts(engine)
    except Exception:  # no dealbot tables (a new, empty database): nothing to overwrite
        return
    finally:
        if own:
            engine.dispose()
    filled = {table: rows for table, rows in counts.items() if rows}
    if filled:
        biggest = ", ".join(f"{rows} {table}" for table, rows in sorted(filled.items(), key=lambda kv: -kv[1])[:3])
        raise BackupError(f"the database is not empty ({biggest}); restore replaces everything in it: "
                          "add --force if that is what you want")


def is_sqlite(url: str | URL) -> bool:
    return normalize_url(url).get_backend_name() == "sqlite"
