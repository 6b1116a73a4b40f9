"""The door: what someone who is not a member gets, and the ways in (core.access.door).

Everyone who writes to the bot passes here before any command runs (core.app.dealbot):
- an outsider — a sender the platform marks as outside our workspace or organisation, or
  someone who is not a member writing in a linked customer chat — gets one sentence saying the
  bot works for the team only, and nothing is stored;
- a removed member gets one sentence saying so, and nothing is stored;
- a stranger (anyone else the bot has not let in) gets one sentence on how to get access. Their
  first message stores an access request and tells the admins once, with [Approve as rep]
  [Ignore]; later messages store nothing. `join <code>` with a valid invite lets them in.
"""

from __future__ import annotations

from datetime import datetime

from core.access import door as rules
from core.access import permissions
from core.access.audit import record
from core.access.door import AccessRequest, Invite, RequestStatus
from core.chat.context import Context, Defaults
from core.chat.messages import Button, Incoming, Reply
from core.domain.invite_codes import hash_code, new_invite_code
from core.domain.model import Member, Role, Team
from core.domain.pipeline import pipeline_of
from core.language import commands as c
from core.language.errors import ParseError, UserError
from core.language.i18n import detect_language, t
from core.language.parser import ParseContext
from core.language.verbs import parse
from core.ports.unit_of_work import UnitOfWork
from core.reminders.outbox import Draft, Kind
from core.reminders.recipients import direct_destination
from core.services import linking, people

_NAME_SHOWN = 64  # a platform's display name is someone else's text: shown short


def is_outsider(uow: UnitOfWork, incoming: Incoming, member: Member | None, defaults: Defaults) -> bool:
    """Never gets a pipeline answer, whatever they type: the platform says they are outside our
    workspace or corp (a configured admin excepted), or they are no member and write in a linked
    customer chat (a Telegram group member: Telegram cannot say who is external)."""
    if incoming.external is True and (incoming.platform, incoming.user_id) not in defaults.admins:
        return True
    if member is not None or incoming.is_direct or not incoming.chat_id:
        return False
    return bool(uow.chat_bindings.targets({(incoming.platform, incoming.chat_id)}))


def at_the_door(uow: UnitOfWork, incoming: Incoming, member: Member | None, defaults: Defaults,
                now: datetime) -> Reply:
    """The answer to someone who may not use the pipeline; the caller commits what it stored."""
    lang = (member.language if member is not None else None) or detect_language(incoming.text, defaults.language)
    if is_outsider(uow, incoming, member, defaults):
        return Reply(title=t("access.outsider", lang), is_error=True, language=lang)
    if member is not None:
        return Reply(title=t("access.removed", lang), is_error=True, language=lang)
    command = _command_of(incoming.text, defaults, now)
    if isinstance(command, c.Join | c.LinkAccount):
        return _redeem(uow, incoming, command, defaults, now, lang)
    if uow.access.request_for(incoming.platform, incoming.user_id) is None:
        _new_request(uow, incoming, now)
    account = f"{incoming.platform}:{incoming.user_id}"  # what an operator puts in DEALBOT_ADMINS
    return Reply(title=t("access.stranger", lang),
                 lines=[t("access.stranger_join", lang), t("access.your_account", lang, account=account)],
                 is_error=True, language=lang)


def _command_of(text: str, defaults: Defaults, now: datetime) -> c.Command | None:
    try:
        return parse(text, ParseContext(now, defaults.timezone, pipeline_of(None), defaults.currency))
    except ParseError:
        return None


def _new_request(uow: UnitOfWork, incoming: Incoming, now: datetime) -> AccessRequest:
    """Store the request and tell every admin who can be reached by a direct message, once: the
    outbox key names the request and the admin."""
    name = incoming.user_name[:100]
    request = uow.access.add_request(AccessRequest(
        platform=incoming.platform, user_id=incoming.user_id, user_name=name,
        handle=people.free_handle(uow, name or incoming.user_id), created_at=now))
    for admin in uow.access.admins():
        destination = direct_destination(uow.members.identities(admin.saved_id))
        if destination is None:
            continue  # a console admin sees requests with `member`
        team = uow.teams.get(admin.team_id)
        lang = admin.language or (team.language if team else "en")
        reply = Reply(
            title=t("access.notice", lang, name=_shown(request.user_name or request.user_id),
                    platform=request.platform, request=request.code),
            lines=[t("access.notice_hint", lang, request=request.code, handle=request.handle)],
            buttons=[Button(t("button.approve_rep", lang), f"member approve {request.code}"),
                     Button(t("button.ignore", lang), f"member ignore {request.code}")],
            language=lang)
        uow.outbox.add(Draft(kind=Kind.ACCESS, key=f"access:{request.code}:m{admin.id}",
                             platform=destination.platform, chat_id=destination.chat_id, reply=reply,
                             not_before=now, subject=request.code, recipient_id=admin.id).to_message(now))
    return request


def _shown(name: str) -> str:
    name = " ".join(name.split())
    return name if len(name) <= _NAME_SHOWN else name[: _NAME_SHOWN - 1] + "…"


def _redeem(uow: UnitOfWork, incoming: Incoming, command: c.Join | c.LinkAccount, defaults: Defaults,
            now: datetime, lang: str) -> Reply:
    """A code from someone the bot has not met: an invite (`join`) or a link code made by a
    member on another platform (`me link`). A wrong, used or expired code counts against them
    (and everyone) for JOIN_WINDOW; once over the limit no code is even looked at."""
    request = uow.access.request_for(incoming.platform, incoming.user_id)
    if rules.locked_out(request, now, uow.access.failures_since(now - rules.JOIN_WINDOW)):
        return Reply(title=t("access.join_locked", lang), is_error=True, language=lang)
    if isinstance(command, c.Join):
        reply = join(uow, incoming, command.code, defaults, now, lang, request)
    else:
        reply = linking.redeem_for_newcomer(uow, incoming, command.code, now, lang)
    if reply is not None:
        return reply
    rules.count_failure(request or _new_request(uow, incoming, now), now)
    key = "access.join_unknown" if isinstance(command, c.Join) else "err.link_code_unknown"
    return Reply(title=t(key, lang), is_error=True, language=lang)


def join(uow: UnitOfWork, incoming: Incoming, code: str, defaults: Defaults, now: datetime, lang: str,
         request: AccessRequest | None) -> Reply | None:
    """`join <code>`: a member of the invite's team with its role; None when the code is no good."""
    invite = uow.access.invite_by_hash(hash_code(code))
    if invite is None or not invite.usable(now):
        return None
    team = uow.teams.get(invite.team_id)
    assert team is not None  # an invite's team exists (a foreign key)
    member = people.first_contact(uow, incoming, defaults, now, Role(invite.role), team, action="member.join")
    invite.used_by, invite.used_at = member.id, now
    if request is not None and request.status != RequestStatus.APPROVED:
        request.status, request.decided_at = RequestStatus.APPROVED, now
    return Reply(title=t("access.joined", lang, member=member.ref(), team=team.name,
                         role=t(f"role.{member.role}", lang)),
                 lines=[t("access.joined_hint", lang)], language=lang)


def refuse_join(cmd: c.Join, ctx: Context) -> Reply:
    """A member sending `join`: nothing to do (and no code is looked at)."""
    raise UserError("access.already_member", member=ctx.actor.ref())


# -- invites ----------------------------------------------------------------------------------------

def create_invite(cmd: c.CreateInvite, ctx: Context) -> Reply:
    """Admins invite to any team as any role; a manager invites reps to their own team. The code
    is shown once, in a direct chat only (a group would see it), and stored as its hash."""
    team = team_named(ctx, cmd.team) if cmd.team else ctx.team
    role = Role(cmd.role or Role.REP)
    if not permissions.can_invite(ctx.actor, team.saved_id, role):
        raise UserError("access.forbidden_invite", team=team.name, role_key=f"role.{role}")
    if not ctx.is_direct:
        raise UserError("access.invite_in_direct")
    code = new_invite_code()
    expires = ctx.now + rules.INVITE_DURATION
    invite = ctx.uow.access.add_invite(Invite(code_hash=hash_code(code), team_id=team.saved_id, role=role,
                                              created_by=ctx.actor.saved_id, created_at=ctx.now, expires_at=expires))
    record(ctx.uow, action="invite.create", entity=f"invite:{invite.id}", at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after={"team": team.name, "role": str(role), "expires_at": expires.isoformat()})
    return Reply(title=t("access.invite", ctx.lang, team=team.name, role=t(f"role.{role}", ctx.lang)),
                 lines=[t("access.invite_code", ctx.lang, code=code, hours=rules.INVITE_HOURS)],
                 language=ctx.lang)


def team_named(ctx: Context, name: str) -> Team:
    team = ctx.uow.teams.by_name(name)
    if team is None:
        raise UserError("err.team_not_found", name=name)
    return team


# -- an admin's decision on a request -------------------------------------------------------------

def decide(cmd: c.DecideAccess, ctx: Context) -> Reply:
    """[Approve as rep] / [Ignore] on the admins' notice, or typed with role: and team:."""
    if not permissions.is_admin(ctx.actor):
        raise UserError("err.forbidden_admin", command="member")
    request = ctx.uow.access.get_request(cmd.request_id)
    if request is None:
        raise UserError("access.request_not_found", request=f"R-{cmd.request_id}")
    if request.status == RequestStatus.APPROVED:
        raise UserError("access.request_decided", request=request.code)
    if not cmd.approve:
        request.status, request.decided_by, request.decided_at = RequestStatus.IGNORED, ctx.actor.id, ctx.now
        record(ctx.uow, action="access.ignore", entity=f"access:{request.id}", at=ctx.now,
               actor_id=ctx.actor.id, source=ctx.source, after={"status": str(request.status)})
        return Reply(title=t("access.ignored", ctx.lang, request=request.code,
                             name=_shown(request.user_name or request.user_id)), language=ctx.lang)
    team = team_named(ctx, cmd.team) if cmd.team else people.default_team(ctx.uow, ctx.defaults)
    return approve(ctx, request, Role(cmd.role or Role.REP), team)


def approve(ctx: Context, request: AccessRequest, role: Role, team: Team) -> Reply:
    """The request's person becomes a member of `team` as `role`, and is told so by a direct
    message (they may be waiting in a chat the admin is not in)."""
    request.status, request.decided_by, request.decided_at = RequestStatus.APPROVED, ctx.actor.id, ctx.now
    if ctx.uow.members.by_identity(request.platform, request.user_id) is not None:
        raise UserError("access.request_decided", request=request.code)  # came in by an invite meanwhile
    # The request no longer holds its handle once approved, so the member gets it if it is free.
    incoming = Incoming(platform=request.platform, user_id=request.user_id, user_name=request.handle,
                        text="", message_id=ctx.source.split(":", 1)[-1])
    member = people.first_contact(ctx.uow, incoming, ctx.defaults, ctx.now, role, team, action="member.approve")
    member.display_name = request.user_name
    record(ctx.uow, action="access.approve", entity=f"access:{request.id}", at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after={"member": member.handle, "role": str(role), "team": team.name})
    destination = direct_destination(ctx.uow.members.identities(member.saved_id))
    if destination is not None:
        lang = team.language
        welcome = Reply(title=t("access.welcome", lang, team=team.name, role=t(f"role.{role}", lang)),
                        lines=[t("access.joined_hint", lang)], language=lang)
        ctx.uow.outbox.add(Draft(kind=Kind.ACCESS, key=f"access:{request.code}:welcome",
                                 platform=destination.platform, chat_id=destination.chat_id, reply=welcome,
                                 not_before=ctx.now, subject=request.code,
                                 recipient_id=member.id).to_message(ctx.now))
    return Reply(title=t("access.approved", ctx.lang, member=member.ref(), team=team.name,
                         role=t(f"role.{role}", ctx.lang)), language=ctx.lang)


def pending_lines(ctx: Context) -> list[str]:
    """The requests waiting for an admin, for `member` (an admin on the console gets no DM)."""
    return [t("access.pending_line", ctx.lang, request=r.code, handle=r.handle, platform=r.platform,
              name=_shown(r.user_name or r.user_id))
            for r in ctx.uow.access.pending()]
