"""The port of knowledge (core.knowledge): playbook lines, the FAQ and its questions, retros."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from core.domain.model import Interaction
from core.knowledge.records import FaqAsk, FaqEntry, Onboarding, PlaybookLine, Retro
from core.knowledge.similar import Profile


class KnowledgeRepository(Protocol):
    def playbook_lines(self, team_id: int, stage: str | None = None, *,
                       removed: bool = False) -> Sequence[PlaybookLine]:
        """The team's chat-added playbook lines (of one stage when given), oldest first; with
        removed=True the removed ones too (history)."""
        ...

    def add_playbook_line(self, line: PlaybookLine) -> PlaybookLine: ...
    def remove_playbook_line(self, line: PlaybookLine, by: int | None, at: datetime) -> None: ...

    def faq_entries(self, team_id: int) -> Sequence[FaqEntry]:
        """The team's FAQ entries not removed, oldest first."""
        ...

    def faq_entry(self, faq_id: int) -> FaqEntry | None: ...
    def add_faq(self, entry: FaqEntry) -> FaqEntry: ...
    def remove_faq(self, entry: FaqEntry, at: datetime) -> None: ...

    def add_ask(self, ask: FaqAsk) -> FaqAsk: ...
    def ask(self, ask_id: int) -> FaqAsk | None: ...
    def mark_unhelpful(self, ask: FaqAsk, at: datetime) -> None: ...
    def asks(self, team_id: int, since: datetime) -> Sequence[FaqAsk]:
        """The questions asked in the team since then, oldest first."""
        ...

    def put_retro(self, retro: Retro) -> Retro | None:
        """Store the deal's retro, replacing its earlier one (returned, as it was)."""
        ...

    def retros(self, deal_ids: Collection[int]) -> dict[int, Retro]:
        """The retros of these deals, by deal id (deals without one left out)."""
        ...

    def add_onboarding(self, onboarding: Onboarding) -> Onboarding: ...
    def save_onboarding(self, onboarding: Onboarding) -> None:
        """Write back its outbox rows and the lessons done."""
        ...

    def onboarding_of(self, member_id: int) -> Onboarding | None:
        """The member's latest onboarding, if any."""
        ...

    def onboardings(self, team_id: int) -> Sequence[Onboarding]:
        """The team's onboardings, newest first."""
        ...

    def closed_profiles(self, team_id: int, statuses: Collection[str], limit: int) -> Sequence[Profile]:
        """What similarity reads (core.knowledge.similar.Profile) of the team's deals in these
        statuses, the latest closed first, at most `limit`: one query, deals with their customers."""
        ...

    def customer_messages(self, customer_id: int, limit: int) -> Sequence[Interaction]:
        """The captured messages of the chats linked to the customer itself (not to one of its
        deals), newest first, at most `limit`; deleted ones left out."""
        ...
