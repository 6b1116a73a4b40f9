"""Deal-news subscriptions in SQL (core.ports.notify.NotifyRepository): one row per chat."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from core.notify.feed import NotifySubscription
from storage import tables as t


def _subscription(row: Row) -> NotifySubscription:
    return NotifySubscription(
        team_id=row.team_id, platform=row.platform, chat_id=row.chat_id,
        events=tuple(e for e in row.events.split(",") if e), language=row.language, created_at=row.created_at,
        min_amount=None if row.min_amount is None else Decimal(row.min_amount), min_currency=row.min_currency,
        created_by=row.created_by, id=row.id)


class SqlNotifyRepository:
    def __init__(self, session: Session):
        self._session = session

    def save(self, subscription: NotifySubscription) -> NotifySubscription:
        c = t.notify_subscriptions.c
        values = {"team_id": subscription.team_id, "platform": subscription.platform,
                  "chat_id": subscription.chat_id, "events": ",".join(subscription.events),
                  "language": subscription.language, "min_amount": subscription.min_amount,
                  "min_currency": subscription.min_currency, "created_at": subscription.created_at,
                  "created_by": subscription.created_by}
        existing = self._session.execute(select(c.id).where(
            c.platform == subscription.platform, c.chat_id == subscription.chat_id)).scalar()
        if existing is None:
            subscription.id = self._session.execute(
                t.notify_subscriptions.insert().values(**values).returning(c.id)).scalar_one()
        else:
            self._session.execute(t.notify_subscriptions.update().where(c.id == existing).values(**values))
            subscription.id = existing
        return subscription

    def remove(self, platform: str, chat_id: str) -> int:
        c = t.notify_subscriptions.c
        return self._session.execute(t.notify_subscriptions.delete().where(
            c.platform == platform, c.chat_id == chat_id)).rowcount

    def for_chat(self, platform: str, chat_id: str) -> NotifySubscription | None:
        c = t.notify_subscriptions.c
        row = self._session.execute(select(t.notify_subscriptions).where(
            c.platform == platform, c.chat_id == chat_id)).first()
        return None if row is None else _subscription(row)

    def for_team(self, team_id: int) -> Sequence[NotifySubscription]:
        c = t.notify_subscriptions.c
        rows = self._session.execute(select(t.notify_subscriptions).where(c.team_id == team_id).order_by(c.id))
        return [_subscription(row) for row in rows]
