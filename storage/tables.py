"""The schema: SQLAlchemy Core tables for every domain class, plus the outbox.

Constraint and index names come from the naming convention, so Alembic migrations can refer to
them by a stable name on every database. Indexes follow the queries of storage.repositories and
of the SQL-side analytics (scorecard, funnel, forecast: GROUP BY over deals, stage_changes, tasks
and interactions by team, owner and time).
"""

from __future__ import annotations

from uuid import uuid4

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.mutable import MutableDict, MutableList

from core.access.door import RequestStatus
from core.domain.model import (
    DealStatus,
    MemberKind,
    Role,
    SuggestionStatus,
    TaskOrigin,
    customer_key,
)
from core.leads.model import LeadStatus, OfferOutcome
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
    # Working days, quiet hours and reminder timing (core.domain.worktime.WorkSettings); NULL: defaults.
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
    # Access (migration 0013_access): set by `member @x remove`, cleared by `member @x restore`.
    sa.Column("removed_at", UTCDateTime(), nullable=True),
    # A person, or the integration an API token acts as (migration 0030_member_kind; MemberKind).
    sa.Column("kind", StrEnumType(MemberKind), nullable=False, server_default=MemberKind.PERSON.value),
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

# -- account linking (`me link`, core.access.linking; migration 0011_linking) ---------------------------
# A code's hash, the member and account that asked for it; once redeemed, the account waiting
# for that member's confirmation.
link_codes = sa.Table(
    "link_codes",
    metadata,
    _id(),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
    _fk("member_id", "members.id", ondelete="CASCADE"),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("user_id", _TEXT, nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    _fk("redeemer_id", "members.id", ondelete="CASCADE", nullable=True),
    sa.Column("redeemer_platform", sa.String(32), nullable=False, server_default=""),
    sa.Column("redeemer_user_id", _TEXT, nullable=False, server_default=""),
    sa.Column("redeemed_at", UTCDateTime(), nullable=True),
    sa.Index(None, "member_id"),
    sa.Index(None, "redeemer_id"),
)

# Wrong link codes tried, for the per-account and global lockouts; kept an hour.
link_failures = sa.Table(
    "link_failures",
    metadata,
    _id(),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("user_id", _TEXT, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Index(None, "at"),
    sa.Index(None, "platform", "user_id", "at"),
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
    # -- customer lookup keys (0015_customer_key) --
    # core.domain.model.customer_key(name): `new Acme` finds a customer by one indexed lookup. Core
    # inserts get it from the name; the ORM keeps it in step on rename (storage.orm).
    sa.Column("name_key", _TEXT, nullable=False,
              default=lambda ctx: customer_key(ctx.get_current_parameters()["name"])),
    sa.Index(None, "team_id", "name_key"),
    # -- the customer card's fields (0017_customers) --
    _fk("owner_id", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("industry", _TEXT, nullable=True),
    sa.Column("source", _TEXT, nullable=True),
    sa.Column("tags", JSONList, nullable=False, server_default="[]"),
)

# The keys of every customer's aliases, so a name that is only an alias is found by index too
# (aliases themselves are a JSON list, which neither database indexes portably). Written by
# storage.orm whenever a customer's aliases, name or team change.
customer_alias_keys = sa.Table(
    "customer_alias_keys",
    metadata,
    _fk("customer_id", "customers.id", ondelete="CASCADE"),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    sa.Column("key", _TEXT, nullable=False),
    sa.PrimaryKeyConstraint("customer_id", "key"),
    sa.Index(None, "team_id", "key"),
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
    # -- import (migration 0014_import): the deal's identity in exports, matched by import --update
    sa.Column("uid", sa.String(32), nullable=False, default=lambda: uuid4().hex),  # Core inserts too
    sa.Index(None, "uid", unique=True),
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
    sa.Column("done_at", UTCDateTime(), nullable=True),  # when it stopped being open: done or cancelled
    sa.Column("origin", StrEnumType(TaskOrigin), nullable=False),
    sa.Column("snoozed_until", UTCDateTime(), nullable=True),
    # -- migration 0012_figures: cancelled (its deal was won or lost), not done
    sa.Column("cancelled_at", UTCDateTime(), nullable=True),
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
    # Captured messages (core.domain.model.Interaction): the sender as the platform named them.
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
    sa.Index(None, "actor_id", "at"),  # `undo`: a member's latest changes (migration 0017)
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
    # pending | sent | failed | skipped (core.reminders.outbox.OutboxStatus)
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

# `notify here won min:100k` in a chat: the team's deal events posted there (core.notify.feed).
notify_subscriptions = sa.Table(
    "notify_subscriptions",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("chat_id", _TEXT, nullable=False),
    sa.Column("events", sa.String(64), nullable=False),  # "won,lost"
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("min_amount", Money(), nullable=True),  # cents
    sa.Column("min_currency", sa.String(8), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    _fk("created_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.UniqueConstraint("platform", "chat_id"),
    sa.Index(None, "team_id"),
)

# How far each scheduler scan has got (core.reminders.scans): the next scan starts there.
scan_marks = sa.Table(
    "scan_marks",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("at", UTCDateTime(), nullable=False),
)

# Commands already handled, by the platform's message (core.app.dealbot: a redelivery after a crash, or a
# retry that reached another replica, is not run twice). Kept a week (core.reminders.scans purge).
handled_messages = sa.Table(
    "handled_messages",
    metadata,
    sa.Column("platform", sa.String(32), primary_key=True),
    sa.Column("chat_id", _TEXT, primary_key=True),
    sa.Column("message_id", _TEXT, primary_key=True),
    sa.Column("handled_at", UTCDateTime(), nullable=False, index=True),
)

# Next steps found in captured chat, offered to the deal's owner with [Keep] [Dismiss]
# (core.conversations.suggestions). One per captured message at most.
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
    # The words that made it a commitment and those that made the date (the DM shows them).
    sa.Column("cue", _TEXT, nullable=False, server_default=""),
    sa.Column("date_words", _TEXT, nullable=False, server_default=""),
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


# -- access (migration 0013_access): who may become a member (core.access.door) ------------------------------

# One row per person the bot has not met who wrote to it: the pending state, the admins' decision,
# and their wrong `join` codes in the current window (the per-person guessing limit).
access_requests = sa.Table(
    "access_requests",
    metadata,
    _id(),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("user_id", _TEXT, nullable=False),
    sa.Column("user_name", _TEXT, nullable=False),
    sa.Column("handle", _TEXT, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("status", StrEnumType(RequestStatus), nullable=False),
    _fk("decided_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("decided_at", UTCDateTime(), nullable=True),
    sa.Column("failed_joins", sa.Integer(), nullable=False),
    sa.Column("failures_since", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("platform", "user_id"),
    sa.Index(None, "status", "handle"),
    sa.Index(None, "failures_since"),
    # R-<id> is shown to admins, like D-<id>.
    sqlite_autoincrement=True,
)

# One-time invite codes (`invite team:east role:rep`), kept as their SHA-256 only.
invites = sa.Table(
    "invites",
    metadata,
    _id(),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    sa.Column("role", StrEnumType(Role), nullable=False),
    _fk("created_by", "members.id", ondelete="CASCADE"),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    _fk("used_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("used_at", UTCDateTime(), nullable=True),
)

# -- the REST API (storage/api.py): tokens, stored hashed, and idempotent answers to POSTs
api_tokens = sa.Table(
    "api_tokens",
    metadata,
    _id(),
    sa.Column("name", _CODE, nullable=False, unique=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    _fk("member_id", "members.id", ondelete="CASCADE"),
    sa.Column("read_only", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("last_used_at", UTCDateTime(), nullable=True),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
)

# Each token's request bucket when the rate limit is shared by several `dealbot run` processes
# (PostgreSQL with replicas): `level` requests left at `at` (seconds since the epoch), refilled
# at the token's rate (storage/api.py, take_request).
api_rate = sa.Table(
    "api_rate",
    metadata,
    sa.Column("token_id", sa.Integer, sa.ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("level", sa.Float, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

# The answer to a POST sent with an Idempotency-Key, stored in the write's own transaction: the
# same key again gets the same answer without a second write; another body under it is refused.
api_idempotency = sa.Table(
    "api_idempotency",
    metadata,
    sa.Column("token_id", sa.Integer, sa.ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
)

# -- outbound webhooks (storage/webhooks.py): subscriptions and their deliveries, written in the
# transaction of the change they report (a transactional outbox of HTTP posts)
webhooks = sa.Table(
    "webhooks",
    metadata,
    _id(),
    sa.Column("url", _TEXT, nullable=False),
    sa.Column("events", _TEXT, nullable=False),  # "deal.created,deal.moved" (or "*": every event)
    sa.Column("secret", sa.String(128), nullable=False),  # signs deliveries; shown once
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("failing_since", UTCDateTime(), nullable=True),  # first failure of the current streak
    sa.Column("paused_at", UTCDateTime(), nullable=True),  # failing for days: no more deliveries
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    _id(),
    sa.Column("webhook_id", sa.Integer, sa.ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("event", _CODE, nullable=False),
    sa.Column("body", _TEXT, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | sent | paused
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
    sa.Column("last_error", _TEXT, nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("sent_at", UTCDateTime(), nullable=True),
    sa.Index(None, "status", "next_attempt_at"),
    sa.Index(None, "webhook_id", "id"),
)

# Targets (core.performance.targets): a member's or a team's (member_id NULL) goal for one
# period and metric. One row per key; NULL member ids are compared through the coalesced
# unique index below (a UNIQUE constraint lets NULLs repeat).
targets = sa.Table(
    "targets",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    _fk("member_id", "members.id", ondelete="CASCADE", nullable=True),
    sa.Column("metric", sa.String(16), nullable=False),
    sa.Column("period_kind", sa.String(8), nullable=False),
    sa.Column("period_start", sa.Date(), nullable=False),
    sa.Column("period_end", sa.Date(), nullable=False),
    sa.Column("value", Money(), nullable=False),
    sa.Column("currency", sa.String(8), nullable=False, server_default=""),
    _fk("set_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("set_at", UTCDateTime(), nullable=False),
    sa.Index("ix_targets_key", "team_id", sa.func.coalesce(sa.column("member_id"), 0), "metric",
             "period_kind", "period_start", unique=True),
)


# Answers to the daily card and what dealbot proposed from them (core.performance.daily_reply):
# kept until the rep confirms; the items are a JSON list, one per deal.
daily_updates = sa.Table(
    "daily_updates",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    _fk("member_id", "members.id", ondelete="CASCADE"),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("text", _TEXT, nullable=False),
    sa.Column("items", JSONList, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | confirmed | dismissed
    sa.Column("decided_at", UTCDateTime(), nullable=True),
)

# Leads (issue 18, core.leads): what came in through chat, the API or a file, who holds it and
# what it became. Every offer to a rep is a row of lead_offers (the round robin's turn, the
# response time); member_away holds `me away until …`.
leads = sa.Table(
    "leads",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    sa.Column("company", sa.String(200), nullable=False),
    sa.Column("person", sa.String(200), nullable=False, server_default=""),
    sa.Column("phone", sa.String(64), nullable=True),
    sa.Column("email", sa.String(320), nullable=True),
    sa.Column("source", sa.String(100), nullable=True),
    sa.Column("territory", sa.String(100), nullable=True),
    sa.Column("industry", sa.String(100), nullable=True),
    sa.Column("note", _TEXT, nullable=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("status", StrEnumType(LeadStatus), nullable=False),
    _fk("owner_id", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("offer_due", UTCDateTime(), nullable=True),
    sa.Column("held_since", UTCDateTime(), nullable=True),
    _fk("customer_id", "customers.id", ondelete="SET NULL", nullable=True),
    _fk("deal_id", "deals.id", ondelete="SET NULL", nullable=True),
    sa.Column("accepted_at", UTCDateTime(), nullable=True),
    _fk("created_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index("ix_leads_team_status", "team_id", "status"),
    sa.Index("ix_leads_status_offer_due", "status", "offer_due"),
    sa.Index("ix_leads_team_created", "team_id", "created_at"),
)

lead_offers = sa.Table(
    "lead_offers",
    metadata,
    _id(),
    _fk("lead_id", "leads.id", ondelete="CASCADE"),
    _fk("member_id", "members.id", ondelete="CASCADE"),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    sa.Column("offered_at", UTCDateTime(), nullable=False),
    sa.Column("due_at", UTCDateTime(), nullable=True),
    sa.Column("outcome", StrEnumType(OfferOutcome), nullable=False),
    sa.Column("ended_at", UTCDateTime(), nullable=True),
    sa.Index("ix_lead_offers_lead", "lead_id"),
    sa.Index("ix_lead_offers_team_member", "team_id", "member_id", "offered_at"),
)

member_away = sa.Table(
    "member_away",
    metadata,
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("until", UTCDateTime(), nullable=False),
)

# Approvals (core.approvals.machine, issue 20): one row per request (A-n), with the steps its
# team's policy gave it, its state and the step waiting; one row per decision on it.
approvals = sa.Table(
    "approvals",
    metadata,
    _id(),
    _fk("deal_id", "deals.id", ondelete="CASCADE"),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    _fk("requester_id", "members.id", ondelete="CASCADE"),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value", Money(), nullable=False),
    sa.Column("currency", sa.String(8), nullable=False, server_default=""),
    sa.Column("reason", _TEXT, nullable=False, server_default=""),
    sa.Column("steps", _JSON, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("step", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("decided_at", UTCDateTime(), nullable=True),
    sa.Index(None, "deal_id"),
    sa.Index(None, "state", "team_id"),
    sa.Index(None, "requester_id", "id"),
)

approval_decisions = sa.Table(
    "approval_decisions",
    metadata,
    _id(),
    _fk("approval_id", "approvals.id", ondelete="CASCADE"),
    sa.Column("step", sa.Integer(), nullable=False),
    _fk("member_id", "members.id", ondelete="CASCADE"),
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("note", _TEXT, nullable=False, server_default=""),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Index(None, "approval_id", "id"),
)

# Points (core.performance.points): a team's rules, when it changed the defaults. The points
# themselves are computed from the audit trail, never stored.
point_settings = sa.Table(
    "point_settings",
    metadata,
    sa.Column("team_id", sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("rules", JSONDict, nullable=False),
)

# Forecast calls (core.performance.forecast_calls): a manager's answer on a deal in a pipeline
# review; every call is kept (the deal's history), the latest is its category.
forecast_calls = sa.Table(
    "forecast_calls",
    metadata,
    _id(),
    _fk("deal_id", "deals.id", ondelete="CASCADE"),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    sa.Column("category", sa.String(16), nullable=False),
    _fk("called_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("called_at", UTCDateTime(), nullable=False),
    sa.Column("close_before", UTCDateTime(), nullable=True),
    sa.Column("close_after", UTCDateTime(), nullable=True),
    sa.Index("ix_forecast_calls_deal", "deal_id", "id"),
)


# Knowledge (issue 20, core.knowledge): playbook lines added from chat, the FAQ, the questions
# asked of it (faq gaps), closed deals' retrospectives.
playbook_lines = sa.Table(
    "playbook_lines",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    sa.Column("stage", _CODE, nullable=False),
    sa.Column("section", sa.String(16), nullable=False),
    sa.Column("text", _TEXT, nullable=False),
    _fk("added_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("added_at", UTCDateTime(), nullable=False),
    _fk("removed_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("removed_at", UTCDateTime(), nullable=True),
    sa.Index("ix_playbook_lines_team_stage", "team_id", "stage"),
)

faq_entries = sa.Table(
    "faq_entries",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    sa.Column("question", _TEXT, nullable=False),
    sa.Column("answer", _TEXT, nullable=False),
    sa.Column("tags", _TEXT, nullable=False, server_default=""),  # joined by "\n"
    _fk("added_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("added_at", UTCDateTime(), nullable=False),
    sa.Column("removed_at", UTCDateTime(), nullable=True),
    sa.Index("ix_faq_entries_team_id", "team_id"),
)

faq_asks = sa.Table(
    "faq_asks",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    _fk("member_id", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("words", _TEXT, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    _fk("best_id", "faq_entries.id", ondelete="SET NULL", nullable=True),
    sa.Column("score", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("unhelpful_at", UTCDateTime(), nullable=True),
    sa.Index("ix_faq_asks_team_at", "team_id", "at"),
)

retros = sa.Table(
    "retros",
    metadata,
    _id(),
    _fk("deal_id", "deals.id", ondelete="CASCADE"),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    _fk("author_id", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("text", _TEXT, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Index("ix_retros_deal_id", "deal_id", unique=True),
)

onboardings = sa.Table(
    "onboardings",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    _fk("member_id", "members.id", ondelete="CASCADE"),
    _fk("manager_id", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("outbox_ids", _TEXT, nullable=False, server_default=""),  # comma-separated, lesson order
    sa.Column("done", _TEXT, nullable=False, server_default=""),  # lesson numbers read, comma-separated
    sa.Index("ix_onboardings_member_id", "member_id"),
)

# The health board (core.health.feedback): customer satisfaction scores and complaints.
satisfaction_scores = sa.Table(
    "satisfaction_scores",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    _fk("deal_id", "deals.id", ondelete="CASCADE"),
    _fk("customer_id", "customers.id", ondelete="CASCADE"),
    sa.Column("score", sa.SmallInteger(), nullable=False),
    sa.Column("comment", _TEXT, nullable=False, server_default=""),
    sa.Column("recorded_at", UTCDateTime(), nullable=False),
    _fk("recorded_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.Index("ix_satisfaction_scores_team", "team_id", "recorded_at"),
    sa.Index("ix_satisfaction_scores_deal", "deal_id"),
)

satisfaction_surveys = sa.Table(
    "satisfaction_surveys",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    _fk("deal_id", "deals.id", ondelete="CASCADE"),
    sa.Column("platform", _CODE, nullable=False),
    sa.Column("chat_id", _CODE, nullable=False),
    sa.Column("sent_at", UTCDateTime(), nullable=False),
    _fk("sent_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("answered_at", UTCDateTime(), nullable=True),
    sa.Index("ix_satisfaction_surveys_chat", "platform", "chat_id", "sent_at"),
)

complaints = sa.Table(
    "complaints",
    metadata,
    _id(),
    _fk("team_id", "teams.id", ondelete="CASCADE"),
    _fk("customer_id", "customers.id", ondelete="CASCADE"),
    _fk("deal_id", "deals.id", ondelete="SET NULL", nullable=True),
    sa.Column("text", _TEXT, nullable=False),
    sa.Column("logged_at", UTCDateTime(), nullable=False),
    _fk("logged_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("resolved_at", UTCDateTime(), nullable=True),
    _fk("resolved_by", "members.id", ondelete="SET NULL", nullable=True),
    sa.Column("resolution", _TEXT, nullable=False, server_default=""),
    sa.Index("ix_complaints_team", "team_id", "logged_at"),
)
