"""DingTalk in Stream mode: a websocket the bot opens to DingTalk, so no public URL is needed.

dingtalk-stream (0.24) parses the frames, routes them to our callback handler and acks them.
Three things of it are changed here, each for a reason:

- Its OpenAPI base comes from the environment variable DINGTALK_OPENAPI_ENDPOINT, read once at
  import. `point_sdk_at` sets it from our setting instead (DINGTALK_API_URL): the class constant
  `DingTalkStreamClient.OPEN_CONNECTION_API` (read through the class, so a subclass could not
  override it) and the module constants the SDK's helpers read (`utils`, `stream`, `chatbot`,
  `card_replier`). This is process-wide; a process runs one DingTalk app.
- `get_host_ip` opens a UDP socket toward 8.8.8.8 to learn the local address it reports as
  `localIp`; ours reports "" (what the SDK sends when that fails) and touches no network.
- `start()` calls `requests` synchronously inside the event loop (no timeout), swallows the first
  cancel and then sleeps 10 s. Ours opens the connection with an async client and a timeout,
  lets a cancel through, backs off 1 s → 30 s between attempts, and keeps the frame tasks so
  `stop()` can let them finish. The frames still go through the SDK's own `route_message`.
  `stop()` cancels until the task is done all the same, in case an SDK path swallows one.

Replies are posted to the message's sessionWebhook with httpx (never `requests` on the loop);
when that has expired or fails, the reply goes out through the notifier (robot OpenAPI).

A command's frame is acked once the command's transaction has committed (or rolled back with
an answer); the reply is posted afterwards, in a task of its own. So an acked command is never
lost. DingTalk documents robot messages as fire-and-forget: it does not push one again when its
ack is missing (event subscriptions are pushed again), so a command taken and not committed when
the process dies is not redelivered, and its sender gets no answer. Duplicates (same msgId) are
run once (OnceEach; across a restart core.app.dealbot's redelivery record). A group message not
addressed to the robot (chat capture) is acked only once it is stored (a storage failure acks
with 500); its duplicates are left to the database's unique key.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import platform as _platform
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote_plus

import dingtalk_stream
import httpx
import websockets
from dingtalk_stream import AckMessage, CallbackMessage, ChatbotMessage, Credential
from dingtalk_stream.version import VERSION_STRING

from adapters.base import AsyncHandler, OnceEach, Route
from adapters.dingtalk.notifier import DEFAULT_API_URL, DEFAULT_OAPI_URL, DingTalkNotifier
from adapters.dingtalk.render import session_message
from adapters.dingtalk.translate import BotMessage, bot_message, chat_event
from core.app.failures import FailureStreak
from core.chat.messages import Reply
from core.conversations.capture import ChatEvent

log = logging.getLogger(__name__)

OPEN_CONNECTION_PATH = "/v1.0/gateway/connections/open"
_FAILED = "Sorry, that did not work; please try again. 出错了，请稍后再试。"

# Takes a captured event at once and returns what resolves once it is stored (bot/capture.py).
ChatMessageHook = Callable[[ChatEvent], Awaitable[object]]


@dataclass(frozen=True)
class DingTalkConfig:
    client_id: str  # DINGTALK_CLIENT_ID (the app's Client ID, formerly AppKey)
    client_secret: str  # DINGTALK_CLIENT_SECRET
    api_url: str = DEFAULT_API_URL  # DINGTALK_API_URL: the OpenAPI and Stream gateway base
    oapi_url: str = DEFAULT_OAPI_URL  # DINGTALK_OAPI_URL: the older API, for uploading pictures
    robot_code: str = ""  # default: the Client ID, which is an internal app robot's code
    robot_name: str = ""  # only needed to strip an @mention of a robot name with spaces
    connect_timeout: float = 10.0  # start() waits this long for the first connection


def point_sdk_at(api_url: str) -> None:
    """Make every dingtalk-stream code path use `api_url` (see the module docstring)."""
    base = api_url.rstrip("/")
    dingtalk_stream.DingTalkStreamClient.OPEN_CONNECTION_API = base + OPEN_CONNECTION_PATH
    for module in ("utils", "stream", "chatbot", "card_replier"):
        sdk_module = getattr(dingtalk_stream, module, None)
        if sdk_module is not None and hasattr(sdk_module, "DINGTALK_OPENAPI_ENDPOINT"):
            sdk_module.DINGTALK_OPENAPI_ENDPOINT = base


class _QuietPings(logging.Filter):
    """The SDK warns "unknown message topic" for every SYSTEM ping it answers; pings are normal."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith("unknown message topic")
                    and isinstance(record.args, tuple) and record.args[:1] == ("ping",))


_QUIET_PINGS = _QuietPings()


class _StreamClient(dingtalk_stream.DingTalkStreamClient):
    """The SDK client with an async, cancellable connection loop (see the module docstring)."""

    def __init__(self, credential: Credential, http: httpx.AsyncClient):
        sdk_log = logging.getLogger("adapters.dingtalk.stream")
        sdk_log.addFilter(_QUIET_PINGS)  # the same filter object is added once
        super().__init__(credential, logger=sdk_log)
        self.http = http
        self.connected = asyncio.Event()
        self.tasks: set[asyncio.Task] = set()

    def get_host_ip(self) -> str:
        return ""

    async def start(self) -> None:
        self.pre_start()
        delay = 1.0
        while True:
            try:
                connection = await self.open_connection_async()
                uri = f'{connection["endpoint"]}?ticket={quote_plus(connection["ticket"])}'
                async with websockets.connect(uri) as websocket:
                    self.websocket = websocket
                    self.connected.set()
                    delay = 1.0
                    log.info("dingtalk: stream connected")
                    keepalive = self._spawn(self.keepalive(websocket))
                    try:
                        async for raw in websocket:
                            self._take(raw)
                    finally:
                        keepalive.cancel()
                        self.connected.clear()
                log.info("dingtalk: stream closed by the server; reconnecting")
                await asyncio.sleep(0.5)  # DingTalk rotates connections; a broken one must not spin
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # network, gateway answers, bad frames: reconnect
                log.warning("dingtalk: stream connection failed (%s); again in %.0fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def open_connection_async(self) -> dict:
        """The SDK's open_connection (same body, same URL), with an async client and timeout."""
        topics = [{"type": "CALLBACK", "topic": topic} for topic in self.callback_handler_map]
        if self._is_event_required:
            topics.insert(0, {"type": "EVENT", "topic": "*"})
        response = await self.http.post(
            dingtalk_stream.DingTalkStreamClient.OPEN_CONNECTION_API,
            headers={"Accept": "application/json",
                     "User-Agent": f"DingTalkStream/1.0 SDK/{VERSION_STRING} "
                                   f"Python/{_platform.python_version()} (dealbot)"},
            json={"clientId": self.credential.client_id, "clientSecret": self.credential.client_secret,
                  "subscriptions": topics, "ua": f"dingtalk-sdk-python/v{VERSION_STRING}-union",
                  "localIp": self.get_host_ip()},
        )
        response.raise_for_status()
        return response.json()

    def _take(self, raw: str | bytes) -> None:
        try:
            frame = json.loads(raw)
        except ValueError:
            log.warning("dingtalk: a frame that is not JSON (%d characters)", len(raw))
            return
        self._spawn(self.background_task(frame))  # the SDK's routing, handler and ack

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task


class _BotMessages(dingtalk_stream.CallbackHandler):
    """Routes robot messages to the adapter and acks them once taken: a command once it has
    committed, a captured group message once stored (500 when it could not be)."""

    def __init__(self, on_frame: Callable[[str, dict], Awaitable[None]]):
        super().__init__()
        self.on_frame = on_frame
        self.not_taken = FailureStreak(log, "dingtalk: taking frames")  # a database outage: one line

    async def process(self, message: CallbackMessage):
        try:
            await self.on_frame(message.headers.message_id or "", message.data or {})
        except Exception as exc:
            self.not_taken.failed(exc)
            return AckMessage.STATUS_SYSTEM_EXCEPTION, "not stored"
        self.not_taken.succeeded()
        return AckMessage.STATUS_OK, "OK"


class DingTalkAdapter:
    platform = "dingtalk"

    def __init__(self, config: DingTalkConfig, handler: AsyncHandler, *,
                 on_chat_message: ChatMessageHook | None = None,
                 http: httpx.AsyncClient | None = None):
        """`on_chat_message`: the hook for group messages not addressed to the bot (chat capture
        plugs in here later; DingTalk normally delivers only @-messages to a robot anyway)."""
        self.config = config
        self.handler = handler
        self.on_chat_message = on_chat_message
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=10.0)
        self.notifier = DingTalkNotifier(config.client_id, config.client_secret, api_url=config.api_url,
                                         oapi_url=config.oapi_url, robot_code=config.robot_code,
                                         http=self._http)
        self._deliveries = OnceEach()  # commands' stream frame ids and msgIds
        self._client: _StreamClient | None = None
        self._stream: asyncio.Task | None = None
        self._work: set[asyncio.Task] = set()

    def routes(self) -> list[Route]:
        return []  # Stream mode: DingTalk is reached through the websocket, nothing is served

    async def start(self) -> None:
        point_sdk_at(self.config.api_url)
        client = _StreamClient(Credential(self.config.client_id, self.config.client_secret), self._http)
        client.register_callback_handler(ChatbotMessage.TOPIC, _BotMessages(self._on_frame))
        self._client = client
        self._stream = asyncio.create_task(client.start(), name="dingtalk-stream")
        try:
            await asyncio.wait_for(client.connected.wait(), self.config.connect_timeout)
        except TimeoutError:
            log.warning("dingtalk: not connected after %.0fs; still trying", self.config.connect_timeout)

    async def stop(self, timeout: float = 10.0) -> None:
        if self._stream is not None:
            await _cancel_until_done(self._stream)
            self._stream = None
        if self._client is not None and self._client.tasks:  # commands being run, acks being written
            await _finish(self._client.tasks, timeout)
        await self.drain(timeout)  # commands in flight finish and answer
        if self._own_http:
            await self._http.aclose()

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait until the messages taken so far are handled and answered; any still running
        after `timeout` are cancelled."""
        if self._work:
            await _finish(self._work, timeout)

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.connected.is_set()

    # -- frames in -------------------------------------------------------------------------------
    async def _on_frame(self, frame_id: str, data: dict) -> None:
        """Take one robot message; the frame is acked when this returns (500 when it raises)."""
        event = chat_event(data) if self.on_chat_message is not None else None
        if event is not None:
            await self.on_chat_message(event)  # raises when not stored: the ack says so
            return
        message = self._command_in(data)
        if message is None:
            return
        msg_id = message.incoming.message_id
        deliveries = [key for key in (frame_id and f"frame:{frame_id}", msg_id and f"msg:{msg_id}") if key]
        firsts = [await self._deliveries.first(key) for key in deliveries]
        try:
            if not all(firsts):
                log.info("dingtalk: duplicate delivery %s / %s dropped", frame_id, msg_id)
                return
            reply = await self._run(message)
        finally:
            for key, first in zip(deliveries, firsts, strict=True):
                if first:
                    self._deliveries.settled(key)
        task = asyncio.create_task(self._answer_safely(message, reply))
        self._work.add(task)
        task.add_done_callback(self._work.discard)

    def _command_in(self, data: dict) -> BotMessage | None:
        """The command a frame carries, or None (a picture or file, group talk without the @)."""
        try:
            message = bot_message(data, robot_name=self.config.robot_name)
        except Exception:
            log.exception("dingtalk: could not read message %s", data.get("msgId"))
            return None
        return message if message is not None and message.addressed else None

    async def _run(self, message: BotMessage) -> Reply:
        """The core's answer, once the command's transaction has committed or rolled back."""
        try:
            return await self.handler(message.incoming)
        except Exception:
            log.exception("dingtalk: handler failed for %s", message.incoming.message_id)
            return Reply(title=_FAILED, is_error=True)

    async def _answer_safely(self, message: BotMessage, reply: Reply) -> None:
        try:
            await self._answer(message, reply)
        except Exception:
            log.exception("dingtalk: could not answer message %s", message.incoming.message_id)

    # -- replies out -----------------------------------------------------------------------------
    async def _answer(self, message: BotMessage, reply: Reply) -> None:
        """Through the sessionWebhook; through the robot OpenAPI when that is gone or fails.
        An error in a group @s its sender: DingTalk has no reply only one person sees."""
        in_group = not message.incoming.is_direct
        payload = session_message(reply, mention=message.staff_id if reply.is_error and in_group else "")
        if message.session_webhook and not _expired(message.webhook_expires_ms):
            try:
                response = await self._http.post(message.session_webhook, json=payload)
                answer = response.json() if response.is_success else {}
                if response.is_success and not answer.get("errcode"):
                    await self._picture(message, reply)
                    return
                log.warning("dingtalk: session webhook answered %s %s", response.status_code,
                            answer or response.text[:200])
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("dingtalk: session webhook failed: %s", exc)
        if not message.push_chat_id:
            log.warning("dingtalk: no way to answer message %s", message.incoming.message_id)
            return
        try:
            await self.notifier.send(message.push_chat_id, reply)
        except Exception as exc:
            log.warning("dingtalk: reply to %s failed: %s", message.push_chat_id, exc)


    async def _picture(self, message: BotMessage, reply: Reply) -> None:
        """A chart goes after the text, through the robot OpenAPI: a session webhook carries
        text, markdown and cards, but a picture needs its media id, which only an upload gives."""
        if reply.image_path and not reply.is_error and message.push_chat_id:
            await self.notifier.send_image_quietly(message.push_chat_id, reply.image_path)


def _expired(expires_ms: int, margin_ms: int = 5_000) -> bool:
    return bool(expires_ms) and expires_ms <= time.time() * 1000 + margin_ms


async def _cancel_until_done(task: asyncio.Task, tries: int = 20) -> None:
    """dingtalk-stream's own start() catches the first CancelledError and goes on; cancel again
    until the task has really ended."""
    for _ in range(tries):
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=0.5)
        if done:
            break
    if task.done() and not task.cancelled():
        with contextlib.suppress(Exception):
            task.result()
    elif not task.done():
        log.warning("dingtalk: stream task did not stop")


async def _finish(tasks: set[asyncio.Task], timeout: float) -> None:
    _, pending = await asyncio.wait(set(tasks), timeout=timeout)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=1.0)
