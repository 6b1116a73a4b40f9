"""`onboard @newrep` (带新人): a new rep's first two weeks, a little each working day.

The manager's command decides the whole plan at once, in one transaction: one lesson per working
day — each open stage with its time limit, deliverables and playbook, then the team's most
useful FAQ entries, three at a time — at most ten (two working weeks), each an outbox row to the
rep's direct chat at the start of working hours of its day (the dispatcher sends it when that
moment comes), and one more to the manager the working day after the last lesson, saying the
plan ended. Each lesson has [Got it] (`onboard done 3`); `onboard` shows the manager how far each
rep got (lessons sent, lessons read), and the manager is told at once when a rep has read them all.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.domain.model import Member, Role
from core.domain.pipeline import PLAYBOOK_SECTIONS, Stage
from core.domain.worktime import WorkSettings
from core.knowledge import faq as kb
from core.knowledge.records import FaqEntry, Onboarding
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.reminders.outbox import Draft, Kind, OutboxStatus
from core.reminders.recipients import Destination, direct_destination
from core.replies import cards
from core.services.playbooks import stage_lines

MAX_LESSONS = 10  # two working weeks
FAQ_PER_LESSON = 3
ASKS_READ_DAYS = 180  # which FAQ entries helped most: the questions of this long


def lesson_days(settings: WorkSettings, now: datetime, count: int) -> list[datetime]:
    """When each lesson goes out: today if working hours have not ended (at once when they have
    begun), then the start of working hours of each next working day."""
    local = settings.local(now)
    day = local.date()
    moments: list[datetime] = []
    if settings.is_working_day(day) and local.time() < settings.working_end:
        moments.append(max(now, settings.at(day, settings.working_start)))
    for _ in range(7 * (count + 1)):  # a week holds at least one working day (core.domain.worktime)
        if len(moments) >= count:
            break
        day += timedelta(days=1)
        if settings.is_working_day(day):
            moments.append(settings.at(day, settings.working_start))
    while len(moments) < count:  # no working day at all: one a day rather than never
        day += timedelta(days=1)
        moments.append(settings.at(day, settings.working_start))
    return moments[:count]


def lessons(ctx: Context, lang: str) -> list[tuple[str, list[str], list[Button]]]:
    """(topic, lines, extra buttons) of each lesson, in order: the stages, then the FAQ."""
    found: list[tuple[str, list[str], list[Button]]] = []
    reader = _in(ctx, lang)
    for stage in ctx.pipeline.open_stages:
        found.append((t("onboard.topic_stage", lang, stage=stage.name(lang)), _stage_lesson(reader, stage),
                      [Button(t("button.more", lang), f"playbook {stage.key}")]))
    entries = _top_faq(ctx)
    for i in range(0, len(entries), FAQ_PER_LESSON):
        lines = []
        for entry in entries[i:i + FAQ_PER_LESSON]:
            lines += [f"{entry.code} · {entry.question}", f"  {cards.preview(entry.answer)}"]
        found.append((t("onboard.topic_faq", lang), lines, []))
    return found[:MAX_LESSONS]


def _in(ctx: Context, lang: str) -> Context:
    return replace(ctx, lang=lang)  # the lessons speak the rep's language


def _stage_lesson(ctx: Context, stage: Stage) -> list[str]:
    lang = ctx.lang
    lines = []
    if stage.sla_days is not None:
        lines.append(t("onboard.sla", lang, days=stage.sla_days))
    if stage.deliverables:
        lines.append(t("onboard.deliverables", lang, items="、".join(d.name(lang) for d in stage.deliverables)
                       if lang == "zh" else ", ".join(d.name(lang) for d in stage.deliverables)))
    shown = stage_lines(ctx, ctx.team.saved_id, stage)
    for section in PLAYBOOK_SECTIONS:
        mine = [item.text for item in shown if item.section == section]
        if mine:
            lines.append(t(f"playbook.head.{section}", lang))
            lines += [f"• {text}" for text in mine]
    return lines


def _top_faq(ctx: Context) -> list[FaqEntry]:
    """The FAQ entries that answered most questions (not marked unhelpful), then the oldest."""
    entries = list(ctx.uow.knowledge.faq_entries(ctx.team.saved_id))
    helped: dict[int, int] = {}
    for ask in ctx.uow.knowledge.asks(ctx.team.saved_id, ctx.now - timedelta(days=ASKS_READ_DAYS)):
        if ask.best_id is not None and ask.score >= kb.GOOD and ask.unhelpful_at is None:
            helped[ask.best_id] = helped.get(ask.best_id, 0) + 1
    entries.sort(key=lambda e: (-helped.get(e.id or 0, 0), e.id or 0))
    return entries


def _destination(ctx: Context, member: Member) -> Destination | None:
    return direct_destination(ctx.uow.members.identities(member.saved_id))


def start_onboarding(cmd: c.StartOnboarding, ctx: Context) -> Reply:
    actor = ctx.actor
    if actor.role == Role.REP:
        raise UserError("onboard.forbidden")
    member = ctx.uow.members.by_handle(cmd.handle)
    if member is None or not member.is_active:
        raise UserError("err.member_not_found", handle=cmd.handle)
    if not member.is_person:
        raise UserError("err.integration", member=member.ref())
    if member.team_id != actor.team_id and actor.role != Role.ADMIN:
        raise UserError("onboard.other_team", member=member.ref())
    existing = ctx.uow.knowledge.onboarding_of(member.saved_id)
    if existing is not None:
        reply = Reply(title=t("onboard.already", ctx.lang, member=member.ref(),
                              when=cards.when(ctx, existing.started_at)), language=ctx.lang)
        reply.lines.append(_progress(ctx, existing, member))
        return reply
    to_rep = _destination(ctx, member)
    if to_rep is None:
        raise UserError("onboard.no_dm", member=member.ref())
    team = ctx.uow.teams.get(member.team_id) or ctx.team
    lang = member.language or team.language
    plan = lessons(ctx, lang)
    settings = WorkSettings.of(team.timezone, team.settings).in_zone(member.timezone)
    days = lesson_days(settings, ctx.now, len(plan) + 1)  # the last: the manager's note
    onboarding = ctx.uow.knowledge.add_onboarding(Onboarding(team_id=team.saved_id, member_id=member.saved_id,
                                                             started_at=ctx.now, manager_id=actor.id))
    total = len(plan)
    for number, ((topic, lines, buttons), when) in enumerate(zip(plan, days, strict=False), start=1):
        lesson = Reply(title=t("onboard.lesson", lang, n=number, total=total, topic=topic), lines=list(lines),
                       buttons=[Button(t("button.got_it", lang), f"onboard done {number}"), *buttons],
                       language=lang)
        message = Draft(kind=Kind.ONBOARD, key=f"onboard:{onboarding.id}:lesson{number}:m{member.id}",
                        platform=to_rep.platform, chat_id=to_rep.chat_id, reply=lesson, not_before=when,
                        subject=member.ref(), recipient_id=member.id).to_message(ctx.now)
        ctx.uow.outbox.add(message)
        assert message.id is not None
        onboarding.outbox_ids.append(message.id)
    ctx.uow.knowledge.save_onboarding(onboarding)
    reply = Reply(title=t("onboard.started", ctx.lang, member=member.ref(), count=total,
                          first=cards.when(ctx, days[0]), last=cards.when(ctx, days[total - 1])), language=ctx.lang)
    reply.lines = [f"{n}. {topic}" for n, (topic, _, _) in enumerate(plan, start=1)]
    to_manager = _destination(ctx, actor)
    if to_manager is not None:
        note = Reply(title=t("onboard.ended", ctx.lang, member=member.ref()),
                     buttons=[Button(t("button.progress", ctx.lang), "onboard")], language=ctx.lang)
        ctx.uow.outbox.add(Draft(kind=Kind.ONBOARD, key=f"onboard:{onboarding.id}:end:m{actor.id}",
                                 platform=to_manager.platform, chat_id=to_manager.chat_id, reply=note,
                                 not_before=days[total], subject=member.ref(),
                                 recipient_id=actor.id).to_message(ctx.now))
        reply.lines.append(t("onboard.will_tell", ctx.lang, when=cards.when(ctx, days[total])))
    return reply


def _progress(ctx: Context, onboarding: Onboarding, member: Member | None) -> str:
    sent = 0
    for outbox_id in onboarding.outbox_ids:
        row = ctx.uow.outbox.get(outbox_id)
        sent += row is not None and row.status == OutboxStatus.SENT
    total = len(onboarding.outbox_ids)
    read = ", ".join(str(n) for n in sorted(onboarding.done)) or "—"
    return t("onboard.progress", ctx.lang, member=member.ref() if member else "?",
             when=cards.when(ctx, onboarding.started_at), sent=sent, total=total, done=len(onboarding.done),
             read=read)


def show_onboarding(cmd: c.ShowOnboarding, ctx: Context) -> Reply:
    if ctx.actor.role == Role.REP:
        mine = ctx.uow.knowledge.onboarding_of(ctx.actor.saved_id)
        found = [mine] if mine is not None else []
    else:
        found = list(ctx.uow.knowledge.onboardings(ctx.team.saved_id))
    reply = Reply(title=t("onboard.title", ctx.lang, count=len(found)), language=ctx.lang)
    if not found:
        reply.lines.append(t("onboard.none", ctx.lang))
    reply.lines += [_progress(ctx, o, ctx.uow.members.get(o.member_id)) for o in found[:20]]
    return reply


def onboarding_done(cmd: c.OnboardingDone, ctx: Context) -> Reply:
    onboarding = ctx.uow.knowledge.onboarding_of(ctx.actor.saved_id)
    if onboarding is None:
        raise UserError("onboard.not_yours")
    total = len(onboarding.outbox_ids)
    if cmd.lesson > total:
        raise UserError("onboard.no_lesson", n=cmd.lesson, total=total)
    if cmd.lesson in onboarding.done:
        return Reply(title=t("onboard.read_already", ctx.lang, n=cmd.lesson), language=ctx.lang)
    onboarding.done.append(cmd.lesson)
    ctx.uow.knowledge.save_onboarding(onboarding)
    reply = Reply(title=t("onboard.read", ctx.lang, n=cmd.lesson, done=len(onboarding.done), total=total),
                  language=ctx.lang)
    manager = ctx.uow.members.get(onboarding.manager_id) if onboarding.manager_id else None
    if len(onboarding.done) == total and manager is not None and manager.is_active:
        to_manager = _destination(ctx, manager)
        if to_manager is not None:
            lang = manager.language or ctx.team.language
            note = Reply(title=t("onboard.all_read", lang, member=ctx.actor.ref(), total=total), language=lang)
            ctx.uow.outbox.add(Draft(kind=Kind.ONBOARD, key=f"onboard:{onboarding.id}:all:m{manager.id}",
                                     platform=to_manager.platform, chat_id=to_manager.chat_id, reply=note,
                                     not_before=ctx.now, subject=ctx.actor.ref(),
                                     recipient_id=manager.id).to_message(ctx.now))
    return reply
