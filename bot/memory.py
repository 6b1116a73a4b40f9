"""Keep the garbage collector's full passes off the objects loaded at start-up.

After start-up a dealbot process holds 100k–160k objects from its imports (SQLAlchemy, pydantic,
dateparser, the platform SDKs). A full (generation 2) collection walks every one of them, about
70 ms on a 2-core machine, and lands on whichever command happens to trigger it. gc.freeze()
moves everything alive now into a permanent generation that collections skip; objects made later
are collected as before. The gc.collect() first frees start-up garbage instead of freezing it.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Call once, after wiring and warm-up, before the first message."""
    gc.collect()
    gc.freeze()
