"""Members and teams: first contact, profiles, and the admin verbs."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from core.access import permissions
from core.access.audit import record
from core.access.door import RequestStatus
from core.chat.context import Context, Defaults
from core.chat.messages import Incoming, Reply
from core.domain.model import Identity, Member, Role, Team, people
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.ports.unit_of_work import UnitOfWork

_HANDLE_CHARS = re.compile(r"[^\w.\-]+")


def identify(uow: UnitOfWork, incoming: Incoming, defaults: Defaults, now: datetime) -> Member | None:
    """The member behind a platform identity; None for someone the bot has not let in.

    Identities listed in the admins setting are admins whatever the database says (a removed
    one is restored), so an operator can always recover control of a fresh or misconfigured
    install. Someone new becomes a member at once only when they are trusted: the console's
    local users, and the people of a workspace or corp named in DEALBOT_SELF_SERVICE; everyone
    else is a stranger (core.services.access answers them). A removed member is returned as
    they are: the caller turns them away.
    """
    member = uow.members.by_identity(incoming.platform, incoming.user_id)
    is_configured_admin = (incoming.platform, incoming.user_id) in defaults.admins
    if member is None:
        if not (is_configured_admin or trusted(incoming, defaults)):
            return None
        member = first_contact(uow, incoming, defaults, now, Role.ADMIN if is_configured_admin else Role.REP)
    elif is_configured_admin and (member.role != Role.ADMIN or not member.is_active):
        member.role, member.removed_at = Role.ADMIN, None
    return member


def trusted(incoming: Incoming, defaults: Defaults) -> bool:
    """Lets someone in on their first message: the console (a local operator's tool, whose
    users, piped `@alice …` lines included, are whoever runs it), or a sender the platform says
    is inside a workspace or corp the operator trusts for self-service."""
    if incoming.platform == "console":
        return True
    return (incoming.external is not True and bool(incoming.org)
            and (incoming.platform, incoming.org) in defaults.self_service)


def first_contact(uow: UnitOfWork, incoming: Incoming, defaults: Defaults, now: datetime, role: Role,
                  team: Team | None = None, action: str = "member.create") -> Member:
    """A new member for this platform identity, in `team` (default: the default team).

    Their own access request, if one is still waiting (they wrote before an operator listed them
    in DEALBOT_ADMINS, before self-service, before an invite), is settled first: they are in now,
    and the request must not keep the handle from them (`/me`, then DEALBOT_ADMINS, as the set-up
    pages say, would make them `@name-2`)."""
    request = uow.access.request_for(incoming.platform, incoming.user_id)
    if request is not None and request.status == RequestStatus.PENDING:
        request.status, request.decided_at = RequestStatus.APPROVED, now
    team = team or default_team(uow, defaults)
    member = uow.members.add(Member(
        handle=free_handle(uow, incoming.user_name or incoming.user_id),
        team_id=team.saved_id, role=role, display_name=incoming.user_name[:100], created_at=now,
    ))
    uow.members.add_identity(Identity(incoming.platform, incoming.user_id, member.saved_id))
    record(uow, action=action, entity=f"member:{member.id}", at=now, actor_id=member.id,
           source=f"{incoming.platform}:{incoming.message_id}",
           after={"handle": member.handle, "role": str(member.role), "team": team.name})
    return member


def default_team(uow: UnitOfWork, defaults: Defaults) -> Team:
    team = uow.teams.by_name(defaults.team_name)
    if team is None:
        team = uow.teams.add(defaults.new_team(defaults.team_name))
    return team


def free_handle(uow: UnitOfWork, wanted: str) -> str:
    """A handle made from a name that no member has and no waiting access request will get."""
    base = _HANDLE_CHARS.sub("-", wanted.strip().lstrip("@")).strip("-").lower()[:40] or "user"
    handle, n = base, 2
    while uow.members.by_handle(handle) is not None or uow.access.pending_by_handle(handle) is not None:
        handle, n = f"{base}-{n}", n + 1
    return handle


def show_me(cmd: c.ShowMe, ctx: Context) -> Reply:
    me = ctx.actor
    platforms = ", ".join(f"{i.platform}:{i.user_id}" for i in ctx.uow.members.identities(me.saved_id))
    reply = Reply(title=t("me.title", ctx.lang, member=me.ref()), language=ctx.lang)
    reply.lines = [
        t("me.role", ctx.lang, role=t(f"role.{me.role}", ctx.lang), team=ctx.team.name),
        t("me.language", ctx.lang, language=me.language or t("me.auto", ctx.lang)),
        t("me.timezone", ctx.lang, tz=ctx.tz),
        t("me.platforms", ctx.lang, platforms=platforms),
    ]
    back = ctx.uow.leads.away_until([me.saved_id], ctx.now).get(me.saved_id)
    if back is not None:  # away through the day before they are back (me away until …)
        last_day = (ctx.local(back) - timedelta(days=1)).date()
        reply.lines.append(t("me.away", ctx.lang, day=last_day.isoformat()))
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


def _require_admin(ctx: Context, verb: str) -> None:
    if not permissions.is_admin(ctx.actor):
        raise UserError("err.forbidden_admin", command=verb)


def list_teams(cmd: c.ListTeams, ctx: Context) -> Reply:
    teams = ctx.uow.teams.list()
    reply = Reply(title=t("team.list", ctx.lang, count=len(teams)), language=ctx.lang)
    for team in teams:
        size = len(people(ctx.uow.members.in_team(team.saved_id)))
        reply.lines.append(t("team.line", ctx.lang, name=team.name, tz=team.timezone,
                             language=team.language, members=size))
    return reply


def create_team(cmd: c.CreateTeam, ctx: Context) -> Reply:
    _require_admin(ctx, "team new")
    if ctx.uow.teams.by_name(cmd.name):
        raise UserError("err.team_exists", name=cmd.name)
    team = ctx.uow.teams.add(ctx.defaults.new_team(cmd.name, cmd.timezone, cmd.language))
    record(ctx.uow, action="team.create", entity=f"team:{team.id}", at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after={"name": team.name, "timezone": team.timezone})
    return Reply(title=t("team.created", ctx.lang, name=team.name, tz=team.timezone), language=ctx.lang)
