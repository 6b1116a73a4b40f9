"""Fakes of the access ports (core.ports.access): audit, invite links, access requests."""

from __future__ import annotations

from datetime import datetime

from tests.fakes.table import Table


class FakeAuditRepository(Table):
    def for_entity(self, entity):
        return sorted((e for e in self.all() if e.entity == entity), key=lambda e: (e.at, e.id))

    def by_actor_since(self, actor_id, since):
        return sorted((e for e in self.all() if e.actor_id == actor_id and e.at >= since), key=lambda e: (e.at, e.id))


class FakeLinkRepository(Table):
    """core.ports.access.LinkRepository in memory; `failed` holds the wrong guesses."""

    def __init__(self):
        super().__init__()
        self.failed: list[tuple[str, str, datetime]] = []

    def by_code(self, code_hash):
        return next((r for r in self.all() if r.code_hash == code_hash), None)

    def redeem(self, request, member_id, platform, user_id, at):
        request.redeemer_id, request.redeemer_platform = member_id, platform
        request.redeemer_user_id, request.redeemed_at = user_id, at

    def awaiting(self, member_id, now):
        return sorted((r for r in self.all() if r.member_id == member_id and r.awaiting_confirmation(now)),
                      key=lambda r: r.id)

    def remove(self, request_id):
        self.rows.pop(request_id, None)

    def remove_codes_of(self, member_id):
        for r in [r for r in self.all() if member_id in (r.member_id, r.redeemer_id)]:
            del self.rows[r.id]

    def add_failure(self, platform, user_id, at):
        from core.access.linking import FAILURES_KEPT

        self.failed = [f for f in self.failed if f[2] >= at - FAILURES_KEPT] + [(platform, user_id, at)]

    def failures(self, since, platform=None, user_id=None):
        return sum(1 for p, u, at in self.failed if at >= since and (platform is None or (p, u) == (platform, user_id)))


class FakeAccessRepository(Table):
    """Access requests in `rows`, invites in `invites` (core.ports.access.AccessRepository)."""

    def __init__(self, members):
        super().__init__()
        self.invites = Table()
        self._members = members  # a callable: the unit of work's member repository

    def request_for(self, platform, user_id):
        return next((r for r in self.all() if (r.platform, r.user_id) == (platform, user_id)), None)

    def add_request(self, request):
        return self.add(request)

    def get_request(self, request_id):
        return self.get(request_id)

    def pending(self):
        return sorted((r for r in self.all() if r.status == "pending"), key=lambda r: r.id)

    def pending_by_handle(self, handle):
        return next((r for r in self.pending() if r.handle.lower() == handle.lower()), None)

    def failures_since(self, since):
        return sum(r.failed_joins for r in self.all() if r.failures_since and r.failures_since > since)

    def add_invite(self, invite):
        return self.invites.add(invite)

    def invite_by_hash(self, code_hash):
        return next((i for i in self.invites.all() if i.code_hash == code_hash), None)

    def admins(self):
        return sorted((m for m in self._members().all() if m.role == "admin" and m.removed_at is None),
                      key=lambda m: m.id)
