"""The dispatcher on the in-memory outbox: outcomes, retries, 429s, pacing, obsolete rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.delivery import PERMANENT, RATE_LIMITED, TRANSIENT, classify
from bot.dispatcher import Dispatcher
from bot.pacing import Limit, Pacer, SlidingWindow
from core.reminders.outbox import OutboxMessage, OutboxStatus
from tests.fakes import FakeUnitOfWork, FixedClock


class Answer(Exception):
    def __init__(self, status=None, retry_after=None, headers=None):
        super().__init__(f"HTTP {status}")
        self.status, self.headers = status, headers or {}
        if retry_after is not None:
            self.retry_after = retry_after


class ScriptedNotifier:
    """Answers each send with the next scripted outcome (None: accepted)."""

    platform = "slack"

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.sent = []

    async def send(self, chat_id, reply):
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        self.sent.append((chat_id, reply.title))
        return f"ts.{len(self.sent)}"


class FakeMonotonic:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    async def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def uow():
    return FakeUnitOfWork()


@pytest.fixture
def clock():
    return FixedClock()


def queue(uow, clock, *keys, chat="C1", guard=None):
    with uow:
        for key in keys:
            uow.outbox.add(OutboxMessage(platform="slack", chat_id=chat, kind="digest", dedupe_key=key,
                                         payload={"reply": {"title": key}, "guard": guard},
                                         not_before=clock.now(), created_at=clock.now()))
        uow.commit()


def rows(uow):
    return {m.dedupe_key: m for m in uow.outbox.all()}


def dispatcher(uow, clock, notifier, **options):
    monotonic = FakeMonotonic()
    options.setdefault("pacer", Pacer({}, monotonic=monotonic))
    return Dispatcher(lambda: uow, clock, {"slack": notifier}, sleep=monotonic.sleep, **options), monotonic


async def test_sends_and_keeps_the_platform_message_id(uow, clock):
    queue(uow, clock, "a", "b")
    notifier = ScriptedNotifier()
    d, _ = dispatcher(uow, clock, notifier)
    assert await d.run_once() == 2
    assert notifier.sent == [("C1", "a"), ("C1", "b")]
    assert {k: (m.status, m.message_id) for k, m in rows(uow).items()} == \
        {"a": ("sent", "ts.1"), "b": ("sent", "ts.2")}
    assert await d.run_once() == 0


async def test_server_errors_are_retried_with_backoff_then_kept_as_failed(uow, clock):
    queue(uow, clock, "a")
    notifier = ScriptedNotifier(*[Answer(503)] * 3)
    d, _ = dispatcher(uow, clock, notifier, max_attempts=3, backoff=10)
    await d.run_once()
    row = rows(uow)["a"]
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "Answer: HTTP 503")
    assert timedelta(seconds=8) <= row.not_before - clock.now() <= timedelta(seconds=12)
    assert await d.run_once() == 0  # not yet
    clock.advance(seconds=12)
    await d.run_once()
    assert rows(uow)["a"].attempts == 2
    assert timedelta(seconds=16) <= rows(uow)["a"].not_before - clock.now() <= timedelta(seconds=24)
    clock.advance(seconds=25)
    await d.run_once()
    row = rows(uow)["a"]
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "Answer: HTTP 503")
    assert notifier.sent == []


async def test_a_network_error_then_success(uow, clock):
    queue(uow, clock, "a")
    notifier = ScriptedNotifier(ConnectionResetError("reset by peer"))
    d, _ = dispatcher(uow, clock, notifier, backoff=1)
    await d.run_once()
    clock.advance(seconds=2)
    await d.run_once()
    assert (rows(uow)["a"].status, rows(uow)["a"].attempts) == ("sent", 2)


async def test_a_refusal_fails_at_once(uow, clock):
    queue(uow, clock, "a")
    d, _ = dispatcher(uow, clock, ScriptedNotifier(Answer(404)))
    await d.run_once()
    assert (rows(uow)["a"].status, rows(uow)["a"].attempts) == ("failed", 1)


async def test_429_blocks_the_destination_for_retry_after_without_using_an_attempt(uow, clock):
    queue(uow, clock, "a", "b")
    queue(uow, clock, "other", chat="C2")
    notifier = ScriptedNotifier(Answer(429, headers={"Retry-After": "30"}))
    d, monotonic = dispatcher(uow, clock, notifier, max_attempts=1)
    await d.run_once()
    got = rows(uow)
    assert (got["a"].status, got["a"].attempts) == ("pending", 0)
    assert got["a"].not_before == got["b"].not_before == clock.now() + timedelta(seconds=30)
    assert got["other"].status == "sent"  # another chat is not held up
    assert d.stats.rate_limited == 1
    clock.advance(seconds=30)
    monotonic.now += 30
    await d.run_once()
    assert [m.status for m in rows(uow).values()] == ["sent"] * 3
    assert [title for _, title in notifier.sent] == ["other", "a", "b"]


async def test_pacing_holds_a_busy_destination_without_holding_the_round(uow, clock):
    queue(uow, clock, *[f"g{i}" for i in range(5)], chat="group")
    queue(uow, clock, "dm", chat="U1")
    pacer = Pacer({"slack": (Limit(2, 60.0, "chat"),)}, monotonic=FakeMonotonic())
    notifier = ScriptedNotifier()
    d, _ = dispatcher(uow, clock, notifier, pacer=pacer)
    await d.run_once()
    assert sorted(title for _, title in notifier.sent) == ["dm", "g0", "g1"]
    later = {k: m.not_before for k, m in rows(uow).items() if m.status == "pending"}
    assert set(later) == {"g2", "g3", "g4"}
    assert all(when == clock.now() + timedelta(seconds=60) for when in later.values())
    assert d.stats.deferred == 3


async def test_a_reminder_whose_reason_is_gone_is_skipped(uow, clock):
    from tests.fakes import ChatHarness

    chat = ChatHarness(uow=uow, clock=clock)
    chat.say("alice", "new Acme")
    entered = uow.deals.get(1).stage_entered_at.isoformat()
    queue(uow, clock, "sla:D-1", guard={"deal": 1, "stage": "lead", "entered": entered})
    chat.say("alice", "move D-1 next")
    notifier = ScriptedNotifier()
    d, _ = dispatcher(uow, clock, notifier)
    await d.run_once()
    row = rows(uow)["sla:D-1"]
    assert (row.status, row.last_error, notifier.sent) == (OutboxStatus.SKIPPED, "the deal moved", [])


def test_sliding_window_never_lets_more_than_n_through_in_any_period():
    window = SlidingWindow(3, 10.0)
    sent = []
    now = 0.0
    while len(sent) < 10:
        wait = window.delay(now)
        now += wait
        window.take(now)
        sent.append(now)
    assert all(sent[i + 3] - sent[i] >= 10.0 for i in range(len(sent) - 3))
    assert sent[:4] == [0.0, 0.0, 0.0, 10.0]


@pytest.mark.parametrize(("error", "kind", "retry_after"), [
    (Answer(429, headers={"Retry-After": "7"}), RATE_LIMITED, 7.0),
    (Answer(retry_after=timedelta(seconds=3)), RATE_LIMITED, 3.0),  # telegram.error.RetryAfter
    (Answer(502), TRANSIENT, None),
    (Answer(408), TRANSIENT, None),
    (Answer(403), PERMANENT, None),
    (TimeoutError(), TRANSIENT, None),
    (ConnectionRefusedError(), TRANSIENT, None),
    (type("BadRequest", (Exception,), {})("Chat not found"), PERMANENT, None),
    (type("TimedOut", (Exception,), {})("timed out"), TRANSIENT, None),
    (RuntimeError("who knows"), TRANSIENT, None),
])
def test_errors_are_read_by_their_shape(error, kind, retry_after):
    outcome = classify(error)
    assert (outcome.kind, outcome.retry_after) == (kind, retry_after)


def test_slack_style_errors_carry_their_status_on_the_response():
    class SlackResponse:
        status_code = 429
        headers = {"retry-after": "2"}

    class SlackApiError(Exception):
        response = SlackResponse()

    assert classify(SlackApiError("ratelimited")).retry_after == 2.0


async def test_stopping_puts_the_rest_of_the_round_back(uow, clock):
    import asyncio

    queue(uow, clock, *[f"k{i}" for i in range(5)], chat="busy")
    stop = asyncio.Event()

    class SlowNotifier(ScriptedNotifier):
        async def send(self, chat_id, reply):
            stop.set()  # the process is asked to stop while the first message is on its way
            return await super().send(chat_id, reply)

    notifier = SlowNotifier()
    d, _ = dispatcher(uow, clock, notifier)
    await d.run(stop, poll=0.01)
    got = rows(uow)
    assert notifier.sent == [("busy", "k0")] and got["k0"].status == "sent"
    assert all(got[f"k{i}"].status == "pending" and got[f"k{i}"].claimed_until is None for i in range(1, 5))
