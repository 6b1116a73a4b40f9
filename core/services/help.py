"""Help: the list of verbs, or one verb's usage, in the member's language."""

from __future__ import annotations

from core.chat.context import Context
from core.chat.messages import Reply
from core.language import commands as c
from core.language.i18n import t
from core.language.verbs import VERBS, find_verb


def show_help(cmd: c.Help, ctx: Context) -> Reply:
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
