"""Keep the garbage collector off the objects loaded at start-up and out of capture batches.

After start-up a dealbot process holds 100k–160k objects from its imports (SQLAlchemy, pydantic,
dateparser, the platform SDKs). A full (generation 2) collection walks every one of them, about
70 ms on a 2-core machine, and lands on whichever command happens to trigger it. gc.freeze()
moves everything alive now into a permanent generation that collections skip; objects made later
are collected as before. The gc.collect() first frees start-up garbage instead of freezing it.

Then the young generation's threshold goes up. A capture batch keeps thousands of objects alive
until its commit (events, rows, futures); collected every 700 allocations (Python's default),
they are walked again and again and promoted, and nothing is freed: at 100 busy chats that was
350–490 ms of collections per 80,000 captured messages (bench/capture.py), 4–6 µs a message. At
20,000 the same run spends about 35 ms. Almost everything dealbot allocates is freed by reference
counting anyway; a collection only finds cycles, which now wait a little longer.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 20_000


def freeze_startup_objects() -> None:
    """Call once, after wiring and warm-up, before the first message."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, older, oldest)
