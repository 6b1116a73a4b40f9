"""SqlUnitOfWork: one Session, one transaction, the repositories over it (core.ports.unit_of_work.UnitOfWork)."""

from __future__ import annotations

from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from storage.access import SqlAccessRepository
from storage.analytics import SqlAnalytics
from storage.approvals import SqlApprovalRepository
from storage.capture import SqlChatBindingRepository
from storage.conversations import SqlConversationRepository, SqlSuggestionRepository
from storage.customers import merge_customers
from storage.daily_updates import SqlDailyUpdateRepository
from storage.erasure import ERASED_FLAG, reclaim_erased_space
from storage.handled import SqlHandledMessageRepository
from storage.health import SqlFeedbackRepository, SqlHealthData
from storage.knowledge import SqlKnowledgeRepository
from storage.leads import SqlLeadRepository
from storage.links import SqlLinkRepository
from storage.notify import SqlNotifyRepository
from storage.outbox import SqlDigestRepository, SqlOutboxRepository
from storage.points import SqlForecastCallRepository, SqlPointsRepository
from storage.privacy import SqlPrivacyRepository
from storage.reminders import SqlReminderRepository
from storage.repositories import (
    SqlAuditRepository,
    SqlCustomerRepository,
    SqlDealRepository,
    SqlInteractionRepository,
    SqlMemberRepository,
    SqlStageChangeRepository,
    SqlTaskRepository,
    SqlTeamRepository,
    merge_members,
)
from storage.search import SqlSearchIndex
from storage.targets import SqlTargetRepository
from storage.transfer import SqlTransferStore


class SqlUnitOfWork:
    """`with uow: ...; uow.commit()`. Leaving the block without commit() rolls back.

    A new instance per transaction: SqlUnitOfWork(session_factory), where the factory comes from
    storage.db.make_session_factory (expire_on_commit=False, so objects stay readable afterwards).
    """

    teams: SqlTeamRepository
    members: SqlMemberRepository
    customers: SqlCustomerRepository
    deals: SqlDealRepository
    stage_changes: SqlStageChangeRepository
    tasks: SqlTaskRepository
    interactions: SqlInteractionRepository
    chat_bindings: SqlChatBindingRepository
    suggestions: SqlSuggestionRepository
    conversations: SqlConversationRepository
    privacy: SqlPrivacyRepository
    audit: SqlAuditRepository
    outbox: SqlOutboxRepository
    reminders: SqlReminderRepository
    digests: SqlDigestRepository
    handled: SqlHandledMessageRepository
    analytics: SqlAnalytics
    links: SqlLinkRepository
    access: SqlAccessRepository
    transfer: SqlTransferStore
    targets: SqlTargetRepository
    notify: SqlNotifyRepository
    daily_updates: SqlDailyUpdateRepository
    leads: SqlLeadRepository
    approvals: SqlApprovalRepository
    points: SqlPointsRepository
    forecast_calls: SqlForecastCallRepository
    knowledge: SqlKnowledgeRepository
    feedback: SqlFeedbackRepository
    health: SqlHealthData
    search: SqlSearchIndex

    def __init__(self, session_factory: sessionmaker[Session]):
        self._session_factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The open session, for storage-side queries (analytics) in the same transaction."""
        if self._session is None:
            raise RuntimeError("SqlUnitOfWork is used outside its `with` block")
        return self._session

    def __enter__(self) -> Self:
        session = self._session = self._session_factory()
        self.teams = SqlTeamRepository(session)
        self.members = SqlMemberRepository(session)
        self.customers = SqlCustomerRepository(session)
        self.deals = SqlDealRepository(session)
        self.stage_changes = SqlStageChangeRepository(session)
        self.tasks = SqlTaskRepository(session)
        self.interactions = SqlInteractionRepository(session)
        self.chat_bindings = SqlChatBindingRepository(session)
        self.suggestions = SqlSuggestionRepository(session)
        self.conversations = SqlConversationRepository(session)
        self.privacy = SqlPrivacyRepository(session)
        self.audit = SqlAuditRepository(session)
        self.outbox = SqlOutboxRepository(session)
        self.reminders = SqlReminderRepository(session)
        self.digests = SqlDigestRepository(session)
        self.handled = SqlHandledMessageRepository(session)
        self.analytics = SqlAnalytics(session)
        self.links = SqlLinkRepository(session)
        self.access = SqlAccessRepository(session)
        self.transfer = SqlTransferStore(session)
        self.targets = SqlTargetRepository(session)
        self.notify = SqlNotifyRepository(session)
        self.daily_updates = SqlDailyUpdateRepository(session)
        self.leads = SqlLeadRepository(session)
        self.approvals = SqlApprovalRepository(session)
        self.points = SqlPointsRepository(session)
        self.forecast_calls = SqlForecastCallRepository(session)
        self.knowledge = SqlKnowledgeRepository(session)
        self.feedback = SqlFeedbackRepository(session)
        self.health = SqlHealthData(session)
        self.search = SqlSearchIndex(session)
        return self

    def __exit__(self, *exc: object) -> None:
        # close() rolls back whatever was not committed. Unlike rollback() it does not expire the
        # loaded objects, so a read-only block (`show D-12`) can still render them afterwards,
        # as with the in-memory fake.
        session, self._session = self.session, None
        session.close()

    def merge_members(self, from_id: int, into_id: int) -> None:
        merge_members(self.session, from_id, into_id)

    def merge_customers(self, from_id: int, into_id: int) -> None:
        merge_customers(self.session, from_id, into_id)

    def commit(self) -> None:
        self.session.commit()
        if self.session.info.pop(ERASED_FLAG, False):  # `forget`, the retention purge
            reclaim_erased_space(self.session.get_bind())

    def rollback(self) -> None:
        self.session.rollback()
