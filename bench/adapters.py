"""What each chat adapter adds to a command's round trip, beside the console path in the same run.

    python -m bench.adapters [--n 400] [--warmup 20] [--step-ms 50]

Run from the repository root: the fake platforms come from tests/platforms (slack,
telegram, dingtalk), on 127.0.0.1 in this process and event loop.

One dealbot is wired as `dealbot run` wires it: bot.bootstrap.build on a fresh SQLite file, the
adapters from bot.platforms.configured_adapters with every platform URL pointing at a fake, and
bot.run.InFlight as their handler (the core in a worker thread). Slack's HTTP mode is a second
Slack adapter, without the app token, mounted on bot.run.web_app served on 127.0.0.1.

A round trip is timed from the moment the fake starts delivering the command to the moment the
fake has received the reply (perf_counter_ns, stamped where the fake appends the reply to its
record):
- slack socket: a `slash_commands` envelope on the Socket Mode websocket → reply on response_url;
- slack http: a signed form POST of the slash command to /slack/events → reply on response_url;
- telegram: an update handed to the bot's pending getUpdates long poll → sendMessage (the fake's
  getUpdates waits on a condition, so pickup is immediate unless a poll is being renewed);
- dingtalk: a CALLBACK frame on the Stream websocket → POST to the message's session webhook.
The baselines are `console` (ConsoleAdapter.answer: what `dealbot console` does per line) and
`core via InFlight` (the core awaited through bot.run.InFlight, no platform).

Every path has its own deal, created in the warm-up by that path's user, and runs the same four
commands in turn: `show D-n`, `move D-n demo`, `show D-n`, `move D-n lead`. Paths take turns
command by command (in a rotating order), and each turn lasts at least --step-ms, so Telegram
stays under AIORateLimiter's 30 messages/s and its pacing never enters the figures. Every reply
is checked. Never part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from adapters.console import ConsoleAdapter  # noqa: E402
from adapters.console.translate import incoming_from_line  # noqa: E402
from bench.console_roundtrip import p50_ms, p99_ms, print_machine  # noqa: E402
from bot.bootstrap import Wired, build  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.memory import freeze_startup_objects  # noqa: E402
from bot.platforms import configured_adapters  # noqa: E402
from bot.run import InFlight, web_app  # noqa: E402
from core.chat.messages import Incoming, Reply  # noqa: E402
from core.language.dates.text import warm_up as warm_up_dates  # noqa: E402
from tests.platforms.dingtalk import FakeDingTalk  # noqa: E402
from tests.platforms.slack import FakeSlack, form_body, signed_headers, slash_command  # noqa: E402
from tests.platforms.telegram import FakeTelegram, message_update, private_chat, user  # noqa: E402

SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TELEGRAM_TOKEN = "123456:BENCH-token"
TELEGRAM_USER = user(1001, "bench")
REPLY_TIMEOUT = 10.0
CYCLE = (("show D-{n}", "D-{n} · "), ("move D-{n} demo", "D-{n} moved"),
         ("show D-{n}", "D-{n} · "), ("move D-{n} lead", "D-{n} moved"))
VERBS = ("show", "move")


# -- timing ----------------------------------------------------------------------------------------

class Arrivals(list):
    """A fake's record of what it received that also notes when an awaited item arrived."""

    def __init__(self):
        super().__init__()
        self._waiting: list[tuple[Callable[[object], bool], asyncio.Future]] = []

    def expect(self, matches: Callable[[object], bool]) -> asyncio.Future:
        """A future for (arrival ns, item) of the next item that `matches`."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((matches, future))
        return future

    def append(self, item) -> None:
        at = time.perf_counter_ns()
        super().append(item)
        for waiter in list(self._waiting):
            matches, future = waiter
            if not future.done() and matches(item):
                future.set_result((at, item))
                self._waiting.remove(waiter)


class TimedHandler:
    """bot.run.InFlight, noting when the core was called and when it answered (one at a time)."""

    def __init__(self, inner: Callable[[Incoming], Awaitable[Reply]]):
        self.inner = inner
        self.last: tuple[int, int] = (0, 0)

    async def __call__(self, incoming: Incoming) -> Reply:
        start = time.perf_counter_ns()
        reply = await self.inner(incoming)
        self.last = (start, time.perf_counter_ns())
        return reply


@dataclass
class Samples:
    """Nanoseconds per round trip by verb, and the split of the platform ones."""

    by_verb: dict[str, list[int]] = field(default_factory=lambda: {verb: [] for verb in VERBS})
    inbound: list[int] = field(default_factory=list)  # delivery started → core called
    core: list[int] = field(default_factory=list)  # InFlight: thread hop + Dealbot.handle
    outbound: list[int] = field(default_factory=list)  # core answered → reply received

    def everything(self) -> list[int]:
        return [ns for verb in VERBS for ns in self.by_verb[verb]]

    def clear(self) -> None:
        """Forget the warm-up."""
        for part in (*self.by_verb.values(), self.inbound, self.core, self.outbound):
            part.clear()


# -- the paths -------------------------------------------------------------------------------------

@dataclass
class CommandPath:
    """One way in: `run(text)` delivers a command and returns (round trip ns, reply text)."""

    name: str
    run: Callable[[str], Awaitable[tuple[int, str]]]
    command: Callable[[str], str] = lambda text: text  # how this platform's users type it
    deal: int = 0
    samples: Samples = field(default_factory=Samples)
    split: bool = False  # a platform path: record inbound / core / outbound


def console_path(wired: Wired) -> CommandPath:
    console = ConsoleAdapter(wired.bot.handle, local_user="bench-console")

    async def run(text: str) -> tuple[int, str]:
        start = time.perf_counter_ns()
        out = console.answer(text)
        return time.perf_counter_ns() - start, out

    return CommandPath("console", run)


def in_flight_path(handler: TimedHandler) -> CommandPath:
    count = itertools.count(1)

    async def run(text: str) -> tuple[int, str]:
        incoming = incoming_from_line(text, local_user="bench-async", number=next(count))
        start = time.perf_counter_ns()
        reply = await handler(incoming)
        elapsed = time.perf_counter_ns() - start
        return elapsed, reply.title + "\n" + "\n".join(reply.lines)

    return CommandPath("core via InFlight", run)


def platform_path(name: str, arrivals: Arrivals, is_reply: Callable[[object], bool],
                  text_of: Callable[[object], str], deliver: Callable[[str], Awaitable[object]],
                  handler: TimedHandler, command: Callable[[str], str] = lambda text: text) -> CommandPath:
    samples = Samples()

    async def run(text: str) -> tuple[int, str]:
        reply = arrivals.expect(is_reply)
        start = time.perf_counter_ns()
        delivery = asyncio.ensure_future(deliver(text))
        try:
            arrived, item = await asyncio.wait_for(reply, REPLY_TIMEOUT)
        except TimeoutError:
            raise SystemExit(f"{name}: no reply to {text!r} within {REPLY_TIMEOUT}s") from None
        await delivery  # the fake's side of the delivery (an ack, an HTTP answer) is over too
        called, answered = handler.last
        samples.inbound.append(called - start)
        samples.core.append(answered - called)
        samples.outbound.append(arrived - answered)
        return arrived - start, text_of(item)

    return CommandPath(name, run, command, samples=samples, split=True)


# -- wiring: fakes, settings, adapters -------------------------------------------------------------

@dataclass
class Fakes:
    slack: FakeSlack
    telegram: FakeTelegram
    dingtalk: FakeDingTalk

    @classmethod
    async def start(cls) -> Fakes:
        slack = await FakeSlack().start()
        slack.posted = Arrivals()
        slack.add_user("U1", "Socket Rep")
        slack.add_user("U2", "Http Rep")
        telegram = await FakeTelegram(TELEGRAM_TOKEN).start()
        telegram.calls = Arrivals()
        dingtalk = FakeDingTalk(replies=Arrivals())
        await dingtalk.start()
        return cls(slack, telegram, dingtalk)

    async def close(self) -> None:
        await self.slack.close()
        await self.telegram.stop()
        await self.dingtalk.close()


def settings_for(workdir: Path, fakes: Fakes) -> Settings:
    """`dealbot run`'s settings with every platform pointed at its fake (Slack in Socket Mode)."""
    return Settings(
        _env_file=None, database_url=f"sqlite:///{workdir}/bench.db", log_file=workdir / "bench.log",
        slack_bot_token="xoxb-bench", slack_app_token="xapp-bench", slack_signing_secret=SLACK_SECRET,
        slack_api_url=fakes.slack.api_url,
        telegram_bot_token=TELEGRAM_TOKEN, telegram_api_url=fakes.telegram.url,
        dingtalk_client_id=fakes.dingtalk.client_id, dingtalk_client_secret=fakes.dingtalk.client_secret,
        dingtalk_api_url=fakes.dingtalk.url,
    )


def slack_http_settings(settings: Settings) -> Settings:
    """The same Slack app in HTTP mode (no app token), and no other platform."""
    return settings.model_copy(update={"slack_app_token": "", "telegram_bot_token": "",
                                       "dingtalk_client_id": ""})


class HttpServer:
    """bot.run.web_app on 127.0.0.1 with a free port, as `dealbot run` serves it."""

    def __init__(self, routes):
        self.runner = web.AppRunner(web_app(routes, lambda: True), handle_signals=False)
        self.url = ""

    async def start(self) -> HttpServer:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self


def slack_paths(fakes: Fakes, handler: TimedHandler, http: aiohttp.ClientSession, events_url: str) -> list[CommandPath]:
    fake = fakes.slack
    envelopes = itertools.count(1)

    def answered_on(name: str) -> Callable[[object], bool]:
        return lambda posted: posted.via == "response_url" and posted.channel == name

    async def over_socket(text: str) -> None:
        command = slash_command(text, user_id="U1", response_url=fake.response_url("socket"))
        await fake.send_envelope("slash_commands", command, envelope_id=f"env-{next(envelopes)}")

    async def over_http(text: str) -> None:
        body = form_body(slash_command(text, user_id="U2", response_url=fake.response_url("http")))
        headers = signed_headers(body, SLACK_SECRET, content_type="application/x-www-form-urlencoded")
        async with http.post(events_url, data=body.encode(), headers=headers) as response:
            if response.status != 200:
                raise SystemExit(f"slack http: /slack/events answered {response.status}")

    def text_of(posted) -> str:
        return posted.all_text()

    return [platform_path("slack socket", fake.posted, answered_on("socket"), text_of, over_socket, handler),
            platform_path("slack http", fake.posted, answered_on("http"), text_of, over_http, handler)]


def telegram_path(fakes: Fakes, handler: TimedHandler) -> CommandPath:
    fake = fakes.telegram

    async def deliver(text: str) -> None:
        update = message_update(fake.next_update_id(), TELEGRAM_USER, private_chat(TELEGRAM_USER["id"]), text)
        await fake.push(update)

    def is_reply(call) -> bool:
        return call.method == "sendMessage" and call.status == 200

    return platform_path("telegram", fake.calls, is_reply, lambda call: call.params["text"], deliver,
                         handler, command=lambda text: "/" + text)  # /show D-5, /move D-5 demo


def dingtalk_path(fakes: Fakes, handler: TimedHandler) -> CommandPath:
    fake = fakes.dingtalk

    async def deliver(text: str) -> None:
        await fake.send_callback(fake.message(text, user="bench"))

    return platform_path("dingtalk", fake.replies, lambda reply: True,
                         lambda reply: json.dumps(reply, ensure_ascii=False), deliver, handler)


# -- running ---------------------------------------------------------------------------------------

async def create_deal(path: CommandPath) -> None:
    _, text = await path.run(path.command("new Acme 50k"))
    found = re.search(r"Created D-(\d+)", text)
    if found is None:
        raise SystemExit(f"{path.name}: could not create its deal:\n{text}")
    path.deal = int(found[1])


async def one_command(path: CommandPath, step: int) -> None:
    template, expected = CYCLE[step % len(CYCLE)]
    text = template.format(n=path.deal)
    elapsed, reply = await path.run(path.command(text))
    if expected.format(n=path.deal) not in reply:
        raise SystemExit(f"{path.name}: unexpected reply to {text!r}:\n{reply}")
    path.samples.by_verb[text.split()[0]].append(elapsed)


async def take_turns(paths: list[CommandPath], steps: int, step_s: float) -> None:
    """Each step runs one command on every path, in an order that rotates from step to step."""
    for step in range(steps):
        started = time.perf_counter()
        shift = step % len(paths)
        for path in paths[shift:] + paths[:shift]:
            await one_command(path, step)
        await asyncio.sleep(max(0.0, step_s - (time.perf_counter() - started)))


async def measure(n: int, warmup: int, step_s: float) -> list[CommandPath]:
    with tempfile.TemporaryDirectory(prefix="dealbot-bench-") as tmp:
        fakes = await Fakes.start()
        settings = settings_for(Path(tmp), fakes)
        wired = build(settings)
        handler = TimedHandler(InFlight(wired))
        adapters = configured_adapters(settings, handler) + configured_adapters(slack_http_settings(settings),
                                                                                handler)
        server = await HttpServer([r for a in adapters for r in a.routes()]).start()
        http = aiohttp.ClientSession()
        try:
            for adapter in adapters:
                await adapter.start()
            paths = [console_path(wired), in_flight_path(handler),
                     *slack_paths(fakes, handler, http, f"{server.url}/slack/events"),
                     telegram_path(fakes, handler), dingtalk_path(fakes, handler)]
            warm_up_dates()
            for path in paths:
                await create_deal(path)
            await take_turns(paths, warmup * len(CYCLE), step_s)
            for path in paths:
                path.samples.clear()
            freeze_startup_objects()  # as `dealbot run` does once its adapters are up
            await take_turns(paths, n, step_s)
        finally:
            for adapter in adapters:
                await adapter.stop()
            await http.close()
            await server.runner.cleanup()
            await fakes.close()
            wired.engine.dispose()
    return paths


# -- the report ------------------------------------------------------------------------------------

def print_table(paths: list[CommandPath]) -> None:
    console = paths[0].samples.everything()
    base50, base99 = p50_ms(console), p99_ms(console)
    print(f"{'path':<18} {'n':>4} {'p50 ms':>7} {'p99 ms':>7} {'show p50':>8} {'move p50':>8} "
          f"{'+p50':>6} {'+p99':>6}   {'in p50':>6} {'core p50':>8} {'out p50':>7}")
    for path in paths:
        every, s = path.samples.everything(), path.samples
        line = (f"{path.name:<18} {len(every):>4} {p50_ms(every):7.2f} {p99_ms(every):7.2f} "
                f"{p50_ms(s.by_verb['show']):8.2f} {p50_ms(s.by_verb['move']):8.2f} ")
        if path is paths[0]:
            line += f"{'—':>6} {'—':>6}"
        else:
            line += f"{p50_ms(every) - base50:+6.2f} {p99_ms(every) - base99:+6.2f}"
        if path.split:
            line += f"   {p50_ms(s.inbound):6.2f} {p50_ms(s.core):8.2f} {p50_ms(s.outbound):7.2f}"
        print(line)
    print("+p50/+p99: the path's p50/p99 minus the console's (differences of percentiles). in: delivery "
          "started → core called; core: InFlight (thread hop + Dealbot.handle); out: core answered → "
          "reply received by the fake. Medians of the parts need not add up to the total's median.")


def quiet_network_settings() -> None:
    """Only 127.0.0.1 is talked to: no proxy may get in between (httpx and aiohttp read these)."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        os.environ.pop(name, None)
        os.environ.pop(name.lower(), None)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="timed round trips per path (default 400)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed rounds of four first (default 20)")
    parser.add_argument("--step-ms", type=float, default=50.0,
                        help="shortest time for one command on every path (default 50)")
    args = parser.parse_args(argv)
    quiet_network_settings()
    load_before = os.getloadavg()[0]
    paths = asyncio.run(measure(args.n, args.warmup, args.step_ms / 1000))
    print_machine(load_before)
    print(f"adapter round trips: {args.n} per path after {args.warmup * len(CYCLE)} warm-up commands; "
          f"commands show/move in turn, one step at least {args.step_ms:g} ms; SQLite WAL")
    print_table(paths)
    return 0


if __name__ == "__main__":
    sys.exit(main())
