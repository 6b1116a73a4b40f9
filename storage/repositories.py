"""SQL implementations of the repository ports in core.ports, over one SQLAlchemy Session.

Every method is one query (or one flush): no per-row lookups. `add` flushes so the database
assigns the id at once (replies quote D-<id> / T-<id> before the commit). Queries filter on the
table columns (storage.tables) rather than the mapped attributes, so type checkers see plain
domain classes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import TypeVar

from sqlalchemy import Select, Table, bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.conversations.capture import CapturedMessage
from core.domain.model import (
    AuditEntry,
    Customer,
    Deal,
    DealStatus,
    Identity,
    Interaction,
    Member,
    StageChange,
    Task,
    Team,
    customer_key,
)
from storage import capture, search
from storage import tables as t

T = TypeVar("T")


class DuplicateInteractionError(ValueError):
    """This (platform, chat_id, message_id) is already stored: a capture seen twice.

    A ValueError so the core can catch it without importing storage; see the report to the lead
    about giving it a home in core.ports.
    """


# The lookups behind every chat command, built once with bound parameters: building a select and
# its cache key costs about as much as SQLite's answer to it.
@cache
def _member_by_identity() -> Select:
    return (select(Member)
            .join(t.identities, t.identities.c.member_id == t.members.c.id)
            .where(t.identities.c.platform == bindparam("platform"),
                   t.identities.c.user_id == bindparam("user_id")))


@cache
def _lock_team() -> Select:
    return select(t.teams.c.id).where(t.teams.c.id == bindparam("team_id")).with_for_update()


@cache
def _customer_by_name_key() -> Select:
    return (select(Customer)
            .where(t.customers.c.team_id == bindparam("team_id"),
                   t.customers.c.name_key == bindparam("key"))
            .order_by(t.customers.c.id).limit(1))


@cache
def _customer_by_alias_key() -> Select:
    keys = t.customer_alias_keys
    return (select(Customer)
            .join(keys, keys.c.customer_id == t.customers.c.id)
            .where(keys.c.team_id == bindparam("team_id"), keys.c.key == bindparam("key"))
            .order_by(t.customers.c.id).limit(1))


@cache
def _insert_columns(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns if c.name != "id")


@cache
def _insert_returning_id(table: Table):
    return table.insert().returning(table.c.id)


class _SqlRepository:
    def __init__(self, session: Session):
        self._session = session

    def _add(self, obj: T) -> T:
        self._session.add(obj)
        self._session.flush()
        return obj

    def _insert(self, obj: T, table: Table) -> T:
        """For history rows, written once and never changed through the session (stage changes,
        audit entries, follow-ups): one INSERT … RETURNING id, without the ORM's flush, which costs several
        times as much for a single row and runs once or twice in every command. The object stays
        outside the session; reading the row back gives another one."""
        values = {name: getattr(obj, name) for name in _insert_columns(table)}
        obj.id = self._session.execute(_insert_returning_id(table), values).scalar_one()
        return obj


def _ci_equals(column, value: str):
    # lower() on both sides: SQLite's lower() (and PostgreSQL's under the C locale) folds ASCII
    # only, so lowering just one side in Python could make an exact non-ASCII match miss.
    return func.lower(column) == func.lower(value)


def _first_ci(session: Session, query: Select, column, value: str) -> T | None:
    """First row whose `column` equals `value` ignoring case, as Python's str.lower() sees it.

    SQL lower() settles ASCII values in one query; only a non-ASCII value that SQL did not
    match ('ZOË' for 'zoë') falls back to comparing every row in Python (teams and members are
    few, and such misses rare).
    """
    found = session.scalars(query.where(_ci_equals(column, value)).limit(1)).first()
    if found is not None or value.isascii():
        return found
    wanted = value.lower()
    return next(
        (row for row in session.scalars(query) if getattr(row, column.key).lower() == wanted), None
    )


class SqlTeamRepository(_SqlRepository):
    def add(self, team: Team) -> Team:
        return self._add(team)

    def get(self, team_id: int) -> Team | None:
        return self._session.get(Team, team_id)

    def by_name(self, name: str) -> Team | None:
        query = select(Team).order_by(t.teams.c.id)
        return _first_ci(self._session, query, t.teams.c.name, name)

    def list(self) -> Sequence[Team]:
        return self._session.scalars(select(Team).order_by(t.teams.c.id)).all()

    def lock(self, team: Team) -> None:
        # PostgreSQL: FOR UPDATE waits for another holder; on SQLite a writing transaction already
        # holds the database's write lock. Each statement then sees what was committed before it.
        self._session.execute(_lock_team(), {"team_id": team.id})
        self._session.refresh(team)


class SqlMemberRepository(_SqlRepository):
    def add(self, member: Member) -> Member:
        return self._add(member)

    def get(self, member_id: int) -> Member | None:
        return self._session.get(Member, member_id)

    def by_handle(self, handle: str) -> Member | None:
        query = select(Member).order_by(t.members.c.id)
        return _first_ci(self._session, query, t.members.c.handle, handle)

    def by_identity(self, platform: str, user_id: str) -> Member | None:
        # Every chat command starts here: the statement is built once (see _member_by_identity).
        return self._session.scalars(_member_by_identity(), {"platform": platform, "user_id": user_id}).first()

    def in_team(self, team_id: int) -> Sequence[Member]:
        query = (select(Member).where(t.members.c.team_id == team_id, t.members.c.removed_at.is_(None))
                 .order_by(t.members.c.id))
        return self._session.scalars(query).all()

    def add_identity(self, identity: Identity) -> Identity:
        return self._add(identity)

    def identities(self, member_id: int) -> Sequence[Identity]:
        query = (
            select(Identity)
            .where(t.identities.c.member_id == member_id)
            .order_by(t.identities.c.id)
        )
        return self._session.scalars(query).all()


    def by_identities(self, platform: str, user_ids: Collection[str]) -> dict[str, Member]:
        if not user_ids:
            return {}
        query = (
            select(t.identities.c.user_id, Member)
            .join(t.identities, t.identities.c.member_id == t.members.c.id)
            .where(t.identities.c.platform == platform, t.identities.c.user_id.in_(set(user_ids)))
        )
        return {user_id: member for user_id, member in self._session.execute(query)}


# Every column that points at a member, for merging two members into one.
MEMBER_REFERENCES = (
    (t.identities, t.identities.c.member_id),
    (t.link_codes, t.link_codes.c.member_id),
    (t.link_codes, t.link_codes.c.redeemer_id),
    (t.deals, t.deals.c.owner_id),
    (t.tasks, t.tasks.c.assignee_id),
    (t.interactions, t.interactions.c.author_id),
    (t.stage_changes, t.stage_changes.c.by_id),
    (t.audit_entries, t.audit_entries.c.actor_id),
    (t.chat_bindings, t.chat_bindings.c.bound_by),
    (t.suggestions, t.suggestions.c.owner_id),
    (t.suggestions, t.suggestions.c.decided_by),
    (t.customers, t.customers.c.owner_id),
    (t.leads, t.leads.c.owner_id),
    (t.leads, t.leads.c.created_by),
    (t.lead_offers, t.lead_offers.c.member_id),
    (t.approvals, t.approvals.c.requester_id),
    (t.approval_decisions, t.approval_decisions.c.member_id),
    # knowledge (issue 20): who wrote playbook lines, FAQ entries and questions, retros
    (t.playbook_lines, t.playbook_lines.c.added_by),
    (t.playbook_lines, t.playbook_lines.c.removed_by),
    (t.faq_entries, t.faq_entries.c.added_by),
    (t.faq_asks, t.faq_asks.c.member_id),
    (t.retros, t.retros.c.author_id),
    (t.onboardings, t.onboardings.c.member_id),
    (t.onboardings, t.onboardings.c.manager_id),
    (t.satisfaction_scores, t.satisfaction_scores.c.recorded_by),
    (t.satisfaction_surveys, t.satisfaction_surveys.c.sent_by),
    (t.complaints, t.complaints.c.logged_by),
    (t.complaints, t.complaints.c.resolved_by),
)


def merge_members(session: Session, from_id: int, into_id: int) -> None:
    session.flush()
    for table, column in MEMBER_REFERENCES:
        session.execute(table.update().where(column == from_id).values({column.name: into_id}))
    session.execute(delete(t.members).where(t.members.c.id == from_id))
    session.expire_all()  # loaded objects still hold the old ids


class SqlCustomerRepository(_SqlRepository):
    def add(self, customer: Customer) -> Customer:
        return self._add(customer)

    def get(self, customer_id: int) -> Customer | None:
        return self._session.get(Customer, customer_id)

    def named(self, team_id: int, name: str) -> Customer:
        found = self.by_name(team_id, name)
        if found is not None:
            return found
        # Names are not unique in SQL (aliases live in JSON), so a transaction about to create a
        # customer locks its team's row first: one naming the same customer at that moment waits,
        # then finds it (PostgreSQL; on SQLite the write lock taken at BEGIN already serializes).
        self._session.execute(_lock_team(), {"team_id": team_id})
        return self.by_name(team_id, name) or self._add(Customer(name=name, team_id=team_id))

    def by_name(self, team_id: int, name: str) -> Customer | None:
        """The customer with this name in any case (core.domain.model.customer_key), else the first one
        with such an alias: one indexed lookup each (storage.customer_keys keeps the keys)."""
        values = {"team_id": team_id, "key": customer_key(name)}
        found = self._session.scalars(_customer_by_name_key(), values).first()
        if found is None:
            found = self._session.scalars(_customer_by_alias_key(), values).first()
        return found


class SqlDealRepository(_SqlRepository):
    def add(self, deal: Deal) -> Deal:
        return self._add(deal)

    def get(self, deal_id: int) -> Deal | None:
        return self._session.get(Deal, deal_id)

    def by_ref(self, ref: str) -> Deal | None:
        return self._session.scalars(select(Deal).where(t.deals.c.ref == ref)).first()

    def find(
        self,
        *,
        team_id: int | None = None,
        owner_id: int | None = None,
        status: DealStatus | None = None,
        stage: str | None = None,
        customer_id: int | None = None,
    ) -> Sequence[Deal]:
        """Deals matching every given filter, newest id first."""
        filters = {"team_id": team_id, "owner_id": owner_id, "status": status, "stage": stage,
                   "customer_id": customer_id}
        query = select(Deal).order_by(t.deals.c.id.desc())
        for column, value in filters.items():
            if value is not None:
                query = query.where(t.deals.c[column] == value)
        return self._session.scalars(query).all()

    def record_activity(self, deal_times: Mapping[int, datetime]) -> None:
        capture.record_activity(self._session, deal_times)

    def record_customer_activity(self, customer_times: Mapping[int, datetime]) -> None:
        capture.record_customer_activity(self._session, customer_times)


class SqlStageChangeRepository(_SqlRepository):
    def add(self, change: StageChange) -> StageChange:
        # The deal is in this session already (every caller just read or wrote it): its team
        # comes from there, not from another query (storage.orm.STORAGE_ONLY).
        deal = self._session.get(Deal, change.deal_id)
        if deal is not None:
            change.team_id = deal.team_id
        return self._insert(change, t.stage_changes)

    def for_deal(self, deal_id: int) -> Sequence[StageChange]:
        """Oldest first."""
        c = t.stage_changes.c
        query = select(StageChange).where(c.deal_id == deal_id).order_by(c.at, c.id)
        return self._session.scalars(query).all()

    def delete_for_deal(self, deal_id: int) -> None:
        # One DELETE; objects already loaded in this session are marked deleted too.
        self._session.execute(delete(StageChange).where(t.stage_changes.c.deal_id == deal_id))


class SqlTaskRepository(_SqlRepository):
    def add(self, task: Task) -> Task:
        return self._add(task)

    def get(self, task_id: int) -> Task | None:
        return self._session.get(Task, task_id)

    def find(
        self,
        *,
        team_id: int | None = None,
        assignee_id: int | None = None,
        deal_id: int | None = None,
        open_only: bool = True,
    ) -> Sequence[Task]:
        """Tasks matching every given filter, earliest due first (undated last)."""
        c = t.tasks.c
        query = select(Task).order_by(c.due_at.is_(None), c.due_at, c.id)
        filters = {"team_id": team_id, "assignee_id": assignee_id, "deal_id": deal_id}
        for column, value in filters.items():
            if value is not None:
                query = query.where(c[column] == value)
        if open_only:
            query = query.where(c.done_at.is_(None))
        return self._session.scalars(query).all()


class SqlInteractionRepository(_SqlRepository):
    def add(self, interaction: Interaction) -> Interaction:
        """Stores the interaction; raises DuplicateInteractionError for a message seen before.

        The insert runs in a SAVEPOINT so a duplicate leaves the rest of the unit of work intact
        (the caller may still commit the audit entry or other changes). Without a message id
        (a follow-up typed as a command) nothing can collide: NULLs are distinct in a UNIQUE
        constraint on SQLite and PostgreSQL alike, so the savepoint's two round trips are skipped.
        """
        if interaction.message_id is None:
            self._insert(interaction, t.interactions)
            search.index_messages(self._session.connection(), [(interaction.saved_id, interaction.text)])
            return interaction
        self._session.flush()  # other pending changes must not fail inside the savepoint
        try:
            with self._session.begin_nested():
                self._session.add(interaction)
        except IntegrityError as error:
            key = (interaction.platform, interaction.chat_id, interaction.message_id)
            raise DuplicateInteractionError(f"interaction {key} is already stored") from error
        return interaction

    def for_deal(self, deal_id: int, limit: int = 5) -> Sequence[Interaction]:
        """Newest first; deleted messages left out."""
        c = t.interactions.c
        query = (
            select(Interaction)
            .where(c.deal_id == deal_id, c.deleted_at.is_(None))
            .order_by(c.occurred_at.desc(), c.id.desc())
            .limit(limit)
        )
        return self._session.scalars(query).all()

    def count_for_deal(self, deal_id: int) -> int:
        c = t.interactions.c
        query = select(func.count()).where(c.deal_id == deal_id, c.deleted_at.is_(None))
        return self._session.scalar(query) or 0

    def for_chat(self, platform: str, chat_id: str, limit: int = 50) -> Sequence[Interaction]:
        return capture.for_chat(self._session, platform, chat_id, limit)

    def add_captured(self, messages: Sequence[CapturedMessage]) -> list[CapturedMessage]:
        return capture.insert_captured(self._session, messages)

    def edit_captured(self, platform: str, chat_id: str, message_id: str, text: str,
                      at: datetime) -> bool:
        return capture.edit_captured(self._session, platform, chat_id, message_id, text, at)

    def delete_captured(self, tombstone: CapturedMessage) -> bool:
        return capture.delete_captured(self._session, tombstone)


class SqlAuditRepository(_SqlRepository):
    def add(self, entry: AuditEntry) -> AuditEntry:
        return self._insert(entry, t.audit_entries)

    def for_entity(self, entity: str) -> Sequence[AuditEntry]:
        """Oldest first."""
        c = t.audit_entries.c
        query = select(AuditEntry).where(c.entity == entity).order_by(c.at, c.id)
        return self._session.scalars(query).all()

    def by_actor_since(self, actor_id: int, since: datetime) -> Sequence[AuditEntry]:
        """Oldest first."""
        c = t.audit_entries.c
        query = select(AuditEntry).where(c.actor_id == actor_id, c.at >= since).order_by(c.at, c.id)
        return self._session.scalars(query).all()
