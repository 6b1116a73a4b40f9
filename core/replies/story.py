"""`history D-12` in words: who created the deal, who moved it from which stage to which, what
its amount and owner became, what was ticked and logged — "@chenjie moved it from Lead to First
contact", "amount ¥50,000 → ¥48,000".

The stage changes are the spine: every writer keeps them (chat commands, the CSV import, the
demo), so a deal that came from the demo or an import has a story too, although those write no
audit entries per move. The audit log adds what the stage changes do not hold (amounts, owners,
close dates, ticked deliverables); the follow-ups come from the deal's interactions (typed ones;
captured chat is on the deal card and its chat).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core.approvals.words import asked_for
from core.chat.context import Context
from core.domain.amounts import format_money
from core.domain.model import AuditEntry, Deal, DealStatus, Interaction, StageChange
from core.domain.pipeline import LOST, WON
from core.language.i18n import t
from core.replies import cards

# pipeline.move: DEALBOT_PIPELINE_FILE's [map] moved an open deal out of a dropped stage.
STAGE_ACTIONS = frozenset({"deal.create", "deal.move", "deal.won", "deal.lost", "pipeline.move", "deal.reopen"})
# Changes told field by field (core.services.upkeep): the amount, close date, title, owner.
FIELD_ACTIONS = frozenset({"deal.edit", "deal.assign", "undo", "deal.update", "deal.handover"})
# Other changes of a deal, told in a sentence of their own (never the audit's action name)
OTHER_ACTIONS = {"deal.snooze": "story.snoozed", "deal.retro": "story.retro", "csat.record": "story.csat",
                 "csat.answer": "story.csat_answer", "csat.send": "story.csat_send"}
TOLD_BY_STAGES = frozenset({"stage", "status", "closed_at", "lost_reason", "deliverables_done", "customer_id"})
FOLLOW_UPS = 200  # the latest typed follow-ups read for a story


@dataclass(frozen=True)
class Event:
    at: datetime
    order: float  # at one moment (a fixed clock, a quick script): the audit log's order
    text: str


def deal_story(ctx: Context, deal: Deal) -> list[Event]:
    """The deal's events in words, oldest first."""
    audit = list(ctx.uow.audit.for_entity(deal.code))
    events = _stage_events(ctx, deal, ctx.uow.stage_changes.for_deal(deal.saved_id), audit)
    for position, entry in enumerate(audit):
        events += [Event(entry.at, position + 0.5, text) for text in _audit_phrases(ctx, deal, entry)]
    logged = _positions(audit, {"deal.log"})
    follow_ups = reversed(ctx.uow.interactions.for_deal(deal.saved_id, limit=FOLLOW_UPS))  # oldest first
    events += [Event(item.occurred_at, logged(item.occurred_at), _follow_up(ctx, item))
               for item in follow_ups if item.kind != "message"]
    return sorted(events, key=lambda e: (e.at, e.order))


def _positions(audit: list[AuditEntry], actions: set[str]) -> Callable[[datetime], int]:
    """Each call with a moment takes the next audit entry of `actions` at that moment and gives its
    place in the log (-1 when there is none: the demo and imports write no entry per change)."""
    waiting: dict[datetime, list[int]] = {}
    for position, entry in enumerate(audit):
        if entry.action in actions:
            waiting.setdefault(entry.at, []).append(position)
    return lambda at: waiting[at].pop(0) if waiting.get(at) else -1


def _stage_events(ctx: Context, deal: Deal, changes: Sequence[StageChange], audit: list[AuditEntry]) -> list[Event]:
    events = []
    closing = {entry.at: entry for entry in audit if entry.action in ("deal.won", "deal.lost")}
    place = _positions(audit, set(STAGE_ACTIONS))
    by_file = {entry.at for entry in audit if entry.action == "pipeline.move"}
    for number, change in enumerate(changes):
        who = _who(ctx, change.by_id)
        if change.by_id is None and change.at in by_file:
            who = t("story.pipeline_file", ctx.lang)
        last = number == len(changes) - 1
        events.append(Event(change.at, place(change.at),
                            _stage_phrase(ctx, deal, change, who, last, closing.get(change.at),
                                          first_amount=_first_amount(deal, audit, ctx.lang))))
    return events


def _stage_phrase(ctx: Context, deal: Deal, change: StageChange, who: str, last: bool,
                  closing: AuditEntry | None, *, first_amount: str) -> str:
    lang, stage = ctx.lang, _stage_name(ctx, change.to_stage)
    if change.from_stage is None:
        amount = t("story.amount_part", lang, amount=first_amount) if first_amount else ""
        return t("story.created", lang, who=who, stage=stage, amount=amount)
    if change.to_stage == WON:
        before, after = (closing.before or {}, closing.after or {}) if closing else ({}, {})
        if "amount" in before and "amount" in after:  # `won D-12 48k`: the final amount
            shown = f"{_money(before['amount'], before.get('currency') or deal.currency, lang)} → " \
                    f"{_money(after['amount'], after.get('currency') or deal.currency, lang)}"
        else:
            shown = cards.money(ctx, deal) if last and deal.amount is not None else ""
        return t("story.won", lang, who=who, amount=t("story.amount_part", lang, amount=shown) if shown else "")
    if change.to_stage == LOST:
        reason = (closing.after or {}).get("lost_reason") if closing else None
        reason = reason or (deal.lost_reason if last and deal.status == DealStatus.LOST else None) or "—"
        return t("story.lost", lang, who=who, reason=reason)
    return t("story.moved", lang, who=who, old=_stage_name(ctx, change.from_stage), new=stage)


def _first_amount(deal: Deal, audit: list[AuditEntry], lang: str) -> str:
    """The amount the deal started with: the audit's first word on it, else today's."""
    for entry in audit:
        if entry.action == "deal.create" or "amount" in (entry.before or {}):
            source = entry.after if entry.action == "deal.create" else entry.before
            value, currency = (source or {}).get("amount"), (source or {}).get("currency") or deal.currency
            return _money(value, currency, lang) if value else ""
    return _money(deal.amount, deal.currency, lang) if deal.amount is not None else ""


def _audit_phrases(ctx: Context, deal: Deal, entry: AuditEntry) -> list[str]:
    """What an audit entry says beyond the stage changes: a phrase per changed field."""
    lang, before, after = ctx.lang, entry.before or {}, entry.after or {}
    if entry.actor_id:
        who = cards.member_name(ctx, entry.actor_id)
    else:
        who = t("story.import" if entry.action.startswith("import.") else "history.system", lang)
    if entry.action == "deal.check":
        ticked = [key for key in after.get("deliverables_done", []) if key not in before.get("deliverables_done", [])]
        return [t("story.checked", lang, who=who, item=_deliverable(ctx, key)) for key in ticked]
    if entry.action == "deal.log":
        return []  # told from the interaction itself
    if entry.action.startswith("approval."):
        return [_approval_phrase(entry.action, before, after, who, lang)]
    if entry.action == "deal.forecast":  # a pipeline review's call (core.services.review)
        category = t(f"review.category.{after.get('category') or 'none'}", lang)
        slipped = after.get("expected_close")
        return [t("story.forecast", lang, who=who, category=category)] + (
            [_field_phrase(ctx, deal, "expected_close", before, after, who)] if slipped else [])
    if entry.action in OTHER_ACTIONS:
        return [t(OTHER_ACTIONS[entry.action], lang, who=who, score=after.get("score", "?"))]
    if entry.action not in STAGE_ACTIONS | FIELD_ACTIONS and not entry.action.startswith("import."):
        return [t("story.other", lang, who=who, action=entry.action)]
    if entry.action in ("deal.create", "import.create"):
        return []  # the creation is the first stage change's
    told = TOLD_BY_STAGES | ({"amount", "currency"} if entry.action == "deal.won" else set())  # in "won"
    phrases = [_field_phrase(ctx, deal, field, before, after, who) for field, new in after.items()
               if field not in told and field in before and before[field] != new]
    return [phrase for phrase in phrases if phrase]


def _approval_phrase(action: str, before: dict[str, Any], after: dict[str, Any], who: str, lang: str) -> str:
    """An approval asked for or decided (core.services.approvals)."""
    approval = str(after.get("approval", ""))
    if action == "approval.request":
        try:
            value = Decimal(str(after.get("value")))
        except InvalidOperation:
            return t("story.other", lang, who=who, action=action)
        asked = asked_for(str(after.get("kind")), value, str(after.get("currency") or ""), lang)
        return t("story.approval_request", lang, who=who, approval=approval, what=asked)
    if action == "approval.approve":
        if after.get("state") == "approved":
            return t("story.approval_approved", lang, who=who, approval=approval)
        return t("story.approval_approve", lang, who=who, approval=approval, step=before.get("step", "?"))
    if action in ("approval.reject", "approval.ask"):
        return t(f"story.{action.replace('.', '_')}", lang, who=who, approval=approval, note=after.get("note", ""))
    return t("story.other", lang, who=who, action=action)


def _field_phrase(ctx: Context, deal: Deal, field: str, before: dict[str, Any], after: dict[str, Any], who: str) -> str:
    lang = ctx.lang
    if field in ("amount", "currency"):
        if field == "currency" and "amount" in before and before["amount"] != after.get("amount"):
            return ""  # told with the amount
        old = _money(before.get("amount"), before.get("currency") or deal.currency, lang)
        new = _money(after.get("amount"), after.get("currency") or deal.currency, lang)
        return t("story.amount", lang, who=who, old=old, new=new)
    if field == "owner_id":
        return t("story.owner", lang, who=who, old=cards.member_name(ctx, before[field]),
                 new=cards.member_name(ctx, after[field]))
    if field == "expected_close":
        return t("story.close", lang, who=who, old=_date(ctx, before[field]), new=_date(ctx, after[field]))
    return t("story.field", lang, who=who, field=field, old=before[field] or "—", new=after[field] or "—")


def _follow_up(ctx: Context, item: Interaction) -> str:
    kind = t(f"kind.{item.kind}", ctx.lang)
    return t("story.follow_up", ctx.lang, who=_who(ctx, item.author_id), text=f"{kind}{cards.preview(item.text)}")


def _who(ctx: Context, member_id: int | None) -> str:
    return cards.member_name(ctx, member_id) if member_id else t("story.import", ctx.lang)


def _stage_name(ctx: Context, key: str) -> str:
    return ctx.pipeline.get(key).name(ctx.lang) if key in ctx.pipeline.keys else key


def _deliverable(ctx: Context, key: str) -> str:
    stage, _, number = key.partition(":")
    if stage in ctx.pipeline.keys and number.isdigit():
        items = ctx.pipeline.get(stage).deliverables
        if 0 < int(number) <= len(items):
            return items[int(number) - 1].name(ctx.lang)
    return key


def _money(value: object, currency: str, lang: str) -> str:
    if value is None:
        return "—"
    try:
        return format_money(Decimal(str(value)), currency, lang)
    except InvalidOperation:
        return str(value)


def _date(ctx: Context, value: str | None) -> str:
    return cards.when(ctx, datetime.fromisoformat(value), has_time=False) if value else "—"
