"""`notify here won,lost min:100k`, `notify off`, `notify` (通知): which chats get the team's deal
news. Managers and admins choose (a rep may not turn a chat into a feed of teammates' deals);
anyone may ask what a chat gets. The news itself: core.notify.news."""

from __future__ import annotations

from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import Reply
from core.domain.amounts import format_money
from core.domain.model import Role
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.notify.feed import NotifySubscription
from core.reminders.recipients import can_push


def _chat(ctx: Context) -> tuple[str, str]:
    return ctx.source.split(":", 1)[0], ctx.chat_id


def show_notify(cmd: c.ShowNotify, ctx: Context) -> Reply:
    platform, chat_id = _chat(ctx)
    subscription = ctx.uow.notify.for_chat(platform, chat_id)
    if subscription is None:
        return Reply(title=t("notify.none", ctx.lang), language=ctx.lang)
    return Reply(title=_describe(ctx, subscription, "notify.list"), language=ctx.lang)


def subscribe_notify(cmd: c.SubscribeNotify, ctx: Context) -> Reply:
    platform, chat_id = _checked_feed(ctx)
    subscription = ctx.uow.notify.save(NotifySubscription(
        team_id=ctx.actor.team_id, platform=platform, chat_id=chat_id, events=cmd.events, language=ctx.lang,
        created_at=ctx.now, min_amount=cmd.minimum.amount if cmd.minimum else None,
        min_currency=cmd.minimum.currency if cmd.minimum else "", created_by=ctx.actor.id))
    record(ctx.uow, action="notify.subscribe", entity=f"team:{ctx.actor.team_id}", at=ctx.now,
           actor_id=ctx.actor.id, source=ctx.source,
           after={"platform": platform, "chat_id": chat_id, "events": list(cmd.events),
                  "min": None if cmd.minimum is None else f"{cmd.minimum.currency} {cmd.minimum.amount}"})
    reply = Reply(title=_describe(ctx, subscription, "notify.subscribed"), language=ctx.lang)
    reply.lines.append(t("notify.when", ctx.lang))
    return reply


def stop_notify(cmd: c.StopNotify, ctx: Context) -> Reply:
    """A chat that gets no news (the console never does) hears so, whoever asks; stopping a feed
    needs a manager or an admin."""
    platform, chat_id = _chat(ctx)
    if ctx.uow.notify.for_chat(platform, chat_id) is None:
        return Reply(title=t("notify.none", ctx.lang), language=ctx.lang)
    platform, chat_id = _checked_chat(ctx)
    if ctx.uow.notify.remove(platform, chat_id):
        record(ctx.uow, action="notify.stop", entity=f"team:{ctx.actor.team_id}", at=ctx.now,
               actor_id=ctx.actor.id, source=ctx.source, before={"platform": platform, "chat_id": chat_id})
        return Reply(title=t("notify.stopped", ctx.lang), language=ctx.lang)
    return Reply(title=t("notify.none", ctx.lang), language=ctx.lang)


def _checked_chat(ctx: Context) -> tuple[str, str]:
    if ctx.actor.role not in (Role.MANAGER, Role.ADMIN):
        raise UserError("err.forbidden_notify")
    platform, chat_id = _chat(ctx)
    if not can_push(platform) or not chat_id:
        raise UserError("err.notify_no_push")
    return platform, chat_id


def _checked_feed(ctx: Context) -> tuple[str, str]:
    """Where news may go: not a chat linked to a deal or customer, where the customer reads."""
    platform, chat_id = _checked_chat(ctx)
    if ctx.uow.chat_bindings.for_chat(platform, chat_id) is not None:
        raise UserError("err.notify_customer_chat")
    return platform, chat_id


def _describe(ctx: Context, subscription: NotifySubscription, key: str) -> str:
    team = ctx.uow.teams.get(subscription.team_id)
    separator = "、" if ctx.lang == "zh" else ", "
    events = separator.join(t(f"notify.event.{e}", ctx.lang) for e in subscription.events)
    minimum = "" if subscription.min_amount is None else t(
        "notify.min", ctx.lang, amount=format_money(subscription.min_amount, subscription.min_currency, ctx.lang))
    return t(key, ctx.lang, team=team.name if team else "—", events=events, min=minimum)
