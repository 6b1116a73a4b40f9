"""One check of a lead's phone and e-mail for every way in: chat's `lead` words, the REST API's
`POST /api/v1/leads` and a leads file. A word that looks like a phone number (digits, maybe with
+, -, (), . or spaces) or an e-mail address (something@something) but is not a valid one is
refused with the same sentence everywhere, never folded into the person's name."""

from __future__ import annotations

import re

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\-(). ]{5,40}$")
_PHONE_LIKE = re.compile(r"^[+\-(]*\d[\d\-(). ]*$")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 7, 20  # 20: a country code and an extension; two numbers are more


def is_phone(text: str) -> bool:
    return bool(_PHONE.match(text)) and MIN_PHONE_DIGITS <= sum(ch.isdigit() for ch in text) <= MAX_PHONE_DIGITS


def is_email(text: str) -> bool:
    return bool(EMAIL.match(text))


def looks_like_phone(word: str) -> bool:
    """Digits with phone punctuation only: `12345`, `-5`, `+86`, `138-0013-8000`."""
    return bool(_PHONE_LIKE.match(word))


def looks_like_email(word: str) -> bool:
    """An @ inside the word (not a leading @handle)."""
    return "@" in word[1:] and not any(ch.isspace() for ch in word)


def problem(phone: str | None, email: str | None) -> tuple[str, str] | None:
    """(message key, the bad value) of the first bad field, None when both are fine or absent."""
    if phone and not is_phone(phone):
        return "cust.bad_phone", phone[:40]
    if email and not is_email(email):
        return "cust.bad_email", email[:40]
    return None
