"""Retention, `forget` and data-subject exports in SQL (core.ports.conversations.PrivacyRepository).

Each erase is a handful of UPDATE statements over many rows, never a loop over loaded objects.
An erased captured message keeps its row as a tombstone: text '', author name and platform
user id gone, deleted_at set. A redelivery of it is then still a duplicate, and the response
figures keep their timestamps. What was derived from erased messages goes with them: the
suggestions' text, the tasks kept from those suggestions, and the DMs that offered them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select, true, tuple_
from sqlalchemy.orm import Session

from core.conversations.capture import CAPTURED_KIND, AuthorKind
from core.conversations.redaction import redact, words_pattern
from core.conversations.suggestions import ERASED, dm_key, erased_payload
from core.domain.model import Customer, Interaction
from core.reminders.outbox import OutboxStatus
from storage import tables as t
from storage.erasure import mark_erased, redact_copies
from storage.search import forget_words, unindex_messages_where

_I, _S, _O = t.interactions.c, t.suggestions.c, t.outbox.c


class SqlPrivacyRepository:
    def __init__(self, session: Session):
        self._session = session

    def purge_captured(self, team_id: int, before: datetime, now: datetime) -> int:
        old = and_(_I.team_id == team_id, _I.kind == CAPTURED_KIND, _I.occurred_at < before,
                   or_(_I.text != "", _I.author_name.is_not(None), _I.author_ref.is_not(None)))
        return self._erase(old, now)

    # `forget` rewrites the touched tables after its commit (storage.erasure); the daily purge
    # does not (a daily VACUUM FULL would lock them every day): its space is reused over time.
    def erase_member(self, member_id: int, now: datetime) -> int:
        mark_erased(self._session)
        erased = self._erase(and_(_I.author_id == member_id, _I.kind == CAPTURED_KIND), now)
        # typed notes keep their text (they are the team's own records) but not the person's name
        self._session.execute(t.interactions.update().where(_I.author_id == member_id).values(author_name=None))
        # what they typed to dealbot for themselves goes whole: the questions they asked the FAQ
        # (`faq gaps` lists them) and their answers to the daily card (confirmed ones became follow-ups)
        self._session.execute(delete(t.faq_asks).where(t.faq_asks.c.member_id == member_id))
        self._session.execute(delete(t.daily_updates).where(t.daily_updates.c.member_id == member_id))
        return erased

    def erase_contact(self, platform: str, user_id: str, now: datetime) -> int:
        mark_erased(self._session)
        theirs = and_(_I.platform == platform, _I.author_ref == user_id,
                      _I.author_kind == str(AuthorKind.CONTACT))
        return self._erase(theirs, now)

    def contacts_named(self, team_id: int | None, name: str) -> list[tuple[str, str, str]]:
        query = (
            select(_I.platform, _I.author_ref, func.min(_I.author_name))
            .where(_I.author_kind == str(AuthorKind.CONTACT), _I.author_ref.is_not(None),
                   func.lower(_I.author_name) == func.lower(name))
            .group_by(_I.platform, _I.author_ref)
            .order_by(_I.platform, _I.author_ref)
        )
        if team_id is not None:
            query = query.where(_I.team_id == team_id)
        return [(row[0], row[1], row[2]) for row in self._session.execute(query)]

    def customer_interactions(self, customer_id: int) -> list[Interaction]:
        deals = select(t.deals.c.id).where(t.deals.c.customer_id == customer_id)
        query = (
            select(Interaction)
            .where(or_(_I.customer_id == customer_id, _I.deal_id.in_(deals)), _I.deleted_at.is_(None))
            .order_by(_I.occurred_at, _I.id)
        )
        return list(self._session.scalars(query))

    def redact(self, words: Collection[str]) -> int:
        # the phone and e-mail of a lead about the person are theirs too: out of every copy as well
        words = {*words, *self._lead_details(words)}
        changed = redact_copies(self._session, words) + self._scrub_leads(words)
        forget_words(self._session.connection(), words)  # typo correction no longer knows their names
        return changed

    def _lead_details(self, words: Collection[str]) -> set[str]:
        folded = {w.strip().casefold() for w in words if w and len(w.strip()) >= 2}
        if not folded:
            return set()
        L = t.leads.c
        rows = self._session.execute(select(L.phone, L.email).where(func.lower(L.person).in_(folded))).all()
        return {value for row in rows for value in (row.phone, row.email) if value}

    def _scrub_leads(self, words: Collection[str]) -> int:
        """A lead about the person (their name as its person, or their e-mail or phone) loses the
        person's name, phone and e-mail, and their words leave its note; the company stays."""
        folded = {w.strip().casefold() for w in words if w and len(w.strip()) >= 2}
        if not folded:
            return 0
        L = t.leads.c
        about = or_(func.lower(L.person).in_(folded), func.lower(L.email).in_(folded), L.phone.in_(folded))
        self._session.flush()
        changed = self._session.execute(t.leads.update().where(about)
                                        .values(person=ERASED, phone=None, email=None)).rowcount
        pattern = words_pattern(words)
        if pattern is not None:
            for row in self._session.execute(select(L.id, L.note).where(L.note.is_not(None))).all():
                note = redact(row.note, pattern)
                if note is not row.note:
                    self._session.execute(t.leads.update().where(L.id == row.id).values(note=note))
                    changed += 1
        if changed:
            mark_erased(self._session)
            self._session.expire_all()
        return changed

    def drop_identities(self, member_id: int) -> None:
        self._session.flush()
        # the door's record of each account (its user id, name and handle) goes with it
        A, ids = t.access_requests.c, t.identities.c
        accounts = select(ids.platform, ids.user_id).where(ids.member_id == member_id)
        self._session.execute(delete(t.access_requests).where(tuple_(A.platform, A.user_id).in_(accounts)))
        self._session.execute(delete(t.identities).where(t.identities.c.member_id == member_id))
        mark_erased(self._session)
        self._session.expire_all()

    def customers_with_contacts(self) -> list[Customer]:
        # Contacts are a JSON list, which the two databases compare differently; customers are
        # few next to messages, and forget is rare.
        return [c for c in self._session.scalars(select(Customer).order_by(t.customers.c.id)) if c.contacts]

    # -- the erase itself ------------------------------------------------------------------------
    def _erase(self, which, now: datetime) -> int:
        """Erase the interactions matching `which`, and what was derived from them."""
        session = self._session
        session.flush()
        ids = select(_I.id).where(which).scalar_subquery()
        self._erase_suggestions(_S.interaction_id.in_(ids), now)
        unindex_messages_where(session, which)  # the words leave the search index too
        result = session.execute(
            t.interactions.update().where(which)
            .values(text="", author_name=None, author_ref=None,
                    deleted_at=func.coalesce(_I.deleted_at, now))
        )
        session.expire_all()  # objects loaded in this session hold the old text
        return result.rowcount

    def _erase_suggestions(self, which, now: datetime) -> None:
        session = self._session
        found = session.execute(select(_S.id, _S.owner_id, _S.task_id, _S.title).where(which)).all()
        if not found:
            return
        ids = [row.id for row in found]
        session.execute(t.suggestions.update().where(_S.id.in_(ids)).values(title=ERASED, cue="", date_words=""))
        tasks = [row.task_id for row in found if row.task_id is not None]
        if tasks:
            session.execute(t.tasks.update().where(t.tasks.c.id.in_(tasks)).values(title=ERASED))
            # A kept task's title is the customer's sentence: its audit entries and reminders too.
            codes = [f"T-{task_id}" for task_id in tasks]
            redact_copies(session, [row.title for row in found if row.title != ERASED],
                          {t.audit_entries: t.audit_entries.c.entity.in_(codes), t.outbox: true(),
                           t.webhook_deliveries: true()})
        self._erase_offers([(row.id, row.owner_id) for row in found], now)

    def _erase_offers(self, suggestions: Sequence[tuple[int, int]], now: datetime) -> None:
        """The DMs that offered the suggestions: their text goes; unsent ones are not sent."""
        for suggestion_id, owner_id in suggestions:
            key = dm_key(suggestion_id, owner_id)
            payload = erased_payload(suggestion_id)
            self._session.execute(t.outbox.update().where(_O.dedupe_key == key).values(payload=payload))
            self._session.execute(
                t.outbox.update()
                .where(_O.dedupe_key == key, _O.status == str(OutboxStatus.PENDING))
                .values(status=str(OutboxStatus.SKIPPED), last_error="erased", claimed_until=None)
            )

