"""Deal news to subscribed chats: one outbox row per event and chat, queued in the transaction
of the change (core.access.audit.record calls `after_audit` for every entry it writes), so a
command that fails or is refused queues nothing, and one that commits queues its news with it.

- When: the news waits for the team's working time (quiet hours and days off, as the deal
  reminders do); the dispatcher then sends it paced, once (the dedupe key names the audit entry
  and the subscription), and folds several news rows for one chat in one round into one message
  (`combine`).
- Undo: a change taken back with `undo` before its news went out sends nothing (the row's guard:
  `obsolete`); one taken back after its news was posted posts a correction ("↩ D-12 marked won
  was undone by @alice") to the chats that got it — and only to them.
"""

from __future__ import annotations

from typing import Any

from core.chat.messages import Button, Reply
from core.domain.amounts import format_money
from core.domain.model import AuditEntry, Deal
from core.domain.pipeline import Pipeline, pipeline_of
from core.domain.worktime import WorkSettings
from core.language.i18n import MESSAGES, t
from core.notify.feed import ACTIONS, NotifySubscription
from core.ports.unit_of_work import UnitOfWork
from core.reminders.outbox import Draft, Kind, OutboxMessage

UNDO = "undo"  # core.services.undo's audit action
GROUP_LIMIT = 20  # news lines in one combined message; more make another message


def key_of(entry_id: int | None, subscription: NotifySubscription) -> str:
    return f"news:{entry_id}:c{subscription.id}"


def after_audit(uow: UnitOfWork, entry: AuditEntry) -> None:
    """Queue the news an audited change makes, for every chat subscribed to it."""
    if not entry.entity.startswith("D-"):
        return
    if entry.action == UNDO:
        _retract(uow, entry)
        return
    event = ACTIONS.get(entry.action)
    if event is None or (entry.action == "deal.update" and "owner_id" not in (entry.after or {})):
        return
    deal = _deal(uow, entry.entity)
    if deal is None:
        return
    wanted = [s for s in uow.notify.for_team(deal.team_id) if s.wants(event, deal.amount, deal.currency)
              and uow.chat_bindings.for_chat(s.platform, s.chat_id) is None]  # linked since: the customer reads it
    if not wanted:
        return
    settings, pipeline = _team(uow, deal.team_id)
    not_before = settings.next_allowed(entry.at, working_days_only=True)
    for subscription in wanted:
        reply = Reply(title=_line(uow, entry, event, deal, pipeline, subscription.language),
                      buttons=[Button(deal.code, f"show {deal.code}")], language=subscription.language)
        uow.outbox.add(Draft(kind=Kind.NEWS, key=key_of(entry.id, subscription), platform=subscription.platform,
                             chat_id=subscription.chat_id, reply=reply, not_before=not_before,
                             subject=deal.code, guard={"news": entry.id, "entity": entry.entity},
                             extra={"event": event}).to_message(entry.at))


def _retract(uow: UnitOfWork, entry: AuditEntry) -> None:
    after = entry.after or {}
    undone = after.get("action")
    if ACTIONS.get(str(undone)) is None:
        return
    deal = _deal(uow, entry.entity)
    if deal is None:
        return
    settings, _ = _team(uow, deal.team_id)
    not_before = settings.next_allowed(entry.at, working_days_only=True)
    who = _name(uow, entry.actor_id)
    for subscription in uow.notify.for_team(deal.team_id):
        lang = subscription.language
        what = t(f"undo.what.{undone}", lang, entity=deal.code) if f"undo.what.{undone}" in MESSAGES else deal.code
        reply = Reply(title=t("news.undone", lang, what=what, who=who), language=lang)
        uow.outbox.add(Draft(kind=Kind.NEWS, key=key_of(entry.id, subscription), platform=subscription.platform,
                             chat_id=subscription.chat_id, reply=reply, not_before=not_before,
                             subject=deal.code, guard={"retracts": key_of(after.get("undid"), subscription)},
                             extra={"event": "undone"}).to_message(entry.at))


def obsolete(uow: UnitOfWork, guard: dict[str, Any]) -> str | None:
    """Why a queued news row should not go out (None: it still holds)."""
    if "retracts" in guard:
        if uow.outbox.sent_keys([guard["retracts"]]):
            return None
        return "the news it corrects was never sent"
    for later in uow.audit.for_entity(guard["entity"]):
        if later.action == UNDO and (later.after or {}).get("undid") == guard["news"]:
            return "the change was undone"
    return None


def combine(messages: list[OutboxMessage]) -> Reply:
    """Several news rows for one chat as one message: a count, then each event's line."""
    replies = [m.reply for m in messages]
    lang = replies[0].language
    return Reply(title=t("news.grouped", lang, count=len(replies)), lines=[r.title for r in replies],
                 language=lang)


# -- the words -----------------------------------------------------------------------------------
def _line(uow: UnitOfWork, entry: AuditEntry, event: str, deal: Deal, pipeline: Pipeline, lang: str) -> str:
    customer = uow.customers.get(deal.customer_id)
    common = {"deal": deal.code, "customer": customer.name if customer else "—",
              "amount": format_money(deal.amount, deal.currency, lang), "owner": _name(uow, deal.owner_id)}
    before, after = entry.before or {}, entry.after or {}
    if event == "moved":
        return t("news.moved", lang, old=_stage(pipeline, before.get("stage"), lang),
                 new=_stage(pipeline, after.get("stage", deal.stage), lang), **common)
    if event == "new":
        return t("news.new", lang, stage=_stage(pipeline, deal.stage, lang), **common)
    if event == "lost":
        return t("news.lost", lang, reason=deal.lost_reason or "—", **common)
    if event == "assigned":
        return t("news.assigned", lang, old=_name(uow, before.get("owner_id")), who=_name(uow, entry.actor_id),
                 **common)
    return t("news.won", lang, **common)


def _stage(pipeline: Pipeline, key: object, lang: str) -> str:
    if isinstance(key, str) and key in pipeline.keys:
        return pipeline.get(key).name(lang)
    return str(key or "—")


def _name(uow: UnitOfWork, member_id: object) -> str:
    member = uow.members.get(member_id) if isinstance(member_id, int) else None
    return member.ref() if member else "—"


def _deal(uow: UnitOfWork, code: str) -> Deal | None:
    number = code[2:]
    return uow.deals.get(int(number)) if number.isdigit() else None


def _team(uow: UnitOfWork, team_id: int) -> tuple[WorkSettings, Pipeline]:
    team = uow.teams.get(team_id)
    assert team is not None  # a deal's team exists (a foreign key)
    return WorkSettings.of(team.timezone, team.settings), pipeline_of(team.pipeline)
