"""Storing captured chat messages: one batch of ChatEvents in one unit of work.

bot/capture.py's writer collects the events that arrive while the previous batch is being
written and hands them over together (group commit). Per batch: one query for the chats'
bindings (with their teams' time zone and settings, which decide how text is kept), one for the
senders, one INSERT for the new messages (duplicates skipped by the database), one UPDATE for the
deals' last activity; edits and deletions one statement each; then the capture hooks, in the
same transaction.

The order of work inside a batch is: new messages, then edits, then deletions. Edits and
deletions of one message always come after the message itself on every platform, so applying
them in that order is the order they happened in, even when a redelivery puts them in one batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from core.chat.context import Defaults
from core.chat.messages import Incoming
from core.conversations.capture import (
    CAPTURED_KIND,
    Action,
    AuthorKind,
    CapturedMessage,
    CaptureTarget,
    ChatEvent,
    Outcome,
)
from core.conversations.privacy import mask_contacts
from core.domain.model import Member, Team
from core.domain.worktime import WorkSettings
from core.ports.unit_of_work import UnitOfWork
from core.services import people

# Called once per batch, inside its unit of work, with the newly stored messages (ids set, in
# delivery order; never duplicates). A hook may write in the unit of work; it must not commit.
CaptureHook = Callable[[UnitOfWork, Sequence[CapturedMessage], datetime], None]

_Item = tuple[int, ChatEvent, CaptureTarget]  # (index in the batch, event, where it goes)


def store_captured(uow: UnitOfWork, events: Sequence[ChatEvent], now: datetime, defaults: Defaults,
                   hooks: Sequence[CaptureHook] = ()) -> list[Outcome]:
    """Store what the events say, for chats that are linked; one Outcome per event, in order.
    The caller commits."""
    targets = uow.chat_bindings.targets({(e.platform, e.chat_id) for e in events})
    outcomes: list[Outcome | None] = [None] * len(events)
    live: list[_Item] = []
    for index, event in enumerate(events):
        target = targets.get((event.platform, event.chat_id))
        if target is None:
            outcomes[index] = Outcome.UNBOUND
        elif not target.capturing:
            outcomes[index] = Outcome.PAUSED
        else:
            live.append((index, event, target))
    if live:
        texts = _text_rules([target for _, _, target in live])
        stored = _store_new(uow, [x for x in live if x[1].action == Action.NEW], texts, now, defaults,
                            outcomes)
        _apply_changes(uow, [x for x in live if x[1].action != Action.NEW], texts, now, outcomes)
        for hook in hooks:
            hook(uow, stored, now)
    return [o or Outcome.UNKNOWN for o in outcomes]


def stored_text(team: Team, text: str) -> str:
    """The text as it is kept for this team: every new message and edit passes through here
    before anything is written: phone numbers and e-mail addresses masked when the team asks."""
    return _text_rule(team)(text)


def _text_rule(team: Team | None) -> Callable[[str], str]:
    return _rule(team.timezone, team.settings) if team is not None else str


def _rule(timezone: str | None, settings: dict[str, Any] | None) -> Callable[[str], str]:
    if timezone is not None and WorkSettings.of(timezone, settings).mask_contacts:
        return mask_contacts
    return str


def _text_rules(targets: list[CaptureTarget]) -> dict[int, Callable[[str], str]]:
    """stored_text's rule per team, worked out once per batch rather than once per message, from
    the team's settings as the targets carry them."""
    rules: dict[int, Callable[[str], str]] = {}
    for target in targets:
        if target.team_id not in rules:
            rules[target.team_id] = _rule(target.team_timezone, target.team_settings)
    return rules


def _store_new(uow: UnitOfWork, items: list[_Item], texts: dict[int, Callable[[str], str]],
               now: datetime, defaults: Defaults, outcomes: list[Any]) -> list[CapturedMessage]:
    if not items:
        return []
    authors = _authors(uow, [event for _, event, _ in items], now, defaults)
    rows = [_row(event, target, texts[target.team_id], authors.get((event.platform, event.user_id)), now)
            for _, event, target in items]
    stored = {id(row) for row in uow.interactions.add_captured(rows)}
    for (index, _, _), row in zip(items, rows, strict=True):
        outcomes[index] = Outcome.STORED if id(row) in stored else Outcome.DUPLICATE
    new_rows = [row for row in rows if id(row) in stored]
    _record_activity(uow, new_rows, now)
    return new_rows


def _row(event: ChatEvent, target: CaptureTarget, text: Callable[[str], str], member: Member | None,
         now: datetime) -> CapturedMessage:
    return CapturedMessage(
        team_id=target.team_id, text=text(event.full_text()), occurred_at=event.sent_at or now,
        platform=event.platform, chat_id=event.chat_id, message_id=event.message_id,
        deal_id=target.deal_id, customer_id=target.customer_id, kind=CAPTURED_KIND,
        author_id=member.id if member else None,
        author_kind=AuthorKind.MEMBER if member else AuthorKind.CONTACT,
        author_ref=event.user_id or None, author_name=event.user_name or None,
    )


def _authors(uow: UnitOfWork, events: list[ChatEvent], now: datetime,
             defaults: Defaults) -> dict[tuple[str, str], Member]:
    """The team member behind each sender, where there is one.

    The platform's word wins: a sender it marks external is a contact even when they once
    talked to the bot. An unknown sender it marks internal becomes a member only where a first
    message to the bot would make them one (a workspace or corp trusted for self-service);
    otherwise they are recorded like a contact until an admin lets them in. When the platform
    cannot tell (Telegram), only a known member is one."""
    senders: dict[str, set[str]] = {}
    for event in events:
        if event.user_id and event.external is not True:
            senders.setdefault(event.platform, set()).add(event.user_id)
    authors = {(platform, user_id): member
               for platform, ids in senders.items()
               for user_id, member in uow.members.by_identities(platform, ids).items()}
    for event in events:
        key = (event.platform, event.user_id)
        if event.external is False and event.user_id and key not in authors:
            member = people.identify(uow, Incoming(
                platform=event.platform, user_id=event.user_id, text="", chat_id=event.chat_id,
                message_id=event.message_id, user_name=event.user_name, is_direct=False,
                external=False, org=event.org,
            ), defaults, now)
            if member is not None:  # let in (a trusted workspace); else recorded as a contact
                authors[key] = member
    return authors


def _record_activity(uow: UnitOfWork, rows: list[CapturedMessage], now: datetime) -> None:
    """A discussed deal is not untouched: its last activity moves to the message's time (never
    past now, whatever the platform's clock says)."""
    deals: dict[int, datetime] = {}
    customers: dict[int, datetime] = {}
    for row in rows:
        at = min(row.occurred_at, now)
        if row.deal_id is not None:
            deals[row.deal_id] = max(at, deals.get(row.deal_id, at))
        elif row.customer_id is not None:
            customers[row.customer_id] = max(at, customers.get(row.customer_id, at))
    uow.deals.record_activity(deals)
    uow.deals.record_customer_activity(customers)


def _apply_changes(uow: UnitOfWork, items: list[_Item], texts: dict[int, Callable[[str], str]],
                   now: datetime, outcomes: list[Any]) -> None:
    for action in (Action.EDIT, Action.DELETE):
        for index, event, target in items:
            if event.action != action:
                continue
            at = event.sent_at or now
            if action == Action.EDIT:
                changed = uow.interactions.edit_captured(
                    event.platform, event.chat_id, event.message_id,
                    texts[target.team_id](event.full_text()), at)
                outcomes[index] = Outcome.EDITED if changed else Outcome.UNKNOWN
            else:
                tombstone = CapturedMessage(
                    team_id=target.team_id, text="", occurred_at=at, platform=event.platform,
                    chat_id=event.chat_id, message_id=event.message_id, deal_id=target.deal_id,
                    customer_id=target.customer_id, author_ref=event.user_id or None, deleted_at=at)
                deleted = uow.interactions.delete_captured(tombstone)
                outcomes[index] = Outcome.DELETED if deleted else Outcome.UNKNOWN
