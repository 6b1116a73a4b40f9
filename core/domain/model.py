"""The domain: plain classes with no ORM base and no I/O.

Storage maps these classes imperatively (storage/orm.py); the in-memory fakes use them as they are.
Relations are held as ids, not object references, so a fake repository is just a dict.
All datetimes are timezone-aware UTC; amounts are Decimal in the deal's currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import uuid4

if TYPE_CHECKING:
    from core.domain.pipeline import Pipeline


class Stored:
    """What the stored classes share: `id`, None until a repository stores the object."""

    id: int | None

    @property
    def saved_id(self) -> int:
        """The id of an object a repository stored or loaded; an error for one never stored."""
        if self.id is None:
            raise ValueError(f"{type(self).__name__} is not stored yet")
        return self.id


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


class MemberKind(StrEnum):
    """A person (a rep, a manager, an admin), or an integration: the member an API token acts
    as (`dealbot token create`). An integration is nobody: it has no chat account, is never
    offered leads, reminded or sent cards, and is not one of the reps the figures list or count."""

    PERSON = "person"
    INTEGRATION = "integration"


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class TaskOrigin(StrEnum):
    TYPED = "typed"
    CAPTURED = "captured"
    RULE = "rule"


@dataclass(eq=False)
class Team(Stored):
    name: str
    timezone: str = "Asia/Shanghai"
    language: str = "en"
    # The team's pipeline as the JSON-able dict of core.domain.pipeline.Pipeline.to_dict();
    # None means the default pipeline.
    pipeline: dict[str, Any] | None = None
    id: int | None = None
    # Working days, quiet hours, reminder timing (core.domain.worktime.WorkSettings); None: defaults.
    settings: dict[str, Any] | None = None


@dataclass(eq=False)
class Member(Stored):
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
    # `member @x remove`: no access, reminders or new work from then on; their history and past
    # figures keep them. None: an active member.
    removed_at: datetime | None = None
    kind: MemberKind = MemberKind.PERSON

    def ref(self) -> str:
        return f"@{self.handle}"

    @property
    def is_active(self) -> bool:
        return self.removed_at is None

    @property
    def is_person(self) -> bool:
        """A person, not an integration (MemberKind): the one who is listed, counted, reminded."""
        return self.kind == MemberKind.PERSON


def people(members: Iterable[Member]) -> list[Member]:
    """The persons among these members, integrations (API tokens' members) left out: whoever the
    figures list or count as reps, reminders and cards go to, points are earned by."""
    return [m for m in members if m.is_person]


@dataclass(eq=False)
class Identity(Stored):
    """One platform account of a member: ('slack', 'U123'), ('console', 'alice')."""

    platform: str
    user_id: str
    member_id: int
    id: int | None = None


@dataclass(eq=False)
class Customer(Stored):
    name: str
    team_id: int
    lifecycle: str = "lead"  # lead | prospect | customer | churned (core.domain.customers)
    aliases: list[str] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    id: int | None = None
    owner_id: int | None = None  # None: the owner of its first deal stands in (the card says so)
    industry: str | None = None
    source: str | None = None
    tags: list[str] = field(default_factory=list)


def customer_key(name: str) -> str:
    """What a customer name or alias is matched by: the same name in another case is the same
    customer ('ACME' and 'acme', 'STRASSE' and 'straße'). Width and runs of spaces are folded
    earlier, by the parser, for names typed in chat. Storage keeps this key in an indexed column,
    so changing the rule needs a migration that recomputes it."""
    return name.casefold()


def customers_by_key(customers: list[Customer]) -> dict[str, Customer]:
    """A team's customers by the key of each name and alias, matched as the repository's by_name
    matches one name: a name before any alias, then the oldest (the lowest id first)."""
    ordered = sorted(customers, key=lambda c: c.id or 0)
    found = {customer_key(c.name): c for c in reversed(ordered)}
    for customer in ordered:
        for alias in customer.aliases:
            found.setdefault(customer_key(alias), customer)
    return found


@dataclass(eq=False)
class Deal(Stored):
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
    # by its stage changes (move_to), so the funnel reads one row per deal, not its history.
    # None when it has no history (deals imported before this was kept, and CSV rows without any).
    furthest_stage: str | None = None
    # The deal's identity across installs (the `uid` column of an export): an import changes an
    # existing deal only when a row carries this, never because a ref or a number looks the same.
    uid: str = field(default_factory=lambda: uuid4().hex)

    @classmethod
    def new(cls, pipeline: Pipeline, *, stage: str, at: datetime, **fields: Any) -> Deal:
        """A deal created at `at` in `stage`, which is so far the furthest it reached (known
        before the deal is stored, so storing it is one INSERT). `creation` is its first change."""
        return cls(stage=stage, stage_entered_at=at, created_at=at, furthest_stage=pipeline.further(None, stage),
                   **fields)

    def creation(self, by_id: int | None, pipeline: Pipeline) -> StageChange:
        """The history row of the deal's creation: into its stage, from none."""
        return self._change(None, self.stage, self.stage_entered_at, by_id, pipeline)

    def move_to(self, stage: str, at: datetime, by_id: int | None, pipeline: Pipeline, *,
                lost_reason: str | None = None) -> StageChange:
        """The deal enters `stage` at `at`, and the history row that says so. Everything a stage
        change changes, changes here: the stage and when it was entered, the status (won or lost
        close the deal at `at`, lost with its reason; any other stage opens it again) and the
        furthest stage of the pipeline's funnel it ever reached. Whether the stage may be entered
        (the same stage, a closed deal moved on) is for the caller to refuse first."""
        change = self._change(self.stage, stage, at, by_id, pipeline)
        self.stage, self.stage_entered_at = stage, at
        if stage in (DealStatus.WON, DealStatus.LOST):
            self.status, self.closed_at, self.lost_reason = DealStatus(stage), at, lost_reason
        else:
            self.status, self.closed_at, self.lost_reason = DealStatus.OPEN, None, None
        return change

    def replay(self, entered: Sequence[tuple[str, datetime]], by_id: int | None,
               pipeline: Pipeline) -> list[StageChange]:
        """The deal's history told again from when it entered each stage (oldest first, as an
        import's row says): its creation, then a move to each later stage. No stage entered: no
        history, and no furthest stage reached."""
        self.furthest_stage = None
        if not entered:
            return []
        (first, at), later = entered[0], entered[1:]
        self.stage, self.stage_entered_at = first, at
        changes = [self.creation(by_id, pipeline)]
        changes += [self.move_to(stage, when, by_id, pipeline) for stage, when in later]
        return changes

    def _change(self, from_key: str | None, to_key: str, at: datetime, by_id: int | None,
                pipeline: Pipeline) -> StageChange:
        advance, furthest = pipeline.step(self.furthest_stage, from_key, to_key)
        if furthest != self.furthest_stage:  # a stored deal is written only when it changes
            self.furthest_stage = furthest
        return StageChange(self.saved_id, from_key, to_key, at, by_id, owner_id=self.owner_id, advance=advance)

    @property
    def code(self) -> str:
        return f"D-{self.id}"

    @property
    def is_open(self) -> bool:
        return self.status == DealStatus.OPEN


@dataclass(eq=False)
class StageChange(Stored):
    deal_id: int
    from_stage: str | None
    to_stage: str
    at: datetime
    by_id: int | None
    id: int | None = None
    # What the figures read of that moment (docs/design-notes.md), fixed when the change is made
    # (Deal.move_to, by Pipeline.step): whose deal it was, and whether it moved the deal to a later
    # stage of its pipeline. A later change of owner does not move past advances to the new owner.
    owner_id: int | None = None
    advance: bool = False


@dataclass(eq=False)
class Task(Stored):
    title: str
    assignee_id: int
    team_id: int
    created_at: datetime
    due_at: datetime | None = None
    deal_id: int | None = None
    done_at: datetime | None = None  # when it stopped being open: done, or cancelled (below)
    origin: TaskOrigin = TaskOrigin.TYPED
    id: int | None = None
    snoozed_until: datetime | None = None  # `snooze T-7 1d`
    cancelled_at: datetime | None = None  # settled with its deal (won or lost), not done

    @property
    def is_done(self) -> bool:
        """Really done, not cancelled."""
        return self.done_at is not None and self.cancelled_at is None

    def cancel(self, now: datetime) -> None:
        self.done_at = self.cancelled_at = now

    @property
    def code(self) -> str:
        return f"T-{self.id}"

    def is_overdue(self, now: datetime) -> bool:
        return self.done_at is None and self.due_at is not None and self.due_at < now


@dataclass(eq=False)
class Interaction(Stored):
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
class ChatBinding(Stored):
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
class AuditEntry(Stored):
    action: str
    entity: str
    at: datetime
    actor_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    source: str = ""
    id: int | None = None


class SuggestionStatus(StrEnum):
    PENDING = "pending"  # the owner has the [Keep] [Dismiss] message
    KEPT = "kept"  # became a task (origin captured)
    DISMISSED = "dismissed"


@dataclass(eq=False)
class Suggestion(Stored):
    """A next step found in a captured message (core.conversations.nextsteps), offered to the deal's owner.

    `keep S-3` makes it a task with origin `captured`; `dismiss S-3` records the no. Either
    happens once. `title` is the sentence that made the commitment (masked if the team masks).
    """

    team_id: int
    owner_id: int
    title: str
    due_at: datetime
    created_at: datetime
    has_time: bool = False
    rule: str = ""  # the core.conversations.nextsteps rule that saw the commitment
    cue: str = ""  # the words that made it a commitment ("我明早发 + 报价单"), shown in the DM
    date_words: str = ""  # the words that made the date ("明早", "by Friday")
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


@dataclass(frozen=True)
class DecidedSuggestion:
    """A kept or dismissed suggestion as a labelled example: what the message's author was (member
    or contact; '' when the message is gone), when it was said and the team's time zone."""

    suggestion: Suggestion
    author_kind: str
    said_at: datetime
    timezone: str
