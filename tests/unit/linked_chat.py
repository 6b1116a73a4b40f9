"""A linked Telegram group on the fakes, for the capture-intelligence unit tests.

alice (a rep, Telegram user 1001) owns D-1 (Acme); group -100123 is linked to D-1; Li Wei (2001,
unknown to the bot) is the customer's contact. `chat.capture(...)` stores group messages the way
the capture writer does (core.services.capture.store_captured, with the next-step hook); `say`
talks to the bot as a member, as a button click does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.chat.context import Defaults
from core.conversations.capture import ChatEvent
from core.conversations.suggestions import suggest_next_steps
from core.domain.model import ChatBinding, Identity
from core.services.capture import store_captured
from tests.fakes import ChatHarness, FixedClock

GROUP = "-100123"
LI, ALICE_TG = "2001", "1001"


class LinkedChat:
    def __init__(self, now: datetime | None = None):
        self.harness = ChatHarness(clock=FixedClock(now))
        self.uow = self.harness.uow
        self.clock = self.harness.clock
        self.harness.say("alice", "new Acme 50k")
        self.harness.say("bob", "me")  # another rep of the team
        with self.uow as uow:
            self.alice = uow.members.by_handle("alice")
            uow.members.add_identity(Identity("telegram", ALICE_TG, self.alice.id))
            uow.chat_bindings.add(ChatBinding("telegram", GROUP, self.alice.team_id, self.clock.now(),
                                              bound_by=self.alice.id, deal_id=1))
            uow.commit()
        self.count = 0

    def capture(self, text: str, *, user: str = LI, name: str = "Li Wei", at: datetime | None = None,
                chat: str = GROUP, hooks=(suggest_next_steps,)) -> None:
        self.count += 1
        event = ChatEvent("telegram", chat, f"m{self.count}", user_id=user, user_name=name, text=text,
                          sent_at=at or self.clock.now())
        with self.uow as uow:
            store_captured(uow, [event], self.clock.now(), Defaults(), hooks)
            uow.commit()

    def say(self, user: str, text: str):
        return self.harness.say(user, text)

    def advance(self, **delta: float) -> None:
        self.clock.advance(**delta)

    def outbox(self, kind: str) -> list:
        return [m for m in self.uow.outbox.all() if m.kind == kind]

    def settings(self, **values) -> None:
        with self.uow as uow:
            team = uow.teams.get(self.alice.team_id)
            team.settings = {**(team.settings or {}), **values}
            uow.commit()


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
