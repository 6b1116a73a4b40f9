"""In-memory implementations of the core's ports, for unit tests of the core, grouped as the
ports are (core/ports): clock, deals, conversations, access, reminders, files, unit_of_work;
`harness` drives a Dealbot on them like a chat.

tests/storage/test_repository_contract.py runs the same contract against these and the SQL
repositories, so they cannot drift from the real thing.
"""

from tests.fakes.access import FakeAccessRepository, FakeAuditRepository, FakeLinkRepository
from tests.fakes.clock import FixedClock
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
from tests.fakes.harness import ChatHarness
from tests.fakes.reminders import (
    FakeDigestRepository,
    FakeOutboxRepository,
    FakeReminderRepository,
    FakeScanMarks,
    RecordingNotifier,
)
from tests.fakes.unit_of_work import FakeHandledMessages, FakeUnitOfWork

__all__ = [
    "ChatHarness", "FakeAccessRepository", "FakeAuditRepository", "FakeChatBindingRepository",
    "FakeConversationRepository", "FakeCustomerRepository", "FakeDealRepository", "FakeDigestRepository",
    "FakeHandledMessages", "FakeInteractionRepository", "FakeLinkRepository", "FakeMemberRepository",
    "FakeOutboxRepository", "FakePrivacyRepository", "FakeReminderRepository", "FakeScanMarks",
    "FakeStageChangeRepository", "FakeSuggestionRepository", "FakeTaskRepository", "FakeTeamRepository",
    "FakeTransferStore", "FakeUnitOfWork", "FixedClock", "RecordingNotifier",
]
