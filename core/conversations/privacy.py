"""Privacy rules for captured chat text: masking contact details, and what `forget` names.

Masking (team setting `mask_contacts`, off by default) replaces phone numbers and e-mail
addresses with [phone] / [email] before a captured message is stored, so the database never
holds them. The placeholders are the same in every language: stored text is not a reply.

Phone numbers are recognised by shape, not by a country database: Chinese mobiles (11 digits
starting 13–19, optionally +86 / 0086, spaced as 138 1234 5678 or 138-1234-5678), Chinese
landlines with a trunk prefix (010-12345678, 0755 8888 6666), North American 555-123-4567 and
anything written internationally (+44 20 7946 0958). Amounts (¥120,000), dates (2026-03-15),
times and deal ids are left alone: they have no such shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PHONE = "[phone]"
EMAIL = "[email]"

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_SEP = r"[\s.\-]?"
_PHONES = re.compile(
    "|".join([
        # Chinese mobile, optionally with the country code
        rf"(?:(?:\+|00)?86{_SEP})?1[3-9][0-9]{_SEP}[0-9]{{4}}{_SEP}[0-9]{{4}}",
        # international: +<country> then at least 7 more digits in groups
        r"\+[1-9][0-9]{0,3}(?:[\s.\-]?\(?[0-9]{1,4}\)?){2,5}",
        # Chinese landline with its trunk prefix: 010-12345678, (0755) 8888 6666
        r"\(?0[1-9][0-9]{1,2}\)?[\s\-][0-9]{3,4}[\s\-]?[0-9]{4}",
        # North American: 555-123-4567, (555) 123-4567
        r"\(?[2-9][0-9]{2}\)?[\s.\-][0-9]{3}[.\-][0-9]{4}",
    ])
)
# A phone number is never part of a longer run of digits or Latin letters (Chinese may touch it:
# 手机13912345678).
_PHONE = re.compile(rf"(?<![0-9A-Za-z+])(?:{_PHONES.pattern})(?![0-9A-Za-z])")
_DIGITS = re.compile(r"[0-9]")
_CONTACT_REF = re.compile(r"^contact:(?P<platform>[a-z]+):(?P<user_id>\S+)$", re.IGNORECASE)


def mask_contacts(text: str) -> str:
    """The text with e-mail addresses and phone numbers replaced by [email] and [phone]."""
    if "@" in text:
        text = _EMAIL.sub(EMAIL, text)
    if len(_DIGITS.findall(text)) < 7:  # fewer digits than any phone number: nothing to look for
        return text
    return _PHONE.sub(_phone_or_not, text)


def _phone_or_not(found: re.Match[str]) -> str:
    digits = len(_DIGITS.findall(found.group()))
    return PHONE if 7 <= digits <= 15 else found.group()


@dataclass(frozen=True)
class ContactRef:
    """An external contact as `forget` and the contact listing name them: platform and user id."""

    platform: str
    user_id: str

    def text(self) -> str:
        return f"contact:{self.platform}:{self.user_id}"


def parse_contact_ref(text: str) -> ContactRef | None:
    found = _CONTACT_REF.match(text.strip())
    return found and ContactRef(found["platform"].lower(), found["user_id"])
