"""Suggested tasks: a commitment with a date in a captured message becomes an offer to the owner.

The capture pipeline calls `suggest_next_steps` (a capture hook) with the messages it has just
stored, inside its unit of work. Each message that passes the pre-filter and makes a dated
commitment (core.conversations.nextsteps) becomes a Suggestion row and a DM to the deal's owner through the
outbox, in that same transaction: [Keep] runs `keep S-3`, [Dismiss] runs `dismiss S-3`
(core.services.suggestions).

Dates are read on the writer's clock: the message's own time (a "tomorrow" delivered late still
means the day after it was written), in the author's time zone if they are a member who set
one, else the team's. A due date already past when the message arrives suggests nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from core.chat.messages import Button, Reply
from core.conversations.capture import CAPTURED_KIND, AuthorKind
from core.conversations.nextsteps import NextStep, detect
from core.conversations.redaction import ERASED
from core.domain.model import (
    Deal,
    DealStatus,
    DecidedSuggestion,
    Identity,
    Interaction,
    Member,
    Suggestion,
    SuggestionStatus,
    Team,
)
from core.domain.worktime import WorkSettings
from core.language.dates.text import format_when, has_date_hint
from core.language.i18n import t
from core.ports.unit_of_work import UnitOfWork
from core.reminders.outbox import Draft, Kind, OutboxMessage, reply_to_dict
from core.reminders.recipients import Destination, preferred_destination

EXAMPLE_COLUMNS = ("lang", "speaker", "kind", "due", "text", "said_at", "timezone", "suggested_due",
                   "rule", "cue", "date_words", "suggestion")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2}")


def example_row(decided: DecidedSuggestion) -> list[str] | None:
    """A decided suggestion as a labelled example (tests/data/README.md's columns first, then
    what the detector said): a dismissed one is labelled "no next step" (due "-"), a kept one
    keeps its due date. None for an erased one: its words are gone."""
    suggestion, author_kind, timezone = decided.suggestion, decided.author_kind, decided.timezone
    if suggestion.title == ERASED:
        return None
    zone = WorkSettings(timezone=timezone).zone
    due = suggestion.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    text = " ".join(suggestion.title.split())
    has_zh, has_en = bool(_CJK.search(text)), bool(_LATIN.search(text))
    lang = "mixed" if has_zh and has_en else "zh" if has_zh else "en"
    speaker = {str(AuthorKind.MEMBER): "rep", str(AuthorKind.CONTACT): "customer"}.get(author_kind, "")
    kept = suggestion.status == SuggestionStatus.KEPT
    return [lang, speaker, str(suggestion.status), due if kept else "-", text,
            decided.said_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), timezone, due,
            suggestion.rule, suggestion.cue, suggestion.date_words, suggestion.code]


def dm_key(suggestion_id: int, owner_id: int) -> str:
    """The outbox dedupe key of the DM offering a suggestion."""
    return f"suggest:S-{suggestion_id}:m{owner_id}"


def erased_payload(suggestion_id: int) -> dict[str, Any]:
    """What an offering DM's outbox row holds once the message behind it is erased."""
    return {"reply": reply_to_dict(Reply(title=ERASED)), "guard": {"suggestion": suggestion_id},
            "subject": f"S-{suggestion_id}"}


def suggest_next_steps(uow: UnitOfWork, stored: Sequence[Interaction], now: datetime) -> list[Suggestion]:
    """The capture hook: suggestions (and their DMs) for the dated commitments among `stored`.

    A batch can hold thousands of messages, so the suggestions are inserted together and their
    DMs too (two statements per batch, not two per suggestion); owners' DM chats are looked up
    once per owner."""
    lookups = Lookups(uow)
    # The pre-filter: most messages hold nothing date-like and cost one regex, no loading.
    hinted = [item for item in stored if item.kind == CAPTURED_KIND and has_date_hint(item.text)]
    lookups.load_deals({item.deal_id for item in hinted if item.deal_id is not None})
    made = []
    for item in hinted:
        team = lookups.team(item.team_id)
        if team is None:
            continue
        step = detect(item.text, item.occurred_at, lookups.timezone(item, team))
        if step is None or step.due <= now:
            continue
        suggestion = _suggestion(lookups, item, step, now)
        if suggestion is not None:
            made.append((suggestion, item))
    if not made:
        return []
    uow.suggestions.add_all([suggestion for suggestion, _ in made])  # ids set: the DMs name them
    offers = [_offer(lookups, suggestion, item, now) for suggestion, item in made]
    uow.outbox.add_all([offer for offer in offers if offer is not None])
    return [suggestion for suggestion, _ in made]


def _suggestion(lookups: Lookups, item: Interaction, step: NextStep, now: datetime) -> Suggestion | None:
    deal, owner = lookups.target(item.team_id, item.deal_id, item.customer_id, item.platform, item.chat_id)
    if owner is None:
        return None
    return Suggestion(
        team_id=item.team_id, owner_id=owner.saved_id, title=step.sentence, due_at=step.due,
        has_time=step.has_time, rule=step.rule, cue=step.cue, date_words=step.date_words,
        created_at=now, deal_id=deal.id if deal else None,
        customer_id=deal.customer_id if deal else item.customer_id, interaction_id=item.id,
    )


def _offer(lookups: Lookups, suggestion: Suggestion, item: Interaction, now: datetime) -> OutboxMessage | None:
    """The DM offering the suggestion to its owner, or None when they have no DM to send it to."""
    owner, team = lookups.member(suggestion.owner_id), lookups.team(item.team_id)
    if owner is None or team is None:  # both were there when the suggestion was made, this batch
        return None
    destination = lookups.destination(owner, item.platform)
    if destination is None:
        return None
    reply = offer_card(suggestion, owner, team, lookups.customer_name(suggestion), _author(lookups, item))
    draft = Draft(Kind.SUGGESTION, dm_key(suggestion.saved_id, owner.saved_id), destination.platform,
                  destination.chat_id, reply, lookups.send_time(team, owner, now), subject=suggestion.code,
                  guard={"suggestion": suggestion.saved_id}, recipient_id=owner.saved_id)
    return draft.to_message(now)


def offer_card(suggestion: Suggestion, owner: Member, team: Team, customer: str, author: str) -> Reply:
    lang = owner.language or team.language
    local = suggestion.due_at.astimezone(WorkSettings(timezone=owner.timezone or team.timezone).zone)
    if suggestion.deal_id:
        title = t("suggest.title", lang, deal=f"D-{suggestion.deal_id}", customer=customer)
    else:
        title = t("suggest.title_customer", lang, customer=customer)
    reply = Reply(title=title, language=lang)
    reply.lines = [
        t("suggest.said", lang, author=author, text=suggestion.title),
        t("suggest.due", lang, when=format_when(local, lang, suggestion.has_time, suggestion.created_at)),
    ]
    if suggestion.cue:  # why: so that a wrong one is easy to see and dismiss
        reply.lines.append(t("suggest.because", lang, cue=suggestion.cue, date=suggestion.date_words or "—"))
    reply.lines.append(t("suggest.ask", lang))
    reply.buttons = [Button(t("button.keep", lang), f"keep {suggestion.code}"),
                     Button(t("button.dismiss", lang), f"dismiss {suggestion.code}")]
    return reply


def _author(lookups: Lookups, item: Interaction) -> str:
    if item.author_kind == AuthorKind.MEMBER and item.author_id is not None:
        member = lookups.member(item.author_id)
        if member is not None:
            return member.ref()
    return item.author_name or "?"


def owner_destination(uow: UnitOfWork, owner: Member, prefer: str) -> Destination | None:
    """The owner's DM, on the platform the message came from when they have an account there."""
    return preferred_destination(uow.members.identities(owner.saved_id), prefer)


class Lookups:
    """Teams, members and deals loaded once per batch of captured messages."""

    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self._teams: dict[int, Team | None] = {}
        self._members: dict[int, Member | None] = {}
        self._destinations: dict[tuple[int, str], Destination | None] = {}
        self._deals: dict[int, Deal | None] = {}
        self._customer_names: dict[int, str] = {}
        self._identities: dict[int, Sequence[Identity]] = {}
        self._send_times: dict[tuple[int, int], datetime] = {}

    def load_deals(self, deal_ids: Collection[int]) -> None:
        """Read these deals with their owners, the owners' accounts, customers and teams in one
        query, for deal(), member(), destination(), customer_name() and team() to answer from."""
        wanted = [deal_id for deal_id in deal_ids if deal_id not in self._deals]
        if not wanted:
            return
        found = self.uow.suggestions.deal_people(wanted)
        for deal_id in wanted:
            people = found.get(deal_id)
            self._deals[deal_id] = people.deal if people else None
            if people is None:
                continue
            if people.owner is not None:
                self._members.setdefault(people.owner.saved_id, people.owner)
                self._identities.setdefault(people.owner.saved_id, people.identities)
            if people.customer_name is not None and people.deal.customer_id is not None:
                self._customer_names.setdefault(people.deal.customer_id, people.customer_name)
            if people.team is not None:
                self._teams.setdefault(people.team.saved_id, people.team)

    def team(self, team_id: int) -> Team | None:
        if team_id not in self._teams:
            self._teams[team_id] = self.uow.teams.get(team_id)
        return self._teams[team_id]

    def member(self, member_id: int) -> Member | None:
        if member_id not in self._members:
            self._members[member_id] = self.uow.members.get(member_id)
        return self._members[member_id]

    def destination(self, owner: Member, platform: str) -> Destination | None:
        key = (owner.saved_id, platform)
        if key not in self._destinations:
            identities = self._identities.get(owner.saved_id)
            self._destinations[key] = (owner_destination(self.uow, owner, platform) if identities is None
                                       else preferred_destination(identities, platform))
        return self._destinations[key]

    def send_time(self, team: Team, owner: Member, now: datetime) -> datetime:
        """When a DM to the owner may go out: now, or after their quiet hours (the same for every
        DM of a batch, so worked out once per owner)."""
        key = (team.saved_id, owner.saved_id)
        if key not in self._send_times:
            settings = WorkSettings.of(team.timezone, team.settings).in_zone(owner.timezone)
            self._send_times[key] = settings.next_allowed(now)
        return self._send_times[key]

    def timezone(self, item: Interaction, team: Team) -> str:
        author = self.member(item.author_id) if item.author_id is not None else None
        return (author.timezone if author else None) or team.timezone

    def target(self, team_id: int, deal_id: int | None, customer_id: int | None, platform: str,
               chat_id: str) -> tuple[Deal | None, Member | None]:
        """The deal a captured message is about, and whom to tell: the deal's owner.

        A chat linked to a customer means its most recently active open deal; with none open,
        the person who linked the chat.
        """
        deal = self.deal(deal_id) if deal_id is not None else None
        if deal is None and customer_id is not None:
            open_deals = [d for d in self.uow.deals.find(team_id=team_id, status=DealStatus.OPEN)
                          if d.customer_id == customer_id]
            deal = max(open_deals, key=lambda d: (d.last_activity_at or d.created_at, d.id), default=None)
        if deal is not None:
            return deal, self.member(deal.owner_id)
        binding = self.uow.chat_bindings.for_chat(platform, chat_id)
        bound_by = binding.bound_by if binding else None
        return None, self.member(bound_by) if bound_by is not None else None

    def deal(self, deal_id: int) -> Deal | None:
        # Kept here: asking the repository again costs tens of microseconds per message even
        # when its session holds the deal already.
        if deal_id not in self._deals:
            self._deals[deal_id] = self.uow.deals.get(deal_id)
        return self._deals[deal_id]

    def customer_name(self, suggestion: Suggestion) -> str:
        customer_id = suggestion.customer_id
        if not customer_id:
            return "—"
        if customer_id not in self._customer_names:
            customer = self.uow.customers.get(customer_id)
            self._customer_names[customer_id] = customer.name if customer else "—"
        return self._customer_names[customer_id]
