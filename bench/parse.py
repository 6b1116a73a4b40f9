"""What reading a typed command (core.language.verbs.parse) costs, by kind of command.

    python bench/parse.py [--repeats 7] [--min-time 0.2]

Kinds: plain commands (show, move, tasks), `new` with amounts and currencies, commands with a
date option (due:/close:, whose value is extended word by word while it reads as a date), and
refused input (unreadable amounts and dates, mistyped verbs: the error path with its examples and
suggestions). µs per command, the median of --repeats timed passes; each pass loops over the
kind's commands until --min-time seconds have gone by. Run it against another checkout with
PYTHONPATH=<checkout> to compare. Never part of the test run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

if not any(Path(p, "core", "parser.py").exists() for p in sys.path[1:] if p):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.domain.pipeline import DEFAULT_PIPELINE  # noqa: E402
from core.language.dates.text import warm_up  # noqa: E402
from core.language.errors import ParseError  # noqa: E402
from core.language.parser import ParseContext  # noqa: E402
from core.language.verbs import parse  # noqa: E402

CTX = ParseContext(datetime(2026, 3, 4, 2, 0, tzinfo=UTC), "Asia/Shanghai", DEFAULT_PIPELINE)
KINDS = {
    "plain": ["show D-12", "move D-12 quote", "推进 D-12 下一步", "tasks overdue", "deals mine stale", "done T-7",
              "log D-3 call: they liked the demo", "跟进 D-2 电话：客户很满意"],
    "amounts": ["new Acme 50k", "new Acme USD 5000", "new Acme 5000 USD", "新建 华为 5万", "new Big Co $3.5k",
                "新建 华为 RMB 5万", "won D-12 48k", "won D-12 EUR 4.8k"],
    "date options": ["task call Bob due:next Friday", "task call Bob due:friday 3pm D-2",
                     "new Acme close:in 3 days 50k", "new Acme close:end of quarter",
                     "task x due:2027-01-01 14:30", "新建 华为 预计成交:下月底 5万", "new Acme close:March",
                     "task 发报价 截止:下周五 下午3点"],
    "refused": ["new Neg -5k", "new Acme $5k EUR", "task x due:next Fridya", "new Acme close:someday",
                "wn D-1", "帮组", "mvoe D-1 quote", "new Acme close:2026-13-45"],
}


def per_command(texts: list[str], min_time: float) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < min_time:
        for text in texts:
            with suppress(ParseError):  # refused input is timed too: its reply is the error
                parse(text, CTX)
        count += len(texts)
    return (time.perf_counter() - start) / count * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--min-time", type=float, default=0.2)
    args = parser.parse_args(argv)
    warm_up()
    print(f"core.language.parser from {Path(sys.modules['core.language.parser'].__file__).parent.parent}")
    for kind, texts in KINDS.items():
        runs = [per_command(texts, args.min_time) for _ in range(args.repeats)]
        print(f"{kind:<13} {statistics.median(runs):8.1f} µs per command")


if __name__ == "__main__":
    main()
