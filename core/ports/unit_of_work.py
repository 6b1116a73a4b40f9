"""One transaction and every repository in it; the record of messages already handled."""


from __future__ import annotations

from datetime import datetime
from typing import Protocol, Self

from core.ports.access import AccessRepository, AuditRepository, LinkRepository
from core.ports.analytics import Analytics
from core.ports.approvals import ApprovalRepository
from core.ports.conversations import (
    ChatBindingRepository,
    ConversationRepository,
    PrivacyRepository,
    SuggestionRepository,
)
from core.ports.deals import (
    CustomerRepository,
    DealRepository,
    InteractionRepository,
    MemberRepository,
    StageChangeRepository,
    TaskRepository,
    TeamRepository,
)
from core.ports.files import TransferStore
from core.ports.health import FeedbackRepository, HealthData
from core.ports.knowledge import KnowledgeRepository
from core.ports.leads import LeadRepository
from core.ports.notify import NotifyRepository
from core.ports.performance import DailyUpdateRepository, TargetRepository
from core.ports.points import ForecastCallRepository, PointsRepository
from core.ports.reminders import DigestRepository, OutboxRepository, ReminderRepository
from core.ports.search import SearchIndex


class HandledMessageRepository(Protocol):
    """The platform messages whose commands were handled (core.app.dealbot): a platform may deliver one
    again (after a crash before its acknowledgement, or a retry reaching another replica)."""

    def first_time(self, platform: str, chat_id: str, message_id: str, at: datetime) -> bool:
        """Record the message as handled in this unit of work (rolled back with it); False when
        it was recorded before, or by a transaction still running that commits first."""
        ...

    def forget_before(self, before: datetime) -> int:
        """Drop the records older than `before` (past any redelivery); how many went."""
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
    links: LinkRepository
    access: AccessRepository
    transfer: TransferStore
    targets: TargetRepository
    notify: NotifyRepository
    daily_updates: DailyUpdateRepository
    leads: LeadRepository
    approvals: ApprovalRepository
    points: PointsRepository
    forecast_calls: ForecastCallRepository
    knowledge: KnowledgeRepository
    feedback: FeedbackRepository
    health: HealthData
    search: SearchIndex

    def merge_members(self, from_id: int, into_id: int) -> None:
        """One person, two members: everything of from_id (identities, deals, tasks, follow-ups,
        history) becomes into_id's, and from_id is deleted."""
        ...

    def merge_customers(self, from_id: int, into_id: int) -> None:
        """One customer, two records: the deals, follow-ups, linked chats and suggestions of
        from_id become into_id's (tasks go with their deals), and from_id is deleted. Changes
        already made to into_id's own fields in this unit of work are kept."""
        ...

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
