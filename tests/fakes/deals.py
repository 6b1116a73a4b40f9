"""Fakes of the deal ports (core.ports.deals): teams, members, customers, deals, stage
changes, tasks, interactions."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from core.domain.model import DealStatus, Identity, customer_key
from tests.fakes.table import Table


class FakeTeamRepository(Table):
    def by_name(self, name):
        return next((t for t in self.all() if t.name.lower() == name.lower()), None)

    def list(self):
        return sorted(self.all(), key=lambda t: t.id)

    def lock(self, team):
        pass  # one transaction at a time already


class FakeMemberRepository(Table):
    def __init__(self):
        super().__init__()
        self.identity_rows = Table()

    def by_handle(self, handle):
        return next((m for m in self.all() if m.handle.lower() == handle.lower()), None)

    def by_identity(self, platform, user_id):
        ident = next(
            (i for i in self.identity_rows.all() if (i.platform, i.user_id) == (platform, user_id)),
            None,
        )
        return self.get(ident.member_id) if ident else None

    def in_team(self, team_id):
        return sorted((m for m in self.all() if m.team_id == team_id and m.removed_at is None),
                      key=lambda m: m.id)

    def add_identity(self, identity: Identity):
        return self.identity_rows.add(identity)

    def identities(self, member_id):
        return [i for i in self.identity_rows.all() if i.member_id == member_id]

    def by_identities(self, platform, user_ids):
        wanted = set(user_ids)
        return {i.user_id: self.get(i.member_id) for i in self.identity_rows.all()
                if i.platform == platform and i.user_id in wanted}


class FakeCustomerRepository(Table):
    def by_name(self, team_id, name):
        wanted = customer_key(name)
        in_team = [c for c in self.all() if c.team_id == team_id]
        by_name = (c for c in in_team if customer_key(c.name) == wanted)
        by_alias = (c for c in in_team if wanted in map(customer_key, c.aliases))
        return next(by_name, None) or next(by_alias, None)

    def named(self, team_id, name):
        from core.domain.model import Customer

        return self.by_name(team_id, name) or self.add(Customer(name=name, team_id=team_id))


class FakeDealRepository(Table):
    def by_ref(self, ref):
        return next((d for d in self.all() if d.ref == ref), None)

    def find(self, *, team_id=None, owner_id=None, status=None, stage=None, customer_id=None):
        def keep(d):
            return (
                (team_id is None or d.team_id == team_id)
                and (customer_id is None or d.customer_id == customer_id)
                and (owner_id is None or d.owner_id == owner_id)
                and (status is None or d.status == DealStatus(status))
                and (stage is None or d.stage == stage)
            )

        return sorted(filter(keep, self.all()), key=lambda d: -d.id)

    def record_activity(self, deal_times):
        for deal_id, at in deal_times.items():
            self._touch(self.get(deal_id), at)

    def record_customer_activity(self, customer_times):
        for deal in self.all():
            if deal.customer_id in customer_times and deal.status == DealStatus.OPEN:
                self._touch(deal, customer_times[deal.customer_id])

    @staticmethod
    def _touch(deal, at):
        if deal is not None and (deal.last_activity_at is None or deal.last_activity_at < at):
            deal.last_activity_at = at


class FakeStageChangeRepository(Table):
    def for_deal(self, deal_id):
        return sorted((c for c in self.all() if c.deal_id == deal_id), key=lambda c: (c.at, c.id))

    def delete_for_deal(self, deal_id):
        self.rows = {k: c for k, c in self.rows.items() if c.deal_id != deal_id}


class FakeTaskRepository(Table):
    def find(self, *, team_id=None, assignee_id=None, deal_id=None, open_only=True):
        def keep(t):
            return (
                (team_id is None or t.team_id == team_id)
                and (assignee_id is None or t.assignee_id == assignee_id)
                and (deal_id is None or t.deal_id == deal_id)
                and (not open_only or t.done_at is None)
            )

        far = datetime.max.replace(tzinfo=UTC)
        return sorted(filter(keep, self.all()), key=lambda t: (t.due_at or far, t.id))


class FakeInteractionRepository(Table):
    def add(self, interaction):
        # As the unique (platform, chat_id, message_id) in SQL: a message captured twice is
        # stored once. Typed notes have no message id and never collide.
        key = (interaction.platform, interaction.chat_id, interaction.message_id)
        if interaction.message_id is not None and any(
            (i.platform, i.chat_id, i.message_id) == key for i in self.all()
        ):
            raise ValueError(f"interaction {key} is already stored")
        return super().add(interaction)

    def for_deal(self, deal_id, limit=5):
        mine = [i for i in self.all() if i.deal_id == deal_id and i.deleted_at is None]
        return sorted(mine, key=lambda i: (i.occurred_at, i.id), reverse=True)[:limit]

    def count_for_deal(self, deal_id):
        return len(self.for_deal(deal_id, limit=None))

    def for_chat(self, platform, chat_id, limit=50):
        mine = [i for i in self.all() if (i.platform, i.chat_id) == (platform, chat_id) and i.deleted_at is None]
        return sorted(mine, key=lambda i: (i.occurred_at, i.id), reverse=True)[:limit]

    def _by_key(self, platform, chat_id, message_id):
        key = (platform, chat_id, message_id)
        return next((i for i in self.all() if (i.platform, i.chat_id, i.message_id) == key), None)

    def add_captured(self, messages):
        stored = []
        for item in messages:
            if self._by_key(item.platform, item.chat_id, item.message_id) is None:
                item.id = super().add(_as_interaction(item)).id
                stored.append(item)
        return stored

    def edit_captured(self, platform, chat_id, message_id, text, at):
        found = self._by_key(platform, chat_id, message_id)
        if found is None or found.deleted_at is not None or (found.edited_at and found.edited_at > at):
            return False
        found.text, found.edited_at = text, at
        return True

    def delete_captured(self, tombstone):
        found = self._by_key(tombstone.platform, tombstone.chat_id, tombstone.message_id)
        if found is None:
            super().add(_as_interaction(dataclasses.replace(tombstone, text="", id=None)))
            return False
        if found.deleted_at is not None:
            return False
        found.text, found.deleted_at = "", tombstone.deleted_at
        return True


def _as_interaction(message):
    from core.domain.model import Interaction

    return Interaction(**dataclasses.asdict(message))
