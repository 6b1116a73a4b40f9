"""The REST API's round trip over a socket, beside the console path, in the same run.

    python -m bench.api [--n 500] [--url DATABASE_URL]

The API side is the real wiring: bot.bootstrap.build on a fresh SQLite file (or --url), the
aiohttp server of `dealbot run` (bot.run.web_app) carrying bot.api on 127.0.0.1, and an httpx
client with keep-alive: `GET /deals/{id}` and `POST /deals/{id}/move` (to the next stage, then back
to the first, alternately). The baseline is the same read and move through the console path
(ConsoleAdapter.answer: `show D-n`, `move D-n …`), interleaved in blocks of 20 so both meet the
same load. The rate limit is set out of the way. Never part of the test run.
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.console import ConsoleAdapter  # noqa: E402
from bot.bootstrap import build  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.token_cli import create  # noqa: E402
from tests.api.server import served  # noqa: E402

BLOCK = 20


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-api-"))
    settings = Settings(_env_file=None, database_url=args.url or f"sqlite:///{folder / 'dealbot.db'}",
                        log_file=folder / "dealbot.log", admins="console:boss", console_user="boss")
    wired = build(settings)
    console = ConsoleAdapter(wired.bot.handle, local_user="boss")
    for n in range(2):
        console.answer(f"new Bench{n} 10k")
    out = io.StringIO()
    create(wired, "bench", "admin", settings.team, False, out)
    token = out.getvalue().strip().splitlines()[-1]
    times: dict[str, list[float]] = {"api GET /deals/{id}": [], "console show": [],
                                     "api POST move": [], "console move": []}
    stages = ("contact", "lead")
    with served(wired, rate_per_minute=10**9) as server, server.client(token) as api:
        for _ in range(20):  # warm-up: connections, caches
            api.get("/deals/D-1")
            console.answer("show D-2")
        done = 0
        while done < args.n:
            for _ in range(BLOCK):
                t0 = time.perf_counter()
                assert api.get("/deals/D-1").status_code == 200
                times["api GET /deals/{id}"].append(time.perf_counter() - t0)
                stage = stages[done % 2]
                t0 = time.perf_counter()
                assert api.post("/deals/D-1/move", json={"stage": stage}).status_code == 200
                times["api POST move"].append(time.perf_counter() - t0)
                done += 1
            for k in range(BLOCK):
                t0 = time.perf_counter()
                console.answer("show D-2")
                times["console show"].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                console.answer(f"move D-2 {stages[(done + k) % 2]}")
                times["console move"].append(time.perf_counter() - t0)
    wired.engine.dispose()
    print(f"{platform.python_version()} · {platform.machine()} · {wired.settings.database_label()} · n={args.n}")
    print(f"{'path':<22}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}")
    for name, values in times.items():
        ms = [v * 1000 for v in values]
        print(f"{name:<22}{_pct(ms, 0.5):>9.2f}{_pct(ms, 0.99):>9.2f}{statistics.fmean(ms):>9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
