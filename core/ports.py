"""Ports: the small protocols the core needs from the outside world.

`bot` fills them in: storage provides the repositories and unit of work, bot provides the clock.
tests/fakes.py provides in-memory versions that the repository contract tests hold to the
same behaviour as the SQL ones.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol, Self

from core.analytics.counts import (
    OpenDeal,
    OpenGroup,
    PastState,
    ScorecardCounts,
    StageExits,
    StaleDeal,
    Totals,
)
from core.analytics.pictures import FunnelPicture, ScorecardPicture
from core.capture import CapturedMessage, CaptureTarget
from core.due import DealStamp, TaskStamp, TeamFigures
from core.model import (
    AuditEntry,
    ChatBinding,
    Customer,
    Deal,
    DealStatus,
    Identity,
    Interaction,
    Member,
    StageChange,
    Suggestion,
    Task,
    Team,
)
from core.outbox import DigestSubscription, OutboxMessage
from core.recipients import DealPeople
from core.responses import ResponsePair, Waiting


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class TeamRepository(Protocol):
    def add(self, team: Team) -> Team: ...
    def get(self, team_id: int) -> Team | None: ...
    def by_name(self, name: str) -> Team | None: ...
    def list(self) -> Sequence[Team]: ...


class MemberRepository(Protocol):
    def add(self, member: Member) -> Member: ...
    def get(self, member_id: int) -> Member | None: ...
    def by_handle(self, handle: str) -> Member | None: ...
    def by_identity(self, platform: str, user_id: str) -> Member | None: ...
    def in_team(self, team_id: int) -> Sequence[Member]: ...
    def add_identity(self, identity: Identity) -> Identity: ...
    def identities(self, member_id: int) -> Sequence[Identity]: ...
    def add_link_code(self, code: str, member_id: int, expires_at: datetime) -> None: ...
    def take_link_code(self, code: str, now: datetime) -> int | None:
        """The member id a one-time code was made for, if it has not expired; the code is used up."""
        ...

    def by_identities(self, platform: str, user_ids: Collection[str]) -> dict[str, Member]:
        """The members behind these user ids of one platform, by user id (unknown ids left out)."""
        ...


class CustomerRepository(Protocol):
    def add(self, customer: Customer) -> Customer: ...
    def get(self, customer_id: int) -> Customer | None: ...
    def by_name(self, team_id: int, name: str) -> Customer | None:
        """Case-insensitive match on the name or any alias."""
        ...

    def named(self, team_id: int, name: str) -> Customer:
        """by_name, or a new customer of that name when there is none. Two transactions naming
        the same new customer at once get one customer: the second waits for the first."""
        ...


class DealRepository(Protocol):
    def add(self, deal: Deal) -> Deal:
        """Stores the deal and assigns its id at once (the reply needs D-<id>)."""
        ...

    def get(self, deal_id: int) -> Deal | None: ...
    def by_ref(self, ref: str) -> Deal | None: ...
    def find(
        self,
        *,
        team_id: int | None = None,
        owner_id: int | None = None,
        status: DealStatus | None = None,
        stage: str | None = None,
    ) -> Sequence[Deal]:
        """Deals matching every given filter, newest id first."""
        ...

    def record_activity(self, deal_times: Mapping[int, datetime]) -> None:
        """Move each deal's last_activity_at forward to the given time (never back)."""
        ...

    def record_customer_activity(self, customer_times: Mapping[int, datetime]) -> None:
        """The same for every open deal of each customer."""
        ...


class StageChangeRepository(Protocol):
    def add(self, change: StageChange) -> StageChange: ...
    def for_deal(self, deal_id: int) -> Sequence[StageChange]:
        """Oldest first."""
        ...

    def delete_for_deal(self, deal_id: int) -> None: ...


class TaskRepository(Protocol):
    def add(self, task: Task) -> Task: ...
    def get(self, task_id: int) -> Task | None: ...
    def find(
        self,
        *,
        team_id: int | None = None,
        assignee_id: int | None = None,
        deal_id: int | None = None,
        open_only: bool = True,
    ) -> Sequence[Task]:
        """Tasks matching every given filter, earliest due first (undated last)."""
        ...


class InteractionRepository(Protocol):
    def add(self, interaction: Interaction) -> Interaction: ...
    def for_deal(self, deal_id: int, limit: int = 5) -> Sequence[Interaction]:
        """Newest first; deleted messages left out."""
        ...

    def for_chat(self, platform: str, chat_id: str, limit: int = 50) -> Sequence[Interaction]:
        """A chat's captured messages, newest first; deleted ones left out."""
        ...

    def add_captured(self, messages: Sequence[CapturedMessage]) -> list[CapturedMessage]:
        """Store captured messages in one go; one whose (platform, chat_id, message_id) is stored
        already (or comes twice) is skipped. Returns those stored, ids set, in the given order."""
        ...

    def edit_captured(self, platform: str, chat_id: str, message_id: str, text: str,
                      at: datetime) -> bool:
        """Replace a captured message's text unless it is deleted or a later edit is applied
        already; True when it changed."""
        ...

    def delete_captured(self, tombstone: CapturedMessage) -> bool:
        """Delete the captured message with the tombstone's key: its text goes and the row stays,
        marked deleted_at, so a late redelivery of it is a duplicate. When it was never stored,
        the tombstone is stored instead. True when a stored message was deleted."""
        ...


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
    """Next steps found in captured chat, offered to a deal's owner (core.suggestions)."""

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


class AuditRepository(Protocol):
    def add(self, entry: AuditEntry) -> AuditEntry: ...
    def for_entity(self, entity: str) -> Sequence[AuditEntry]:
        """Oldest first."""
        ...


class OutboxRepository(Protocol):
    """Proactive messages (core.outbox). Written by the scans, drained by the dispatcher."""

    def add(self, message: OutboxMessage) -> bool:
        """Store the message unless its dedupe key is taken (then nothing changes): True if stored."""
        ...

    def add_all(self, messages: Sequence[OutboxMessage]) -> None:
        """add() for many in one statement; those whose dedupe key is taken are skipped (and,
        unlike add(), no ids are set)."""
        ...

    def existing_keys(self, keys: Collection[str]) -> set[str]: ...
    def get(self, message_id: int) -> OutboxMessage | None: ...
    def claim(self, *, now: datetime, lease_until: datetime, limit: int,
              platforms: Collection[str]) -> list[OutboxMessage]:
        """Pending rows for these platforms whose time has come and that no one holds, oldest
        first; each is held until lease_until, so no other dispatcher takes it meanwhile."""
        ...

    def mark_sent(self, message_id: int, *, at: datetime, platform_message_id: str | None) -> None: ...
    def retry_later(self, message_id: int, *, not_before: datetime, error: str | None,
                    count_attempt: bool = True) -> None:
        """Back to pending until not_before; error None keeps the last error."""
        ...

    def mark_failed(self, message_id: int, *, at: datetime, error: str) -> None: ...
    def mark_skipped(self, message_id: int, *, at: datetime, reason: str) -> None: ...
    def requeue(self, message_ids: Collection[int], *, now: datetime) -> int:
        """Failed rows back to pending, due now, with their attempts reset (an admin's retry)."""
        ...

    def release(self, message_ids: Collection[int]) -> None:
        """Let go of held rows without sending them (a dispatcher stopping)."""
        ...

    def list(self, *, statuses: Collection[str] | None = None, limit: int = 50) -> list[OutboxMessage]:
        """Newest first."""
        ...

    def counts(self) -> dict[str, int]:
        """Rows per status."""
        ...


class ReminderRepository(Protocol):
    """What the scheduler's scans read: open deals and tasks by the moments that matter, and
    the marks that say how far each scan has got. Windows are (after, until]."""

    def deals_entered(self, team_id: int,
                      windows: Sequence[tuple[str, datetime, datetime]]) -> Sequence[DealStamp]:
        """Open deals that entered their stage inside one of the (stage, after, until) windows."""
        ...

    def deals_snoozed(self, team_id: int, after: datetime, until: datetime) -> Sequence[DealStamp]:
        """Open deals whose snooze ends in the window."""
        ...

    def tasks_due(self, team_id: int, after: datetime, until: datetime) -> Sequence[TaskStamp]: ...
    def tasks_snoozed(self, team_id: int, after: datetime, until: datetime) -> Sequence[TaskStamp]: ...
    def open_deals(self, team_id: int, owner_id: int) -> Sequence[DealStamp]:
        """The member's open deals in the team, with last_touched (the daily card)."""
        ...

    def overdue_tasks(self, team_id: int, assignee_id: int, now: datetime) -> Sequence[TaskStamp]:
        """The member's open tasks due before now, earliest first."""
        ...

    def people_with_work(self, team_id: int, now: datetime) -> Sequence[int]:
        """Members owning open deals or holding overdue tasks in the team."""
        ...

    def figures(self, team_id: int, start: datetime, end: datetime,
                stale_before: dict[str, datetime]) -> TeamFigures:
        """The team's numbers over [start, end); a deal is stale when it entered its stage
        before stale_before[stage]."""
        ...

    def mark(self, name: str) -> datetime | None: ...
    def set_mark(self, name: str, at: datetime) -> None:
        """Move the mark forward (never back)."""
        ...


class HandledMessageRepository(Protocol):
    """The platform messages whose commands were handled (core.app): a platform may deliver one
    again (after a crash before its acknowledgement, or a retry reaching another replica)."""

    def first_time(self, platform: str, chat_id: str, message_id: str, at: datetime) -> bool:
        """Record the message as handled in this unit of work (rolled back with it); False when
        it was recorded before, or by a transaction still running that commits first."""
        ...

    def forget_before(self, before: datetime) -> int:
        """Drop the records older than `before` (past any redelivery); how many went."""
        ...


class DigestRepository(Protocol):
    def add(self, subscription: DigestSubscription) -> bool:
        """False when the chat already has that frequency."""
        ...

    def remove(self, platform: str, chat_id: str) -> int: ...
    def for_chat(self, platform: str, chat_id: str) -> Sequence[DigestSubscription]: ...
    def for_team(self, team_id: int) -> Sequence[DigestSubscription]: ...


class Charts(Protocol):
    """Draws the figures as PNG files and returns their paths (bot/charts.py; None: no charts)."""

    def scorecard(self, picture: ScorecardPicture, lang: str) -> str: ...
    def funnel(self, picture: FunnelPicture, lang: str) -> str: ...


class Analytics(Protocol):
    """The aggregates behind the scorecard, funnel and forecast (DESIGN.md §5), over one team.

    Windows are half-open [start, end) in UTC (the caller converts the team's local bounds);
    `order` is the funnel order: the open stages of the pipeline, then `won`. Every method is a
    few GROUP BY queries in SQL; core.analytics.reference is the plain-Python definition they
    are tested against.
    """

    def totals(self, team_id: int, bounds: Sequence[datetime]) -> list[Totals]:
        """One Totals per consecutive window [bounds[i], bounds[i+1])."""
        ...

    def funnel(self, team_id: int, start: datetime, end: datetime, order: Sequence[str]) -> list[int]:
        """Of the deals created in the window, how many reached each stage of `order`: ever
        entered it or a later one (a deal created at a later stage reached the earlier ones)."""
        ...

    def scorecard(self, team_id: int, start: datetime, end: datetime, asof: datetime,
                  order: Sequence[str]) -> ScorecardCounts:
        """The window's totals and funnel (as totals() and funnel() give them), and its figures
        per member with any, by member id; overdue tasks as of `asof`."""
        ...

    def stale(self, team_id: int, entered_by: Mapping[str, datetime]) -> list[StaleDeal]:
        """Open deals whose stage is a key of `entered_by` and that entered it at or before that
        moment, longest waiting first (by when they entered it, then by id)."""
        ...

    def stage_exits(self, team_id: int, since: datetime, cutoff: datetime, order: Sequence[str],
                    limits: Mapping[str, int]) -> list[StageExits]:
        """For each open stage of `order`: the stays in it that began at or after `since` and ended
        before `cutoff` (the next stage change came before it), those that ended with a move forward in `order`, and the
        same for stays of `limits[stage]` + 1 days or more (over) and 2 × limit + 1 days or more
        (far), in whole seconds."""
        ...

    def open_groups(self, team_id: int, start: datetime, end: datetime,
                    buckets: Mapping[str, tuple[datetime, datetime]]) -> list[OpenGroup]:
        """Open deals expected to close in the window, grouped by stage, overstay bucket and
        currency. A deal is in bucket 2 when it entered its stage at or before buckets[stage][1],
        else 1 when at or before buckets[stage][0], else 0."""
        ...

    def open_deals(self, team_id: int, start: datetime, end: datetime, limit: int) -> list[OpenDeal]:
        """The largest open deals expected to close in the window."""
        ...

    def closed_range(self, team_id: int) -> tuple[datetime, datetime] | None:
        """When the team's first and last closed deal closed."""
        ...

    def states_at(self, team_id: int, at: datetime) -> list[PastState]:
        """Deals that were open at `at` (their last stage change before it was to an open stage)
        and are closed now, closed at or after `at`; by deal id."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the `with` block without commit() rolls everything back."""

    teams: TeamRepository
    members: MemberRepository
    customers: CustomerRepository
    deals: DealRepository
    stage_changes: StageChangeRepository
    tasks: TaskRepository
    interactions: InteractionRepository
    chat_bindings: ChatBindingRepository
    suggestions: SuggestionRepository
    conversations: ConversationRepository
    privacy: PrivacyRepository
    audit: AuditRepository
    outbox: OutboxRepository
    reminders: ReminderRepository
    digests: DigestRepository
    handled: HandledMessageRepository
    analytics: Analytics

    def merge_members(self, from_id: int, into_id: int) -> None:
        """One person, two members: everything of from_id (identities, deals, tasks, follow-ups,
        history) becomes into_id's, and from_id is deleted."""
        ...

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
