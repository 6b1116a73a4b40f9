"""Help: the list of verbs, one verb's usage, or the welcome (Telegram's /start), in the member's language."""

from __future__ import annotations

from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.language import commands as c
from core.language.i18n import t
from core.language.verbs import VERBS, find_verb

WELCOME_TOPICS = frozenset({"start", "开始"})  # Telegram's /start is `help start` (adapters.telegram)


def show_help(cmd: c.Help, ctx: Context) -> Reply:
    if cmd.topic in WELCOME_TOPICS:
        return welcome(ctx)
    verb = find_verb(cmd.topic) if cmd.topic else None
    if verb is not None:
        return Reply(title=verb.usage(ctx.lang), lines=[verb.summary(ctx.lang), *verb.details(ctx.lang)],
                     language=ctx.lang)
    reply = Reply(title=t("help.title", ctx.lang), language=ctx.lang)
    for v in VERBS:
        reply.lines.append(f"{v.name(ctx.lang)} — {v.summary(ctx.lang)}")
    reply.lines.append(t("help.examples", ctx.lang))
    reply.lines.append(t("help.more", ctx.lang))
    return reply


def welcome(ctx: Context) -> Reply:
    """The first words to someone who opens the bot: a few commands to begin with and how to get
    the full `help`, short enough for one chat message (Telegram's is 4096 characters)."""
    lang = ctx.lang
    return Reply(title=t("help.welcome", lang), lines=[t(f"help.welcome_{n}", lang) for n in range(1, 5)],
                 buttons=[Button(t("button.help", lang), "help")], language=lang)


def command_table() -> str:
    """README's table of the commands, one row per verb (tests/unit/test_verbs.py keeps README's
    copy equal to it)."""
    rows = ["| verb | 中文 | form | what it does | examples |", "|---|---|---|---|---|"]
    for v in VERBS:
        examples = ", ".join(f"`{_cell(example)}`" for example in v.examples)
        rows.append(f"| {v.key} | {v.zh} | `{_cell(v.usage_en)}` | {_cell(v.summary_en)} | {examples} |")
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
