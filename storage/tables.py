"""The schema: SQLAlchemy Core tables for every domain class, plus the outbox.

Constraint and index names come from the naming convention, so Alembic migrations can refer to
them by a stable name on every database. Indexes follow the queries of storage.repositories and
of the SQL-side analytics (scorecard, funnel, forecast: GROUP BY over deals, stage_changes, tasks
and interactions by team, owner and time).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.mutable import MutableDict, MutableList

from core.model import DealStatus, Role, SuggestionStatus, TaskOrigin
from storage.types import Money, StrEnumType, UTCDateTime

NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

# JSONB on PostgreSQL (comparable, indexable); JSON text elsewhere.
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
# Nullable dicts store None as SQL NULL, not the JSON literal 'null', so `IS NULL` works.
_NULLABLE_JSON = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True), "postgresql"
)
# Mutable wrappers make in-place changes (list.append, dict[key] = ...) mark the row dirty.
# Only the top level is tracked: nested changes need the attribute reassigned.
JSONList = MutableList.as_mutable(_JSON)
JSONDict = MutableDict.as_mutable(_NULLABLE_JSON)

# Short codes written by the code itself (platform, stage key, language...) get a length;
# anything a person or a platform supplies (names, titles, chat and user ids) is unbounded,
# so SQLite and PostgreSQL accept the same values.
_CODE = sa.String(64)
_TEXT = sa.Text()


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _fk(column: str, target: str, *, ondelete: str, nullable: bool = False) -> sa.Column:
    return sa.Column(column, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


teams = sa.Table(
    "teams",
    metadata,
    _id(),
    sa.Column("name", _TEXT, nullable=False, unique=True),
    sa.Column("timezone", _CODE, nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("pipeline", JSONDict, nullable=True),
    # Working days, quiet hours and reminder timing (core.worktime.WorkSettings); NULL: defaults.
    sa.Column("settings", JSONDict, nullable=True),
)

members = sa.Table(
    "members",
    metadata,
    _id(),
    sa.Column("handle", _TEXT, nullable=False, unique=True),
    _fk("team_id", "teams.id", ondelete="RESTRICT"),
    sa.Column("role", StrEnumType(Role), nullable=False),
    sa.Column("display_name", _TEXT, nullable=False),
    sa.Column("language", sa.String(8), nullable=True),
    sa.Column("timezone", _CODE, nullable=True),
    sa.Column("email", _TEXT, nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=True),
    sa.Index(None, "team_id"),
)

identities = sa.Table(
    "identities",
    metadata,
    _id(),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("user_id", _TEXT, nullable=False),
    # An identity is part of its member: it goes when the member goes.
    _fk("member_id", "members.id", ondelete="CASCADE"),
    sa.UniqueConstraint("platform", "user_id"),
    sa.Index(None, "member_id"),
)

# One-time codes that link a second platform account to a member (`me link`).
link_codes = sa.Table(
    "link_codes",
    metadata,
    sa.Column("code", sa.String(16), primary_key=True),
    _fk("member_id", "members.id", ondelete="CASCADE"),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
)

customers = sa.Table(
    "customers",
    metadata,
    _id(),
    sa.Column("name", _TEXT, nullable=False),
    _fk("team_id", "teams.id", ondelete="RESTRICT"),
    sa.Column("lifecycle", sa.String(16), nullable=False),
    sa.Column("aliases", JSONList, nullable=False),
    sa.Column("contacts", JSONList, nullable=False),
    sa.Index(None, "team_id", "name"),
)

deals = sa.Table(
    "deals",
    metadata,
    _id(),
    sa.Column("ref", _TEXT, nullable=True),
    sa.Column("title", _TEXT, nullable=False),
    _fk("customer_id", "customers.id", ondelete="RESTRICT"),
    _fk("owner_id", "members.id", ondelete="RESTRICT"),
    _fk("team_id", "teams.id", ondelete="RESTRICT"),
    sa.Column("stage", _CODE, nullable=False),
    sa.Column("stage_entered_at", UTCDateTime(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("amount", Money(), nullable=True),
    sa.Column("currency", sa.String(8), nullable=False),
    sa.Column("expected_close", UTCDateTime(), nullable=True),
    sa.Column("status", StrEnumType(DealStatus), nullable=False),
    sa.Column("lost_reason", _TEXT, nullable=True),
    sa.Column("closed_at", UTCDateTime(), nullable=True),
    sa.Column("last_activity_at", UTCDateTime(), nullable=True),
    sa.Column("deliverables_done", JSONList, nullable=False),
    sa.Column("snoozed_until", UTCDateTime(), nullable=True),
    sa.Column("furthest_stage", _CODE, nullable=True),  # Deal.furthest_stage (migration 0009)
    sa.Index(None, "ref", unique=True),
    sa.Index(None, "team_id", "status", "stage", "stage_entered_at"),  # and the stale deals (figures)
    sa.Index(None, "owner_id", "status"),
    sa.Index(None, "customer_id"),
    sa.Index(None, "stage_entered_at"),
    sa.Index(None, "created_at"),
    sa.Index(None, "closed_at"),
    # The scheduler's scans: deals of a stage by when they entered it, and snoozes ending.
    sa.Index(None, "stage", "stage_entered_at"),
    sa.Index(None, "snoozed_until"),
    # The figures (storage.analytics): a team's deals created, closed or expected to close in a
    # window, each index holding every column its GROUP BY reads, so no table row is read
    # (migrations 0007, 0009); and the team and owner of a deal by id, for its stage changes.
    sa.Index(None, "team_id", "created_at", "owner_id", "stage", "furthest_stage"),
    sa.Index("ix_deals_closed_figures", "team_id", "closed_at", "status", "owner_id", "currency", "amount",
             "created_at"),
    sa.Index("ix_deals_open_by_close", "team_id", "status", "expected_close", "stage", "stage_entered_at",
             "currency", "amount", "owner_id"),
    sa.Index(None, "id", "team_id", "owner_id"),
    # D-<id> is shown to people: never hand out the id of a deleted deal again.
    sqlite_autoincrement=True,
)


def _team_of_deal(context) -> int | None:
    """stage_changes.team_id when an insert leaves it out: its deal's team, read in the same
    transaction. (The domain's StageChange has no team; storage keeps this copy.)"""
    deal_id = context.get_current_parameters()["deal_id"]
    return context.connection.execute(sa.select(deals.c.team_id).where(deals.c.id == deal_id)).scalar()


stage_changes = sa.Table(
    "stage_changes",
    metadata,
    _id(),
    _fk("deal_id", "deals.id", ondelete="CASCADE"),
    sa.Column("from_stage", _CODE, nullable=True),
    sa.Column("to_stage", _CODE, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    _fk("by_id", "members.id", ondelete="SET NULL", nullable=True),
    # A copy of the deal's team (migration 0008), so the figures find one team's changes in a
    # window without reading every team's: always equal to deals.team_id. Set by the stage-change
    # repository from the deal in the session (the default above reads it for any other ORM
    # insert); rewritten when a deal moves to another team (storage.orm). A raw INSERT must give it.
    sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="RESTRICT"), nullable=False,
              default=_team_of_deal),
    # StageChange.owner_id and .advance (migration 0009): whose deal it was, and whether the change
    # moved it forward, fixed when it was made, for the scorecard's stage advances per rep.
    _fk("owner_id", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("advance", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Index(None, "deal_id", "at", "id", "to_stage"),  # a deal's history in order
    sa.Index(None, "to_stage", "at"),
    sa.Index(None, "team_id", "at", "from_stage", "to_stage", "deal_id"),  # a team's changes in a window
    sa.Index(None, "team_id", "advance", "owner_id", "at"),  # a team's advances in a window, by owner
)

tasks = sa.Table(
    "tasks",
    metadata,
    _id(),
    sa.Column("title", _TEXT, nullable=False),
    _fk("assignee_id", "members.id", ondelete="RESTRICT"),
    _fk("team_id", "teams.id", ondelete="RESTRICT"),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("due_at", UTCDateTime(), nullable=True),
    # A task outlives its deal: it is still someone's to-do.
    _fk("deal_id", "deals.id", ondelete="SET NULL", nullable=True),
    sa.Column("done_at", UTCDateTime(), nullable=True),
    sa.Column("origin", StrEnumType(TaskOrigin), nullable=False),
    sa.Column("snoozed_until", UTCDateTime(), nullable=True),
    sa.Index(None, "assignee_id", "done_at"),
    sa.Index(None, "team_id", "done_at"),
    sa.Index(None, "deal_id"),
    sa.Index(None, "due_at"),
    sa.Index(None, "snoozed_until"),
    # Overdue tasks at a moment (figures, reminders): the tasks not done, by team and due time.
    sa.Index("ix_tasks_not_done_team_id_due_at", "team_id", "due_at", "assignee_id",
             sqlite_where=sa.text("done_at IS NULL"), postgresql_where=sa.text("done_at IS NULL")),
    # The same by assignee (migration 0009): the figures' overdue count per rep, one range each.
    # done_at and kind (below) are in their indexes although their WHERE fixes them: SQLite checks
    # the query's condition on them again, and would read each row for it.
    sa.Index("ix_tasks_not_done_team_id_assignee_id_due_at", "team_id", "assignee_id", "due_at", "done_at",
             sqlite_where=sa.text("done_at IS NULL"), postgresql_where=sa.text("done_at IS NULL")),
    # T-<id> is shown to people, like D-<id>.
    sqlite_autoincrement=True,
)

interactions = sa.Table(
    "interactions",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="RESTRICT"),
    sa.Column("text", _TEXT, nullable=False),
    sa.Column("occurred_at", UTCDateTime(), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    # The conversation stays with the customer (and in the figures) if the deal goes.
    _fk("deal_id", "deals.id", ondelete="SET NULL", nullable=True),
    _fk("customer_id", "customers.id", ondelete="SET NULL", nullable=True),
    _fk("author_id", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("chat_id", _TEXT, nullable=False),
    sa.Column("message_id", _TEXT, nullable=True),
    # Captured messages (core.model.Interaction): the sender as the platform named them.
    sa.Column("author_kind", sa.String(16), nullable=False, server_default="member"),
    sa.Column("author_ref", _TEXT, nullable=True),
    sa.Column("author_name", _TEXT, nullable=True),
    sa.Column("edited_at", UTCDateTime(), nullable=True),
    sa.Column("deleted_at", UTCDateTime(), nullable=True),
    sa.Index(None, "deal_id", "occurred_at"),
    # A team's interactions of one kind in a window: captured chat messages for the response times
    # and the retention purge (migration 0009; it was (team, occurred, kind, author) before).
    sa.Index(None, "team_id", "kind", "occurred_at", "author_kind"),
    # Follow-ups logged per rep in a window (migration 0009), one range each; captured chat
    # messages are left out, so capturing one does not write this index.
    sa.Index("ix_interactions_logged_team_id_author_id_occurred_at", "team_id", "author_id", "occurred_at", "kind",
             sqlite_where=sa.text("kind != 'message'"), postgresql_where=sa.text("kind != 'message'")),
    sa.Index(None, "platform", "chat_id", "occurred_at"),  # one chat's conversation in order
    sa.Index(None, "customer_id", "occurred_at"),  # a customer's timeline (chats bound to it)
    # Capturing the same platform message twice stores it once. NULL message ids (typed notes)
    # are distinct from each other on both databases, so they never collide.
    sa.UniqueConstraint("platform", "chat_id", "message_id"),
)

# `link D-12` in a group chat: its messages are captured into the deal's (or customer's) timeline.
chat_bindings = sa.Table(
    "chat_bindings",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("chat_id", _TEXT, nullable=False),
    # A binding goes with its deal or customer; the messages already captured stay.
    _fk("deal_id", "deals.id", ondelete="CASCADE", nullable=True),
    _fk("customer_id", "customers.id", ondelete="CASCADE", nullable=True),
    _fk("bound_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("bound_at", UTCDateTime(), nullable=False),
    sa.Column("capturing", sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.UniqueConstraint("platform", "chat_id"),  # one chat, one deal or customer
    sa.CheckConstraint("(deal_id IS NULL) <> (customer_id IS NULL)", name="one_target"),
    sa.Index(None, "deal_id"),
    sa.Index(None, "customer_id"),
)

audit_entries = sa.Table(
    "audit_entries",
    metadata,
    _id(),
    sa.Column("action", _CODE, nullable=False),
    sa.Column("entity", _CODE, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    # The audit trail outlives the people in it.
    _fk("actor_id", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("before", JSONDict, nullable=True),
    sa.Column("after", JSONDict, nullable=True),
    sa.Column("source", _TEXT, nullable=False),
    sa.Index(None, "entity", "at"),
)

# Outbound messages, written in the same transaction as the decision to send them (the scheduler's
# scans) and sent later by the dispatcher (storage.outbox, bot.dispatcher).
outbox = sa.Table(
    "outbox",
    metadata,
    _id(),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("chat_id", _TEXT, nullable=False),
    sa.Column("payload", _JSON, nullable=False),
    sa.Column("dedupe_key", _TEXT, nullable=False, unique=True),
    sa.Column("not_before", UTCDateTime(), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("sent_at", UTCDateTime(), nullable=True),
    sa.Column("last_error", _TEXT, nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False, server_default=""),
    # pending | sent | failed | skipped (core.outbox.OutboxStatus)
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    # A dispatcher holds a row until then while sending it; an expired hold may be taken again.
    sa.Column("claimed_until", UTCDateTime(), nullable=True),
    sa.Column("message_id", _TEXT, nullable=True),  # the platform's id of the sent message
    # The dispatcher's query: pending rows that are due, oldest first.
    sa.Index(None, "status", "not_before"),
)

# `digest here weekly`: the chats that get a team's scorecard.
digest_subscriptions = sa.Table(
    "digest_subscriptions",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("chat_id", _TEXT, nullable=False),
    sa.Column("frequency", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    _fk("created_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.UniqueConstraint("platform", "chat_id", "frequency"),
    sa.Index(None, "team_id"),
)

# How far each scheduler scan has got (core.scans): the next scan starts there.
scan_marks = sa.Table(
    "scan_marks",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("at", UTCDateTime(), nullable=False),
)

# Commands already handled, by the platform's message (core.app: a redelivery after a crash, or a
# retry that reached another replica, is not run twice). Kept a week (core.scans purge).
handled_messages = sa.Table(
    "handled_messages",
    metadata,
    sa.Column("platform", sa.String(32), primary_key=True),
    sa.Column("chat_id", _TEXT, primary_key=True),
    sa.Column("message_id", _TEXT, primary_key=True),
    sa.Column("handled_at", UTCDateTime(), nullable=False, index=True),
)

# Next steps found in captured chat, offered to the deal's owner with [Keep] [Dismiss]
# (core.suggestions). One per captured message at most.
suggestions = sa.Table(
    "suggestions",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    _fk("owner_id", "members.id", ondelete="CASCADE"),
    sa.Column("title", _TEXT, nullable=False),
    sa.Column("due_at", UTCDateTime(), nullable=False),
    sa.Column("has_time", sa.Boolean(), nullable=False),
    sa.Column("rule", _CODE, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    _fk("deal_id", "deals.id", ondelete="SET NULL", nullable=True),
    _fk("customer_id", "customers.id", ondelete="SET NULL", nullable=True),
    _fk("interaction_id", "interactions.id", ondelete="SET NULL", nullable=True),
    sa.Column("status", StrEnumType(SuggestionStatus), nullable=False),
    sa.Column("decided_at", UTCDateTime(), nullable=True),
    _fk("decided_by", "members.id", ondelete="SET NULL", nullable=True),
    _fk("task_id", "tasks.id", ondelete="SET NULL", nullable=True),
    sa.Index(None, "interaction_id", unique=True),
    sa.Index(None, "owner_id", "status"),
    # S-<id> is shown to people, like D-<id>.
    sqlite_autoincrement=True,
)
