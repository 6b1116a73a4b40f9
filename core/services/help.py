"""Help: the list of verbs, or one verb's usage, in the member's language."""

from __future__ import annotations

from core import commands as c
from core.context import Context
from core.i18n import t
from core.messages import Reply
from core.verbs import VERBS, find_verb


def show_help(cmd: c.Help, ctx: Context) -> Reply:
    verb = find_verb(cmd.topic) if cmd.topic else None
    if verb is not None:
        return Reply(title=verb.usage(ctx.lang), lines=[verb.summary(ctx.lang)], language=ctx.lang)
    reply = Reply(title=t("help.title", ctx.lang), language=ctx.lang)
    for v in VERBS:
        reply.lines.append(f"{v.name(ctx.lang)} — {v.summary(ctx.lang)}")
    reply.lines.append(t("help.examples", ctx.lang))
    reply.lines.append(t("help.more", ctx.lang))
    return reply
