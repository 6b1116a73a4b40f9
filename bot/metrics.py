"""`/metrics` in the Prometheus text format (prometheus-client), for `dealbot run`.

What is counted, and where the hook sits (all in bot/: the core knows nothing of it):
- commands handled, by verb and result, and their latency (bot.run.InFlight, around Dealbot.handle);
- captured chat messages by outcome (bot.capture.CaptureWriter, once per batch);
- deliveries by platform and result, 429s by platform (bot.dispatcher.Dispatcher.on_outcome);
- scheduler runs by scan and result (bot.scheduler.ReminderScheduler.on_run);
- database errors by kind (an SQLAlchemy `handle_error` listener on the engine);
- the outbox's depth and the age of its oldest due row, by platform: read from the database at
  scrape time (storage.outbox.backlog), so every replica reports the same figures (use max()).

Each process has a registry of its own (no global state), and the process collector adds memory,
CPU and open files. The endpoint is off unless DEALBOT_METRICS_PORT (a listener of its own) or
DEALBOT_METRICS_TOKEN (a bearer token every scrape must carry) is set; docs/deploy.md has both.
"""

from __future__ import annotations

import asyncio
import collections
import hmac
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event

from core.app.failures import FailureStreak
from core.chat.messages import Incoming, Reply
from core.conversations.capture import Outcome
from core.language.verbs import find_verb

log = logging.getLogger(__name__)

# Commands take 1-10 ms; a scorecard with a chart about a second; a database outage up to its timeout.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def verb_of(incoming: Incoming) -> str:
    """The command's verb in English (`推进` → move), `other` for anything else: a bounded label
    set, and never a word of the message's text."""
    words = incoming.text.split(maxsplit=1)
    if not words:
        return "other"
    word = words[0].lstrip("/").split("@", 1)[0]  # Telegram's /new@dealbot_bot
    verb = find_verb(word)
    return verb.key if verb else "other"


class Metrics:
    def __init__(self, backlog: Callable[[datetime], Iterable[tuple[str, str, int, datetime | None]]] | None = None):
        """`backlog(now)` gives the outbox's (platform, status, rows, oldest due time) at scrape time."""
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.commands = Counter("dealbot_commands", "Chat commands handled, by verb and result",
                                ["verb", "result"], registry=r)
        self.command_seconds = Histogram("dealbot_command_seconds", "Time to answer a chat command",
                                         buckets=LATENCY_BUCKETS, registry=r)
        self.captured = Counter("dealbot_captured_messages", "Group chat events taken by capture, by outcome",
                                ["outcome"], registry=r)
        self._captured = {outcome: self.captured.labels(str(outcome)) for outcome in Outcome}
        self.deliveries = Counter("dealbot_deliveries", "Outbox sends by platform and result "
                                  "(sent, retried, failed, skipped, rate_limited)", ["platform", "result"],
                                  registry=r)
        self.rate_limited = Counter("dealbot_rate_limited", "429 answers from a platform", ["platform"],
                                    registry=r)
        self.scheduler_runs = Counter("dealbot_scheduler_runs", "Scheduler scans run, by scan and result",
                                      ["job", "result"], registry=r)
        self.database_errors = Counter("dealbot_database_errors", "Database errors, by kind",
                                       ["kind"], registry=r)
        ProcessCollector(registry=r)
        if backlog is not None:
            r.register(OutboxCollector(backlog, self.database_errors))

    # -- the hooks ------------------------------------------------------------------------------
    def command(self, incoming: Incoming, reply: Reply | None, seconds: float) -> None:
        result = "failed" if reply is None else "error" if reply.is_error else "ok"
        self.commands.labels(verb_of(incoming), result).inc()
        self.command_seconds.observe(seconds)

    def captured_batch(self, outcomes: Sequence[Outcome]) -> None:
        # A burst is all `stored`: list.count finds them by identity in C (~1 µs for 2,000),
        # where hashing or comparing each enum member goes through Python (~250 ns each).
        stored = outcomes.count(Outcome.STORED)
        if stored:
            self._captured[Outcome.STORED].inc(stored)
        if stored < len(outcomes):
            rest = collections.Counter(outcome for outcome in outcomes if outcome is not Outcome.STORED)
            for outcome, count in rest.items():
                self.captured.labels(str(outcome)).inc(count)

    def delivery(self, platform: str, result: str, count: int = 1) -> None:
        self.deliveries.labels(platform, result).inc(count)
        if result == "rate_limited":
            self.rate_limited.labels(platform).inc(count)

    def scheduler_run(self, job: str, result: str) -> None:
        self.scheduler_runs.labels(job, result).inc()

    def watch_engine(self, engine: Engine) -> None:
        """Every error the database driver raises, by its class (OperationalError, IntegrityError …)."""

        def counted(context) -> None:
            self.database_errors.labels(type(context.original_exception).__name__).inc()

        event.listen(engine, "handle_error", counted)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class OutboxCollector(Collector):
    """The outbox's depth by platform and status, and how long the oldest due pending row has
    waited: one GROUP BY per scrape."""

    def __init__(self, backlog, database_errors: Counter):
        self.backlog = backlog
        self.database_errors = database_errors
        self.failures = FailureStreak(log, "metrics: reading the outbox")

    def describe(self):
        return []  # read at scrape time only (a database query)

    def collect(self):
        depth = GaugeMetricFamily("dealbot_outbox_depth", "Outbox rows by platform and status "
                                  "(pending and failed: waiting; the same on every replica)",
                                  labels=["platform", "status"])
        age = GaugeMetricFamily("dealbot_outbox_oldest_age_seconds",
                                "Seconds the oldest due pending outbox row has waited, by platform",
                                labels=["platform"])
        now = datetime.now(UTC)
        try:
            rows = list(self.backlog(now))
        except Exception as error:  # the database is away: the scrape still answers
            self.failures.failed(error, traceback=False)
            rows = []
        else:
            self.failures.succeeded()
        for platform, status, count, oldest in rows:
            depth.add_metric([platform, status], count)
            if status == "pending":
                age.add_metric([platform], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        yield depth
        yield age


def metrics_route(metrics: Metrics, token: str):
    """The aiohttp handler of GET /metrics: 401 without the bearer token when one is set."""
    expected = f"Bearer {token}".encode() if token else None

    async def handler(request: web.Request) -> web.Response:
        if expected is not None:
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return web.json_response({"error": "metrics need Authorization: Bearer <DEALBOT_METRICS_TOKEN>"},
                                         status=401, headers={"WWW-Authenticate": "Bearer"})
        body = await asyncio.to_thread(metrics.exposition)  # the outbox query runs off the loop
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return handler


def metrics_app(metrics: Metrics, token: str) -> web.Application:
    """The separate listener of DEALBOT_METRICS_PORT: /metrics alone."""
    app = web.Application()
    app.router.add_get("/metrics", metrics_route(metrics, token))
    return app
