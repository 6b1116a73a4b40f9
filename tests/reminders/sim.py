"""A chat team on the real core and the test database, with a fake clock, the scans and the
dispatcher: the scheduler's work without the scheduler, step by step."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.dispatcher import Dispatcher
from bot.pacing import Pacer
from core.chat.messages import Incoming
from core.reminders.scans import Scans
from tests.fakes import RecordingNotifier

SHANGHAI = ZoneInfo("Asia/Shanghai")

# handle -> (platform, user id); the DM chat id is the user id on both platforms
PEOPLE = {"boss": ("console", "boss"), "alice": ("slack", "UALICE"), "bob": ("telegram", "2001"),
          "mia": ("slack", "UMIA"), "carl": ("slack", "UCARL")}
CHATS = {"C_SALES": "#sales", **{user: handle for handle, (_, user) in PEOPLE.items()}}


def local(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def label(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%a %d %H:%M")


class Sim:
    def __init__(self, wired, platforms=("slack", "telegram")):
        self.bot = wired.bot
        self.uow_factory = wired.bot.uow_factory
        self.clock = wired.bot.clock
        self.notifiers = {p: RecordingNotifier(p) for p in platforms}
        self.received: list[tuple[str, str, str, object]] = []  # (when, platform, chat, reply)
        self.down = False
        self._count = 0
        self.pending: list = []
        self.start_process()

    def start_process(self) -> None:
        """What `dealbot run` builds: fresh scans and dispatcher; nothing carried over."""
        self.scans = Scans(self.uow_factory, self.clock, platforms=frozenset(self.notifiers))
        self.dispatcher = Dispatcher(self.uow_factory, self.clock, self.notifiers, pacer=Pacer({}),
                                     lease=timedelta(minutes=5))

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def say(self, who: str, text: str, chat: str | None = None):
        platform, user = PEOPLE[who]
        self._count += 1
        reply = self.bot.handle(Incoming(platform=platform, user_id=user, user_name=who, text=text,
                                         chat_id=chat or user, message_id=f"m{self._count}",
                                         is_direct=chat is None))
        assert not reply.is_error, (who, text, reply.text())
        return reply

    def last_message(self, who: str, subject: str):
        platform, user = PEOPLE[who]
        for _, p, chat, reply in reversed(self.received):
            if (p, chat) == (platform, user) and subject in reply.title:
                return reply
        raise AssertionError(f"{who} got nothing about {subject}")

    def click(self, who: str, subject: str, command_prefix: str):
        """Click the button of the latest message `who` got about `subject`."""
        reply = self.last_message(who, subject)
        button = next(b for b in reply.buttons if b.command.startswith(command_prefix))
        return self.say(who, button.command)

    async def tick(self) -> None:
        if self.down:
            return
        self.scans.run_all()
        while await self.dispatcher.run_once():
            pass
        for platform, notifier in self.notifiers.items():
            for chat_id, reply in notifier.sent:
                self.received.append((label(self.now), platform, chat_id, reply))
            notifier.sent.clear()

    def plan(self, script: list) -> None:
        """Actions (moment, callable) to run when the clock reaches their moment."""
        self.pending = sorted(script, key=lambda item: item[0])

    async def run(self, until: datetime) -> None:
        """Advance up to `until`; at each step the actions due by then, then a tick. Steps are
        ten minutes in working hours, an hour at night and at weekends (the scans do not care:
        they look at everything since the last one)."""
        while self.now <= until:
            while self.pending and self.pending[0][0] <= self.now:
                _, action = self.pending.pop(0)
                action()
            await self.tick()
            self.clock.advance(seconds=self.step().total_seconds())

    def step(self) -> timedelta:
        moment = self.now.astimezone(SHANGHAI)
        busy = moment.weekday() < 5 and 7 <= moment.hour < 22
        return timedelta(minutes=10 if busy else 60)
