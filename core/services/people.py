"""Members and teams: first contact, profiles, and the admin verbs."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from core import commands as c
from core import permissions
from core.audit import record
from core.context import Context, Defaults
from core.errors import UserError
from core.i18n import t
from core.messages import Incoming, Reply
from core.model import Identity, Member, Role, Team
from core.ports import UnitOfWork

_HANDLE_CHARS = re.compile(r"[^\w.\-]+")


def identify(uow: UnitOfWork, incoming: Incoming, defaults: Defaults, now: datetime) -> Member:
    """The member behind a platform identity, created as a rep of the default team on first contact.

    Identities listed in the admins setting are admins whatever the database says, so an operator
    can always recover control of a fresh or misconfigured install.
    """
    member = uow.members.by_identity(incoming.platform, incoming.user_id)
    is_configured_admin = (incoming.platform, incoming.user_id) in defaults.admins
    if member is None:
        member = _first_contact(uow, incoming, defaults, now, is_configured_admin)
    elif is_configured_admin and member.role != Role.ADMIN:
        member.role = Role.ADMIN
    return member


def _first_contact(uow, incoming: Incoming, defaults: Defaults, now, admin: bool) -> Member:
    team = default_team(uow, defaults)
    member = uow.members.add(Member(
        handle=_free_handle(uow, incoming.user_name or incoming.user_id),
        team_id=team.id, role=Role.ADMIN if admin else Role.REP,
        display_name=incoming.user_name, created_at=now,
    ))
    uow.members.add_identity(Identity(incoming.platform, incoming.user_id, member.id))
    record(uow, action="member.create", entity=f"member:{member.id}", at=now, actor_id=member.id,
           source=f"{incoming.platform}:{incoming.message_id}",
           after={"handle": member.handle, "role": str(member.role), "team": team.name})
    return member


def default_team(uow: UnitOfWork, defaults: Defaults) -> Team:
    team = uow.teams.by_name(defaults.team_name)
    if team is None:
        team = uow.teams.add(Team(name=defaults.team_name, timezone=defaults.timezone,
                                  language=defaults.language,
                                  pipeline=defaults.pipeline.to_dict() if defaults.pipeline else None))
    return team


def _free_handle(uow: UnitOfWork, wanted: str) -> str:
    base = _HANDLE_CHARS.sub("-", wanted.strip().lstrip("@")).strip("-").lower()[:40] or "user"
    handle, n = base, 2
    while uow.members.by_handle(handle) is not None:
        handle, n = f"{base}-{n}", n + 1
    return handle


def show_me(cmd: c.ShowMe, ctx: Context) -> Reply:
    me = ctx.actor
    platforms = ", ".join(f"{i.platform}:{i.user_id}" for i in ctx.uow.members.identities(me.id))
    reply = Reply(title=t("me.title", ctx.lang, member=me.ref()), language=ctx.lang)
    reply.lines = [
        t("me.role", ctx.lang, role=t(f"role.{me.role}", ctx.lang), team=ctx.team.name),
        t("me.language", ctx.lang, language=me.language or t("me.auto", ctx.lang)),
        t("me.timezone", ctx.lang, tz=ctx.tz),
        t("me.platforms", ctx.lang, platforms=platforms),
    ]
    return reply


def set_language(cmd: c.SetLanguage, ctx: Context) -> Reply:
    _update_self(ctx, "language", cmd.language)
    return Reply(title=t("me.language_set", cmd.language), language=cmd.language)


def set_timezone(cmd: c.SetTimezone, ctx: Context) -> Reply:
    _update_self(ctx, "timezone", cmd.timezone)
    return Reply(title=t("me.timezone_set", ctx.lang, tz=cmd.timezone), language=ctx.lang)


def _update_self(ctx: Context, field: str, value: str) -> None:
    before = getattr(ctx.actor, field)
    setattr(ctx.actor, field, value)
    record(ctx.uow, action=f"member.{field}", entity=f"member:{ctx.actor.id}", at=ctx.now,
           actor_id=ctx.actor.id, source=ctx.source, before={field: before}, after={field: value})


LINK_CODE_MINUTES = 10
_ROLE_RANK = {Role.REP: 0, Role.MANAGER: 1, Role.ADMIN: 2}


def start_link(cmd: c.StartLink, ctx: Context) -> Reply:
    code = ctx.new_code()
    ctx.uow.members.add_link_code(code, ctx.actor.id, ctx.now + timedelta(minutes=LINK_CODE_MINUTES))
    return Reply(title=t("link.code", ctx.lang, code=code, minutes=LINK_CODE_MINUTES), language=ctx.lang)


def link_account(cmd: c.LinkAccount, ctx: Context) -> Reply:
    """Fold the member behind this account into the member who asked for the code."""
    target_id = ctx.uow.members.take_link_code(cmd.code, ctx.now)
    target = ctx.uow.members.get(target_id) if target_id else None
    if target is None:
        raise UserError("err.link_code_unknown", verb="me")
    if target.id == ctx.actor.id:
        raise UserError("err.link_same", member=target.ref())
    if _ROLE_RANK[Role(ctx.actor.role)] > _ROLE_RANK[Role(target.role)]:
        target.role = ctx.actor.role  # linking never takes a role away
    platform = ctx.source.split(":")[0]
    old_id = ctx.actor.id
    ctx.uow.merge_members(old_id, target.id)
    record(ctx.uow, action="member.link", entity=f"member:{target.id}", at=ctx.now, actor_id=target.id,
           source=ctx.source, before={"member_id": old_id}, after={"member_id": target.id})
    lang = target.language or ctx.lang
    return Reply(title=t("link.done", lang, platform=platform, member=target.ref()), language=lang)


def _require_admin(ctx: Context, verb: str) -> None:
    if not permissions.is_admin(ctx.actor):
        raise UserError("err.forbidden_admin", command=verb)


def list_teams(cmd: c.ListTeams, ctx: Context) -> Reply:
    teams = ctx.uow.teams.list()
    reply = Reply(title=t("team.list", ctx.lang, count=len(teams)), language=ctx.lang)
    for team in teams:
        size = len(ctx.uow.members.in_team(team.id))
        reply.lines.append(t("team.line", ctx.lang, name=team.name, tz=team.timezone,
                             language=team.language, members=size))
    return reply


def create_team(cmd: c.CreateTeam, ctx: Context) -> Reply:
    _require_admin(ctx, "team new")
    if ctx.uow.teams.by_name(cmd.name):
        raise UserError("err.team_exists", name=cmd.name)
    team = ctx.uow.teams.add(Team(
        name=cmd.name, timezone=cmd.timezone or ctx.defaults.timezone,
        language=cmd.language or ctx.defaults.language,
        pipeline=ctx.defaults.pipeline.to_dict() if ctx.defaults.pipeline else None,
    ))
    record(ctx.uow, action="team.create", entity=f"team:{team.id}", at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after={"name": team.name, "timezone": team.timezone})
    return Reply(title=t("team.created", ctx.lang, name=team.name, tz=team.timezone), language=ctx.lang)


def list_members(cmd: c.ListMembers, ctx: Context) -> Reply:
    members = ctx.uow.members.in_team(ctx.actor.team_id)
    reply = Reply(title=t("member.list", ctx.lang, team=ctx.team.name, count=len(members)),
                  language=ctx.lang)
    reply.lines = [f"{m.ref()} · {t(f'role.{m.role}', ctx.lang)}" for m in members]
    return reply


def update_member(cmd: c.UpdateMember, ctx: Context) -> Reply:
    _require_admin(ctx, "member")
    member = ctx.uow.members.by_handle(cmd.handle)
    if member is None:
        raise UserError("err.member_not_found", handle=cmd.handle)
    before = {"role": str(member.role), "team_id": member.team_id}
    if cmd.team:
        team = ctx.uow.teams.by_name(cmd.team)
        if team is None:
            raise UserError("err.team_not_found", name=cmd.team)
        member.team_id = team.id
    if cmd.role:
        member.role = Role(cmd.role)
    record(ctx.uow, action="member.update", entity=f"member:{member.id}", at=ctx.now,
           actor_id=ctx.actor.id, source=ctx.source, before=before,
           after={"role": str(member.role), "team_id": member.team_id})
    team = ctx.uow.teams.get(member.team_id)
    return Reply(title=t("member.updated", ctx.lang, member=member.ref(),
                         role=t(f"role.{member.role}", ctx.lang), team=team.name if team else "—"),
                 language=ctx.lang)
