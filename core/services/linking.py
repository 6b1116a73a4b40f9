"""`me link`, `me link <code>`, `me link confirm|cancel`: one person's accounts become one member.

The rules and what each stops are in core.access.linking. Here: a code is made only in a direct chat;
redeeming it records a request and sends the member who asked a DM with [Confirm] [Cancel]
(through the outbox, so it goes out once, after this commits); the merge happens when that
member confirms. A wrong code is answered with an error reply that still commits, so that the
failure counts towards the lockout (a UserError would roll it back).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.access.audit import record
from core.access.linking import (
    ACCOUNT_WINDOW,
    CODE_MINUTES,
    CONFIRM_MINUTES,
    GLOBAL_WINDOW,
    LinkRequest,
    Lockout,
    hash_code,
    lockout,
)
from core.chat.context import Context
from core.chat.messages import Button, Incoming, Reply
from core.domain.model import Identity, Member, Role
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.ports.unit_of_work import UnitOfWork
from core.reminders.outbox import Draft, Kind
from core.reminders.recipients import dm_chat_id

_ROLE_RANK = {Role.REP: 0, Role.MANAGER: 1, Role.ADMIN: 2}


def start_link(cmd: c.StartLink, ctx: Context) -> Reply:
    if not ctx.is_direct:
        raise UserError("err.link_code_only_direct")
    links = ctx.uow.links
    links.remove_codes_of(ctx.actor.saved_id)  # one code at a time: asking again voids the last one
    code = ctx.new_code()
    links.add(LinkRequest(member_id=ctx.actor.saved_id, code_hash=hash_code(code), platform=_platform(ctx),
                          user_id=ctx.user_id, expires_at=ctx.now + timedelta(minutes=CODE_MINUTES)))
    record(ctx.uow, action="member.link_code", entity=f"member:{ctx.actor.id}", at=ctx.now,
           actor_id=ctx.actor.id, source=ctx.source)
    return Reply(title=t("link.code", ctx.lang, code=code, minutes=CODE_MINUTES),
                 lines=[t("link.code_then", ctx.lang)], language=ctx.lang)


def link_account(cmd: c.LinkAccount, ctx: Context) -> Reply:
    """This account asks to join the member the code was made for; that member must confirm."""
    links = ctx.uow.links
    request = links.by_code(hash_code(cmd.code))
    if not ctx.is_direct:
        if request is not None and not request.redeemed:
            links.remove(request.saved_id)  # others have read it: it must not work for them either
        return _refusal(ctx, "err.link_code_shown")
    platform = _platform(ctx)
    locked = lockout(links.failures(ctx.now - ACCOUNT_WINDOW, platform, ctx.user_id),
                     links.failures(ctx.now - GLOBAL_WINDOW))
    if locked is not None:
        key = "err.link_locked_account" if locked == Lockout.ACCOUNT else "err.link_locked_everyone"
        return _refusal(ctx, key)
    if request is None or not request.usable(ctx.now):
        links.add_failure(platform, ctx.user_id, ctx.now)
        return _refusal(ctx, "err.link_code_unknown")
    if request.member_id == ctx.actor.id:
        raise UserError("err.link_same", member=ctx.actor.ref())
    links.redeem(request, ctx.actor.saved_id, platform, ctx.user_id, ctx.now)
    asker = ctx.uow.members.get(request.member_id)
    name = ctx.actor.display_name or ctx.actor.handle
    told = _ask_to_confirm(ctx.uow, ctx.now, request, asker, name, ctx.lang) if asker is not None else False
    record(ctx.uow, action="member.link_requested", entity=f"member:{request.member_id}", at=ctx.now,
           actor_id=ctx.actor.id, source=ctx.source, after={"member_id": ctx.actor.id, "request": request.id})
    how = "link.asked_dm" if told else "link.asked_type"
    return Reply(title=t("link.asked", ctx.lang, platform=request.platform, minutes=CONFIRM_MINUTES),
                 lines=[t(how, ctx.lang, platform=request.platform)], language=ctx.lang)


def redeem_for_newcomer(uow: UnitOfWork, incoming: Incoming, code: str, now: datetime, lang: str) -> Reply | None:
    """`me link <code>` from an account the bot has not met (core.services.access, which counts
    the wrong codes and locks guessers out): as for a member, nothing joins until the member who
    asked for the code confirms; then the account becomes one more identity of theirs. None when
    the code is no good."""
    request = uow.links.by_code(hash_code(code))
    if not incoming.is_direct:
        if request is not None and not request.redeemed:
            uow.links.remove(request.saved_id)  # others have read it: it must not work for them either
        return Reply(title=t("err.link_code_shown", lang), is_error=True, language=lang)
    asker = uow.members.get(request.member_id) if request is not None else None
    if request is None or not request.usable(now) or asker is None or not asker.is_active:
        return None
    uow.links.redeem(request, None, incoming.platform, incoming.user_id, now)
    told = _ask_to_confirm(uow, now, request, asker, incoming.user_name or incoming.user_id, lang)
    record(uow, action="member.link_requested", entity=f"member:{request.member_id}", at=now,
           actor_id=None, source=f"{incoming.platform}:{incoming.message_id}",
           after={"account": _account(request), "request": request.id})
    how = "link.asked_dm" if told else "link.asked_type"
    return Reply(title=t("link.asked", lang, platform=request.platform, minutes=CONFIRM_MINUTES),
                 lines=[t(how, lang, platform=request.platform)], language=lang)


def confirm_link(cmd: c.ConfirmLink, ctx: Context) -> Reply:
    """The member who asked for the code takes the account that redeemed it in."""
    request = _awaiting(ctx, cmd.request_id)
    if isinstance(request, Reply):
        return request
    if request.redeemer_id is None:
        return _take_in_account(ctx, request)
    joining = ctx.uow.members.get(request.redeemer_id)
    if joining is None:  # it was merged into someone else meanwhile
        ctx.uow.links.remove(request.saved_id)
        raise UserError("err.link_nothing_to_confirm")
    me, joining_id = ctx.actor, joining.saved_id
    if _ROLE_RANK[Role(joining.role)] > _ROLE_RANK[Role(me.role)]:
        me.role = joining.role  # linking never takes a role away (the asker vouched for it)
    ctx.uow.links.remove_codes_of(joining_id)
    ctx.uow.links.remove(request.saved_id)
    ctx.uow.merge_members(joining_id, me.saved_id)
    record(ctx.uow, action="member.link", entity=f"member:{me.id}", at=ctx.now, actor_id=me.id,
           source=ctx.source, before={"member_id": joining_id}, after={"member_id": me.id})
    return Reply(title=t("link.done", ctx.lang, platform=request.redeemer_platform, member=me.ref()),
                 language=ctx.lang)


def _take_in_account(ctx: Context, request: LinkRequest) -> Reply:
    """A confirmed code redeemed by an account that was no member: it becomes the asker's."""
    ctx.uow.links.remove(request.saved_id)
    holder = ctx.uow.members.by_identity(request.redeemer_platform, request.redeemer_user_id)
    if holder is not None:  # it joined the team meanwhile: link the two as for any member
        raise UserError("err.link_nothing_to_confirm")
    ctx.uow.members.add_identity(Identity(request.redeemer_platform, request.redeemer_user_id, ctx.actor.saved_id))
    record(ctx.uow, action="member.link", entity=f"member:{ctx.actor.id}", at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after={"identity": _account(request)})
    return Reply(title=t("link.done", ctx.lang, platform=request.redeemer_platform, member=ctx.actor.ref()),
                 language=ctx.lang)


def cancel_link(cmd: c.CancelLink, ctx: Context) -> Reply:
    """Either side drops the request (the asker from the DM, the redeemer having second thoughts)."""
    mine = [r for r in ctx.uow.links.awaiting(ctx.actor.saved_id, ctx.now)
            if cmd.request_id is None or r.id == cmd.request_id]
    if cmd.request_id is not None and not mine:
        request = ctx.uow.links.get(cmd.request_id)
        if request is not None and request.redeemer_id == ctx.actor.id:
            mine = [request]
    if not mine:
        raise UserError("err.link_nothing_to_confirm")
    for request in mine:
        ctx.uow.links.remove(request.saved_id)
    record(ctx.uow, action="member.link_cancelled", entity=f"member:{mine[0].member_id}", at=ctx.now,
           actor_id=ctx.actor.id, source=ctx.source, after={"requests": [r.id for r in mine]})
    return Reply(title=t("link.cancelled", ctx.lang), language=ctx.lang)


def _awaiting(ctx: Context, request_id: int | None) -> LinkRequest | Reply:
    """The actor's request to confirm: the one named, or the only one. Only the member who asked
    for the code has any: the redeemer (or anyone else) naming its number finds nothing."""
    waiting = ctx.uow.links.awaiting(ctx.actor.saved_id, ctx.now)
    if request_id is not None:
        waiting = [r for r in waiting if r.id == request_id]
    if not waiting:
        raise UserError("err.link_nothing_to_confirm")
    if len(waiting) == 1:
        return waiting[0]
    reply = Reply(title=t("link.which", ctx.lang, count=len(waiting)), language=ctx.lang)
    for request in waiting:
        reply.lines.append(_account(request))
        reply.buttons.append(Button(f"✓ {_account(request)}", f"me link confirm {request.id}"))
    return reply


def _ask_to_confirm(uow: UnitOfWork, now: datetime, request: LinkRequest, asker: Member, name: str,
                    fallback_lang: str) -> bool:
    """A DM to the account that asked for the code; False when its platform cannot be pushed to
    (the console), so the redeemer is told to confirm there by typing."""
    chat_id = dm_chat_id(request.platform, request.user_id)
    if chat_id is None:
        return False
    team = uow.teams.get(asker.team_id)
    lang = asker.language or (team.language if team else fallback_lang)
    reply = Reply(
        title=t("link.confirm_title", lang, account=_account(request), name=name, member=asker.ref()),
        lines=[t("link.confirm_what", lang), t("link.confirm_expires", lang, minutes=CONFIRM_MINUTES)],
        buttons=[Button(t("button.link_confirm", lang), f"me link confirm {request.id}"),
                 Button(t("button.link_cancel", lang), f"me link cancel {request.id}")],
        language=lang,
    )
    draft = Draft(kind=Kind.LINK, key=f"link:{request.id}", platform=request.platform, chat_id=chat_id,
                  reply=reply, not_before=now, recipient_id=asker.id)
    uow.outbox.add(draft.to_message(now))
    return True


def _account(request: LinkRequest) -> str:
    return f"{request.redeemer_platform}:{request.redeemer_user_id}"


def _refusal(ctx: Context, key: str) -> Reply:
    """An error that commits (what it changed must stay: a failure counted, a code voided)."""
    return Reply(title=t(key, ctx.lang), is_error=True, language=ctx.lang)


def _platform(ctx: Context) -> str:
    return ctx.source.partition(":")[0]
