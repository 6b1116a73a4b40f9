"""`digest here weekly|daily`, `digest off`, `digest`: which chats get the team's scorecard."""

from __future__ import annotations

from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import Reply
from core.domain.model import Role
from core.domain.worktime import WorkSettings
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.reminders.outbox import DigestSubscription
from core.reminders.recipients import can_push


def _chat(ctx: Context) -> tuple[str, str]:
    return ctx.source.split(":", 1)[0], ctx.chat_id


def show_digests(cmd: c.ShowDigests, ctx: Context) -> Reply:
    platform, chat_id = _chat(ctx)
    subscriptions = ctx.uow.digests.for_chat(platform, chat_id)
    if not subscriptions:
        return Reply(title=t("digest.none", ctx.lang), language=ctx.lang)
    items = ", ".join(_describe(ctx, s) for s in subscriptions)
    return Reply(title=t("digest.list", ctx.lang, items=items), language=ctx.lang)


def subscribe_digest(cmd: c.SubscribeDigest, ctx: Context) -> Reply:
    platform, chat_id = _checked_chat(ctx)
    ctx.uow.digests.add(DigestSubscription(team_id=ctx.actor.team_id, platform=platform, chat_id=chat_id,
                                           frequency=cmd.frequency, created_at=ctx.now,
                                           created_by=ctx.actor.id))
    record(ctx.uow, action="digest.subscribe", entity=f"team:{ctx.actor.team_id}", at=ctx.now,
           actor_id=ctx.actor.id, source=ctx.source,
           after={"platform": platform, "chat_id": chat_id, "frequency": cmd.frequency})
    subscription = DigestSubscription(ctx.actor.team_id, platform, chat_id, cmd.frequency, ctx.now)
    return Reply(title=_describe(ctx, subscription, sentence=True), language=ctx.lang)


def stop_digests(cmd: c.StopDigests, ctx: Context) -> Reply:
    platform, chat_id = _checked_chat(ctx)
    removed = ctx.uow.digests.remove(platform, chat_id)
    if removed:
        record(ctx.uow, action="digest.stop", entity=f"team:{ctx.actor.team_id}", at=ctx.now,
               actor_id=ctx.actor.id, source=ctx.source, before={"platform": platform, "chat_id": chat_id})
    return Reply(title=t("digest.stopped", ctx.lang), language=ctx.lang)


def _checked_chat(ctx: Context) -> tuple[str, str]:
    if ctx.actor.role not in (Role.MANAGER, Role.ADMIN):
        raise UserError("err.forbidden_digest")
    platform, chat_id = _chat(ctx)
    if not can_push(platform) or not chat_id:
        raise UserError("err.digest_no_push")
    return platform, chat_id


def _describe(ctx: Context, subscription: DigestSubscription, sentence: bool = False) -> str:
    team = ctx.uow.teams.get(subscription.team_id)
    assert team is not None  # a subscription's team exists (a foreign key)
    settings = WorkSettings.of(team.timezone, team.settings)
    weekly = subscription.frequency == "weekly"
    clock = settings.weekly_digest if weekly else settings.end_of_day
    when = t(f"digest.when_{subscription.frequency}", ctx.lang, time=f"{clock:%H:%M}", tz=team.timezone)
    what = t("digest.weekly" if weekly else "digest.daily", ctx.lang)
    if sentence:
        return t("digest.subscribed", ctx.lang, what=what, team=team.name, when=when)
    return f"{what} · {team.name} ({when})"
