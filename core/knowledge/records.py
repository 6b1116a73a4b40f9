"""The stored records of knowledge: playbook lines, FAQ entries, questions asked, retros."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class PlaybookLine:
    """One line a manager added to a stage's playbook from chat (lines of the pipeline file are
    not stored: they come with the pipeline). Removing it keeps the row, so history shows both."""

    team_id: int
    stage: str
    section: str  # core.language.commands.PLAYBOOK_SECTIONS
    text: str
    added_at: datetime
    added_by: int | None = None
    removed_at: datetime | None = None
    removed_by: int | None = None
    id: int | None = None


@dataclass
class FaqEntry:
    team_id: int
    question: str
    answer: str
    added_at: datetime
    tags: list[str] = field(default_factory=list)
    added_by: int | None = None
    removed_at: datetime | None = None
    id: int | None = None

    @property
    def code(self) -> str:
        return f"F-{self.id}"


@dataclass
class FaqAsk:
    """A question asked with `faq <words>`: the best answer found (None: nothing good), its score
    (0–100), and whether the asker said it did not help. `faq gaps` reads these."""

    team_id: int
    words: str
    at: datetime
    member_id: int | None = None
    best_id: int | None = None
    score: int = 0
    unhelpful_at: datetime | None = None
    id: int | None = None

    @property
    def code(self) -> str:
        return f"A-{self.id}"


@dataclass
class Retro:
    """A closed deal's retrospective, one per deal (written again: replaced)."""

    deal_id: int
    team_id: int
    text: str
    at: datetime
    author_id: int | None = None
    id: int | None = None


@dataclass
class Onboarding:
    """`onboard @newrep`: the lessons queued for a new rep's first two weeks (their outbox rows,
    lesson n at index n-1) and the lessons they marked read."""

    team_id: int
    member_id: int
    started_at: datetime
    manager_id: int | None = None
    outbox_ids: list[int] = field(default_factory=list)
    done: list[int] = field(default_factory=list)  # lesson numbers, from 1
    id: int | None = None
