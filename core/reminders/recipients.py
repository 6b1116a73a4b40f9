"""Where a proactive message to a person goes: a direct chat on one of their platforms.

DM chat ids follow each platform's notifier: Slack takes the user id (the notifier opens the
DM), Telegram the user id (a private chat has the user's id), DingTalk `user:<staffId>` (a
one-to-one robot message). The console cannot be pushed to.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from core.domain.model import Deal, Identity, Member, Team

PUSHABLE = ("slack", "telegram", "dingtalk")


@dataclass(frozen=True)
class Destination:
    platform: str
    chat_id: str


def dm_chat_id(platform: str, user_id: str) -> str | None:
    if platform in ("slack", "telegram"):
        return user_id
    if platform == "dingtalk":
        return f"user:{user_id}"
    return None


def direct_destination(identities: Sequence[Identity],
                       platforms: Collection[str] | None = None) -> Destination | None:
    """The member's first account (oldest first) on a platform that can push, and is running
    here when `platforms` is given; None when there is none (then they get no push)."""
    for identity in sorted(identities, key=lambda i: i.id or 0):
        if platforms is not None and identity.platform not in platforms:
            continue
        chat_id = dm_chat_id(identity.platform, identity.user_id)
        if chat_id:
            return Destination(identity.platform, chat_id)
    return None


def preferred_destination(identities: Sequence[Identity], prefer: str) -> Destination | None:
    """A DM on the `prefer` platform when they have an account there, else on their first."""
    ordered = sorted(identities, key=lambda i: (i.platform != prefer, i.id or 0))
    return direct_destination(ordered, [prefer]) or direct_destination(ordered)


@dataclass(frozen=True)
class DealPeople:
    """A deal and whom to tell about it: its owner with their platform accounts, its customer's
    name and its team (read together in one query: SuggestionRepository.deal_people). Copies to
    read, not objects of the unit of work: changing them changes nothing."""

    deal: Deal
    owner: Member | None
    identities: tuple[Identity, ...]
    customer_name: str | None
    team: Team | None


def can_push(platform: str) -> bool:
    return platform in PUSHABLE
