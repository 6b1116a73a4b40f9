"""The domain: plain classes with no ORM base and no I/O.

Storage maps these classes imperatively (storage/orm.py); the in-memory fakes use them as they are.
Relations are held as ids, not object references, so a fake repository is just a dict.
All datetimes are timezone-aware UTC; amounts are Decimal in the deal's currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class TaskOrigin(StrEnum):
    TYPED = "typed"
    CAPTURED = "captured"
    RULE = "rule"


@dataclass(eq=False)
class Team:
    name: str
    timezone: str = "Asia/Shanghai"
    language: str = "en"
    # The team's pipeline as the JSON-able dict of core.pipeline.Pipeline.to_dict();
    # None means the default pipeline.
    pipeline: dict | None = None
    id: int | None = None
    # Working days, quiet hours, reminder timing (core.worktime.WorkSettings); None: defaults.
    settings: dict | None = None


@dataclass(eq=False)
class Member:
    handle: str
    team_id: int
    role: Role = Role.REP
    display_name: str = ""
    # None until the member chooses; replies then follow the script of each message.
    language: str | None = None
    timezone: str | None = None
    email: str | None = None
    created_at: datetime | None = None
    id: int | None = None

    def ref(self) -> str:
        return f"@{self.handle}"


@dataclass(eq=False)
class Identity:
    """One platform account of a member: ('slack', 'U123'), ('console', 'alice')."""

    platform: str
    user_id: str
    member_id: int
    id: int | None = None


@dataclass(eq=False)
class Customer:
    name: str
    team_id: int
    lifecycle: str = "lead"  # lead | prospect | customer | churned
    aliases: list[str] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    id: int | None = None


@dataclass(eq=False)
class Deal:
    title: str
    customer_id: int
    owner_id: int
    team_id: int
    stage: str
    stage_entered_at: datetime
    created_at: datetime
    amount: Decimal | None = None
    currency: str = "CNY"
    expected_close: datetime | None = None
    status: DealStatus = DealStatus.OPEN
    lost_reason: str | None = None
    closed_at: datetime | None = None
    last_activity_at: datetime | None = None
    # Deliverables ticked off, as "stage:index" keys, so a stage's list can be re-ordered per team.
    deliverables_done: list[str] = field(default_factory=list)
    # The deal's id in the system it was imported from (CSV `ref`); None for deals made in chat.
    ref: str | None = None
    id: int | None = None
    # `snooze D-12 2d`: no reminders about the deal until then.
    snoozed_until: datetime | None = None
    # The furthest stage of the funnel (open stages, then won) its stage changes ever reached; kept
    # by core.pipeline.Pipeline.change, so the funnel reads one row per deal, not its history.
    # None when it has no history (deals imported before this was kept, and CSV rows without any).
    furthest_stage: str | None = None

    @property
    def code(self) -> str:
        return f"D-{self.id}"

    @property
    def is_open(self) -> bool:
        return self.status == DealStatus.OPEN


@dataclass(eq=False)
class StageChange:
    deal_id: int
    from_stage: str | None
    to_stage: str
    at: datetime
    by_id: int | None
    id: int | None = None
    # What the figures read of that moment (DESIGN.md §5), fixed when the change is made
    # (core.pipeline.Pipeline.change): whose deal it was, and whether it moved the deal to a later
    # stage of its pipeline. A later change of owner does not move past advances to the new owner.
    owner_id: int | None = None
    advance: bool = False


@dataclass(eq=False)
class Task:
    title: str
    assignee_id: int
    team_id: int
    created_at: datetime
    due_at: datetime | None = None
    deal_id: int | None = None
    done_at: datetime | None = None
    origin: TaskOrigin = TaskOrigin.TYPED
    id: int | None = None
    snoozed_until: datetime | None = None  # `snooze T-7 1d`

    @property
    def code(self) -> str:
        return f"T-{self.id}"

    def is_overdue(self, now: datetime) -> bool:
        return self.done_at is None and self.due_at is not None and self.due_at < now


@dataclass(eq=False)
class Interaction:
    team_id: int
    text: str
    occurred_at: datetime
    kind: str = "note"  # message | note | call | meeting | email
    deal_id: int | None = None
    customer_id: int | None = None
    author_id: int | None = None
    platform: str = ""
    chat_id: str = ""
    message_id: str | None = None
    id: int | None = None
    # Captured chat messages (kind "message"): who wrote it as the platform named them. A member
    # has author_id; an external contact ("contact") is no member, only these two fields.
    author_kind: str = "member"  # member | contact
    author_ref: str | None = None  # the platform's user id of the sender
    author_name: str | None = None
    edited_at: datetime | None = None  # the platform's time of the last edit applied
    # A message deleted on the platform keeps its row without text, so a late redelivery of the
    # original is still a duplicate and cannot bring it back. Readers skip these rows.
    deleted_at: datetime | None = None


@dataclass(eq=False)
class ChatBinding:
    """A group chat linked to a deal or a customer (`link D-12`): its messages are captured."""

    platform: str
    chat_id: str
    team_id: int
    bound_at: datetime
    bound_by: int | None = None
    deal_id: int | None = None  # exactly one of deal_id and customer_id is set
    customer_id: int | None = None
    capturing: bool = True  # `capture off` pauses without unlinking
    id: int | None = None


@dataclass(eq=False)
class AuditEntry:
    action: str
    entity: str
    at: datetime
    actor_id: int | None = None
    before: dict | None = None
    after: dict | None = None
    source: str = ""
    id: int | None = None


class SuggestionStatus(StrEnum):
    PENDING = "pending"  # the owner has the [Keep] [Dismiss] message
    KEPT = "kept"  # became a task (origin captured)
    DISMISSED = "dismissed"


@dataclass(eq=False)
class Suggestion:
    """A next step found in a captured message (core.nextsteps), offered to the deal's owner.

    `keep S-3` makes it a task with origin `captured`; `dismiss S-3` records the no. Either
    happens once. `title` is the sentence that made the commitment (masked if the team masks).
    """

    team_id: int
    owner_id: int
    title: str
    due_at: datetime
    created_at: datetime
    has_time: bool = False
    rule: str = ""  # the core.nextsteps rule that saw the commitment
    deal_id: int | None = None
    customer_id: int | None = None
    interaction_id: int | None = None
    status: SuggestionStatus = SuggestionStatus.PENDING
    decided_at: datetime | None = None
    decided_by: int | None = None
    task_id: int | None = None
    id: int | None = None

    @property
    def code(self) -> str:
        return f"S-{self.id}"
