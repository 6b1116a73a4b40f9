"""An admin's changes to a member: role and team, removal and restoration, with handover.

Nobody is left owning work they cannot see: a member leaving the team (removed, or moved to
another team) hands their open deals and tasks to an heir (`to:@y`) in the same transaction,
or the command lists what is still theirs and changes nothing. Closed deals, history and past
figures keep their name.
"""

from __future__ import annotations

from core.access import permissions
from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import Reply
from core.domain.model import DealStatus, Member, Role
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.notify.direct import tell_heir
from core.services import access

_LISTED = 12  # open deals and tasks named in a refusal; the rest are counted


def _require_admin(ctx: Context) -> None:
    if not permissions.is_admin(ctx.actor):
        raise UserError("err.forbidden_admin", command="member")


def _member(ctx: Context, handle: str) -> Member:
    member = ctx.uow.members.by_handle(handle)
    if member is None:
        raise UserError("err.member_not_found", handle=handle)
    return member


def list_members(cmd: c.ListMembers, ctx: Context) -> Reply:
    """The actor's team; for an admin also the access requests waiting (a console admin gets no
    direct message about them)."""
    members = ctx.uow.members.in_team(ctx.actor.team_id)
    reply = Reply(title=t("member.list", ctx.lang, team=ctx.team.name, count=len(members)),
                  language=ctx.lang)
    reply.lines = [f"{m.ref()} · {_kind(m, ctx.lang)}" for m in members]
    if permissions.is_admin(ctx.actor):
        reply.lines += access.pending_lines(ctx)
    return reply


def _kind(member: Member, lang: str) -> str:
    """A person's role; an integration (an API token's member) said as one, never as a rep."""
    role = t(f"role.{member.role}", lang)
    return role if member.is_person else t("member.integration", lang, role=role)


def update_member(cmd: c.UpdateMember, ctx: Context) -> Reply:
    """`member @x role:… team:… [to:@y]`; a waiting access request's handle approves it."""
    _require_admin(ctx)
    member = ctx.uow.members.by_handle(cmd.handle)
    if member is None and (request := ctx.uow.access.pending_by_handle(cmd.handle)) is not None:
        team = access.team_named(ctx, cmd.team) if cmd.team else ctx.team
        return access.approve(ctx, request, Role(cmd.role or Role.REP), team)
    if member is None:
        raise UserError("err.member_not_found", handle=cmd.handle)
    if not member.is_active:
        raise UserError("member.is_removed", member=member.ref())
    before = {"role": str(member.role), "team_id": member.team_id}
    lines = []
    if cmd.team:
        team = access.team_named(ctx, cmd.team)
        if team.id != member.team_id:
            lines = hand_over(ctx, member, cmd.heir)
            member.team_id = team.saved_id
    if cmd.role:
        member.role = Role(cmd.role)
    record(ctx.uow, action="member.update", entity=f"member:{member.id}", at=ctx.now,
           actor_id=ctx.actor.id, source=ctx.source, before=before,
           after={"role": str(member.role), "team_id": member.team_id})
    now_in = ctx.uow.teams.get(member.team_id)
    return Reply(title=t("member.updated", ctx.lang, member=member.ref(),
                         role=t(f"role.{member.role}", ctx.lang), team=now_in.name if now_in else "—"),
                 lines=lines, language=ctx.lang)


def remove_member(cmd: c.RemoveMember, ctx: Context) -> Reply:
    """`member @x remove [to:@y]`: no access, reminders, daily cards or scorecard rows from now."""
    _require_admin(ctx)
    member = _member(ctx, cmd.handle)
    if not member.is_active:
        raise UserError("member.is_removed", member=member.ref())
    if member.id == ctx.actor.id:
        raise UserError("member.remove_self")
    lines = hand_over(ctx, member, cmd.heir)
    member.removed_at = ctx.now
    record(ctx.uow, action="member.remove", entity=f"member:{member.id}", at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after={"removed_at": ctx.now.isoformat(), "heir": cmd.heir})
    return Reply(title=t("member.removed", ctx.lang, member=member.ref()), lines=lines, language=ctx.lang)


def restore_member(cmd: c.RestoreMember, ctx: Context) -> Reply:
    _require_admin(ctx)
    member = _member(ctx, cmd.handle)
    if member.is_active:
        raise UserError("member.not_removed", member=member.ref())
    member.removed_at = None
    record(ctx.uow, action="member.restore", entity=f"member:{member.id}", at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after={"removed_at": None})
    team = ctx.uow.teams.get(member.team_id)
    return Reply(title=t("member.restored", ctx.lang, member=member.ref(), team=team.name if team else "—"),
                 language=ctx.lang)


def hand_over(ctx: Context, member: Member, heir_handle: str | None) -> list[str]:
    """Give the member's open deals and tasks to the heir; lines saying what moved. Without an
    heir while work is open: UserError listing it. The heir must be active and see every item
    (their team, or an admin)."""
    deals = ctx.uow.deals.find(owner_id=member.id, status=DealStatus.OPEN)
    tasks = ctx.uow.tasks.find(assignee_id=member.id, open_only=True)
    if not deals and not tasks:
        return []
    codes = [d.code for d in deals] + [task.code for task in tasks]
    if heir_handle is None:
        shown = ", ".join(codes[:_LISTED]) + (f" (+{len(codes) - _LISTED})" if len(codes) > _LISTED else "")
        raise UserError("member.still_owns", verb="member", member=member.ref(), items=shown)
    heir = _member(ctx, heir_handle)
    if heir.id == member.id or not heir.is_active or not all(
            permissions.can_view_deal(heir, d) for d in deals) or not all(
            permissions.is_admin(heir) or task.team_id == heir.team_id for task in tasks):
        raise UserError("member.bad_heir", heir=heir.ref(), member=member.ref())
    for deal in deals:
        deal.owner_id = heir.saved_id
        record(ctx.uow, action="deal.handover", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id,
               source=ctx.source, before={"owner_id": member.id}, after={"owner_id": heir.id})
    for task in tasks:
        task.assignee_id = heir.saved_id
        record(ctx.uow, action="task.handover", entity=task.code, at=ctx.now, actor_id=ctx.actor.id,
               source=ctx.source, before={"assignee_id": member.id}, after={"assignee_id": heir.id})
    if heir.id != ctx.actor.id:  # took it themselves: the reply is the news
        tell_heir(ctx.uow, heir, member, codes, ctx.actor, ctx.now)
    return [t("member.handed_over", ctx.lang, items=", ".join(codes), heir=heir.ref())]
