"""Captured conversations in SQL: response-time pairs, customers waiting, suggestions.

A contact's message is answered by the next member message in the same (platform, chat_id):
a correlated subquery on ix_interactions_platform_chat_id_occurred_at, one probe per contact
message. Turning the pairs into working hours and medians needs the team's calendar, so that
part is core.conversations.response_times.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from datetime import datetime
from functools import cache, lru_cache
from itertools import chain

from sqlalchemy import Dialect, and_, bindparam, exists, or_, select
from sqlalchemy.orm import Session, aliased

from core.conversations.capture import CAPTURED_KIND, AuthorKind
from core.conversations.response_times import ResponsePair, Waiting
from core.domain.model import Deal, DecidedSuggestion, Identity, Member, Suggestion, Team
from core.reminders.recipients import DealPeople
from storage import tables as t
from storage.driver import detached, marker, result_processors, row_values, run_on_driver
from storage.types import UTCDateTime

_I, _B, _S = t.interactions.c, t.chat_bindings.c, t.suggestions.c


def _captured(table, kind: AuthorKind):
    return and_(table.c.kind == CAPTURED_KIND, table.c.author_kind == str(kind))


def _same_chat(answer, asked):
    return and_(answer.c.platform == asked.c.platform, answer.c.chat_id == asked.c.chat_id)


class SqlConversationRepository:
    def __init__(self, session: Session):
        self._session = session

    def response_pairs(self, team_id: int, start: datetime, end: datetime) -> list[ResponsePair]:
        params = {"team_id": team_id, "start": start, "end": end}
        return [ResponsePair(*row) for row in self._session.execute(_response_pairs_query(), params)]

    def waiting(self, team_id: int, since: datetime, until: datetime) -> list[Waiting]:
        asked = t.interactions
        answer, before = aliased(t.interactions, name="answer"), aliased(t.interactions, name="before")
        answered = exists().where(_same_chat(answer, asked), _captured(answer, AuthorKind.MEMBER),
                                  answer.c.occurred_at > asked.c.occurred_at)
        # The message before it in the chat: a streak of unanswered messages starts after a
        # member's message (or at the start of the chat).
        previous = (
            select(before.c.author_kind)
            .where(_same_chat(before, asked), before.c.kind == CAPTURED_KIND,
                   or_(before.c.occurred_at < asked.c.occurred_at,
                       and_(before.c.occurred_at == asked.c.occurred_at, before.c.id < asked.c.id)))
            .order_by(before.c.occurred_at.desc(), before.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = (
            _waiting_columns()
            .join(t.chat_bindings, and_(_B.platform == _I.platform, _B.chat_id == _I.chat_id))
            .where(_I.team_id == team_id, _captured(asked, AuthorKind.CONTACT),
                   _I.occurred_at > since, _I.occurred_at <= until, _B.capturing.is_(True), ~answered,
                   or_(previous.is_(None), previous == str(AuthorKind.MEMBER)))
            .order_by(_I.occurred_at, _I.id)
        )
        return [_waiting(row) for row in self._session.execute(query)]

    def unanswered(self, deal_id: int, customer_id: int | None) -> Waiting | None:
        params = {"deal_id": deal_id, "customer_id": customer_id}  # NULL customer matches nothing
        row = self._session.execute(_unanswered_query(), params).first()
        return None if row is None else _waiting(row)


@cache
def _response_pairs_query():
    """Built once (the weekly scorecard asks): each contact message of the team's window and the
    first member message after it in its chat."""
    asked, answer, reply = (aliased(t.interactions, name=n) for n in ("asked", "answer", "reply"))
    first_answer = (
        select(answer.c.id)
        .where(_same_chat(answer, asked), _captured(answer, AuthorKind.MEMBER),
               answer.c.occurred_at > asked.c.occurred_at)
        .order_by(answer.c.occurred_at, answer.c.id)
        .limit(1)
        .scalar_subquery()
    )
    pairs = (
        select(asked.c.occurred_at.label("asked_at"), first_answer.label("reply_id"))
        .where(asked.c.team_id == bindparam("team_id"), _captured(asked, AuthorKind.CONTACT),
               asked.c.occurred_at >= bindparam("start", type_=UTCDateTime()),
               asked.c.occurred_at < bindparam("end", type_=UTCDateTime()))
        .subquery()
    )
    return (
        select(pairs.c.asked_at, reply.c.occurred_at, reply.c.author_id)
        .select_from(pairs.outerjoin(reply, reply.c.id == pairs.c.reply_id))
        .order_by(pairs.c.asked_at)
    )


@cache
def _unanswered_query():
    """Built once: every deal card asks, and building the statement cost far more than running it.

    Per linked chat, only its newest message matters (an index probe on platform, chat_id,
    occurred_at): when that is a contact's, the customer is waiting. Cheap however long the
    conversation."""
    newest = aliased(t.interactions, name="newest")
    last_word = (
        select(newest.c.id)
        .where(newest.c.platform == _B.platform, newest.c.chat_id == _B.chat_id,
               newest.c.kind == CAPTURED_KIND,
               or_(newest.c.author_kind == str(AuthorKind.MEMBER), newest.c.deleted_at.is_(None)))
        .order_by(newest.c.occurred_at.desc(), newest.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    chats = or_(_B.deal_id == bindparam("deal_id"), _B.customer_id == bindparam("customer_id"))
    return (
        _waiting_columns()
        .select_from(t.chat_bindings)
        .join(t.interactions, _I.id == last_word)
        .where(chats, _I.author_kind == str(AuthorKind.CONTACT))
        .order_by(_I.occurred_at.desc(), _I.id.desc())
        .limit(1)
    )


def _waiting_columns():
    return select(_I.id, _I.platform, _I.chat_id, _I.message_id, _I.occurred_at, _I.text, _I.author_name,
                  _I.deal_id, _I.customer_id)


def _waiting(row) -> Waiting:
    return Waiting(row.id, row.platform, row.chat_id, row.message_id, row.occurred_at, row.text,
                   row.author_name, row.deal_id, row.customer_id)


_SUGGESTION_COLUMNS = tuple(c.name for c in t.suggestions.columns if c.name != "id")


# A deal's people come from these tables, each a mapped class, in the order of the query's columns.
_PEOPLE = ((Deal, t.deals), (Member, t.members), (Team, t.teams), (Identity, t.identities))
_PEOPLE_COLUMNS = (*chain.from_iterable(table.columns for _, table in _PEOPLE), t.customers.c.name)


@lru_cache(maxsize=64)  # by how many deals a batch names: mostly one or a few
def _deal_people_sql(dialect: Dialect, deals: int) -> str:
    quote, m = dialect.identifier_preparer.quote, marker(dialect)
    columns = ", ".join(f"{column.table.name}.{quote(column.name)}" for column in _PEOPLE_COLUMNS)
    return (f"SELECT {columns} FROM deals "
            "LEFT OUTER JOIN members ON members.id = deals.owner_id "
            "LEFT OUTER JOIN teams ON teams.id = deals.team_id "
            "LEFT OUTER JOIN identities ON identities.member_id = members.id "
            "LEFT OUTER JOIN customers ON customers.id = deals.customer_id "
            f"WHERE deals.id IN ({', '.join([m] * deals)}) ORDER BY deals.id, identities.id")


@cache
def _people_layout() -> tuple[tuple[type, tuple[str, ...], tuple[int, ...], int], ...]:
    """Per class of _PEOPLE: (class, its fields, where each is in a row, where its id is)."""
    layout, offset = [], 0
    for cls, table in _PEOPLE:
        names = tuple(field.name for field in dataclasses.fields(cls))
        keys = list(table.columns.keys())
        layout.append((cls, names, tuple(offset + keys.index(name) for name in names), offset + keys.index("id")))
        offset += len(keys)
    return tuple(layout)


def _copies(values: list) -> list:
    """One row's deal, owner, team and identity (None where the outer join found none):
    read-only copies, in no session, like the rest of a DealPeople."""
    return [detached(cls, {name: values[i] for name, i in zip(names, at, strict=True)})
            if values[id_at] is not None else None
            for cls, names, at, id_at in _people_layout()]


_SUGGESTIONS_PER_STATEMENT = 30_000 // len(_SUGGESTION_COLUMNS)  # SQLite allows 32,766 parameters


@cache
def _insert_suggestions_sql(mark: str, rows: int) -> str:
    one = "(" + ", ".join([mark] * len(_SUGGESTION_COLUMNS)) + ")"
    return (f"INSERT INTO suggestions ({', '.join(_SUGGESTION_COLUMNS)}) VALUES {', '.join([one] * rows)} "
            "RETURNING id, interaction_id")


class SqlSuggestionRepository:
    """Suggestions are plain rows, not ORM-mapped objects (storage.orm says why): stored with
    add/add_all, read with get, a decision written back with save."""

    def __init__(self, session: Session):
        self._session = session

    def add(self, suggestion: Suggestion) -> Suggestion:
        values = {name: getattr(suggestion, name) for name in _SUGGESTION_COLUMNS}
        suggestion.id = self._session.execute(t.suggestions.insert().values(**values).returning(_S.id)).scalar_one()
        return suggestion

    def add_all(self, suggestions: Sequence[Suggestion]) -> None:
        """One multi-row INSERT … RETURNING for those of captured messages (one per message at
        most), straight to the driver as captured messages go (storage.capture): SQLAlchemy's
        executemany cost several times SQLite's own work per row here. A row is known by its
        message (interaction_id is unique), as RETURNING does not promise the order of the rows."""
        by_message = {s.interaction_id: s for s in suggestions if s.interaction_id is not None}
        for suggestion in suggestions:
            if suggestion.interaction_id is None:
                self.add(suggestion)
        if not by_message:
            return
        self._session.flush()  # pending ORM changes first (their rows may be referenced), as the statement bypasses the ORM
        dialect = self._session.connection().dialect
        values = row_values(dialect, t.suggestions, _SUGGESTION_COLUMNS)
        rows = list(by_message.values())
        for start in range(0, len(rows), _SUGGESTIONS_PER_STATEMENT):
            chunk = rows[start:start + _SUGGESTIONS_PER_STATEMENT]
            sql = _insert_suggestions_sql(marker(dialect), len(chunk))
            params = tuple(chain.from_iterable(map(values, chunk)))
            for row_id, message_id in run_on_driver(self._session, sql, params):
                by_message[message_id].id = row_id

    def get(self, suggestion_id: int) -> Suggestion | None:
        row = self._session.execute(select(t.suggestions).where(_S.id == suggestion_id)).mappings().first()
        return Suggestion(**row) if row is not None else None

    def save(self, suggestion: Suggestion) -> None:
        self._session.execute(t.suggestions.update().where(_S.id == suggestion.id).values(
            status=suggestion.status, decided_at=suggestion.decided_at, decided_by=suggestion.decided_by,
            task_id=suggestion.task_id))

    def decided(self, statuses: Collection[str], team_id: int | None = None) -> list[DecidedSuggestion]:
        query = (select(t.suggestions, t.interactions.c.author_kind, t.interactions.c.occurred_at,
                        t.teams.c.timezone)
                 .join(t.teams, t.teams.c.id == _S.team_id)
                 .outerjoin(t.interactions, t.interactions.c.id == _S.interaction_id)
                 .where(_S.status.in_([str(status) for status in statuses])).order_by(_S.id))
        if team_id is not None:
            query = query.where(_S.team_id == team_id)
        found = []
        for row in self._session.execute(query).mappings():
            values = dict(row)
            author_kind, said_at, timezone = values.pop("author_kind"), values.pop("occurred_at"), values.pop("timezone")
            suggestion = Suggestion(**values)
            found.append(DecidedSuggestion(suggestion, author_kind or "", said_at or suggestion.created_at, timezone))
        return found

    def deal_people(self, deal_ids: Collection[int]) -> dict[int, DealPeople]:
        # One query for what five gets would load, a row per identity of the owner, straight to
        # the driver (storage.driver): through the ORM, the query and its four objects cost more
        # than the rest of the next-step hook's lookups together.
        dialect = self._session.connection().dialect
        read = result_processors(dialect, _PEOPLE_COLUMNS)
        found: dict[int, tuple[Deal, Member | None, str | None, Team | None, list[Identity]]] = {}
        for row in run_on_driver(self._session, _deal_people_sql(dialect, len(deal_ids)), tuple(deal_ids)):
            values = read(row)
            deal, owner, team, identity = _copies(values)
            people = found.setdefault(deal.id, (deal, owner, values[-1], team, []))
            if identity is not None:
                people[4].append(identity)
        return {deal_id: DealPeople(deal, owner, tuple(identities), name, team)
                for deal_id, (deal, owner, name, team, identities) in found.items()}
