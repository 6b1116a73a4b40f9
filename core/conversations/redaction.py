"""Taking an erased person's words out of what was written about them (`forget`).

The audit log and the outbox keep JSON copies of what changed or was sent: a task kept from a
customer's message carries that message as its title, a member's creation names their handle.
`redact` replaces every occurrence of the erased words in such a value with ERASED, leaving the
rest of the entry (who did what, when) as it was.

A word that starts or ends with a Latin letter or digit matches only as a whole word there, so
erasing the handle `al` leaves "deal" alone; Chinese has no spaces, so a Chinese name matches
anywhere. A word of digits (a platform's user id) is not taken out of a longer number either,
"2001.00" or "2001-05" included.
"""

from __future__ import annotations

import re
from collections.abc import Collection

ERASED = "[erased]"  # what stands where erased text was
SHORTEST = 2  # a one-character "word" would erase half of every entry


def words_pattern(words: Collection[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for the words (longest first), or None when none is usable."""
    usable = sorted({w.strip() for w in words if w and len(w.strip()) >= SHORTEST}, key=len, reverse=True)
    if not usable:
        return None
    return re.compile("|".join(_one(word) for word in usable), re.IGNORECASE)


def _one(word: str) -> str:
    if word.isdigit():  # a platform's user id: never a piece of an amount (2001.00) or a date
        return rf"(?<![\w.\-]){word}(?![\w.\-])"
    before = r"(?<![A-Za-z0-9_])" if _latin(word[0]) else ""
    after = r"(?![A-Za-z0-9_])" if _latin(word[-1]) else ""
    return before + re.escape(word) + after


def _latin(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def redact(value: object, pattern: re.Pattern[str]) -> object:
    """`value` (JSON: dicts, lists, strings, numbers) with the pattern's matches replaced by
    ERASED in every string, keys included; the same object when nothing matched."""
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        items = [redact(item, pattern) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, dict):
        pairs = [(redact(k, pattern), redact(v, pattern)) for k, v in value.items()]
        same = all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True))
        return value if same else dict(pairs)
    return value
