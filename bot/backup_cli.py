"""`dealbot backup FILE` and `dealbot restore FILE [--force]` (storage.backup does the work)."""

from __future__ import annotations

from typing import TextIO

from bot.config import Settings


def backup(settings: Settings, file: str, out: TextIO) -> int:
    from storage.backup import backup_postgres, backup_sqlite, is_sqlite, writable_target
    from storage.db import make_engine, normalize_url

    url = normalize_url(settings.database_url)
    target = writable_target(file)
    if is_sqlite(url):
        summary = backup_sqlite(url, target)
    else:
        engine = make_engine(url)
        try:
            summary = backup_postgres(url, target, engine)
        finally:
            engine.dispose()
    print(f"backup written: {summary.line()}", file=out)
    return 0


def restore(settings: Settings, file: str, force: bool, out: TextIO) -> int:
    from alembic.script import ScriptDirectory

    from storage.backup import is_sqlite, readable_backup, restore_postgres, restore_sqlite
    from storage.db import make_engine, normalize_url
    from storage.migrate import head, make_config

    url = normalize_url(settings.database_url)
    backup_path = readable_backup(file)
    known = {revision.revision for revision in ScriptDirectory.from_config(make_config()).walk_revisions()}
    if is_sqlite(url):
        summary = restore_sqlite(url, backup_path, known=known, force=force)
        then = "dealbot migrates it on its next start" if summary.revision != head() else "ready"
    else:
        engine = make_engine(url)
        try:
            summary = restore_postgres(url, backup_path, engine, known=known, force=force)
        finally:
            engine.dispose()
        then = "run `dealbot migrate` before starting dealbot" if summary.revision != head() else "ready"
    print(f"restored into {settings.database_label()} from {summary.line()}; {then}", file=out)
    return 0
