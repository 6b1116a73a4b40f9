"""`dealbot token create|list|revoke`: the REST API's tokens (docs/api.md).

A token acts as a member made for it, an integration (MemberKind): its handle is the token's
name, its role and team the token's, so every write through the API is audited under that name,
with chat's rules; it is never listed or counted as a rep. The
secret is printed once; only its hash is stored. Revoking a token also removes its member (no
new work goes to it; its history stays).
"""

from __future__ import annotations

import re
from typing import TextIO

from bot.bootstrap import Wired
from bot.cli_errors import CliError, team_named
from core.domain.model import Member, MemberKind, Role
from storage import api as store

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,39}$")


def create(wired: Wired, name: str, role: str, team_name: str, read_only: bool, out: TextIO) -> int:
    name = name.strip().lstrip("@").lower()
    if not _NAME.match(name):
        raise CliError(f"'{name}' is not a token name: 2-40 letters, digits, '-', '_' or '.', e.g. crm-sync")
    now = wired.bot.clock.now()
    with wired.bot.writing_uow_factory() as uow:
        team = team_named(uow, wired.bot.defaults, team_name)
        if store.token_named(uow.session, name) is not None or uow.members.by_handle(name) is not None:
            raise CliError(f"the name '{name}' is taken (a token or a member); choose another")
        member = uow.members.add(Member(handle=name, team_id=team.saved_id, role=Role(role),
                                        display_name=f"API token {name}", created_at=now,
                                        kind=MemberKind.INTEGRATION))
        secret = store.create_token(uow.session, name, member.saved_id, read_only, now)
        uow.commit()
    mode = "read-only" if read_only else "read-write"
    out.write(f"token {name}: {role} of {team.name}, {mode}. Keep it now; it is not shown again:\n{secret}\n")
    return 0


def list_tokens(wired: Wired, out: TextIO) -> int:
    with wired.uow() as uow:
        tokens = store.list_tokens(uow.session)
        members = {t.member_id: uow.members.get(t.member_id) for t in tokens}
        teams = {m.team_id: uow.teams.get(m.team_id) for m in members.values() if m is not None}
    if not tokens:
        out.write("no tokens yet: dealbot token create NAME --role rep|manager|admin --team TEAM\n")
    for token in tokens:
        member = members.get(token.member_id)
        team = teams.get(member.team_id) if member else None
        used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never"
        state = f"revoked {token.revoked_at.isoformat(timespec='seconds')}" if token.revoked_at else "live"
        out.write(f"{token.name:<20} {member.role if member else '?':<8} {team.name if team else '?':<12} "
                  f"{'read-only' if token.read_only else 'read-write':<10} last used {used:<25} {state}\n")
    return 0


def revoke(wired: Wired, name: str, out: TextIO) -> int:
    now = wired.bot.clock.now()
    with wired.bot.writing_uow_factory() as uow:
        token = store.token_named(uow.session, name.strip().lstrip("@").lower())
        if token is None:
            raise CliError(f"no token named '{name}' (dealbot token list shows them)")
        if not store.revoke_token(uow.session, token.name, now):
            out.write(f"token {token.name} was already revoked\n")
            return 0
        member = uow.members.get(token.member_id)
        if member is not None:
            member.removed_at = now
        uow.commit()
    out.write(f"token {token.name} revoked: it no longer works\n")
    return 0
