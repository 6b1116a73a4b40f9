"""The Telegram transport (python-telegram-bot), long polling or a webhook.

Long polling by default: the bot asks Telegram for updates, so it works behind a firewall. With a
public URL configured, Telegram posts updates instead, to a route on dealbot's one shared web
server (`routes()`), authenticated by the secret token Telegram sends in a header; PTB's own
webhook server is not used. Either way updates are taken by adapters/telegram/intake.py: one
chat's updates in order, different chats at once; a repeated update_id is handled once.

Group talk not addressed to the bot (and edits of it) goes to `on_chat_message` (chat capture).
A batch is acknowledged only once that is stored and its commands are settled (committed, or
rolled back with an answer); their answers may still be on their way. Telegram has no event for
a deleted message.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from aiohttp import web
from telegram import BotCommand, CallbackQuery, ChatMember, Message, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application

from adapters.base import AsyncHandler, ChatMoved, RecentIds, Route, is_link_command
from adapters.telegram.intake import Answer, Intake
from adapters.telegram.notifier import TelegramNotifier
from adapters.telegram.render import CallbackKeys
from adapters.telegram.translate import (
    PLATFORM,
    chat_event,
    command_menu,
    command_text,
    incoming_from_message,
    incoming_from_tap,
)
from core.app.failures import FailureStreak
from core.chat.messages import ChatAccess, Reply
from core.conversations.capture import ChatEvent

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
# What Telegram accepts as a secret_token is 1-256 of these characters; anyone who guesses it can
# post updates as any user, so dealbot wants one too long to guess (32 random ones: 192 bits).
_SECRET = re.compile(r"[A-Za-z0-9_-]{32,256}")
SECRET_RULE = ("TELEGRAM_WEBHOOK_SECRET must be 32 to 256 characters of A-Z, a-z, 0-9, _ and - "
               "(make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')")
# A batch that could not be stored (the database is away) is asked for again this soon: when the
# database is back, capture resumes within about a second, not after a backoff of tens of seconds.
STORE_RETRY_SECONDS = 1.0
EXPIRED = "This button has expired: please type the command. 按钮已过期，请直接输入命令。"

# Takes a captured event at once and returns what resolves once it is stored (bot/capture.py).
ChatHook = Callable[[ChatEvent], Awaitable[object]]


@dataclass(frozen=True)
class TelegramConfig:
    token: str  # TELEGRAM_BOT_TOKEN, from BotFather
    api_url: str = "https://api.telegram.org"  # TELEGRAM_API_URL
    webhook_url: str = ""  # TELEGRAM_WEBHOOK_URL: public https URL; empty = long polling
    webhook_secret: str = ""  # TELEGRAM_WEBHOOK_SECRET
    webhook_path: str = WEBHOOK_PATH  # where the public URL must arrive on dealbot's server
    poll_timeout: float = 30.0  # seconds a getUpdates long poll may wait
    max_retries: int = 3  # per request, after a 429
    max_concurrent: int = 64  # updates handled at once (one at a time per chat)

    def __post_init__(self):
        if not self.token:
            raise ValueError("TELEGRAM_BOT_TOKEN is empty")
        if self.webhook_url and not _SECRET.fullmatch(self.webhook_secret):
            raise ValueError(f"TELEGRAM_WEBHOOK_URL is set: {SECRET_RULE}")

    @property
    def uses_webhook(self) -> bool:
        return bool(self.webhook_url)


def build_application(config: TelegramConfig) -> Application:
    """PTB's Application for its Bot (requests, rate limiter) only: the updates are fetched and
    taken by this adapter (see TelegramAdapter), so PTB's Updater and update queue are unused."""
    api = config.api_url.rstrip("/")
    return (
        Application.builder().token(config.token)
        .base_url(f"{api}/bot").base_file_url(f"{api}/file/bot")
        .rate_limiter(AIORateLimiter(max_retries=config.max_retries))
        .updater(None)
        .job_queue(None)
        .build()
    )


class TelegramAdapter:
    """Long polling is our own loop rather than PTB's Updater, because the Updater confirms a
    batch (the next getUpdates offset) as soon as it has queued it. Here the offset moves past a
    batch only once every captured message in it is committed and every command in it settled;
    until then Telegram keeps delivering it. A webhook POST is answered 200 only after the same."""

    platform = PLATFORM

    def __init__(self, config: TelegramConfig, handler: AsyncHandler, *,
                 on_chat_message: ChatHook | None = None, on_chat_moved: ChatMoved | None = None):
        self.config = config
        self.handler = handler
        # Group talk not addressed to the bot goes here (bot.capture's writer); None: ignored.
        self.on_chat_message = on_chat_message
        # A group upgraded to a supergroup gets a new chat id: its link and digests move along.
        self.on_chat_moved = on_chat_moved
        self.keys = CallbackKeys()
        self.app = build_application(config)
        self.notifier = TelegramNotifier(self.app.bot, self.keys)
        self.intake = Intake(lambda update: chat_event(update, self.app.bot.username),
                             on_chat_message, self._on_update, config.max_concurrent)
        self._recent = RecentIds()
        self._not_stored = FailureStreak(log, "telegram: storing updates")
        self._unreachable = FailureStreak(log, "telegram: getUpdates")
        self._poller: asyncio.Task | None = None
        self._accepting = False

    def routes(self) -> list[Route]:
        return [("POST", self.config.webhook_path, self.webhook)] if self.config.uses_webhook else []

    async def start(self) -> None:
        await self.app.initialize()  # getMe: the bot's username, for /cmd@username in groups
        await self._set_commands()
        self._accepting = True
        if self.config.uses_webhook:
            await self.app.bot.set_webhook(self.config.webhook_url, secret_token=self.config.webhook_secret,
                                           allowed_updates=ALLOWED_UPDATES)
            log.info("telegram: @%s, webhook %s", self.app.bot.username, self.config.webhook_url)
        else:
            await self.app.bot.delete_webhook()  # getUpdates is refused while a webhook is set
            self._poller = asyncio.create_task(self._poll(), name="telegram-polling")
            log.info("telegram: @%s, long polling", self.app.bot.username)

    async def stop(self, timeout: float = 10.0) -> None:
        """No new updates, the batch in hand is finished and confirmed, then the connections
        close. The webhook stays set: Telegram keeps what arrives meanwhile for the next start."""
        self._accepting = False
        if self._poller is not None:
            self._poller.cancel()  # a long poll in progress ends at once; a batch is finished first
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        await self.intake.drain(timeout)
        await self.app.shutdown()

    async def webhook(self, request: web.Request) -> web.Response:
        """POST from Telegram: check the secret, take the update, answer once its talk is stored."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8", "replace"), self.config.webhook_secret.encode()):
            log.warning("telegram: refused a webhook request from %s: %s", request.remote,
                        "a wrong secret" if given else "no secret")
            return web.Response(status=403)
        if not self._accepting:
            return web.Response(status=503)  # Telegram tries again later
        raw = await request.read()
        update = self._update_of(raw)
        if isinstance(update, str):
            log.warning("telegram: refused a webhook request from %s: %s (%d bytes)", request.remote, update,
                        len(raw))
            return web.Response(status=400, text=update)
        try:
            await self.intake.take([update])
        except Exception as exc:  # Telegram sends it again; an outage is logged once
            self._not_stored.failed(exc)
            return web.Response(status=500)
        self._not_stored.succeeded()
        return web.Response(text="ok")

    def _update_of(self, raw: bytes) -> Update | str:
        """The update a webhook body holds, or why it holds none (a few words, no content)."""
        try:
            data = json.loads(raw)
        except ValueError:  # UnicodeDecodeError included
            return "a body that is not JSON"
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            return "JSON that is not an update"
        try:
            return Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return "an update that cannot be read"

    # --- long polling -----------------------------------------------------------------------------

    async def _poll(self) -> None:
        offset, delay = 0, 1.0
        try:
            while True:
                updates = await self._get_updates(offset)
                if updates is None:
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 30.0)
                    continue
                if not updates:
                    continue
                if not await self._take_shielded(updates):
                    await asyncio.sleep(STORE_RETRY_SECONDS)  # not confirmed: the same batch comes again
                    continue
                offset, delay = updates[-1].update_id + 1, 1.0
        except asyncio.CancelledError:
            if offset:
                await self._confirm(offset)
            raise

    async def _get_updates(self, offset: int) -> list[Update] | None:
        try:
            updates = list(await self.app.bot.get_updates(
                offset=offset, timeout=timedelta(seconds=self.config.poll_timeout),
                allowed_updates=ALLOWED_UPDATES))
        except TelegramError as exc:
            self._unreachable.failed(exc)
            return None
        self._unreachable.succeeded()
        return updates

    async def _take_shielded(self, updates: list[Update]) -> bool:
        """Take a batch; a stop arriving meanwhile waits for it (then the offset is confirmed)."""
        taking = asyncio.ensure_future(self.intake.take(updates))
        try:
            await asyncio.shield(taking)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await taking
                await self._confirm(updates[-1].update_id + 1)
            raise
        except Exception as exc:  # asked for again; an outage is logged once, not per attempt
            self._not_stored.failed(exc)
            return False
        self._not_stored.succeeded()
        return True

    async def _confirm(self, offset: int) -> None:
        """Telegram forgets the updates before `offset` when the next getUpdates names it."""
        try:
            await self.app.bot.get_updates(offset=offset, timeout=timedelta(0), limit=1,
                                           allowed_updates=ALLOWED_UPDATES)
        except TelegramError as exc:
            log.warning("telegram: confirming updates before %s failed (%s); they come again", offset, exc)

    async def _set_commands(self) -> None:
        """The command menu in English, and in Chinese for clients set to Chinese."""
        for lang, code in (("en", None), ("zh", "zh")):
            commands = [BotCommand(name, about) for name, about in command_menu(lang)]
            try:
                await self.app.bot.set_my_commands(commands, language_code=code)
            except TelegramError as exc:  # a missing menu is no reason not to start
                log.warning("telegram: setMyCommands (%s) failed: %s", lang, exc)

    async def _on_update(self, update: Update) -> Answer | None:
        """A command or a button tap (captured talk went to the capture hook instead): run it
        until the core has answered (committed or rolled back), and return how to send that
        answer, so the intake can confirm the update before the answer is on its way."""
        if self._recent.seen(str(update.update_id)):
            # routine: a batch asked for again (its captured talk was not stored) brings it back
            log.debug("telegram: update %s delivered again; handled once", update.update_id)
            return None
        try:
            if update.callback_query is not None:
                return await self._on_tap(update.callback_query)
            if update.message is not None and update.message.migrate_to_chat_id:
                await self._on_migrated(update.message)
                return None
            if update.message is not None:
                return await self._on_message(update.message)
        except Exception:
            log.exception("telegram: update %s failed", update.update_id)
        return None

    async def _on_message(self, message: Message) -> Answer | None:
        text = command_text(message, self.app.bot.username)
        private = message.chat.type == "private"
        if text is None:
            return None  # group talk of no linked chat, a service message, another bot's command
        incoming = incoming_from_message(message, text)
        if not private and is_link_command(text):
            incoming = replace(incoming, chat_access=await self._chat_access(message.chat.id))
        reply = await self.handler(incoming)
        return self._answer(str(message.chat.id), reply, reply_to=None if private else message.message_id)

    async def _chat_access(self, chat_id: int) -> ChatAccess:
        """Whether group messages reach the bot. In privacy mode (BotFather's default) a bot gets
        only commands, replies to its own messages and service messages, unless it is an admin
        of the group: https://core.telegram.org/bots/features#privacy-mode. getMe is asked
        afresh, as /setprivacy may have changed since the start."""
        try:
            me = await self.app.bot.get_me()
            if me.can_read_all_group_messages:
                return ChatAccess.ALL
            member = await self.app.bot.get_chat_member(chat_id, me.id)
        except TelegramError as exc:
            log.warning("telegram: cannot check what the bot reads in %s: %s", chat_id, exc)
            return ChatAccess.UNKNOWN
        admin = member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
        return ChatAccess.ALL if admin else ChatAccess.PRIVACY_MODE

    async def _on_migrated(self, message: Message) -> None:
        """The service message in a group that became a supergroup (a new chat id from now on:
        https://core.telegram.org/bots/api#message, migrate_to_chat_id)."""
        old, new = str(message.chat.id), str(message.migrate_to_chat_id)
        log.info("telegram: chat %s is now supergroup %s", old, new)
        if self.on_chat_moved is not None:
            await self.on_chat_moved(PLATFORM, old, new)

    async def _on_tap(self, query: CallbackQuery) -> Answer | None:
        """A button is a command: run it as whoever tapped, answer the tap, reply in the chat."""
        command = self.keys.command_for(query.data or "")
        if not command or query.message is None:
            await query.answer(EXPIRED, show_alert=True)
            return None
        await query.answer()  # stops the button's spinner
        reply = await self.handler(incoming_from_tap(query, command))
        chat = query.message.chat
        return self._answer(str(chat.id), reply,
                            reply_to=None if chat.type == "private" else query.message.message_id)

    def _answer(self, chat_id: str, reply: Reply, reply_to: int | None) -> Answer:
        async def send() -> None:
            try:
                await self.notifier.send(chat_id, reply, reply_to=reply_to)
            except Exception:  # the command is done; Telegram would not deliver it again for this
                log.exception("telegram: answering in %s failed", chat_id)

        return send
