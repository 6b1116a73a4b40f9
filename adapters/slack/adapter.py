"""The Slack transport: slack-bolt's AsyncApp over Socket Mode (an app token is set) or over HTTP
(POST /slack/events on the shared server, signature checked by bolt: 401 when bad or stale).

What runs a command: `/deal <text>`, a mention of the bot (`app_mention`), a direct message, a
button click (as the person who clicked). Other channel messages, their edits (message_changed)
and deletions (message_deleted) go to `on_chat_message` when bot sets one (chat capture), and are
otherwise ignored. Capture happens in a listener middleware, before Bolt answers: Slack gets its
HTTP 200 (or its Socket Mode ack) only once the message is stored, and a 500 (no ack) when it
could not be, so Slack delivers it again.

Where the answer goes: slash commands and clicks answer on their response_url (works in channels
the bot is not in), mentions and DMs with chat.postMessage. Errors are for the sender's eyes only:
an ephemeral response, or chat.postEphemeral in a channel.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse

from adapters.base import AsyncHandler, RecentIds, Route
from adapters.slack import translate
from adapters.slack.notifier import SlackNotifier, make_client
from adapters.slack.render import ACTION_ID_PREFIX, render
from adapters.slack.users import SlackUserDirectory
from core.capture import Action, ChatEvent
from core.messages import Incoming, Reply

log = logging.getLogger(__name__)

# Takes a captured event at once and returns what resolves once it is stored (bot/capture.py).
ChatHook = Callable[[ChatEvent], Awaitable[object]]
_BUTTON = re.compile(rf"^{re.escape(ACTION_ID_PREFIX)}\d+$")


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str  # xoxb-…
    app_token: str = ""  # xapp-…: Socket Mode; empty: HTTP mode
    signing_secret: str = ""  # HTTP mode: checks every request came from Slack
    api_url: str = "https://slack.com/api/"
    command: str = "/deal"
    events_path: str = "/slack/events"
    # True only in tests: the HTTP answer then waits for the listener. Slack wants it within 3 s.
    process_before_response: bool = False
    rate_limit_retries: int = 2

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    def check(self) -> None:
        if not self.bot_token:
            raise ValueError("Slack needs SLACK_BOT_TOKEN")
        if not (self.app_token or self.signing_secret):
            raise ValueError("Slack needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)")


@dataclass
class _Target:
    """Where one answer goes."""

    channel: str
    user: str
    respond: AsyncRespond | None = None  # a response_url: slash commands and clicks
    thread_ts: str | None = None
    is_direct: bool = False


class SlackAdapter:
    platform = translate.PLATFORM

    def __init__(self, config: SlackConfig, handler: AsyncHandler, *, on_chat_message: ChatHook | None = None):
        config.check()
        self.config = config
        self.handler = handler
        self.on_chat_message = on_chat_message  # hook point for chat capture; None: ignore chatter
        self.client = make_client(config.bot_token, config.api_url, config.rate_limit_retries)
        self.notifier = SlackNotifier(self.client)
        self.users = SlackUserDirectory(self.client)
        self.recent = RecentIds()
        self.app = AsyncApp(client=self.client, signing_secret=config.signing_secret,
                            process_before_response=config.process_before_response,
                            request_verification_enabled=not config.socket_mode)
        self.app.command(config.command)(self._on_command)
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message", middleware=[self._capture])(self._on_message)
        self.app.action(_BUTTON)(self._on_click)
        self._socket: AsyncSocketModeHandler | None = None
        self._accepting = False
        self.team_id = ""  # our workspace (auth.test): senders of other teams are external

    # --- the ChatAdapter shape ------------------------------------------------------------------

    async def start(self) -> None:
        auth = await self.client.auth_test()  # a wrong token fails here, not on the first message
        self.team_id = auth.get("team_id") or ""
        log.info("slack: bot %s in team %s, %s mode", auth.get("user_id"), auth.get("team_id"),
                 "socket" if self.config.socket_mode else "HTTP")
        self._accepting = True
        if self.config.socket_mode:
            self._socket = AsyncSocketModeHandler(self.app, self.config.app_token)
            await self._socket.connect_async()

    async def stop(self) -> None:
        self._accepting = False
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None

    def routes(self) -> list[Route]:
        return [] if self.config.socket_mode else [("POST", self.config.events_path, self.handle_http)]

    async def handle_http(self, request: web.Request) -> web.Response:
        """Events, slash commands and interactivity all arrive here (one Request URL)."""
        if not self._accepting:
            return web.Response(status=503, text="stopping")  # Slack retries events elsewhere/later
        if "X-Slack-Retry-Num" in request.headers:
            log.info("slack retry %s (%s)", request.headers["X-Slack-Retry-Num"],
                     request.headers.get("X-Slack-Retry-Reason", "?"))
        response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    # --- listeners ------------------------------------------------------------------------------

    async def _on_command(self, ack, command: dict, respond: AsyncRespond, context) -> None:
        await ack()
        user = await self.users.get(command["user_id"], command.get("user_name", ""))
        text = await self._command_text(command.get("text", ""), context.bot_user_id)
        incoming = translate.from_slash_command(command, text, user)
        await self._run(incoming, _Target(command.get("channel_id", ""), user.id, respond,
                                          is_direct=incoming.is_direct))

    async def _on_mention(self, event: dict, body: dict, context) -> None:
        if self._repeated(body) or not translate.is_person_message(event):
            return
        await self._run_message(event, context.bot_user_id, thread_ts=event.get("thread_ts"))

    async def _on_message(self, event: dict, body: dict, context) -> None:
        if not translate.is_person_message(event) or self._repeated(body):
            return
        if event.get("channel_type") == "im":
            if not event.get("text", "").strip():
                return  # a file dropped into the DM without a word: not a command
            await self._run_message(event, context.bot_user_id, thread_ts=event.get("thread_ts"))
        # other channel messages: a mention runs through app_mention; the rest is _capture's

    async def _capture(self, event: dict, context, next) -> BoltResponse | None:
        """Listener middleware of `message`: group talk is stored and answered here (the listener
        is skipped); anything else goes on to _on_message."""
        taken = translate.captured(event) if self.on_chat_message is not None else None
        if taken is None or (taken[0] == Action.NEW
                             and translate.mentions(event.get("text", ""), context.bot_user_id)):
            await next()
            return None
        action, message = taken
        try:
            await self.on_chat_message(await self._chat_event(event, action, message, context.bot_user_id))
        except Exception as exc:
            log.warning("slack: message %s in %s not stored (%s); Slack will send it again",
                        event.get("ts"), event.get("channel"), exc)
            return BoltResponse(status=500, body="not stored")
        return BoltResponse(status=200, body="")

    async def _chat_event(self, event: dict, action: Action, message: Mapping, bot_user_id: str) -> ChatEvent:
        user_id, name, text = message.get("user", ""), "", ""
        if action != Action.DELETE:
            name = (await self.users.get(user_id)).name if user_id else ""
            text = await self._command_text(message.get("text", ""), bot_user_id)
        return translate.chat_event(event, action, message, text=text, user_name=name, own_team=self.team_id)

    async def _on_click(self, ack, body: dict, action: dict, respond: AsyncRespond | None) -> None:
        await ack()
        clicker = body["user"]
        user = await self.users.get(clicker["id"], clicker.get("username") or clicker.get("name", ""))
        incoming = translate.from_block_action(body, action, user)
        thread_ts = ((body.get("message") or {}).get("thread_ts")) if respond is None else None
        await self._run(incoming, _Target(incoming.chat_id, user.id, respond, thread_ts=thread_ts,
                                          is_direct=incoming.is_direct))

    # --- running a command and answering --------------------------------------------------------

    async def _run_message(self, event: Mapping, bot_user_id: str, *, thread_ts: str | None) -> None:
        user = await self.users.get(event["user"])
        text = await self._command_text(event.get("text", ""), bot_user_id)
        incoming = translate.from_message_event(event, text, user)
        await self._run(incoming, _Target(incoming.chat_id, user.id, thread_ts=thread_ts,
                                          is_direct=incoming.is_direct))

    async def _run(self, incoming: Incoming, target: _Target) -> None:
        reply = await self.handler(incoming)
        try:
            await self._answer(target, reply, incoming.text)
        except Exception:  # the command ran; a failed answer is logged, not retried by Slack
            log.exception("slack: answering %s in %s failed", incoming.user_id, incoming.chat_id)

    async def _answer(self, target: _Target, reply: Reply, command: str) -> None:
        message = render(reply, command=command)
        if target.respond is not None:
            await target.respond(text=message.text, blocks=message.blocks, replace_original=False,
                                 response_type="ephemeral" if reply.is_error else "in_channel")
        elif reply.is_error and not target.is_direct:
            await self.client.chat_postEphemeral(channel=target.channel, user=target.user, text=message.text,
                                                 blocks=message.blocks, thread_ts=target.thread_ts)
        else:
            await self.notifier.post(target.channel, message, thread_ts=target.thread_ts)
        if reply.image_path and not reply.is_error:
            await self.notifier.send_image_quietly(target.channel, reply.image_path, reply.title)

    async def _command_text(self, raw: str, bot_user_id: str) -> str:
        """The text with `<@U…>` turned into the @handles the core knows people by."""
        handles = {}
        for user_id, label in translate.mentioned_user_ids(raw):
            if user_id != bot_user_id:
                handles[user_id] = translate.as_handle((await self.users.get(user_id, label)).name)
        return translate.command_text(raw, bot_user_id=bot_user_id, handles=handles)

    def _repeated(self, body: Mapping) -> bool:
        """Slack redelivers an event it thinks we missed (same event_id, X-Slack-Retry-Num set)."""
        return self.recent.seen(str(body.get("event_id") or ""))
