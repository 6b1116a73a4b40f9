"""Access requests, invites and the admins to tell, in SQL (core.ports.access.AccessRepository)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.access.door import AccessRequest, Invite, RequestStatus
from core.domain.model import Member, Role
from storage import tables as t
from storage.repositories import _first_ci


class SqlAccessRepository:
    def __init__(self, session: Session):
        self._session = session

    def request_for(self, platform: str, user_id: str) -> AccessRequest | None:
        query = select(AccessRequest).where(t.access_requests.c.platform == platform,
                                            t.access_requests.c.user_id == user_id)
        return self._session.scalars(query).first()

    def add_request(self, request: AccessRequest) -> AccessRequest:
        self._session.add(request)
        self._session.flush()
        return request

    def get_request(self, request_id: int) -> AccessRequest | None:
        return self._session.get(AccessRequest, request_id)

    def pending(self) -> Sequence[AccessRequest]:
        query = (select(AccessRequest).where(t.access_requests.c.status == RequestStatus.PENDING)
                 .order_by(t.access_requests.c.id))
        return self._session.scalars(query).all()

    def pending_by_handle(self, handle: str) -> AccessRequest | None:
        query = (select(AccessRequest).where(t.access_requests.c.status == RequestStatus.PENDING)
                 .order_by(t.access_requests.c.id))
        return _first_ci(self._session, query, t.access_requests.c.handle, handle)

    def failures_since(self, since: datetime) -> int:
        query = (select(func.coalesce(func.sum(t.access_requests.c.failed_joins), 0))
                 .where(t.access_requests.c.failures_since > since))
        return int(self._session.execute(query).scalar_one())

    def add_invite(self, invite: Invite) -> Invite:
        self._session.add(invite)
        self._session.flush()
        return invite

    def invite_by_hash(self, code_hash: str) -> Invite | None:
        return self._session.scalars(select(Invite).where(t.invites.c.code_hash == code_hash)).first()

    def admins(self) -> Sequence[Member]:
        query = (select(Member).where(t.members.c.role == Role.ADMIN, t.members.c.removed_at.is_(None))
                 .order_by(t.members.c.id))
        return self._session.scalars(query).all()
