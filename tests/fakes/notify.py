"""The fake of core.ports.notify.NotifyRepository: one subscription per chat, as in SQL."""

from __future__ import annotations

import copy

from tests.fakes.table import Table


class FakeNotifyRepository(Table):
    def save(self, subscription):
        existing = self.for_chat(subscription.platform, subscription.chat_id)
        subscription.id = existing.id if existing else None
        self.add(copy.copy(subscription))
        return subscription

    def remove(self, platform, chat_id):
        gone = [k for k, s in self.rows.items() if (s.platform, s.chat_id) == (platform, chat_id)]
        for k in gone:
            del self.rows[k]
        return len(gone)

    def for_chat(self, platform, chat_id):
        return next((copy.copy(s) for s in self.all() if (s.platform, s.chat_id) == (platform, chat_id)), None)

    def for_team(self, team_id):
        return sorted((copy.copy(s) for s in self.all() if s.team_id == team_id), key=lambda s: s.id)
