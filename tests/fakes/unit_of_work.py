"""The fake unit of work (core.ports.unit_of_work): every fake repository, commit and rollback
as snapshots, and the handled-message record."""

from __future__ import annotations

import copy
import dataclasses
import json
import threading
from datetime import datetime
from decimal import Decimal

from tests.fakes.access import FakeAccessRepository, FakeAuditRepository, FakeLinkRepository
from tests.fakes.approvals import FakeApprovalRepository
from tests.fakes.conversations import (
    FakeChatBindingRepository,
    FakeConversationRepository,
    FakePrivacyRepository,
    FakeSuggestionRepository,
)
from tests.fakes.deals import (
    FakeCustomerRepository,
    FakeDealRepository,
    FakeInteractionRepository,
    FakeMemberRepository,
    FakeStageChangeRepository,
    FakeTaskRepository,
    FakeTeamRepository,
)
from tests.fakes.files import FakeTransferStore
from tests.fakes.health import FakeFeedbackRepository, reference_health
from tests.fakes.knowledge import FakeKnowledgeRepository
from tests.fakes.leads import FakeLeadRepository
from tests.fakes.notify import FakeNotifyRepository
from tests.fakes.performance import FakeDailyUpdateRepository, FakeTargetRepository
from tests.fakes.points import FakeForecastCallRepository, FakePointsRepository
from tests.fakes.reminders import (
    FakeDigestRepository,
    FakeOutboxRepository,
    FakeReminderRepository,
    FakeScanMarks,
)
from tests.fakes.search import FakeSearchIndex


class FakeHandledMessages:
    def __init__(self):
        self.rows: dict[tuple[str, str, str], datetime] = {}

    def first_time(self, platform, chat_id, message_id, at):
        key = (platform, chat_id, message_id)
        if key in self.rows:
            return False
        self.rows[key] = at
        return True

    def forget_before(self, before):
        gone = [key for key, at in self.rows.items() if at < before]
        for key in gone:
            del self.rows[key]
        return len(gone)

    def all(self):
        return []  # plain keys, nothing for commit() to check


class FakeUnitOfWork:
    """Commit keeps the current state; rollback restores the state of the last commit."""

    _REPOS = ("teams", "members", "customers", "deals", "stage_changes", "tasks", "interactions", "audit",
              "outbox", "digests", "scan_marks", "chat_bindings", "suggestions", "handled", "links",
              "access", "targets", "notify", "daily_updates", "leads", "approvals", "points",
              "forecast_calls", "knowledge", "feedback")

    def __init__(self):
        self.teams = FakeTeamRepository()
        self.members = FakeMemberRepository()
        self.customers = FakeCustomerRepository()
        self.deals = FakeDealRepository()
        self.stage_changes = FakeStageChangeRepository()
        self.tasks = FakeTaskRepository()
        self.interactions = FakeInteractionRepository()
        self.chat_bindings = FakeChatBindingRepository(lambda: self.deals, lambda: self.teams)
        self.suggestions = FakeSuggestionRepository(lambda: self)
        self.conversations = FakeConversationRepository(self)
        self.privacy = FakePrivacyRepository(self)
        self.audit = FakeAuditRepository()
        self.outbox = FakeOutboxRepository()
        self.digests = FakeDigestRepository()
        self.scan_marks = FakeScanMarks()
        self.handled = FakeHandledMessages()
        self.links = FakeLinkRepository()
        self.access = FakeAccessRepository(lambda: self.members)
        self.reminders = FakeReminderRepository(self)
        self.analytics = _reference_analytics(self)
        self.transfer = FakeTransferStore(self)
        self.targets = FakeTargetRepository()
        self.notify = FakeNotifyRepository()
        self.daily_updates = FakeDailyUpdateRepository()
        self.leads = FakeLeadRepository(lambda: self.deals, lambda: self.customers)
        self.approvals = FakeApprovalRepository()
        self.points = FakePointsRepository(lambda: self)
        self.forecast_calls = FakeForecastCallRepository()
        self.knowledge = FakeKnowledgeRepository(lambda: self)
        self.feedback = FakeFeedbackRepository()
        self.health = reference_health(self)
        self.search = FakeSearchIndex(self)
        self._lock = threading.RLock()
        self.commits = 0
        self._saved = self._snapshot()

    def _snapshot(self):
        return {name: copy.deepcopy(getattr(self, name)) for name in self._REPOS}

    def __enter__(self):
        self._lock.acquire()  # one transaction at a time, as the dispatcher's threads need
        self._saved = self._snapshot()
        return self

    def __exit__(self, *exc):
        try:
            self.rollback()
        finally:
            self._lock.release()

    def merge_members(self, from_id, into_id):
        moves = [
            (self.members.identity_rows.all(), "member_id"), (self.deals.all(), "owner_id"),
            (self.tasks.all(), "assignee_id"), (self.interactions.all(), "author_id"),
            (self.stage_changes.all(), "by_id"), (self.audit.all(), "actor_id"),
            (self.chat_bindings.all(), "bound_by"),
            (self.suggestions.all(), "owner_id"), (self.suggestions.all(), "decided_by"),
            (self.customers.all(), "owner_id"),
            (self.leads.rows.values(), "owner_id"), (self.leads.rows.values(), "created_by"),
            (self.leads.offer_rows.all(), "member_id"),
            (self.knowledge.lines.all(), "added_by"), (self.knowledge.lines.all(), "removed_by"),
            (self.knowledge.entries.all(), "added_by"), (self.knowledge.asked.all(), "member_id"),
            (self.knowledge.retro_rows.all(), "author_id"),
            (self.knowledge.onboarding_rows.all(), "member_id"), (self.knowledge.onboarding_rows.all(), "manager_id"),
            (self.feedback.scores.all(), "recorded_by"), (self.feedback.complaint_rows.all(), "logged_by"),
            (self.feedback.complaint_rows.all(), "resolved_by"), (self.feedback.surveys.all(), "sent_by"),
        ]
        for rows, attr in moves:
            for row in rows:
                if getattr(row, attr) == from_id:
                    setattr(row, attr, into_id)
        self.links.remove_codes_of(from_id)  # as the foreign keys' ON DELETE CASCADE
        del self.members.rows[from_id]

    def merge_customers(self, from_id, into_id):
        for rows in (self.deals.all(), self.interactions.all(), self.chat_bindings.all(), self.suggestions.all(),
                     list(self.leads.rows.values()), self.feedback.all()):
            for row in rows:
                if getattr(row, "customer_id", None) == from_id:
                    row.customer_id = into_id
        del self.customers.rows[from_id]

    def commit(self):
        for obj in self._stored_objects():
            _check_storable(obj)
        self._saved = self._snapshot()
        self.commits += 1

    def rollback(self):
        for name, repo in self._saved.items():
            setattr(self, name, copy.deepcopy(repo))

    def _stored_objects(self):
        for name in self._REPOS:
            yield from getattr(self, name).all()
        yield from self.members.identity_rows.all()
        yield from self.access.invites.all()


def _reference_analytics(uow):
    """The plain-Python definition of every figure, over the fake's current rows."""
    from core.analytics.reference import ReferenceAnalytics

    return ReferenceAnalytics(lambda: uow.deals.all(), lambda: uow.stage_changes.all(),
                              lambda: uow.tasks.all(), lambda: uow.interactions.all(),
                              lambda: uow.customers.all())


def _check_storable(obj) -> None:
    """Refuse what the SQL columns refuse (storage/types.py), so core tests on fakes catch it."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, datetime) and value.utcoffset() is None:
            raise ValueError(f"{type(obj).__name__}.{f.name}: naive datetime {value!r}")
        if isinstance(value, Decimal) and value != value.quantize(Decimal("0.01")):
            raise ValueError(f"{type(obj).__name__}.{f.name}: {value} is not whole cents")
        if isinstance(value, dict | list):
            json.dumps(value)  # TypeError for Decimal, datetime, sets...
