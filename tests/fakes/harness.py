"""A Dealbot on the fakes, driven like a chat."""

from __future__ import annotations

from tests.fakes.clock import FixedClock
from tests.fakes.unit_of_work import FakeUnitOfWork


class ChatHarness:
    """A Dealbot on fakes, driven like a chat: `say("alice", "new Acme")` returns the Reply.
    `bot_options` go to the Dealbot (new_code, is_transient, ...)."""

    def __init__(self, *, admins=(("console", "boss"),), clock=None, uow=None, **bot_options):
        from core.app.dealbot import Dealbot
        from core.chat.context import Defaults

        self.uow = uow or FakeUnitOfWork()
        self.clock = clock or FixedClock()
        self.bot = Dealbot(lambda: self.uow, self.clock, Defaults(admins=frozenset(admins)), **bot_options)
        self._count = 0

    def say(self, user: str, text: str, platform: str = "console"):
        from core.chat.messages import Incoming

        self._count += 1
        return self.bot.handle(Incoming(platform=platform, user_id=user, user_name=user, text=text,
                                        message_id=str(self._count)))

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self.uow, name).rows) for name in FakeUnitOfWork._REPOS}

    def admit(self, user: str, platform: str, *, name: str = "", admin: tuple[str, str] = ("console", "boss"),
              role: str = "rep", team: str = "sales"):
        """Let a platform account in the way an admin does: it asks, the admin approves."""
        from core.chat.messages import Incoming

        self._count += 1
        self.bot.handle(Incoming(platform=platform, user_id=user, user_name=name or user, text="hi",
                                 message_id=str(self._count)))
        request = self.uow.access.request_for(platform, user)
        return self.say(admin[1], f"member approve {request.code} role:{role} team:{team}", platform=admin[0])


# -- captured conversations: suggestions, response times, privacy (core.ports) ------------------
