"""`playbook [stage]` (话术): each stage's playbook — talking points, objection handling, a
checklist, message templates — from the pipeline file (`[stages.playbook]`, in both languages)
and from chat (`playbook quote add "…"`, managers), versioned: a line added or removed in chat
keeps its row with who and when (`playbook quote history`), and each change is audited. A deal
made in or moved into a stage shows the first lines of its playbook with [More] (`entry_lines`).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.domain.model import Role
from core.domain.pipeline import PLAYBOOK_SECTIONS, Stage
from core.knowledge.records import PlaybookLine
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.replies import cards

MAX_LINES = 60  # lines a stage's playbook may hold from chat
ENTRY_LINES = 3  # lines shown when a deal enters the stage


@dataclass(frozen=True)
class Shown:
    """One numbered line of a stage's playbook as shown: its section, its text in the reader's
    language, and its stored row (None: a line of the pipeline file)."""

    section: str
    text: str
    line: PlaybookLine | None


def stage_lines(ctx: Context, team_id: int, stage: Stage) -> list[Shown]:
    """The stage's playbook in the order shown (and numbered): section by section, the file's
    lines first, then those added in chat, oldest first."""
    added = ctx.uow.knowledge.playbook_lines(team_id, stage.key)
    shown = []
    for section in PLAYBOOK_SECTIONS:
        shown += [Shown(section, item.text(ctx.lang), None) for item in stage.playbook.section(section)]
        shown += [Shown(section, line.text, line) for line in added if line.section == section]
    return shown


def entry_lines(ctx: Context, team_id: int, stage: Stage) -> tuple[list[str], list[Button]]:
    """What a move into `stage` adds to its reply: the playbook's first lines and [More]."""
    shown = stage_lines(ctx, team_id, stage)
    if not shown:
        return [], []
    lines = [t("playbook.entry", ctx.lang, stage=stage.name(ctx.lang))]
    lines += [_line(ctx, n, item) for n, item in enumerate(shown[:ENTRY_LINES], start=1)]
    if len(shown) > ENTRY_LINES:
        lines.append(cards.more_line(ctx.lang, len(shown) - ENTRY_LINES, f"playbook {stage.key}"))
    return lines, [Button(t("button.more", ctx.lang), f"playbook {stage.key}")]


def _line(ctx: Context, number: int, item: Shown) -> str:
    return f"{number}. [{t(f'playbook.section.{item.section}', ctx.lang)}] {item.text}"


def show_playbook(cmd: c.ShowPlaybook, ctx: Context) -> Reply:
    if cmd.stage is None:
        return _overview(ctx)
    stage = ctx.pipeline.get(cmd.stage)
    return _full(ctx, stage)


def _overview(ctx: Context) -> Reply:
    reply = Reply(title=t("playbook.overview", ctx.lang, team=ctx.team.name), language=ctx.lang)
    for stage in ctx.pipeline.open_stages:
        shown = stage_lines(ctx, ctx.team.saved_id, stage)
        counts = {section: sum(1 for item in shown if item.section == section) for section in PLAYBOOK_SECTIONS}
        reply.lines.append(t("playbook.overview_line", ctx.lang, stage=stage.name(ctx.lang), **counts))
        if shown and len(reply.buttons) < 5:
            reply.buttons.append(Button(stage.name(ctx.lang), f"playbook {stage.key}"))
    return reply


def _full(ctx: Context, stage: Stage) -> Reply:
    shown = stage_lines(ctx, ctx.team.saved_id, stage)
    reply = Reply(title=t("playbook.title", ctx.lang, stage=stage.name(ctx.lang)), language=ctx.lang)
    if not shown:
        reply.lines.append(t("playbook.empty", ctx.lang, stage=stage.zh if ctx.lang == "zh" else stage.key))
        return reply
    section = None
    for number, item in enumerate(shown, start=1):
        if item.section != section:
            section = item.section
            reply.lines.append(t(f"playbook.head.{section}", ctx.lang))
        reply.lines.append(f"{number}. {item.text}")
    reply.buttons = [Button(t("button.history", ctx.lang), f"playbook {stage.key} history")]
    return reply


def edit_playbook(cmd: c.EditPlaybook, ctx: Context) -> Reply:
    stage = ctx.pipeline.get(cmd.stage)
    if ctx.actor.role == Role.REP:
        raise UserError("playbook.forbidden", stage=stage.zh if ctx.lang == "zh" else stage.key)
    if stage.is_closed:
        raise UserError("playbook.closed_stage", stage=stage.name(ctx.lang))
    team_id = ctx.team.saved_id
    entity = f"playbook:{team_id}:{stage.key}"
    if cmd.action == "add":
        if len(ctx.uow.knowledge.playbook_lines(team_id, stage.key)) >= MAX_LINES:
            raise UserError("playbook.full", stage=stage.name(ctx.lang), limit=MAX_LINES)
        line = ctx.uow.knowledge.add_playbook_line(PlaybookLine(
            team_id=team_id, stage=stage.key, section=cmd.section, text=cmd.text, added_at=ctx.now,
            added_by=ctx.actor.id))
        record(ctx.uow, action="playbook.add", entity=entity, at=ctx.now, actor_id=ctx.actor.id,
               source=ctx.source, after={"section": cmd.section, "text": cmd.text, "line": line.id})
        title = t("playbook.added", ctx.lang, stage=stage.name(ctx.lang),
                  section=t(f"playbook.section.{cmd.section}", ctx.lang))
    else:
        shown = stage_lines(ctx, team_id, stage)
        if cmd.number > len(shown):
            raise UserError("playbook.no_line", number=cmd.number, stage=stage.name(ctx.lang), count=len(shown))
        item = shown[cmd.number - 1]
        if item.line is None:
            raise UserError("playbook.file_line", number=cmd.number)
        ctx.uow.knowledge.remove_playbook_line(item.line, ctx.actor.id, ctx.now)
        record(ctx.uow, action="playbook.remove", entity=entity, at=ctx.now, actor_id=ctx.actor.id,
               source=ctx.source, before={"section": item.section, "text": item.text, "line": item.line.id})
        title = t("playbook.removed", ctx.lang, number=cmd.number, stage=stage.name(ctx.lang),
                  text=cards.preview(item.text))
    reply = _full(ctx, stage)
    reply.lines.insert(0, reply.title)
    reply.title = title
    return reply


def playbook_history(cmd: c.PlaybookHistory, ctx: Context) -> Reply:
    stage = ctx.pipeline.get(cmd.stage)
    lines = ctx.uow.knowledge.playbook_lines(ctx.team.saved_id, stage.key, removed=True)
    events = []
    for line in lines:
        section = t(f"playbook.section.{line.section}", ctx.lang)
        events.append((line.added_at, line.id or 0, t("playbook.history_added", ctx.lang,
                       when=cards.when(ctx, line.added_at), who=cards.member_name(ctx, line.added_by),
                       section=section, text=cards.preview(line.text))))
        if line.removed_at is not None:
            events.append((line.removed_at, line.id or 0, t("playbook.history_removed", ctx.lang,
                           when=cards.when(ctx, line.removed_at), who=cards.member_name(ctx, line.removed_by),
                           section=section, text=cards.preview(line.text))))
    for entry in ctx.uow.audit.for_entity(f"playbook:{ctx.team.saved_id}:{stage.key}"):
        if entry.action == "playbook.file":  # the pipeline file changed the stage's playbook
            old = len((entry.before or {}).get("lines", []))
            new = len((entry.after or {}).get("lines", []))
            events.append((entry.at, 0, t("playbook.history_file_change", ctx.lang, when=cards.when(ctx, entry.at),
                                          old=old, new=new)))
    reply = Reply(title=t("playbook.history_title", ctx.lang, stage=stage.name(ctx.lang)), language=ctx.lang)
    from_file = sum(len(stage.playbook.section(section)) for section in PLAYBOOK_SECTIONS)
    reply.lines.append(t("playbook.history_file", ctx.lang, count=from_file))
    if not events:
        reply.lines.append(t("playbook.history_none", ctx.lang))
    reply.lines += [text for _, _, text in sorted(events)]
    return reply
