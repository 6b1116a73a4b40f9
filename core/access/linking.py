"""Linking one person's accounts on two platforms into one member, so that nobody else can.

The steps, and the attack each one stops:

1. `me link` on the first account, in a direct chat only: the code is never shown to a group
   (a group's members could otherwise redeem it). It is valid for CODE_MINUTES, a member has one
   code at a time, and only its hash is stored (a copy of the database holds no usable code).
2. `me link <code>` from the second account redeems it once. Nothing is merged yet: the
   request waits for the member who asked for the code, who gets a direct message with
   [Confirm] [Cancel]. A stranger who saw or guessed a code (even an admin's) therefore gains
   nothing unless that member confirms; the redeemer cannot confirm for them.
3. `me link confirm` from the first account (within CONFIRM_MINUTES) merges the second
   account's member into it.

Guessing: wrong codes are counted per account (ACCOUNT_FAILURES per ACCOUNT_WINDOW) and for
everyone together (GLOBAL_FAILURES per GLOBAL_WINDOW). Past either limit every redemption is
refused (a right code too) until the window has passed: with 10^8 codes, a handful alive at a
time and at most GLOBAL_FAILURES tries per window, guessing one is hopeless, and step 2 still
stands in the way. The price: someone guessing can hold linking up for everyone for a while.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.domain.model import Stored

CODE_MINUTES = 5
CONFIRM_MINUTES = 10
ACCOUNT_FAILURES, ACCOUNT_WINDOW = 5, timedelta(hours=1)
GLOBAL_FAILURES, GLOBAL_WINDOW = 30, timedelta(minutes=10)
# Wrong guesses older than this count for nothing and are dropped.
FAILURES_KEPT = max(ACCOUNT_WINDOW, GLOBAL_WINDOW)


def hash_code(code: str) -> str:
    """What is stored of a code. (An 8-digit code's hash can be reversed by trying them all;
    it is stored hashed so that a backup or a read of the table gives no code still valid
    without that work, and the code dies within minutes anyway.)"""
    return hashlib.sha256(f"dealbot-link:{code}".encode()).hexdigest()


@dataclass(eq=False)
class LinkRequest(Stored):
    """A code asked for by `member_id` on (platform, user_id); once redeemed, the account that
    wants to join and when, until the asker confirms or cancels."""

    member_id: int
    code_hash: str
    platform: str
    user_id: str
    expires_at: datetime
    redeemer_id: int | None = None
    redeemer_platform: str = ""
    redeemer_user_id: str = ""
    redeemed_at: datetime | None = None
    id: int | None = None

    @property
    def redeemed(self) -> bool:
        # redeemer_id stays None when the account that redeemed it is not a member yet
        return self.redeemed_at is not None

    def usable(self, now: datetime) -> bool:
        """The code may still be redeemed."""
        return not self.redeemed and now < self.expires_at

    def awaiting_confirmation(self, now: datetime) -> bool:
        return self.redeemed_at is not None and now < self.redeemed_at + timedelta(minutes=CONFIRM_MINUTES)


class Lockout(StrEnum):
    ACCOUNT = "account"  # this account guessed wrong too often
    EVERYONE = "everyone"  # too many wrong guesses from anyone: a guessing attack


def lockout(account_failures: int, all_failures: int) -> Lockout | None:
    if account_failures >= ACCOUNT_FAILURES:
        return Lockout.ACCOUNT
    if all_failures >= GLOBAL_FAILURES:
        return Lockout.EVERYONE
    return None
