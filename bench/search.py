"""`find` at 100,000 deals and 1,000,000 captured messages, beside a plain SQL LIKE, same run.

    python bench/search.py                    # SQLite, then PostgreSQL when one answers
    python bench/search.py --no-pg --runs 20 --messages 1000000 --deals 100000
    python bench/search.py --no-pg --db /tmp/search.db   # seeds the file once; later runs search it

Seeds 10 teams (a manager and 20 reps each), 20,000 customers (half English names, half
Chinese company names, one `Acme` and one `华为技术有限公司` among them, owned by rep 1's deals),
N deals (title: the customer's name, sometimes a product after it) and M interactions (95%
captured chat messages, 5% follow-ups; English and Chinese sentences, a customer named in one
in five), then indexes them all (storage.search.reindex_all, as migration 0021 does).

Timed: `find <words>` through Dealbot.handle (the console path: a unit of work, the asker, the
index queries, the check and ranking, the reply) for each query as an admin (everything), the
manager of team 1 (a tenth) and rep 1 (their ~500 deals), `--runs` times each, rounds
interleaved; p50 and p99 per query over all three askers. The baseline, in the same run: plain
SQL `LIKE '%<words>%'` over deals' titles, customers' names and interactions' text within the
same scope, newest first, LIMIT as `find` (what a search without the index would do); it finds
no pinyin, no typo, and no word split differently, so the number found is printed beside it.

`--capture` (SQLite) measures what indexing costs the capture writer instead: bench/capture.py's
writer (group commit, the next-step hook, 100 messages in flight per chat) at 1, 10 and 100
chats, rounds interleaved in one process, with the batch's index statement (storage/capture.py)
and without it (replaced by a no-op): on a shared machine only such a same-process comparison
holds. Run bench/capture.py too for the absolute figures.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import core.services.search as search_service  # noqa: E402
from bot.bootstrap import build  # noqa: E402
from bot.config import Settings  # noqa: E402
from core.chat.messages import Incoming  # noqa: E402
from core.domain.model import DealStatus, Role  # noqa: E402
from storage import tables as t  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.driver import bind_processors  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.search import reindex_all  # noqa: E402

NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
TEAMS, REPS, CUSTOMERS = 10, 20, 20_000
CHUNK = 5_000
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
QUERIES = ("Acme", "acm", "Acmee", "华为", "技术有限", "huawei", "huwei", "quote", "quote finance", "报价")
# Typos timed again with the correction as it was before beginnings of names were tried
# (core.services.search._nearest_start off): before and after in the same run, rounds interleaved.
BEFORE = ("Acmee", "huwei")
_SYLLABLES = ["zor", "vex", "tal", "mir", "quin", "bar", "lo", "nex", "tri", "ka", "ven", "dor", "sul", "pra"]
_SUFFIXES = ["Systems", "Labs", "Group", "Foods", "Energy", "Logistics", "Bank", "Retail"]
_HAN = "深圳北京上海广州杭州南京天津成都星辰金华宏达新元恒泰华信博远中科东方瑞丰鼎盛"
_HAN_TAIL = ["科技有限公司", "贸易有限公司", "集团", "电子", "物流", "银行", "能源"]
_TEXTS_EN = ["Thanks, we will review the revised quote with our finance team.",
             "Can you send the contract to legal by Friday?", "Meeting moved to 3pm, see you there",
             "The pilot went well, next step is the budget approval", "Please resend the quote with the discount",
             "Our CTO wants a demo next week"]
_TEXTS_ZH = ["我们下周三前给您答复", "好的，收到，谢谢", "价格还需要再和老板确认一下", "报价单已经转给财务了",
             "合同明天寄出", "演示安排在周五下午"]


def _name(rng: random.Random, i: int) -> str:
    if i % 2:
        return "".join(rng.choice(_SYLLABLES) for _ in range(2)).capitalize() + " " + rng.choice(_SUFFIXES)
    return "".join(rng.choice(_HAN) for _ in range(4)) + rng.choice(_HAN_TAIL)


def seed(engine, deals: int, messages: int, rng: random.Random) -> None:
    members = []
    for team in range(1, TEAMS + 1):
        base = (team - 1) * (REPS + 1)
        members.append({"id": base + 1, "handle": f"mgr{team}", "team_id": team, "role": Role.MANAGER,
                        "display_name": f"Manager {team}", "created_at": NOW})
        members += [{"id": base + 1 + r, "handle": f"rep{team}_{r}", "team_id": team, "role": Role.REP,
                     "display_name": f"Rep {team}.{r}", "created_at": NOW} for r in range(1, REPS + 1)]
    members.append({"id": 9999, "handle": "boss", "team_id": 1, "role": Role.ADMIN, "display_name": "Boss",
                    "created_at": NOW})
    identities = [{"platform": "console", "user_id": m["handle"], "member_id": m["id"]} for m in members]
    names = {1: "Acme", 2: "华为技术有限公司"} | {i: _name(rng, i) for i in range(3, CUSTOMERS + 1)}
    team_of = {i: 1 if i <= 2 else rng.randint(1, TEAMS) for i in names}
    with engine.begin() as db:
        db.execute(insert(t.teams), [{"id": i, "name": f"team{i}", "timezone": "Asia/Shanghai", "language": "en"}
                                     for i in range(1, TEAMS + 1)])
        db.execute(insert(t.members), members)
        db.execute(insert(t.identities), identities)
        db.execute(insert(t.customers), [{"id": i, "name": n, "team_id": team_of[i], "lifecycle": "prospect",
                                          "aliases": [], "contacts": []} for i, n in names.items()])
        owner = {}
        for start in range(0, deals, CHUNK):
            rows = []
            for i in range(start + 1, min(deals, start + CHUNK) + 1):
                customer = i if i <= 2 else rng.randint(1, CUSTOMERS)
                team = team_of[customer]
                owner[i] = (team - 1) * (REPS + 1) + 1 + (1 if customer <= 2 else rng.randint(1, REPS))
                created = NOW - timedelta(days=rng.uniform(0, 365))
                title = names[customer] + (" " + rng.choice(["renewal", "pilot", "扩容"]) if rng.random() < 0.3 else "")
                rows.append({"id": i, "title": title, "customer_id": customer, "owner_id": owner[i], "team_id": team,
                             "stage": "lead", "stage_entered_at": created, "created_at": created, "currency": "CNY",
                             "status": DealStatus.OPEN, "deliverables_done": []})
            db.execute(insert(t.deals), rows)
    _seed_messages(engine, deals, messages, rng, names, team_of)
    with engine.begin() as db:
        reindex_all(db)
    if engine.dialect.name == "sqlite":
        with engine.connect() as db:
            db.exec_driver_sql("ANALYZE")
    else:
        with engine.connect() as db:
            db.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


def _seed_messages(engine, deals: int, messages: int, rng: random.Random, names: dict, team_of: dict) -> None:
    at = bind_processors(engine.dialect, t.interactions, ("occurred_at",))[0] or (lambda v: v)
    deal_customer = {}
    with engine.connect() as db:
        deal_customer = dict(db.execute(text("SELECT id, customer_id FROM deals")).all())
    columns = ("team_id", "text", "occurred_at", "kind", "deal_id", "customer_id", "platform", "chat_id",
               "message_id", "author_kind")
    rows = []
    for n in range(messages):
        deal = rng.randint(1, deals)
        customer = deal_customer[deal]
        said = rng.choice(_TEXTS_EN if rng.random() < 0.5 else _TEXTS_ZH)
        if rng.random() < 0.2:
            said = f"{said} ({names[customer]})"
        captured = rng.random() < 0.95
        rows.append((team_of[customer], said, at(NOW - timedelta(seconds=messages - n)),
                     "message" if captured else "note", deal, customer, "slack" if captured else "console",
                     f"C{deal}", f"m{n}" if captured else None, "contact" if captured else "member"))
    placeholders = ", ".join(["?" if engine.dialect.name == "sqlite" else "%s"] * len(columns))
    sql = f"INSERT INTO interactions ({', '.join(columns)}) VALUES ({placeholders})"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.executemany(sql, rows)
        else:
            with cursor.copy(f"COPY interactions ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def _like(db, query: str, scope: str) -> int:
    """The baseline: LIKE over the same three sources, in the same scope, newest first."""
    pattern = f"%{query}%"
    deal_scope = {"admin": "1 = 1", "manager": "d.team_id = 1", "rep": "d.owner_id = 2"}[scope]
    customer_scope = {"admin": "1 = 1", "manager": "c.team_id = 1",
                      "rep": "EXISTS (SELECT 1 FROM deals AS o WHERE o.customer_id = c.id AND o.owner_id = 2)"}[scope]
    message_scope = {"admin": "1 = 1", "manager": "i.team_id = 1", "rep": "d.owner_id = 2"}[scope]
    found = len(db.execute(text(f"SELECT d.id FROM deals AS d WHERE d.title LIKE :p AND {deal_scope} "
                                "ORDER BY d.id DESC LIMIT 200"), {"p": pattern}).all())
    found += len(db.execute(text(f"SELECT c.id FROM customers AS c WHERE c.name LIKE :p AND {customer_scope} "
                                 "ORDER BY c.id DESC LIMIT 200"), {"p": pattern}).all())
    found += len(db.execute(text("SELECT i.id FROM interactions AS i LEFT JOIN deals AS d ON d.id = i.deal_id "
                                 f"WHERE i.text LIKE :p AND i.deleted_at IS NULL AND {message_scope} "
                                 "ORDER BY i.id DESC LIMIT 40"), {"p": pattern}).all())
    return found


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


nearest_start = search_service._nearest_start


def _no_start(typed: str, word: str, limit: int) -> None:
    return None


def run(label: str, url: str, args, *, seeded: bool = False) -> None:
    rng = random.Random(17)
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    if not seeded:
        seed(engine, args.deals, args.messages, rng)
    print(f"\n{label}: {'kept' if seeded else 'seeded and indexed'} {args.deals:,} deals, {args.messages:,} messages "
          f"({time.perf_counter() - started:.0f} s)", flush=True)
    engine.dispose()
    settings = Settings(_env_file=None, database_url=url, log_file=Path(tempfile.gettempdir()) / "bench-search.log")
    wired = build(settings, migrate=False)
    askers = {"admin": "boss", "manager": "mgr1", "rep": "rep1_1"}
    labels = [*QUERIES, *(f"{q} (before)" for q in BEFORE)]
    ours: dict[str, list[float]] = {q: [] for q in labels}
    like: dict[str, list[float]] = {q: [] for q in labels}
    shown: dict[tuple[str, str], int] = {}
    found_like: dict[tuple[str, str], int] = {}
    counter = 0
    with wired.engine.connect() as db:
        for round_ in range(args.runs + 1):  # the first round warms the caches, untimed
            for name in labels:
                query = name.removesuffix(" (before)")
                for scope, handle in askers.items():
                    counter += 1
                    incoming = Incoming(platform="console", user_id=handle, user_name=handle, text=f"find {query}",
                                        chat_id=handle, message_id=str(counter), is_direct=True)
                    search_service._nearest_start = _no_start if name != query else nearest_start
                    start = time.perf_counter()
                    reply = wired.bot.handle(incoming)
                    took = (time.perf_counter() - start) * 1000
                    search_service._nearest_start = nearest_start
                    start = time.perf_counter()
                    found = _like(db, query, scope)
                    took_like = (time.perf_counter() - start) * 1000
                    db.rollback()
                    if round_:
                        ours[name].append(took)
                        like[name].append(took_like)
                    shown[(name, scope)] = 0 if reply.is_error or not reply.lines else len(reply.lines)
                    found_like[(name, scope)] = found
    wired.engine.dispose()
    print(f"{'query':<16} {'find p50':>9} {'p99':>7}   {'LIKE p50':>9} {'p99':>7}   lines shown (admin/manager/rep)"
          " · LIKE rows")
    everything, everything_like = [], []
    for query in labels:
        if query in QUERIES:
            everything += ours[query]
            everything_like += like[query]
        lines = "/".join(str(shown[(query, s)]) for s in askers)
        rows = "/".join(str(found_like[(query, s)]) for s in askers)
        print(f"{query:<16} {_pct(ours[query], .5):>7.1f}ms {_pct(ours[query], .99):>5.1f}ms   "
              f"{_pct(like[query], .5):>7.1f}ms {_pct(like[query], .99):>5.1f}ms   {lines} · {rows}")
    print(f"{'all':<16} {_pct(everything, .5):>7.1f}ms {_pct(everything, .99):>5.1f}ms   "
          f"{_pct(everything_like, .5):>7.1f}ms {_pct(everything_like, .99):>5.1f}ms   "
          f"({len(everything)} searches each)", flush=True)


def capture_cost(args) -> None:
    import asyncio
    import statistics

    import storage.capture as storage_capture
    from bench.capture import seed as seed_chats
    from bench.capture import writer_rate
    from bot.memory import freeze_startup_objects
    from storage.checkpoint import wal_checkpointer

    indexed = storage_capture.index_messages
    with tempfile.TemporaryDirectory() as folder:
        wired = build(Settings(_env_file=None, database_url=f"sqlite:///{Path(folder) / 'capture.db'}"), migrate=True)
        seed_chats(wired, 100)
        freeze_startup_objects()
        checkpointer = wal_checkpointer(wired.engine)
        if checkpointer is not None:
            checkpointer.start()
        print("capture writer, messages/s (median of rounds, interleaved): with the index · without · cost")
        for chats in (1, 10, 100):
            rates: dict[bool, list[float]] = {True: [], False: []}
            for n in range(args.rounds):
                for index in (True, False):
                    storage_capture.index_messages = indexed if index else (lambda *_args: None)  # type: ignore[assignment]
                    rate, _ = asyncio.run(writer_rate(wired, chats, 100, args.capture_messages,
                                                      f"s{chats}-{n}-{index}"))
                    rates[index].append(rate)
            on, off = (statistics.median(rates[flag]) for flag in (True, False))
            print(f"  {chats:>3} chats: {on:>8,.0f}/s · {off:>8,.0f}/s · {1e6 / on - 1e6 / off:+.1f} µs a message "
                  f"(with: {', '.join(f'{r:,.0f}' for r in rates[True])}; without: "
                  f"{', '.join(f'{r:,.0f}' for r in rates[False])})", flush=True)
        storage_capture.index_messages = indexed
        if checkpointer is not None:
            checkpointer.stop()
        wired.engine.dispose()


def pg_database(base: str) -> str | None:
    try:
        with psycopg.connect(make_url(base).set(drivername="postgresql").render_as_string(hide_password=False),
                             autocommit=True) as admin:
            name = f"bench_search_{int(time.time())}"
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_pg(base: str, url: str) -> None:
    with psycopg.connect(make_url(base).set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20, help="timed rounds (each: every query, every asker)")
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--db", type=Path, help="SQLite: seed this file once, search it on later runs")
    parser.add_argument("--pg-seeded", help="PostgreSQL: the URL of a database already seeded, searched as it is")
    parser.add_argument("--capture", action="store_true", help="the index's cost to the capture writer instead")
    parser.add_argument("--rounds", type=int, default=5, help="--capture: rounds of each")
    parser.add_argument("--capture-messages", type=int, default=20_000, help="--capture: per round")
    args = parser.parse_args()
    if args.capture:
        capture_cost(args)
        return
    if args.db:  # a file seeded by an earlier run with --db is kept and searched again
        run("SQLite", f"sqlite:///{args.db}", args, seeded=args.db.exists())
    elif not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            run("SQLite", f"sqlite:///{Path(folder) / 'search.db'}", args)
    if args.pg_seeded:  # a database an earlier run (or bench.search.seed) filled: searched again
        run("PostgreSQL", args.pg_seeded, args, seeded=True)
    elif not args.no_pg:
        url = pg_database(args.pg)
        if url is None:
            print("\nPostgreSQL: not reachable, skipped")
            return
        try:
            run("PostgreSQL", url, args)
        finally:
            drop_pg(args.pg, url)


if __name__ == "__main__":
    main()
