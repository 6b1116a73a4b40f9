"""Outbound webhooks: which audited changes are events, how a delivery backs off, when a
subscription failing for days is paused, and what the admins are told in chat then.

Every change dealbot makes is audited in its own transaction (core.access.audit); storage turns
the audit entries of subscribed actions into deliveries in that same transaction, so an event
goes out exactly when its change committed (at least once: a receiver dedupes by event id).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from core.chat.messages import Reply
from core.language.i18n import t
from core.ports.unit_of_work import UnitOfWork
from core.reminders.outbox import Draft, Kind
from core.reminders.recipients import direct_destination

# audit action -> event name
EVENTS: Mapping[str, str] = {
    "deal.create": "deal.created", "deal.move": "deal.moved", "deal.won": "deal.won", "deal.lost": "deal.lost",
    "deal.update": "deal.updated", "deal.check": "deal.checked", "task.create": "task.created",
    "task.done": "task.done", "task.cancel": "task.cancelled",
    # the same change from chat and from the API is the same event: `edit` is deal.updated too
    "deal.edit": "deal.updated", "deal.assign": "deal.assigned", "deal.handover": "deal.assigned",
    "deal.reopen": "deal.reopened", "deal.log": "deal.followed_up",
    "lead.create": "lead.created", "lead.accept": "lead.accepted", "lead.assign": "lead.assigned",
    "lead.pass": "lead.passed",
    "approval.request": "approval.requested", "approval.approve": "approval.approved",
    "approval.reject": "approval.rejected", "approval.ask": "approval.question",
}
EVENT_NAMES = frozenset(EVENTS.values())
FIRST_RETRY = timedelta(seconds=10)
LONGEST_WAIT = timedelta(hours=1)
PAUSE_AFTER = timedelta(days=3)


class WebhookError(ValueError):
    """A subscription the operator asked for that cannot be: the message says why."""


def parse_events(text: str) -> list[str]:
    """`deal.created,deal.moved` (or `*`: every event) as a sorted list; unknown names refused."""
    names = sorted({name.strip() for name in text.split(",") if name.strip()})
    if names == ["*"]:
        return names
    unknown = [name for name in names if name not in EVENT_NAMES]
    if unknown or not names:
        raise WebhookError(f"unknown event {', '.join(unknown) or '(none)'}; events: {', '.join(sorted(EVENT_NAMES))} or *")
    return names


def wants(events: str, event: str) -> bool:
    names = events.split(",")
    return "*" in names or event in names


def event_body(event_id: str, event: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    """What a receiver gets: the event, its id, when, and the audited change (before and after)."""
    at = entry["at"]
    return {"id": event_id, "type": event, "created_at": at.isoformat() if isinstance(at, datetime) else at,
            "data": {"entity": entry["entity"], "before": entry.get("before"), "after": entry.get("after"),
                     "source": entry.get("source")}}


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 10 s, 20 s, 40 s, … at most an hour."""
    wait: timedelta = FIRST_RETRY * (2 ** max(0, min(attempts, 20) - 1))
    return min(wait, LONGEST_WAIT)


def should_pause(failing_since: datetime | None, now: datetime, pause_after: timedelta = PAUSE_AFTER) -> bool:
    return failing_since is not None and now - failing_since >= pause_after


def tell_admins_paused(uow: UnitOfWork, webhook_id: int, url: str, since: datetime, now: datetime) -> int:
    """A DM to each admin reachable in chat: the webhook is paused, and how to resume it."""
    told = 0
    for admin in uow.access.admins():
        destination = direct_destination(uow.members.identities(admin.saved_id))
        if destination is None:
            continue
        team = uow.teams.get(admin.team_id)
        lang = admin.language or (team.language if team else "en")
        reply = Reply(title=t("webhook.paused", lang, url=url, days=(now - since).days),
                      lines=[t("webhook.paused_hint", lang, id=webhook_id)], language=lang)
        uow.outbox.add(Draft(kind=Kind.WEBHOOK, key=f"webhook:{webhook_id}:paused:{since.isoformat()}:m{admin.id}",
                             platform=destination.platform, chat_id=destination.chat_id, reply=reply,
                             not_before=now, subject=f"W-{webhook_id}", recipient_id=admin.id).to_message(now))
        told += 1
    return told
