"""`link D-12` / `link customer:<name>`, `unlink`, `capture on|off|status`: which group chats
are recorded into a deal's or customer's timeline (the messages themselves: services.capture).

Linking is announced in the chat itself (the reply is a visible message there), so everyone in
the chat knows they are being recorded and who can stop it. Only group chats on a platform that
delivers group messages can be linked: a direct chat or the console is refused with a message.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from core.access import permissions
from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import ChatAccess, Reply
from core.domain.model import ChatBinding, Customer, Deal, Role
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.ports.unit_of_work import UnitOfWork
from core.replies.cards import deal_name, handle_of, when
from core.services.deals import load_deal

CAPTURE_PLATFORMS = ("slack", "telegram", "dingtalk")
# What the adapter found it can read of the chat (core.chat.messages.ChatAccess): a chat the bot
# cannot read is not linked, with what to do instead; a partial view is said in the notice.
CANNOT_READ = {
    ChatAccess.NOT_IN_CHANNEL: "err.link_not_in_channel",
    ChatAccess.GROUP_DM: "err.link_group_dm",
    ChatAccess.PRIVACY_MODE: "err.link_privacy_mode",
}
NOTES = {
    ChatAccess.JOINED: "chat.note_joined",
    ChatAccess.SHARED: "chat.note_shared",
}


def link_chat(cmd: c.LinkChat, ctx: Context) -> Reply:
    platform = _platform(ctx)
    if ctx.is_direct or platform not in CAPTURE_PLATFORMS or not ctx.chat_id:
        raise UserError("err.link_needs_group")
    deal, customer = _target(ctx, cmd)
    if ctx.chat_access in CANNOT_READ:  # never announce recording the platform will not deliver
        raise UserError(CANNOT_READ[ctx.chat_access])
    wanted: tuple[int | None, int | None]
    if deal is not None:
        wanted, team_id = (deal.saved_id, None), deal.team_id
    else:
        assert customer is not None  # _target gives a deal or a customer
        wanted, team_id = (None, customer.saved_id), customer.team_id
    existing = ctx.uow.chat_bindings.for_chat(platform, ctx.chat_id)
    if existing is not None:
        if (existing.deal_id, existing.customer_id) == wanted:
            return Reply(title=t("chat.already_linked", ctx.lang, target=_describe(ctx, existing)),
                         language=ctx.lang)
        raise UserError("err.chat_linked_elsewhere", target=_describe(ctx, existing))
    binding = ctx.uow.chat_bindings.add(ChatBinding(
        platform=platform, chat_id=ctx.chat_id, team_id=team_id, bound_at=ctx.now,
        bound_by=ctx.actor.id, deal_id=wanted[0], customer_id=wanted[1],
    ))
    _audit(ctx, "chat.link", binding, after={"platform": platform, "chat_id": ctx.chat_id})
    notes = [t(NOTES[ctx.chat_access], ctx.lang)] if ctx.chat_access in NOTES else []
    return Reply(title=_notice(ctx, deal, customer, binding), lines=notes, language=ctx.lang)


def unlink_chat(cmd: c.UnlinkChat, ctx: Context) -> Reply:
    binding = _changeable_binding(ctx)
    target = _describe(ctx, binding)
    _audit(ctx, "chat.unlink", binding, before={"platform": binding.platform, "chat_id": binding.chat_id})
    ctx.uow.chat_bindings.remove(binding)
    return Reply(title=t("chat.unlinked", ctx.lang, target=target), language=ctx.lang)


def set_capture(cmd: c.SetCapture, ctx: Context) -> Reply:
    binding = _changeable_binding(ctx)
    if binding.capturing != cmd.on:
        _audit(ctx, "chat.capture_on" if cmd.on else "chat.capture_off", binding,
               before={"capturing": binding.capturing}, after={"capturing": cmd.on})
        binding.capturing = cmd.on
    key = "chat.capture_on" if cmd.on else "chat.capture_off"
    return Reply(title=t(key, ctx.lang, target=_describe(ctx, binding)), language=ctx.lang)


def show_capture(cmd: c.ShowCapture, ctx: Context) -> Reply:
    binding = _binding_here(ctx)
    if binding is None:
        return Reply(title=t("chat.status_none", ctx.lang), language=ctx.lang)
    by = ctx.uow.members.get(binding.bound_by) if binding.bound_by else None
    key = "chat.status_on" if binding.capturing else "chat.status_off"
    return Reply(title=t(key, ctx.lang, target=_describe(ctx, binding), member=by.ref() if by else "—",
                         when=when(ctx, binding.bound_at)), language=ctx.lang)


# -- helpers ---------------------------------------------------------------------------------------

def _platform(ctx: Context) -> str:
    return ctx.source.split(":", 1)[0]


def _binding_here(ctx: Context) -> ChatBinding | None:
    platform = _platform(ctx)
    if ctx.is_direct or platform not in CAPTURE_PLATFORMS or not ctx.chat_id:
        raise UserError("err.capture_needs_group")
    return ctx.uow.chat_bindings.for_chat(platform, ctx.chat_id)


def _changeable_binding(ctx: Context) -> ChatBinding:
    binding = _binding_here(ctx)
    if binding is None:
        raise UserError("err.chat_not_linked")
    if binding.deal_id is not None:
        deal = ctx.uow.deals.get(binding.deal_id)
        allowed = deal is not None and permissions.can_change_deal(ctx.actor, deal)
    else:
        allowed = _may_link_customer(ctx, _customer_of(ctx, binding))
    if not allowed:
        raise UserError("err.forbidden_capture", target=_describe(ctx, binding))
    return binding


def _target(ctx: Context, cmd: c.LinkChat) -> tuple[Deal | None, Customer | None]:
    if cmd.deal_id is not None:
        deal = load_deal(ctx, cmd.deal_id, change=True)  # the owner, managers, admins
        return deal, ctx.uow.customers.get(deal.customer_id)
    customer = ctx.uow.customers.by_name(ctx.actor.team_id, cmd.customer or "")
    if customer is None:
        raise UserError("err.customer_not_found", name=cmd.customer)
    if not _may_link_customer(ctx, customer):
        raise UserError("err.forbidden_capture", target=t("chat.target_customer", ctx.lang,
                                                             customer=customer.name))
    return None, customer


def _may_link_customer(ctx: Context, customer: Customer | None) -> bool:
    """Admins, the team's managers, and the owners of the customer's deals."""
    if customer is None:
        return permissions.is_admin(ctx.actor)
    if permissions.is_admin(ctx.actor):
        return True
    if ctx.actor.team_id != customer.team_id:
        return False
    if ctx.actor.role == Role.MANAGER:
        return True
    return any(d.customer_id == customer.id for d in ctx.uow.deals.find(owner_id=ctx.actor.id))


def _describe(ctx: Context, binding: ChatBinding) -> str:
    if binding.deal_id is not None:
        return f"D-{binding.deal_id}"
    customer = _customer_of(ctx, binding)
    return t("chat.target_customer", ctx.lang, customer=customer.name if customer else "—")


def _customer_of(ctx: Context, binding: ChatBinding) -> Customer | None:
    return None if binding.customer_id is None else ctx.uow.customers.get(binding.customer_id)


def _notice(ctx: Context, deal: Deal | None, customer: Customer | None, binding: ChatBinding) -> str:
    """The visible notice of what is recorded now: never more than the platform delivers."""
    name = customer.name if customer else "—"
    if deal is not None:
        who = t("chat.who_deal", ctx.lang, owner=f"@{handle_of(ctx.uow.members.get(deal.owner_id))}")
    else:
        who = t("chat.who_customer", ctx.lang, customer=name)
    if ctx.chat_access == ChatAccess.MENTIONS_ONLY:
        return t("chat.linked_mentions_only", ctx.lang, target=_describe(ctx, binding), who=who,
                 example=deal.code if deal else "D-12")
    if deal is not None:
        return t("chat.linked_deal", ctx.lang, deal=deal.code, name=deal_name(customer.name if customer else None,
                                                                              deal.title), who=who)
    return t("chat.linked_customer", ctx.lang, customer=name, who=who)


def _audit(ctx: Context, action: str, binding: ChatBinding, *, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> None:
    record(ctx.uow, action=action, entity=_entity(binding), at=ctx.now, actor_id=ctx.actor.id, source=ctx.source,
           before=before, after=after)


def move_chat(uow: UnitOfWork, platform: str, old_chat_id: str, new_chat_id: str, now: datetime) -> bool:
    """A chat that changed its id (a Telegram group upgraded to a supergroup): its link and its
    digest subscriptions follow it, so recording and digests go on. Messages stored before keep
    the old id (they were sent there). True when anything moved; the caller commits."""
    moved = False
    binding = uow.chat_bindings.for_chat(platform, old_chat_id)
    if binding is not None and uow.chat_bindings.for_chat(platform, new_chat_id) is None:
        binding.chat_id = new_chat_id
        record(uow, action="chat.moved", entity=_entity(binding), at=now, actor_id=None,
               source=f"{platform}:migrate", before={"chat_id": old_chat_id}, after={"chat_id": new_chat_id})
        moved = True
    for subscription in uow.digests.for_chat(platform, old_chat_id):
        uow.digests.add(replace(subscription, chat_id=new_chat_id, id=None))
        moved = True
    uow.digests.remove(platform, old_chat_id)
    return moved


def _entity(binding: ChatBinding) -> str:
    return f"D-{binding.deal_id}" if binding.deal_id is not None else f"customer:{binding.customer_id}"
