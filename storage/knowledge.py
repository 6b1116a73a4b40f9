"""Knowledge in SQL (core.ports.knowledge.KnowledgeRepository): playbook lines, FAQ, asks, retros."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.domain.model import Interaction
from core.knowledge.records import FaqAsk, FaqEntry, Onboarding, PlaybookLine, Retro
from core.knowledge.similar import Profile
from storage import tables as t

_P, _F, _A, _R, _O = t.playbook_lines.c, t.faq_entries.c, t.faq_asks.c, t.retros.c, t.onboardings.c


def _line(row: Any) -> PlaybookLine:
    return PlaybookLine(team_id=row.team_id, stage=row.stage, section=row.section, text=row.text,
                        added_at=row.added_at, added_by=row.added_by, removed_at=row.removed_at,
                        removed_by=row.removed_by, id=row.id)


def _entry(row: Any) -> FaqEntry:
    return FaqEntry(team_id=row.team_id, question=row.question, answer=row.answer, added_at=row.added_at,
                    tags=[tag for tag in row.tags.split("\n") if tag], added_by=row.added_by,
                    removed_at=row.removed_at, id=row.id)


def _ask(row: Any) -> FaqAsk:
    return FaqAsk(team_id=row.team_id, words=row.words, at=row.at, member_id=row.member_id, best_id=row.best_id,
                  score=row.score, unhelpful_at=row.unhelpful_at, id=row.id)


def _retro(row: Any) -> Retro:
    return Retro(deal_id=row.deal_id, team_id=row.team_id, text=row.text, at=row.at, author_id=row.author_id,
                 id=row.id)


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def _joined(numbers: list[int]) -> str:
    return ",".join(str(n) for n in numbers)


def _onboarding(row: Any) -> Onboarding:
    return Onboarding(team_id=row.team_id, member_id=row.member_id, started_at=row.started_at,
                      manager_id=row.manager_id, outbox_ids=_numbers(row.outbox_ids), done=_numbers(row.done),
                      id=row.id)


class SqlKnowledgeRepository:
    def __init__(self, session: Session):
        self._session = session

    def _insert(self, table: Any, values: dict[str, Any]) -> int:
        return int(self._session.execute(table.insert().values(values).returning(table.c.id)).scalar_one())

    # -- playbooks ---------------------------------------------------------------------------------
    def playbook_lines(self, team_id: int, stage: str | None = None, *,
                       removed: bool = False) -> Sequence[PlaybookLine]:
        query = select(t.playbook_lines).where(_P.team_id == team_id)
        if stage is not None:
            query = query.where(_P.stage == stage)
        if not removed:
            query = query.where(_P.removed_at.is_(None))
        with self._session.no_autoflush:  # nothing pending in the ORM is read here: a move's deal
            rows = self._session.execute(query.order_by(_P.id))  # update waits for the commit
            return [_line(row) for row in rows]

    def add_playbook_line(self, line: PlaybookLine) -> PlaybookLine:
        line.id = self._insert(t.playbook_lines, {
            "team_id": line.team_id, "stage": line.stage, "section": line.section, "text": line.text,
            "added_by": line.added_by, "added_at": line.added_at})
        return line

    def remove_playbook_line(self, line: PlaybookLine, by: int | None, at: datetime) -> None:
        self._session.execute(update(t.playbook_lines).where(_P.id == line.id)
                              .values(removed_by=by, removed_at=at))
        line.removed_by, line.removed_at = by, at

    # -- the FAQ -----------------------------------------------------------------------------------
    def faq_entries(self, team_id: int) -> Sequence[FaqEntry]:
        query = select(t.faq_entries).where(_F.team_id == team_id, _F.removed_at.is_(None)).order_by(_F.id)
        return [_entry(row) for row in self._session.execute(query)]

    def faq_entry(self, faq_id: int) -> FaqEntry | None:
        row = self._session.execute(select(t.faq_entries).where(_F.id == faq_id)).first()
        return _entry(row) if row is not None else None

    def add_faq(self, entry: FaqEntry) -> FaqEntry:
        entry.id = self._insert(t.faq_entries, {
            "team_id": entry.team_id, "question": entry.question, "answer": entry.answer,
            "tags": "\n".join(entry.tags), "added_by": entry.added_by, "added_at": entry.added_at})
        return entry

    def remove_faq(self, entry: FaqEntry, at: datetime) -> None:
        self._session.execute(update(t.faq_entries).where(_F.id == entry.id).values(removed_at=at))
        entry.removed_at = at

    def add_ask(self, ask: FaqAsk) -> FaqAsk:
        ask.id = self._insert(t.faq_asks, {
            "team_id": ask.team_id, "member_id": ask.member_id, "words": ask.words, "at": ask.at,
            "best_id": ask.best_id, "score": ask.score})
        return ask

    def ask(self, ask_id: int) -> FaqAsk | None:
        row = self._session.execute(select(t.faq_asks).where(_A.id == ask_id)).first()
        return _ask(row) if row is not None else None

    def mark_unhelpful(self, ask: FaqAsk, at: datetime) -> None:
        self._session.execute(update(t.faq_asks).where(_A.id == ask.id).values(unhelpful_at=at))
        ask.unhelpful_at = at

    def asks(self, team_id: int, since: datetime) -> Sequence[FaqAsk]:
        query = select(t.faq_asks).where(_A.team_id == team_id, _A.at >= since).order_by(_A.at, _A.id)
        return [_ask(row) for row in self._session.execute(query)]

    # -- retros ------------------------------------------------------------------------------------
    def put_retro(self, retro: Retro) -> Retro | None:
        row = self._session.execute(select(t.retros).where(_R.deal_id == retro.deal_id)).first()
        old = _retro(row) if row is not None else None
        if old is not None:
            self._session.execute(delete(t.retros).where(_R.id == old.id))
        retro.id = self._insert(t.retros, {"deal_id": retro.deal_id, "team_id": retro.team_id,
                                           "author_id": retro.author_id, "text": retro.text, "at": retro.at})
        return old

    def retros(self, deal_ids: Collection[int]) -> dict[int, Retro]:
        if not deal_ids:
            return {}
        rows = self._session.execute(select(t.retros).where(_R.deal_id.in_(list(deal_ids))))
        return {row.deal_id: _retro(row) for row in rows}

    # -- onboarding --------------------------------------------------------------------------------
    def add_onboarding(self, onboarding: Onboarding) -> Onboarding:
        onboarding.id = self._insert(t.onboardings, {
            "team_id": onboarding.team_id, "member_id": onboarding.member_id, "manager_id": onboarding.manager_id,
            "started_at": onboarding.started_at, "outbox_ids": _joined(onboarding.outbox_ids),
            "done": _joined(onboarding.done)})
        return onboarding

    def save_onboarding(self, onboarding: Onboarding) -> None:
        self._session.execute(update(t.onboardings).where(_O.id == onboarding.id).values(
            outbox_ids=_joined(onboarding.outbox_ids), done=_joined(onboarding.done)))

    def onboarding_of(self, member_id: int) -> Onboarding | None:
        row = self._session.execute(select(t.onboardings).where(_O.member_id == member_id)
                                    .order_by(_O.id.desc()).limit(1)).first()
        return _onboarding(row) if row is not None else None

    def onboardings(self, team_id: int) -> Sequence[Onboarding]:
        query = select(t.onboardings).where(_O.team_id == team_id).order_by(_O.id.desc())
        return [_onboarding(row) for row in self._session.execute(query)]

    # -- similar deals -----------------------------------------------------------------------------
    def closed_profiles(self, team_id: int, statuses: Collection[str], limit: int) -> Sequence[Profile]:
        d, c = t.deals.c, t.customers.c
        query = (select(d.id, d.customer_id, c.industry, c.source, c.tags, d.amount, d.currency, d.closed_at)
                 .join(t.customers, c.id == d.customer_id)
                 .where(d.team_id == team_id, d.status.in_(list(statuses)))
                 .order_by(d.closed_at.desc().nulls_last(), d.id.desc()).limit(limit))
        with self._session.no_autoflush:  # closed deals: nothing a `new` has pending in the ORM
            return [Profile.read(row.id, row.customer_id, row.industry, row.source, list(row.tags or []),
                                 row.amount, row.currency, row.closed_at) for row in self._session.execute(query)]

    def customer_messages(self, customer_id: int, limit: int) -> Sequence[Interaction]:
        c = t.interactions.c
        query = (select(Interaction)
                 .where(c.customer_id == customer_id, c.deal_id.is_(None), c.kind == "message",
                        c.deleted_at.is_(None))
                 .order_by(c.occurred_at.desc(), c.id.desc()).limit(limit))
        with self._session.no_autoflush:
            return self._session.scalars(query).all()
