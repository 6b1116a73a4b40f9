"""Captured group chats: which chats are linked, their messages, suggested next steps, erasure."""


from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from core.conversations.capture import CaptureTarget
from core.conversations.response_times import ResponsePair, Waiting
from core.domain.model import (
    ChatBinding,
    Customer,
    DecidedSuggestion,
    Interaction,
    Suggestion,
)
from core.reminders.recipients import DealPeople


class ChatBindingRepository(Protocol):
    """Group chats linked to a deal or a customer (`link D-12`); one binding per chat."""

    def add(self, binding: ChatBinding) -> ChatBinding: ...
    def for_chat(self, platform: str, chat_id: str) -> ChatBinding | None: ...
    def targets(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], CaptureTarget]:
        """Where the messages of these (platform, chat_id) pairs go, by pair (unbound chats left
        out): one query, the customer of a deal binding filled in."""
        ...

    def for_deal(self, deal_id: int) -> Sequence[ChatBinding]: ...
    def remove(self, binding: ChatBinding) -> None: ...


class SuggestionRepository(Protocol):
    """Next steps found in captured chat, offered to a deal's owner (core.conversations.suggestions)."""

    def add(self, suggestion: Suggestion) -> Suggestion: ...
    def add_all(self, suggestions: Sequence[Suggestion]) -> None:
        """Store them together; each one's id is set on return."""
        ...

    def deal_people(self, deal_ids: Collection[int]) -> dict[int, DealPeople]:
        """These deals (those that exist), each with its owner, the owner's identities, its
        customer and its team: what offering a suggestion needs, in one query rather than five."""
        ...

    def get(self, suggestion_id: int) -> Suggestion | None: ...
    def save(self, suggestion: Suggestion) -> None:
        """Write back its decision: status, decided_at, decided_by, task_id."""
        ...

    def decided(self, statuses: Collection[str], team_id: int | None = None) -> list[DecidedSuggestion]:
        """Suggestions in these statuses (of one team, or all), oldest first, with their
        messages' authors and times: the labelled examples `dealbot nextsteps export` writes."""
        ...


class ConversationRepository(Protocol):
    """Questions about captured conversations: who waits for an answer, and how long answers took.

    Only captured messages count (kind 'message'); a contact's message is answered by the next
    member's message in the same (platform, chat_id). Deleted messages still count as sent for
    the figures, but are never shown as waiting.
    """

    def response_pairs(self, team_id: int, start: datetime, end: datetime) -> list[ResponsePair]:
        """Each contact message of the team asked in [start, end), with the first member message
        after it in its chat (or none), oldest first."""
        ...

    def waiting(self, team_id: int, since: datetime, until: datetime) -> list[Waiting]:
        """The team's unanswered contact messages sent in (since, until] that start a streak (the
        message before each in its chat is a member's, or there is none), in chats still linked
        and capturing; oldest first. One per customer wait, however many messages it holds."""
        ...

    def unanswered(self, deal_id: int, customer_id: int | None) -> Waiting | None:
        """The latest contact message still unanswered in the chats linked to the deal (and, with
        customer_id, those linked to its customer): a chat whose newest message is a contact's."""
        ...


class PrivacyRepository(Protocol):
    """Retention, `forget` and data-subject exports, each one statement over many rows.

    Erasing keeps a captured row as a tombstone (text '', no author name or platform user id,
    deleted_at set), so a late redelivery of the message is still a duplicate and the response
    figures keep their timestamps; suggestions made from erased messages lose their text, and so
    do the tasks kept from them and the DMs that offered them.
    """

    def purge_captured(self, team_id: int, before: datetime, now: datetime) -> int:
        """Erase the team's captured messages sent before `before`; how many were erased."""
        ...

    def erase_member(self, member_id: int, now: datetime) -> int:
        """Erase the member's captured messages and their name on every interaction."""
        ...

    def erase_contact(self, platform: str, user_id: str, now: datetime) -> int:
        """Erase the contact's captured messages."""
        ...

    def contacts_named(self, team_id: int | None, name: str) -> list[tuple[str, str, str]]:
        """(platform, user id, name) of the contacts whose captured name is `name` (any case)."""
        ...

    def customer_interactions(self, customer_id: int) -> list[Interaction]:
        """Every interaction of the customer or of its deals, oldest first; deleted ones left out."""
        ...

    def customers_with_contacts(self) -> list[Customer]:
        """Customers whose contact list is not empty (forget scrubs them)."""
        ...

    def redact(self, words: Collection[str]) -> int:
        """Replace the words (core.conversations.redaction: whole words, any case) in every audit entry and
        outbox message; how many rows changed."""
        ...

    def drop_identities(self, member_id: int) -> None:
        """The member's platform accounts go: nothing keeps their user ids."""
        ...
