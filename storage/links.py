"""`me link` codes, their requests and wrong guesses in SQL (core.ports.access.LinkRepository)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from core.access.linking import CONFIRM_MINUTES, FAILURES_KEPT, LinkRequest
from storage import tables as t

_L, _F = t.link_codes.c, t.link_failures.c
_FIELDS = ("member_id", "code_hash", "platform", "user_id", "expires_at", "redeemer_id",
           "redeemer_platform", "redeemer_user_id", "redeemed_at")


def _request(row) -> LinkRequest:
    return LinkRequest(**{name: getattr(row, name) for name in _FIELDS}, id=row.id)


class SqlLinkRepository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, request: LinkRequest) -> LinkRequest:
        values = {name: getattr(request, name) for name in _FIELDS}
        request.id = self._session.execute(t.link_codes.insert().values(values).returning(_L.id)).scalar_one()
        return request

    def get(self, request_id: int) -> LinkRequest | None:
        row = self._session.execute(select(t.link_codes).where(_L.id == request_id)).first()
        return _request(row) if row else None

    def by_code(self, code_hash: str) -> LinkRequest | None:
        row = self._session.execute(select(t.link_codes).where(_L.code_hash == code_hash)).first()
        return _request(row) if row else None

    def redeem(self, request: LinkRequest, member_id: int | None, platform: str, user_id: str, at: datetime) -> None:
        self._session.execute(
            t.link_codes.update().where(_L.id == request.id)
            .values(redeemer_id=member_id, redeemer_platform=platform, redeemer_user_id=user_id, redeemed_at=at)
        )
        request.redeemer_id, request.redeemer_platform = member_id, platform
        request.redeemer_user_id, request.redeemed_at = user_id, at

    def awaiting(self, member_id: int, now: datetime) -> Sequence[LinkRequest]:
        query = (select(t.link_codes)
                 .where(_L.member_id == member_id, _L.redeemed_at.is_not(None),
                        _L.redeemed_at > now - timedelta(minutes=CONFIRM_MINUTES))
                 .order_by(_L.id))
        return [_request(row) for row in self._session.execute(query)]

    def remove(self, request_id: int) -> None:
        self._session.execute(delete(t.link_codes).where(_L.id == request_id))

    def remove_codes_of(self, member_id: int) -> None:
        self._session.execute(delete(t.link_codes).where(or_(_L.member_id == member_id, _L.redeemer_id == member_id)))

    def add_failure(self, platform: str, user_id: str, at: datetime) -> None:
        self._session.execute(delete(t.link_failures).where(_F.at < at - FAILURES_KEPT))
        self._session.execute(t.link_failures.insert().values(platform=platform, user_id=user_id, at=at))

    def failures(self, since: datetime, platform: str | None = None, user_id: str | None = None) -> int:
        query = select(func.count()).select_from(t.link_failures).where(_F.at >= since)
        if platform is not None:
            query = query.where(_F.platform == platform, _F.user_id == user_id)
        return self._session.execute(query).scalar_one()
