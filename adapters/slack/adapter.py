"""The Slack transport: slack-bolt's AsyncApp over Socket Mode (an app token is set) or over HTTP
(POST /slack/events on the shared server, signature and shape checked by adapters/slack/verify.py
before bolt sees the request: 401 when unsigned, bad or stale, 400 when signed but unreadable).

What runs a command: `/deal <text>`, a mention of the bot (`app_mention`), a direct message, a
button click (as the person who clicked). Other channel messages, their edits (message_changed)
and deletions (message_deleted) go to `on_chat_message` when bot sets one (chat capture), and are
otherwise ignored. Capture happens in a listener middleware, before Bolt answers: Slack gets its
HTTP 200 (or its Socket Mode ack) only once the message is stored, and a 500 (no ack) when it
could not be, so Slack delivers it again. Commands run the same way: to their commit in a
listener middleware, then Bolt acknowledges, then the listener answers.

Where the answer goes: slash commands and clicks answer on their response_url (works in channels
the bot is not in), mentions and DMs with chat.postMessage. Errors are for the sender's eyes only:
an ephemeral response, or chat.postEphemeral in a channel.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from adapters.base import AsyncHandler, OnceEach, Route, is_link_command
from adapters.slack import modals, translate
from adapters.slack.notifier import SlackNotifier, make_client
from adapters.slack.render import ACTION_ID_PREFIX, render
from adapters.slack.users import SlackUserDirectory
from adapters.slack.verify import refusal
from core.app.failures import FailureStreak
from core.chat.messages import ChatAccess, Incoming, Reply
from core.conversations.capture import Action, ChatEvent

log = logging.getLogger(__name__)

# Takes a captured event at once and returns what resolves once it is stored (bot/capture.py).
ChatHook = Callable[[ChatEvent], Awaitable[object]]
_BUTTON = re.compile(rf"^{re.escape(ACTION_ID_PREFIX)}\d+$")
_SETTLED = "dealbot_settled"  # the context key of a command's (incoming, target, running core call)
ACK_DEADLINE = 2.5  # seconds: a slash command or click is acked by then even if still running


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
        self.deliveries = OnceEach()  # event_ids: Slack retries an event it thinks we missed
        self.not_stored = FailureStreak(log, "slack: storing captured messages")
        # Bolt's own signature check stays off: handle_http checks first (adapters/slack/verify.py).
        self.app = AsyncApp(client=self.client, signing_secret=config.signing_secret,
                            process_before_response=config.process_before_response,
                            request_verification_enabled=False)
        self.app.command(config.command, middleware=[self._run_command])(self._on_command)
        self.app.event("app_mention", middleware=[self._run_mention])(self._on_event)
        self.app.event("message", middleware=[self._capture, self._run_direct_message])(self._on_event)
        self.app.action(_BUTTON, middleware=[self._run_click])(self._on_command)
        self.app.view(modals.EDIT_CALLBACK, middleware=[self._run_edit])(self._on_edit)
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
        raw = await request.read()
        refused = refusal(raw, request.headers, self.config.signing_secret, time.time())
        if refused is not None:
            log.warning("slack: refused a request from %s: %s (%d bytes)", request.remote, refused.reason, len(raw))
            return web.Response(status=refused.status, text=refused.reason)
        if "X-Slack-Retry-Num" in request.headers:
            log.info("slack retry %s (%s)", request.headers["X-Slack-Retry-Num"],
                     request.headers.get("X-Slack-Retry-Reason", "?"))
        bolt_request = AsyncBoltRequest(body=raw.decode("utf-8"), query=request.query_string,
                                        headers=request.headers)
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    # --- commands: run before Bolt acknowledges, answered after ---------------------------------
    # Each command runs to its commit in a listener middleware, which Bolt runs before the
    # listener and so before the ack (the HTTP 200 or the Socket Mode ack): an acknowledged
    # command is a committed one, whatever happens next. Slack retries an event that was not
    # acknowledged (3 s, a lost connection); a retry of one still running waits for it
    # (OnceEach), one of a committed command is answered "Already done" (core.app.dealbot). Slack never
    # retries a slash command or a click, it shows the person an error after 3 s: those are
    # acked when they settle or after ACK_DEADLINE, whichever comes first (a slow command is
    # one drawing a chart, which writes nothing). The listeners then ack and answer.

    async def _run_command(self, command: dict, respond: AsyncRespond, context, next) -> None:
        user = await self.users.get(command["user_id"], command.get("user_name", ""))
        text = await self._command_text(command.get("text", ""), context.bot_user_id)
        incoming = translate.placed(translate.from_slash_command(command, text, user), user,
                                    command.get("user_team") or command.get("team_id", ""), self.team_id)
        await self._settle(context, incoming, _Target(command.get("channel_id", ""), user.id, respond,
                                                      is_direct=incoming.is_direct), deadline=ACK_DEADLINE)
        await next()

    async def _run_mention(self, event: dict, body: dict, context, next) -> None:
        if translate.is_person_message(event):
            await self._settle_event(event, body, context)
        await next()

    async def _run_direct_message(self, event: dict, body: dict, context, next) -> None:
        """Listener middleware of `message` after _capture: a direct message is a command (other
        channel messages: a mention runs through app_mention; the rest was _capture's)."""
        if (translate.is_person_message(event) and event.get("channel_type") == "im"
                and event.get("text", "").strip()):  # a file dropped without a word is no command
            await self._settle_event(event, body, context)
        await next()

    async def _run_click(self, body: dict, action: dict, respond: AsyncRespond | None, context, next) -> None:
        deal = modals.edit_button_deal(action.get("value", ""))
        if deal and body.get("trigger_id") and await self._open_edit(body["trigger_id"], deal, body):
            await next()  # the modal is the answer; its submission runs the command
            return
        clicker = body["user"]
        user = await self.users.get(clicker["id"], clicker.get("username") or clicker.get("name", ""))
        incoming = translate.placed(translate.from_block_action(body, action, user), user,
                                    clicker.get("team_id", ""), self.team_id)
        thread_ts = ((body.get("message") or {}).get("thread_ts")) if respond is None else None
        await self._settle(context, incoming, _Target(incoming.chat_id, user.id, respond, thread_ts=thread_ts,
                                                      is_direct=incoming.is_direct), deadline=ACK_DEADLINE)
        await next()

    async def _open_edit(self, trigger_id: str, deal: str, body: dict) -> bool:
        """The [Edit] button's modal; False when Slack would not open it (the button then runs
        `edit D-12` like any other, which says how to type the change)."""
        try:
            await self.client.views_open(trigger_id=trigger_id,
                                         view=modals.edit_modal(deal, translate.clicked_channel(body)))
        except SlackApiError as err:
            log.warning("slack: cannot open the edit modal: %s", err.response.get("error"))
            return False
        return True

    async def _run_edit(self, body: dict, view: dict, context, next) -> None:
        """Listener middleware of the edit modal's submission: run its command before the ack,
        so a refusal can be shown on the modal itself."""
        submitter = body["user"]
        user = await self.users.get(submitter["id"], submitter.get("username") or submitter.get("name", ""))
        deal, channel, typed = modals.submitted(view)
        incoming = Incoming(platform=self.platform, user_id=submitter["id"], user_name=user.name,
                            text=modals.edit_command(deal, typed), chat_id=channel or user.id,
                            message_id=f"view:{view.get('id', '')}", is_direct=translate.is_direct_channel(channel))
        incoming = translate.placed(incoming, user, submitter.get("team_id", ""), self.team_id)
        context["dealbot_typed"] = typed
        await self._settle(context, incoming, _Target(incoming.chat_id, user.id, is_direct=incoming.is_direct),
                           deadline=ACK_DEADLINE)
        await next()

    async def _on_edit(self, ack, context) -> None:
        settled = context.get(_SETTLED)
        running = settled[2] if settled else None
        if running is not None and running.done() and not running.cancelled() and running.exception() is None:
            reply = running.result()
            if reply.is_error:  # shown beside the field, the modal stays open; nothing changed
                field = modals.blamed_field(context.get("dealbot_typed") or {}, reply.title)
                await ack(response_action="errors", errors={field: reply.title[:150]})
                return
        await ack()
        await self._answer_settled(context)

    async def _settle_event(self, event: dict, body: dict, context) -> None:
        """Run a message event's command once per event_id (Slack's retries carry the same)."""
        event_id = str(body.get("event_id") or "")
        if not await self.deliveries.first(event_id):
            log.info("slack: event %s delivered again; handled once", event_id)
            return
        try:
            user = await self.users.get(event["user"])
            text = await self._command_text(event.get("text", ""), context.bot_user_id)
            incoming = translate.placed(translate.from_message_event(event, text, user), user,
                                        event.get("user_team") or event.get("team", ""), self.team_id)
            await self._settle(context, incoming, _Target(incoming.chat_id, user.id, thread_ts=event.get("thread_ts"),
                                                          is_direct=incoming.is_direct))
        finally:
            self.deliveries.settled(event_id)

    async def _settle(self, context, incoming: Incoming, target: _Target, *, deadline: float | None = None) -> None:
        """Run the command; return once it has settled, or after `deadline` seconds."""
        if not incoming.is_direct and is_link_command(incoming.text):  # can the bot read the channel?
            incoming = replace(incoming, chat_access=await self._channel_access(incoming.chat_id))
        running = asyncio.ensure_future(self.handler(incoming))
        await asyncio.wait({running}, timeout=deadline)
        context[_SETTLED] = (incoming, target, running)

    async def _on_command(self, ack, context) -> None:
        await ack()
        await self._answer_settled(context)

    async def _on_event(self, context) -> None:  # Bolt acknowledges events itself
        await self._answer_settled(context)

    async def _capture(self, event: dict, context, next) -> BoltResponse | None:
        """Listener middleware of `message`: group talk is stored and answered here (the listener
        is skipped); anything else goes on to _run_direct_message."""
        taken = translate.captured(event) if self.on_chat_message is not None else None
        if taken is None or (taken[0] == Action.NEW
                             and translate.mentions(event.get("text", ""), context.bot_user_id)):
            await next()
            return None
        action, message = taken
        try:
            await self.on_chat_message(await self._chat_event(event, action, message, context.bot_user_id))
        except Exception as exc:  # Slack sends it again; an outage is logged once, not per message
            self.not_stored.failed(exc)
            return BoltResponse(status=500, body="not stored")
        self.not_stored.succeeded()
        return BoltResponse(status=200, body="")

    async def _chat_event(self, event: dict, action: Action, message: Mapping, bot_user_id: str) -> ChatEvent:
        user_id, name, text = message.get("user", ""), "", ""
        if action != Action.DELETE:
            name = (await self.users.get(user_id)).name if user_id else ""
            text = await self._command_text(message.get("text", ""), bot_user_id)
        return translate.chat_event(event, action, message, text=text, user_name=name, own_team=self.team_id)

    # --- answering ------------------------------------------------------------------------------

    async def _answer_settled(self, context) -> None:
        settled = context.get(_SETTLED)
        if settled is None:
            return  # a repeat, or nothing to run
        incoming, target, running = settled
        try:
            await self._answer(target, await running, incoming.text)
        except Exception:  # the command ran; a failed answer is logged, not retried by Slack
            log.exception("slack: answering %s in %s failed", incoming.user_id, incoming.chat_id)

    async def _channel_access(self, channel: str) -> ChatAccess:
        """Whether the bot reads this channel: a bot gets a channel's message events only as a
        member (https://api.slack.com/events/message.channels). A public channel it is not in is
        joined (conversations.join, scope channels:join); a private one needs an invitation; a
        private channel the bot is not in is not even visible to conversations.info
        (channel_not_found). Group DMs are not recorded (no mpim events are subscribed)."""
        try:
            info = (await self.client.conversations_info(channel=channel)).get("channel") or {}
            if info.get("is_mpim"):
                return ChatAccess.GROUP_DM
            if not info.get("is_member"):
                if info.get("is_private"):
                    return ChatAccess.NOT_IN_CHANNEL
                await self.client.conversations_join(channel=channel)
                return ChatAccess.JOINED
        except SlackApiError as err:
            if err.response.get("error") in ("channel_not_found", "method_not_supported_for_channel_type"):
                return ChatAccess.NOT_IN_CHANNEL
            log.warning("slack: cannot check channel %s: %s", channel, err.response.get("error"))
            return ChatAccess.UNKNOWN
        return ChatAccess.SHARED if info.get("is_ext_shared") else ChatAccess.ALL

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
