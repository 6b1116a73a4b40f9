"""The duplicate check of a new lead against the team's customers and their contacts.

A lead is a known customer's when its company is one of the customer's names or aliases, once
normalised (case, width, punctuation and a legal-form suffix such as Inc., Ltd, 有限公司 folded
away: "ACME Inc." is Acme, "华为技术有限公司" is 华为技术), or when its phone or e-mail is one of
the customer's contacts' (phones compared by their digits without a +86 / 0086 prefix, e-mails
case-folded). Such a lead goes to the customer's owner (core.leads.flow). The same keys find a
lead that repeats one of the team's open leads (`duplicate_of`): it is refused, not taken in twice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from core.domain.model import Customer
from core.leads.model import Lead, LeadFields

# Legal forms at the end of a company's name, longest first (folded, punctuation removed).
_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司",
             "incorporated", "corporation", "company", "limited", "gmbh", "corp", "inc", "ltd", "llc",
             "plc", "co", "ag", "sa", "bv")
_NOT_WORD = re.compile(r"[\W_]+")


def name_key(name: str) -> str:
    """`ACME, Inc.` → acme; `华为技术有限公司` → 华为技术; a name that is only a legal form stays."""
    words = _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", name).casefold()).split()
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    joined = "".join(words)
    for suffix in _SUFFIXES:
        if not suffix.isascii() and joined.endswith(suffix) and len(joined) > len(suffix):
            return joined[: -len(suffix)]
    return joined


def phone_key(phone: str | None) -> str | None:
    """The digits of a phone number, without a Chinese country prefix; None under 5 digits."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", phone or "") if ch.isdigit())
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if len(digits) >= 5 else None


def email_key(email: str | None) -> str | None:
    text = unicodedata.normalize("NFKC", email or "").strip().casefold()
    return text if "@" in text else None


@dataclass(frozen=True)
class Match:
    customer: Customer
    by: str  # name | phone | email


def known_customer(fields: LeadFields, customers: Iterable[Customer]) -> Match | None:
    """The first customer (oldest first) the lead is a duplicate of, and by what."""
    name, phone, email = name_key(fields.company), phone_key(fields.phone), email_key(fields.email)
    by_contact: Match | None = None
    for customer in sorted(customers, key=lambda c: c.id or 0):
        if name and any(name_key(n) == name for n in (customer.name, *customer.aliases)):
            return Match(customer, "name")
        if by_contact is None:
            for contact in customer.contacts:
                if phone and phone_key(contact.get("phone")) == phone:
                    by_contact = Match(customer, "phone")
                    break
                if email and email_key(contact.get("email")) == email:
                    by_contact = Match(customer, "email")
                    break
    return by_contact


def duplicate_of(fields: LeadFields, leads: Iterable[Lead]) -> Lead | None:
    """The oldest of these (open) leads the new one repeats: the same company once normalised, or
    the same phone or e-mail. A second lead of one prospect is not offered to a second rep."""
    name, phone, email = name_key(fields.company), phone_key(fields.phone), email_key(fields.email)
    for lead in sorted(leads, key=lambda lead: lead.id or 0):
        if (name and name_key(lead.company) == name) or (phone and phone_key(lead.phone) == phone) \
                or (email and email_key(lead.email) == email):
            return lead
    return None
