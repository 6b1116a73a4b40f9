"""Outbound webhooks: the sender in `dealbot run`, and `dealbot webhook add|list|remove|resume|log`.

Each delivery is an HTTP POST of the event's JSON with three headers (docs/api.md, "Webhooks"):
`Dealbot-Event` (deal.moved …), `Dealbot-Event-Id` (evt_…, the same for every retry: receivers
dedupe by it) and `Dealbot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body,
keyed by the subscription's secret>`. A 2xx answer is a delivery; anything else, a timeout or a
refused connection is retried with backoff (core.services.webhooks.backoff). A subscription that
has failed for DEALBOT_WEBHOOK_PAUSE_DAYS is paused and the admins are told in chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import ipaddress
import logging
import socket
from datetime import datetime, timedelta
from typing import TextIO
from urllib.parse import urlparse

import httpx

from bot.bootstrap import Wired
from bot.cli_errors import CliError
from core.app.failures import FailureStreak
from core.services.webhooks import (
    WebhookError,
    backoff,
    parse_events,
    should_pause,
    tell_admins_paused,
)
from storage import webhooks as store

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class WebhookSender:
    def __init__(self, wired: Wired, *, poll_seconds: float = 1.0, timeout: float = 10.0,
                 pause_after: timedelta = timedelta(days=3)):
        self.wired = wired
        self.poll_seconds = poll_seconds
        self.timeout = timeout
        self.pause_after = pause_after
        self._task: asyncio.Task | None = None
        self._client: httpx.AsyncClient | None = None
        self.round_failures = FailureStreak(log, "webhook deliveries")

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client is not None:
            await self._client.aclose()

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database away: one line when it starts, one when it ends
                self.round_failures.failed(error)
            else:
                self.round_failures.succeeded()
            await asyncio.sleep(self.poll_seconds)

    async def run_once(self) -> int:
        """Send what is due; the number of deliveries that succeeded."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        now = self.wired.bot.clock.now()
        due = await asyncio.to_thread(store.claim, self.wired.engine, now, LEASE)
        results = await asyncio.gather(*(self._send(d) for d in due))
        return sum(results)

    async def _send(self, delivery: store.Delivery) -> bool:
        body = delivery.body.encode()
        stamp = int(self.wired.bot.clock.now().timestamp())
        headers = {"Content-Type": "application/json", "User-Agent": "dealbot-webhooks/1",
                   "Dealbot-Event": delivery.event, "Dealbot-Event-Id": delivery.event_id,
                   "Dealbot-Signature": signature(delivery.secret, stamp, body)}
        error = ""
        try:
            assert self._client is not None
            answer = await self._client.post(delivery.url, content=body, headers=headers)
            if 200 <= answer.status_code < 300:
                await asyncio.to_thread(store.delivered, self.wired.engine, delivery, self.wired.bot.clock.now())
                return True
            error = f"HTTP {answer.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        await asyncio.to_thread(self._failed, delivery, error)
        return False

    def _failed(self, delivery: store.Delivery, error: str) -> None:
        now = self.wired.bot.clock.now()
        since = store.failed(self.wired.engine, delivery, error, now + backoff(delivery.attempts + 1), now)
        if should_pause(since, now, self.pause_after):
            with self.wired.bot.writing_uow_factory() as uow:
                if store.pause(uow.session, delivery.webhook_id, now):
                    told = tell_admins_paused(uow, delivery.webhook_id, delivery.url, since, now)
                    log.warning("webhook W-%s (%s) failing since %s: paused, %d admin(s) told",
                                delivery.webhook_id, delivery.url, since.isoformat(timespec="seconds"), told)
                uow.commit()


# -- the CLI -------------------------------------------------------------------------------------

def check_url(url: str, *, local: bool = True) -> str:
    """The URL a subscription posts to. It carries no user or password (they would show in every
    list and log line; the signature authenticates a delivery). With local=False (the REST API,
    unless DEALBOT_WEBHOOK_LOCAL is set) its host must be public: an API token must not make
    dealbot post to this machine, the private network or a cloud's metadata address."""
    try:
        parsed = urlparse(url.strip())
        host = parsed.hostname
    except ValueError:  # an unclosed [ipv6
        host = None
    if not host or parsed.scheme not in ("http", "https"):
        raise WebhookError(f"'{url}' is not an http(s) URL, e.g. https://crm.example.com/hooks/dealbot")
    if "@" in parsed.netloc:
        raise WebhookError(f"'{url}' holds a user or password: leave them out, the signature authenticates "
                           "each delivery")
    if not local and not _public(host):
        raise WebhookError(f"'{url}' is not a public address: a receiver on this machine or the private "
                           "network is added by the operator (dealbot webhook add)")
    return url.strip()


def _public(host: str) -> bool:
    """Whether every address the host has is a public one (not loopback, private, link-local, …);
    a host that has none is not."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}
    return bool(addresses) and all(
        a.is_global and not a.is_multicast
        and not (isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped and not a.ipv4_mapped.is_global)
        for a in addresses)


def add(wired: Wired, url: str, events: str, out: TextIO) -> int:
    try:
        url, names = check_url(url), parse_events(events)
    except WebhookError as err:
        raise CliError(str(err)) from None
    hook_id, secret = store.add(wired.engine, url, names, wired.bot.clock.now())
    out.write(f"webhook W-{hook_id}: {url} gets {', '.join(names)}. Its signing secret, shown once:\n{secret}\n")
    return 0


def _when(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else "-"


def list_hooks(wired: Wired, out: TextIO) -> int:
    hooks = store.listed(wired.engine)
    if not hooks:
        out.write("no webhooks yet: dealbot webhook add URL --events deal.created,deal.moved\n")
    for hook in hooks:
        state = f"paused {_when(hook.paused_at)}" if hook.paused_at else (
            f"failing since {_when(hook.failing_since)}" if hook.failing_since else "live")
        out.write(f"W-{hook.id:<4} {hook.url}  events={hook.events}  {state}\n")
    return 0


def _hook_id(text: str) -> int:
    number = text.strip().upper().removeprefix("W-")
    if not (number.isascii() and number.isdigit()):
        raise CliError(f"'{text[:40]}' is not a webhook; dealbot webhook list shows them (W-1, W-2, …)")
    if len(number) > 12:  # beyond the database's integers: no webhook has it
        raise CliError(f"there is no webhook {text[:40]}; dealbot webhook list shows them")
    return int(number)


def remove(wired: Wired, text: str, out: TextIO) -> int:
    hook_id = _hook_id(text)
    if not store.remove(wired.engine, hook_id):
        raise CliError(f"there is no webhook W-{hook_id}; dealbot webhook list shows them")
    out.write(f"webhook W-{hook_id} removed, with its queued deliveries\n")
    return 0


def resume(wired: Wired, text: str, out: TextIO) -> int:
    hook_id = _hook_id(text)
    if not store.resume(wired.engine, hook_id, wired.bot.clock.now()):
        raise CliError(f"there is no webhook W-{hook_id}; dealbot webhook list shows them")
    out.write(f"webhook W-{hook_id} live again: what it missed is sent first\n")
    return 0


def show_log(wired: Wired, text: str | None, limit: int, out: TextIO) -> int:
    rows = store.log(wired.engine, _hook_id(text) if text else None, limit)
    if not rows:
        out.write("no deliveries yet\n")
    for row in rows:
        out.write(f"{row.id:>7} W-{row.webhook_id} {row.event:<15} {row.event_id} {row.status:<8} "
                  f"attempts={row.attempts} sent={_when(row.sent_at)}"
                  + (f" error={row.last_error}" if row.last_error else "") + "\n")
    return 0
