"""Invite codes (`invite` -> `join <code>`): how they look, how they are made and what is stored
of them. Here, not in core.access, because the parser recognises a code's shape too."""

from __future__ import annotations

import hashlib
import secrets

# No 0/o, 1/l/i: a code read aloud or retyped from a phone survives. 12 characters of 31 are
# about 59 bits: with JOIN_TRIES_OVERALL guesses an hour, a guess succeeds once in ~10^14 years.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 12


def new_invite_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


def hash_code(code: str) -> str:
    """What is stored of a code: its SHA-256. The codes are random and long, so no salt or slow
    hash is needed; a copy of the database does not hold a usable code."""
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()


def looks_like_code(word: str) -> bool:
    return len(word) == CODE_LENGTH and all(ch in _ALPHABET for ch in word.lower())
