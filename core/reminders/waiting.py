"""A customer left waiting: one nudge to the deal's owner (the scheduler's `waiting` scan).

A wait starts with a contact's message that follows a team member's (or opens the chat) and
lasts until a member writes in that chat. Once it has lasted the team's `response_nudge_hours`
of working hours, the owner gets ONE nudge: its dedupe key names the message that started the
wait, so later scans, more messages from the customer and restarts add nothing. A member's
answer before the nudge goes out (it may be held for quiet hours) cancels it: the dispatcher
checks the guard (core.reminders.rules.obsolete_reason).

Each scan looks at the messages whose nudge moment passed since the last scan: with the scan
window (after, now], those sent in (working_hours_before(after), working_hours_before(now)].
The nudge quotes no message text (the deal card shows it), so erasing a person never has to
chase copies of their words through sent reminders.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.conversations.response_times import (
    Waiting,
    format_hours,
    waited_hours,
    working_hours_before,
)
from core.conversations.suggestions import Lookups, owner_destination
from core.domain.model import Deal, Member, Team
from core.domain.worktime import WorkSettings
from core.language.dates.text import format_when
from core.language.i18n import t
from core.ports.unit_of_work import UnitOfWork
from core.reminders.outbox import Draft, Kind

PREVIEW = 120  # characters of the waiting message on the deal card


def waiting_drafts(uow: UnitOfWork, team: Team, settings: WorkSettings, after: datetime,
                   now: datetime) -> list[Draft]:
    """The nudges due in the scan window (after, now], not yet deduplicated against the outbox."""
    hours = settings.response_nudge_hours
    if hours <= 0:
        return []
    since, until = working_hours_before(settings, after, hours), working_hours_before(settings, now, hours)
    lookups = Lookups(uow)
    drafts = []
    for wait in uow.conversations.waiting(team.saved_id, since, until):
        deal, owner = lookups.target(team.saved_id, wait.deal_id, wait.customer_id, wait.platform, wait.chat_id)
        if owner is None:
            continue
        destination = owner_destination(uow, owner, wait.platform)
        if destination is None:
            continue
        customer_id = deal.customer_id if deal else wait.customer_id
        customer = uow.customers.get(customer_id) if customer_id else None
        reply = nudge_card(wait, owner, team, settings, now, deal.code if deal else None,
                           customer.name if customer else "—")
        moment = settings.in_zone(owner.timezone).next_allowed(now)
        guard = {"waiting": wait.interaction_id, "team": team.id, "asked": wait.asked_at.isoformat()}
        drafts.append(Draft(Kind.WAITING, nudge_key(wait, owner.saved_id), destination.platform, destination.chat_id,
                            reply, moment, subject=deal.code if deal else "", guard=guard,
                            recipient_id=owner.id))
    return drafts


def nudge_key(wait: Waiting, owner_id: int) -> str:
    return f"waiting:{wait.platform}:{wait.chat_id}:{wait.interaction_id}:m{owner_id}"


def nudge_card(wait: Waiting, owner: Member, team: Team, settings: WorkSettings, now: datetime,
               deal_code: str | None, customer: str) -> Reply:
    lang = owner.language or team.language
    reader = settings.in_zone(owner.timezone)
    waited = format_hours(waited_hours(settings, wait, now), lang)
    where = deal_code or customer
    reply = Reply(title=t("waiting.title", lang, customer=customer, hours=waited, where=where), language=lang)
    reply.lines = [t("waiting.since", lang, when=format_when(reader.local(wait.asked_at), lang, now=now),
                     limit=format_hours(settings.response_nudge_hours, lang))]
    if deal_code:
        reply.buttons = [Button(t("button.show", lang, deal=deal_code), f"show {deal_code}")]
    return reply


def unanswered_lines(ctx: Context, deal: Deal) -> list[str]:
    """The deal card's line about the last customer message nobody has answered yet, if any."""
    wait = ctx.uow.conversations.unanswered(deal.saved_id, deal.customer_id)
    if wait is None:
        return []
    settings = WorkSettings.of(ctx.team.timezone, ctx.team.settings)
    text = " ".join(wait.text.split())
    if len(text) > PREVIEW:
        text = text[: PREVIEW - 1] + "…"
    return [t("card.waiting", ctx.lang, hours=format_hours(waited_hours(settings, wait, ctx.now), ctx.lang),
              when=format_when(ctx.local(wait.asked_at), ctx.lang, now=ctx.now), author=wait.author_name or "?", text=text)]


def still_waiting(uow: UnitOfWork, guard: dict[str, Any]) -> bool:
    """For the dispatcher: has no member answered since the nudge was queued?"""
    asked = datetime.fromisoformat(guard["asked"])
    found = uow.conversations.waiting(guard["team"], asked - timedelta(seconds=1), asked)
    return any(w.interaction_id == guard["waiting"] for w in found)
