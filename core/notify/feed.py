"""`notify here won,lost min:100k` (通知 本群 赢单): a chat's subscription to its team's deal events.

The events are named after what happened to a deal — won, lost, new, moved, assigned — and each
comes from one audited action (ACTIONS), so every path that changes a deal (chat, buttons, the
REST API, `undo`) tells the same subscribers. A subscription may ask for a minimum amount: a deal
passes when its amount, in the minimum's currency, reaches it (a deal without an amount, or in
another currency, does not: amounts are never converted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

# audit action -> event
ACTIONS: Mapping[str, str] = {
    "deal.create": "new", "deal.won": "won", "deal.lost": "lost", "deal.move": "moved",
    "deal.reopen": "moved", "deal.assign": "assigned", "deal.handover": "assigned",
    "deal.update": "assigned",  # `PATCH /deals/{id}` with a new owner (other fields are no news)
}


@dataclass(eq=False)
class NotifySubscription:
    """One chat's feed of one team's deal events (one subscription per chat: a new one replaces it)."""

    team_id: int
    platform: str
    chat_id: str
    events: tuple[str, ...]
    language: str  # the chat's messages are in the language it was subscribed in
    created_at: datetime
    min_amount: Decimal | None = None
    min_currency: str = ""
    created_by: int | None = None
    id: int | None = None

    def wants(self, event: str, amount: Decimal | None, currency: str) -> bool:
        if event not in self.events:
            return False
        if self.min_amount is None:
            return True
        return amount is not None and currency == self.min_currency and amount >= self.min_amount

