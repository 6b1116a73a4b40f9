"""Fakes of the conversation ports (core.ports.conversations): chat bindings, suggestions,
captured conversations, privacy."""

from __future__ import annotations

from core.domain.model import DecidedSuggestion
from tests.fakes.table import Table


class FakeChatBindingRepository(Table):
    def __init__(self, deals=None, teams=None):
        super().__init__()
        self._deals = deals  # the unit of work's deals, for a deal binding's customer
        self._teams = teams  # and its teams, for the team's settings

    def for_chat(self, platform, chat_id):
        return next((b for b in self.all() if (b.platform, b.chat_id) == (platform, chat_id)), None)

    def targets(self, keys):
        from core.conversations.capture import CaptureTarget

        wanted, found = set(keys), {}
        for b in self.all():
            if (b.platform, b.chat_id) in wanted:
                deal = self._deals().get(b.deal_id) if b.deal_id is not None else None
                customer = b.customer_id if deal is None else deal.customer_id
                team = self._teams().get(b.team_id) if self._teams is not None else None
                found[(b.platform, b.chat_id)] = CaptureTarget(
                    b.team_id, b.deal_id, customer, b.capturing, team.timezone if team else None,
                    team.settings if team else None)
        return found

    def for_deal(self, deal_id):
        return sorted((b for b in self.all() if b.deal_id == deal_id), key=lambda b: b.id)

    def add(self, binding):
        # As the unique (platform, chat_id) in SQL.
        if self.for_chat(binding.platform, binding.chat_id) is not None:
            raise ValueError(f"chat {binding.platform}:{binding.chat_id} is bound already")
        return super().add(binding)

    def remove(self, binding):
        self.rows.pop(binding.id, None)


class FakeSuggestionRepository(Table):
    def __init__(self, uow):
        super().__init__()
        self._uow = uow  # a function: snapshots copy this table, not the whole unit of work

    def deal_people(self, deal_ids):
        from core.reminders.recipients import DealPeople

        found, uow = {}, self._uow()
        for deal_id in deal_ids:
            deal = uow.deals.get(deal_id)
            if deal is None:
                continue
            owner = uow.members.get(deal.owner_id)
            identities = tuple(uow.members.identities(owner.id)) if owner else ()
            customer = uow.customers.get(deal.customer_id) if deal.customer_id else None
            found[deal_id] = DealPeople(deal, owner, identities, customer.name if customer else None,
                                        uow.teams.get(deal.team_id))
        return found

    def add(self, suggestion):
        # As the unique interaction_id in SQL: one suggestion per captured message.
        if suggestion.interaction_id is not None and any(
                s.interaction_id == suggestion.interaction_id for s in self.all()):
            raise ValueError(f"interaction {suggestion.interaction_id} has a suggestion already")
        return super().add(suggestion)

    def add_all(self, suggestions):
        for suggestion in suggestions:
            self.add(suggestion)

    def save(self, suggestion):
        pass  # the fake keeps the objects themselves: the decision is in place already

    def decided(self, statuses, team_id=None):
        uow = self._uow()
        found = []
        for suggestion in sorted(self.all(), key=lambda s: s.id):
            if str(suggestion.status) in {str(s) for s in statuses} and team_id in (None, suggestion.team_id):
                item = uow.interactions.get(suggestion.interaction_id) if suggestion.interaction_id else None
                found.append(DecidedSuggestion(
                    suggestion, str(item.author_kind) if item else "",
                    item.occurred_at if item else suggestion.created_at, uow.teams.get(suggestion.team_id).timezone))
        return found


def _is_captured(item, kind):
    return item.kind == "message" and item.author_kind == kind


class FakeConversationRepository:
    """core.ports.conversations.ConversationRepository over the fake unit of work's interactions."""

    def __init__(self, uow):
        self._uow = uow

    def _answer(self, asked):
        later = [i for i in self._uow.interactions.all()
                 if (i.platform, i.chat_id) == (asked.platform, asked.chat_id) and _is_captured(i, "member")
                 and i.occurred_at > asked.occurred_at]
        return min(later, key=lambda i: (i.occurred_at, i.id), default=None)

    def _contact_messages(self, keep):
        rows = [i for i in self._uow.interactions.all() if _is_captured(i, "contact") and keep(i)]
        return sorted(rows, key=lambda i: (i.occurred_at, i.id))

    def response_pairs(self, team_id, start, end):
        from core.conversations.response_times import ResponsePair

        pairs = []
        for asked in self._contact_messages(lambda i: i.team_id == team_id and start <= i.occurred_at < end):
            answer = self._answer(asked)
            pairs.append(ResponsePair(asked.occurred_at, answer and answer.occurred_at, answer and answer.author_id))
        return pairs

    def waiting(self, team_id, since, until):
        def bound(i):
            binding = self._uow.chat_bindings.for_chat(i.platform, i.chat_id)
            return binding is not None and binding.capturing

        def starts_streak(asked):
            before = [i for i in self._uow.interactions.all()
                      if (i.platform, i.chat_id) == (asked.platform, asked.chat_id) and i.kind == "message"
                      and (i.occurred_at, i.id) < (asked.occurred_at, asked.id)]
            previous = max(before, key=lambda i: (i.occurred_at, i.id), default=None)
            return previous is None or previous.author_kind == "member"

        return [_waiting(asked) for asked in self._contact_messages(
                    lambda i: i.team_id == team_id and since < i.occurred_at <= until and bound(i))
                if self._answer(asked) is None and starts_streak(asked)]

    def unanswered(self, deal_id, customer_id):
        waiting = []
        for b in self._uow.chat_bindings.all():
            if b.deal_id != deal_id and (customer_id is None or b.customer_id != customer_id):
                continue
            said = [i for i in self._uow.interactions.all()
                    if (i.platform, i.chat_id) == (b.platform, b.chat_id) and i.kind == "message"
                    and (i.author_kind == "member" or i.deleted_at is None)]
            newest = max(said, key=lambda i: (i.occurred_at, i.id), default=None)
            if newest is not None and newest.author_kind == "contact":
                waiting.append(newest)
        return _waiting(max(waiting, key=lambda i: (i.occurred_at, i.id))) if waiting else None


def _waiting(item):
    from core.conversations.response_times import Waiting

    return Waiting(item.id, item.platform, item.chat_id, item.message_id, item.occurred_at, item.text,
                   item.author_name, item.deal_id, item.customer_id)


class FakePrivacyRepository:
    """core.ports.conversations.PrivacyRepository over the fake unit of work."""

    def __init__(self, uow):
        self._uow = uow

    def purge_captured(self, team_id, before, now):
        return self._erase(lambda i: i.team_id == team_id and i.kind == "message" and i.occurred_at < before
                           and (i.text != "" or i.author_name is not None or i.author_ref is not None), now)

    def erase_member(self, member_id, now):
        erased = self._erase(lambda i: i.author_id == member_id and i.kind == "message", now)
        for item in self._uow.interactions.all():
            if item.author_id == member_id:
                item.author_name = None
        return erased

    def erase_contact(self, platform, user_id, now):
        return self._erase(lambda i: (i.platform, i.author_ref, i.author_kind) == (platform, user_id, "contact"),
                           now)

    def contacts_named(self, team_id, name):
        found = {}
        for i in self._uow.interactions.all():
            if (i.author_kind == "contact" and i.author_ref is not None and i.author_name is not None
                    and i.author_name.lower() == name.lower() and (team_id is None or i.team_id == team_id)):
                key = (i.platform, i.author_ref)
                found[key] = min(found.get(key, i.author_name), i.author_name)
        return [(p, ref, n) for (p, ref), n in sorted(found.items())]

    def customer_interactions(self, customer_id):
        deals = {d.id for d in self._uow.deals.all() if d.customer_id == customer_id}
        rows = [i for i in self._uow.interactions.all() if i.deleted_at is None
                and (i.customer_id == customer_id or i.deal_id in deals)]
        return sorted(rows, key=lambda i: (i.occurred_at, i.id))

    def customers_with_contacts(self):
        return sorted((c for c in self._uow.customers.all() if c.contacts), key=lambda c: c.id)

    def redact(self, words, entities=None):
        from core.conversations.redaction import redact, words_pattern

        pattern, changed = words_pattern(words), 0
        if pattern is None:
            return 0
        for entry in self._uow.audit.all():
            if entities is None or entry.entity in entities:
                before, after = redact(entry.before, pattern), redact(entry.after, pattern)
                changed += before is not entry.before or after is not entry.after
                entry.before, entry.after = before, after
        for row in self._uow.outbox.all():
            payload = redact(row.payload, pattern)
            changed += payload is not row.payload
            row.payload = payload
        return changed

    def drop_identities(self, member_id):
        rows = self._uow.members.identity_rows
        for identity in [i for i in rows.all() if i.member_id == member_id]:
            del rows.rows[identity.id]

    def _erase(self, which, now):
        from core.conversations.suggestions import ERASED, dm_key, erased_payload

        chosen = [i for i in self._uow.interactions.all() if which(i)]
        ids = {i.id for i in chosen}
        for suggestion in self._uow.suggestions.all():
            if suggestion.interaction_id in ids:
                if suggestion.task_id is not None and suggestion.title != ERASED:
                    self.redact([suggestion.title], {f"T-{suggestion.task_id}"})
                suggestion.title, suggestion.cue, suggestion.date_words = ERASED, "", ""
                if suggestion.task_id is not None and (task := self._uow.tasks.get(suggestion.task_id)):
                    task.title = ERASED
                key = dm_key(suggestion.id, suggestion.owner_id)
                for row in self._uow.outbox.all():
                    if row.dedupe_key == key:
                        row.payload = erased_payload(suggestion.id)
                        if row.status == "pending":
                            row.status, row.last_error, row.claimed_until = "skipped", "erased", None
        for item in chosen:
            item.text, item.author_name, item.author_ref = "", None, None
            item.deleted_at = item.deleted_at or now
        return len(chosen)
