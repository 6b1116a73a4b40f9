"""How long `forget` takes, and how much of it is taking the erased bytes off the disk.

    python bench/erasure.py                      # SQLite, and PostgreSQL when one is reachable
    python bench/erasure.py --messages 200000 --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

A linked chat holds `--messages` captured messages (one in a hundred from the contact who is
then forgotten) and the audit log as many entries; `forget @<contact>` runs through
Dealbot.handle as a chat command does. Printed per database: the whole command (the erase, the
redaction of copies, the commit, then storage/erasure.py's reclaiming: SQLite's TRUNCATE
checkpoint, PostgreSQL's VACUUM and VACUUM FULL of the touched tables), and the reclaiming
alone, run again on its own.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from bot.bootstrap import build  # noqa: E402
from bot.config import Settings  # noqa: E402
from core.chat.context import Defaults  # noqa: E402
from core.chat.messages import Incoming  # noqa: E402
from core.conversations.capture import ChatEvent  # noqa: E402
from core.domain.model import ChatBinding  # noqa: E402
from core.services.capture import store_captured  # noqa: E402
from storage import tables as t  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.erasure import reclaim_erased_space  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.fakes import FixedClock  # noqa: E402

CONTACT, BATCH = "Qiuyue Lanfang", 2000


def fill(wired, messages: int) -> None:
    clock = wired.bot.clock
    wired.bot.handle(Incoming(platform="console", user_id="boss", user_name="boss", text="new Acme 50k"))
    with wired.uow() as uow:
        uow.chat_bindings.add(ChatBinding("telegram", "-100", 1, clock.now(), bound_by=1, deal_id=1))
        uow.commit()
    start = clock.now() - timedelta(days=30)
    for first in range(0, messages, BATCH):
        events = [ChatEvent("telegram", "-100", f"m{n}", user_id="2001" if n % 100 == 0 else f"3{n % 50}",
                            user_name=CONTACT if n % 100 == 0 else f"Colleague {n % 50}",
                            text=f"message {n} about the quote, mail me at someone{n}@example.com",
                            sent_at=start + timedelta(seconds=n))
                  for n in range(first, min(first + BATCH, messages))]
        with wired.uow() as uow:
            store_captured(uow, events, clock.now(), Defaults())
            uow.commit()
    rows = [{"action": "deal.update", "entity": "D-1", "at": start, "actor_id": 1, "source": "bench:",
             "before": {"title": f"old {n}"}, "after": {"title": f"new {n}"}} for n in range(messages)]
    with wired.engine.begin() as connection:
        connection.execute(t.audit_entries.insert(), rows)


def run(url: str, messages: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    wired = build(Settings(_env_file=None, database_url=url, admins="console:boss",
                           log_file=Path(tempfile.gettempdir()) / "dealbot-bench-erasure.log"), migrate=False)
    wired.bot.clock = FixedClock(datetime(2026, 3, 4, 2, 0, tzinfo=UTC))
    fill(wired, messages)
    began = time.perf_counter()
    reply = wired.bot.handle(Incoming(platform="console", user_id="boss", user_name="boss",
                                      text=f"forget @{CONTACT}"))
    whole = time.perf_counter() - began
    began = time.perf_counter()
    reclaim_erased_space(wired.engine)
    alone = time.perf_counter() - began
    name = wired.engine.dialect.name
    wired.engine.dispose()
    print(f"{name:10} {messages:>8} messages: forget {whole * 1000:8.0f} ms, of which reclaiming "
          f"~{alone * 1000:6.0f} ms  ({reply.title})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.db", args.messages)
    server = args.pg.replace("postgresql+psycopg://", "postgresql://")
    try:
        admin = psycopg.connect(server, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        print("no PostgreSQL reachable: skipped")
        return
    name = f"dealbot_bench_erasure_{int(time.time())}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        run(args.pg.rsplit("/", 1)[0] + f"/{name}", args.messages)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
