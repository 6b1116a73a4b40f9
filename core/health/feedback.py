"""What customers say back: a satisfaction score after a deal (`csat D-12 4`) and complaints
(`complaint Acme "…"`, `resolve C-3`). Plain classes, stored by core.ports.health.FeedbackRepository."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SCORES = range(1, 6)  # a 1–5 survey
MAX_TEXT = 500  # a comment or a complaint, in characters


@dataclass(eq=False)
class Satisfaction:
    """One customer satisfaction score (1–5) for a deal, as its owner recorded it."""

    team_id: int
    deal_id: int
    customer_id: int
    score: int
    recorded_at: datetime
    recorded_by: int | None = None
    comment: str = ""
    id: int | None = None


@dataclass(eq=False)
class Complaint:
    """A customer's complaint, open until resolved (`resolve C-3`)."""

    team_id: int
    customer_id: int
    text: str
    logged_at: datetime
    logged_by: int | None = None
    deal_id: int | None = None
    resolved_at: datetime | None = None
    resolved_by: int | None = None
    resolution: str = ""
    id: int | None = None

    @property
    def code(self) -> str:
        return f"C-{self.id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


SURVEY_DAYS = 14  # how long a survey sent to a chat waits for the customer's answer


@dataclass(eq=False)
class Survey:
    """A 1–5 question sent to a deal's linked chat (`csat D-12 send`); the customer's answer there
    (a lone 1–5) is recorded as the deal's score (core.health.surveys)."""

    team_id: int
    deal_id: int
    platform: str
    chat_id: str
    sent_at: datetime
    sent_by: int | None = None
    answered_at: datetime | None = None
    id: int | None = None
