"""`faq` (问答): the team's questions and answers.

`faq <words>` ranks the team's entries (core.knowledge.faq: Chinese substrings, pinyin, English
words) and answers with the best, with [Not helpful]; every question asked is kept with its best
score, so `faq gaps` (managers) lists what was asked with no good answer, or whose answer did
not help. Managers add (`faq add "question" "answer" tags:…`) and remove entries; both audited.
"""

from __future__ import annotations

from datetime import timedelta

from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.domain.model import Role
from core.knowledge import faq as kb
from core.knowledge.records import FaqAsk, FaqEntry
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.replies import cards

ALSO = 2  # other entries shown under the best answer
GAP_DAYS = 90  # `faq gaps` looks this far back
GAPS_SHOWN = 15
MAX_ENTRIES = 500  # a team's FAQ: each question ranks them all, in Python


def ask_faq(cmd: c.AskFaq, ctx: Context) -> Reply:
    if not cmd.words:
        raise UserError("kb.faq_words", verb="faq")
    team_id = ctx.team.saved_id
    ranked = kb.rank(ctx.uow.knowledge.faq_entries(team_id), cmd.words)
    best = ranked[0] if ranked else None
    ask = ctx.uow.knowledge.add_ask(FaqAsk(team_id=team_id, words=cmd.words, at=ctx.now, member_id=ctx.actor.id,
                                           best_id=best.entry.id if best else None,
                                           score=best.score if best else 0))
    if best is None or best.score < kb.GOOD:
        reply = Reply(title=t("faq.no_answer", ctx.lang, words=cards.preview(cmd.words)), language=ctx.lang)
        if best is not None:
            reply.lines.append(t("faq.maybe", ctx.lang))
            reply.lines += [_entry_line(ranked_one.entry) for ranked_one in ranked[:ALSO + 1]]
        return reply
    entry = best.entry
    reply = Reply(title=f"{entry.code} · {entry.question}", language=ctx.lang)
    reply.lines.append(entry.answer)
    if entry.tags:
        reply.lines.append(t("faq.tags", ctx.lang, tags=", ".join(entry.tags)))
    reply.lines.append(t("faq.why", ctx.lang, score=best.score, words=" ".join(best.matched[:8])))
    others = [r for r in ranked[1:] if r.score >= kb.GOOD][:ALSO]
    if others:
        reply.lines.append(t("faq.also", ctx.lang))
        reply.lines += [_entry_line(r.entry) for r in others]
    reply.buttons = [Button(t("button.not_helpful", ctx.lang), f"faq unhelpful {ask.code}")]
    return reply


def _entry_line(entry: FaqEntry) -> str:
    return f"{entry.code} · {cards.preview(entry.question)} — {cards.preview(entry.answer)}"


def _manager(ctx: Context) -> None:
    if ctx.actor.role == Role.REP:
        raise UserError("faq.forbidden")


def add_faq(cmd: c.AddFaq, ctx: Context) -> Reply:
    _manager(ctx)
    team_id = ctx.team.saved_id
    entries = ctx.uow.knowledge.faq_entries(team_id)
    if len(entries) >= MAX_ENTRIES:
        raise UserError("faq.full", limit=MAX_ENTRIES)
    same = next((e for e in entries if " ".join(e.question.split()).casefold() == cmd.question.casefold()), None)
    if same is not None:
        raise UserError("faq.duplicate", faq=same.code)
    entry = ctx.uow.knowledge.add_faq(FaqEntry(team_id=team_id, question=cmd.question, answer=cmd.answer,
                                               added_at=ctx.now, tags=list(cmd.tags), added_by=ctx.actor.id))
    record(ctx.uow, action="faq.add", entity=entry.code, at=ctx.now, actor_id=ctx.actor.id, source=ctx.source,
           after={"question": cmd.question, "answer": cmd.answer[:200], "tags": list(cmd.tags)})
    return Reply(title=t("faq.added", ctx.lang, faq=entry.code, question=cards.preview(cmd.question)),
                 language=ctx.lang)


def remove_faq(cmd: c.RemoveFaq, ctx: Context) -> Reply:
    _manager(ctx)
    entry = ctx.uow.knowledge.faq_entry(cmd.faq_id)
    if entry is None or entry.removed_at is not None or entry.team_id != ctx.team.id:
        raise UserError("faq.not_found", faq=f"F-{cmd.faq_id}")
    ctx.uow.knowledge.remove_faq(entry, ctx.now)
    record(ctx.uow, action="faq.remove", entity=entry.code, at=ctx.now, actor_id=ctx.actor.id, source=ctx.source,
           before={"question": entry.question, "answer": entry.answer[:200]})
    return Reply(title=t("faq.removed", ctx.lang, faq=entry.code, question=cards.preview(entry.question)),
                 language=ctx.lang)


def faq_feedback(cmd: c.FaqFeedback, ctx: Context) -> Reply:
    """[Not helpful] under an answer: anyone of the team who read it may say so (in a group chat
    the answer is everyone's); the question then shows in `faq gaps`."""
    ask = ctx.uow.knowledge.ask(cmd.ask_id)
    if ask is None or ask.team_id != ctx.team.id:
        raise UserError("faq.ask_not_found", ask=f"A-{cmd.ask_id}")
    if ask.unhelpful_at is None:
        ctx.uow.knowledge.mark_unhelpful(ask, ctx.now)
    return Reply(title=t("faq.thanks", ctx.lang), language=ctx.lang)


def faq_gaps(cmd: c.FaqGaps, ctx: Context) -> Reply:
    _manager(ctx)
    asks = ctx.uow.knowledge.asks(ctx.team.saved_id, ctx.now - timedelta(days=GAP_DAYS))
    gaps: dict[tuple[str, int | None], list[FaqAsk]] = {}
    for ask in asks:
        unanswered = ask.best_id is None or ask.score < kb.GOOD
        if unanswered or ask.unhelpful_at is not None:
            key = (" ".join(ask.words.casefold().split()), None if unanswered else ask.best_id)
            gaps.setdefault(key, []).append(ask)
    reply = Reply(title=t("faq.gaps_title", ctx.lang, days=GAP_DAYS, count=len(gaps)), language=ctx.lang)
    if not gaps:
        reply.lines.append(t("faq.gaps_none", ctx.lang))
        return reply
    ordered = sorted(gaps.items(), key=lambda item: (-len(item[1]), -item[1][-1].at.timestamp()))
    for (_, best_id), group in ordered[:GAPS_SHOWN]:
        last = group[-1]
        why = (t("faq.gap_none", ctx.lang) if best_id is None
               else t("faq.gap_unhelpful", ctx.lang, faq=f"F-{best_id}"))
        reply.lines.append(t("faq.gap_line", ctx.lang, count=len(group), words=cards.preview(last.words),
                             why=why, when=cards.when(ctx, last.at)))
    if len(ordered) > GAPS_SHOWN:
        reply.lines.append(cards.more_line(ctx.lang, len(ordered) - GAPS_SHOWN))
    reply.lines.append(t("faq.gaps_hint", ctx.lang))
    return reply
