"""The ports of the health board: customer feedback (scores, complaints) and the board's aggregates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple, Protocol

from core.health.feedback import Complaint, Satisfaction, Survey


class Touch(NamedTuple):
    """A deal open at some moment: the stage it was in, its last stage change before the moment
    and its last follow-up (logged or captured) before it, None when it had none."""

    deal_id: int
    stage: str
    changed_at: datetime
    followed_up_at: datetime | None


class FeedbackRepository(Protocol):
    def add_score(self, score: Satisfaction) -> Satisfaction: ...

    def replace_score(self, score: Satisfaction) -> None:
        """Store a stored score's new score, comment, recorded_at and recorded_by (by its id)."""
        ...

    def add_complaint(self, complaint: Complaint) -> Complaint: ...

    def complaint(self, complaint_id: int) -> Complaint | None: ...

    def resolve(self, complaint: Complaint) -> None:
        """Store the complaint's resolution (resolved_at, resolved_by, resolution)."""
        ...

    def complaints(self, team_id: int, *, open_only: bool = True) -> Sequence[Complaint]:
        """The team's complaints, newest first."""
        ...

    def scores_of(self, deal_id: int) -> Sequence[Satisfaction]:
        """The deal's scores, oldest first."""
        ...

    def add_survey(self, survey: Survey) -> Survey: ...

    def open_survey(self, platform: str, chat_id: str, since: datetime, before: datetime) -> Survey | None:
        """The latest unanswered survey sent to the chat in [since, before), if any."""
        ...

    def answer(self, survey: Survey) -> None:
        """Store the survey's answered_at."""
        ...


class HealthData(Protocol):
    """The exact aggregates of the health board over one team (core.health.reference is the
    plain-Python definition; tests/storage/test_health_property.py holds the SQL to it).
    Windows are half-open [bounds[i], bounds[i+1]) in UTC."""

    def scores(self, team_id: int, bounds: Sequence[datetime]) -> list[tuple[int, int]]:
        """(Σ score, number of scores) recorded in each window."""
        ...

    def complaints(self, team_id: int, bounds: Sequence[datetime]) -> list[int]:
        """Complaints logged in each window."""
        ...

    def served(self, team_id: int, moments: Sequence[datetime]) -> list[int]:
        """At each moment: the customers with a deal of the team won before it."""
        ...

    def touches(self, team_id: int, at: datetime) -> list[Touch]:
        """The deals open at `at` (created before it, not closed before it as their row says now,
        their last stage change before it to an open stage), with their last touches before it;
        by deal id."""
        ...
