"""What a search finds, who may see it, and the order of the one list `find` answers with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.domain.model import Member, Role
from core.search.terms import Query, fold

DEAL, CUSTOMER, CONTACT, FOLLOW_UP, MESSAGE = "deal", "customer", "contact", "follow_up", "message"
_KIND_ORDER = {DEAL: 0, CUSTOMER: 1, CONTACT: 2}


@dataclass(frozen=True)
class Scope:
    """What the asker may see: exactly what they may open with `show`, `customer` and `contacts`
    (core.access.permissions.can_view_deal, can_view_customer): a rep or a manager their team's
    deals, customers, contacts and the messages and follow-ups of those; an admin everything."""

    team_id: int | None = None

    @classmethod
    def of(cls, member: Member) -> Scope:
        if member.role == Role.ADMIN:
            return cls()
        return cls(team_id=member.team_id)


@dataclass(frozen=True)
class NameHit:
    """A deal (its title and customer's name), a customer (name and aliases) or a customer's
    contacts, as stored now. `id` is the deal's or the customer's."""

    kind: str
    id: int
    names: tuple[str, ...]
    customer: str
    stage: str | None = None


@dataclass(frozen=True)
class MessageHit:
    """A captured chat message (kind `message`) or a logged follow-up (note, call, meeting, email)."""

    id: int
    kind: str
    text: str
    at: datetime
    deal_id: int | None
    customer: str | None
    author: str | None

    @property
    def is_captured(self) -> bool:
        return self.kind == MESSAGE


def matched_names(query: Query, hit: NameHit) -> list[str]:
    """The names of a hit that hold the whole query (a contact hit: the matching contacts)."""
    if hit.kind == DEAL:  # a deal is found by its title and its customer's name together
        return [hit.names[0]] if query.matches(" ".join(hit.names)) else []
    return [name for name in hit.names if query.matches(name)]


def rank_names(query: Query, hits: Sequence[NameHit], typo: bool = False) -> list[tuple[NameHit, str]]:
    """The hits that really match, each with the name it matched by, best first: the whole name
    typed, then names starting with what was typed, then the rest (pinyin, inner words); deals
    before customers before contacts; newer before older."""
    wanted = fold(query.text).strip()
    found = []
    for hit in hits:
        names = matched_names(query, hit)
        if not names:
            continue
        name = names[0]
        folded = fold(name)
        closeness = 3 if typo else 0 if folded == wanted else 1 if folded.startswith(wanted) else 2
        found.append(((closeness, _KIND_ORDER[hit.kind], -hit.id), hit, name))
    found.sort(key=lambda item: item[0])
    return [(hit, name) for _, hit, name in found]


def real_messages(query: Query, hits: Sequence[MessageHit]) -> list[MessageHit]:
    """The messages that still say what was asked, newest first."""
    kept = [hit for hit in hits if hit.text and query.matches(hit.text, pinyin=False)]
    return sorted(kept, key=lambda hit: (hit.at, hit.id), reverse=True)


def snippet(text: str, query: Query, width: int = 70) -> str:
    """The part of a text around the first term found, at most `width` characters."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    folded = fold(flat)
    at = min((i for i in (folded.find(term.text) for term in query.terms) if i >= 0), default=0)
    start = max(0, min(at - width // 3, len(flat) - width))
    part = flat[start:start + width]
    return ("…" if start > 0 else "") + part + ("…" if start + width < len(flat) else "")
