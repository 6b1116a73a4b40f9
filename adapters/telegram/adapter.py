"""The Telegram transport (python-telegram-bot), long polling or a webhook.

Long polling by default: the bot asks Telegram for updates, so it works behind a firewall. With a
public URL configured, Telegram posts updates instead, to a route on dealbot's one shared web
server (`routes()`), authenticated by the secret token Telegram sends in a header; PTB's own
webhook server is not used. Either way updates go through PTB's Application: one chat's updates
in order, different chats at once; a repeated update_id is handled once.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web
from telegram import BotCommand, CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, BaseUpdateProcessor, ContextTypes, TypeHandler

from adapters.base import AsyncHandler, RecentIds, Route
from adapters.telegram.notifier import TelegramNotifier
from adapters.telegram.render import CallbackKeys
from adapters.telegram.translate import (
    PLATFORM,
    command_menu,
    command_text,
    incoming_from_message,
    incoming_from_tap,
)
from core.messages import Incoming

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a secret_token
EXPIRED = "This button has expired: please type the command. 按钮已过期，请直接输入命令。"

ChatHook = Callable[[Incoming], Awaitable[None]]


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
            raise ValueError("TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET: 1-256 characters "
                             "of A-Z, a-z, 0-9, _ and -")

    @property
    def uses_webhook(self) -> bool:
        return bool(self.webhook_url)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates of one chat one after another (a `new` before the `move` that follows it), other
    chats meanwhile. The chat's turn is awaited before taking one of the concurrency slots."""

    def __init__(self, max_concurrent_updates: int):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()

    async def process_update(self, update: object, coroutine: Awaitable) -> None:
        chat = getattr(update, "effective_chat", None)
        if chat is None:
            await super().process_update(update, coroutine)
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] += 1
        try:
            async with lock:
                await super().process_update(update, coroutine)
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:
                del self._users[chat.id], self._locks[chat.id]

    async def do_process_update(self, update: object, coroutine: Awaitable) -> None:
        await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def build_application(config: TelegramConfig) -> Application:
    api = config.api_url.rstrip("/")
    builder = (
        Application.builder().token(config.token)
        .base_url(f"{api}/bot").base_file_url(f"{api}/file/bot")
        .rate_limiter(AIORateLimiter(max_retries=config.max_retries))
        .concurrent_updates(ChatOrderedProcessor(config.max_concurrent))
        .job_queue(None)
    )
    if config.uses_webhook:
        builder = builder.updater(None)
    return builder.build()


class TelegramAdapter:
    platform = PLATFORM

    def __init__(self, config: TelegramConfig, handler: AsyncHandler, *,
                 on_chat_message: ChatHook | None = None):
        self.config = config
        self.handler = handler
        # Group messages not addressed to the bot come here (capturing linked chats, later).
        self.on_chat_message = on_chat_message
        self.keys = CallbackKeys()
        self.app = build_application(config)
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.app.add_error_handler(self._on_error)
        self.notifier = TelegramNotifier(self.app.bot, self.keys)
        self._recent = RecentIds()

    def routes(self) -> list[Route]:
        return [("POST", self.config.webhook_path, self.webhook)] if self.config.uses_webhook else []

    async def start(self) -> None:
        await self.app.initialize()  # getMe: the bot's username, for /cmd@username in groups
        await self._set_commands()
        await self.app.start()
        if self.config.uses_webhook:
            # after app.start: Telegram posts what is waiting as soon as the webhook is set
            await self.app.bot.set_webhook(self.config.webhook_url, secret_token=self.config.webhook_secret,
                                           allowed_updates=ALLOWED_UPDATES)
            log.info("telegram: @%s, webhook %s", self.app.bot.username, self.config.webhook_url)
        else:
            await self.app.updater.start_polling(timeout=timedelta(seconds=self.config.poll_timeout),
                                                 allowed_updates=ALLOWED_UPDATES)
            log.info("telegram: @%s, long polling", self.app.bot.username)

    async def stop(self) -> None:
        """No new updates, the ones in hand finish, then the connections close. The webhook stays
        set: Telegram keeps what arrives meanwhile for the next start (or another replica)."""
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def webhook(self, request: web.Request) -> web.Response:
        """POST from Telegram: check the secret, queue the update, answer at once."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.config.webhook_secret.encode()):
            return web.Response(status=403)
        if not self.app.running:
            return web.Response(status=503)  # Telegram tries again later
        try:
            update = Update.de_json(json.loads(await request.read()), self.app.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return web.Response(status=400)
        await self.app.update_queue.put(update)
        return web.Response(text="ok")

    async def _set_commands(self) -> None:
        """The command menu in English, and in Chinese for clients set to Chinese."""
        for lang, code in (("en", None), ("zh", "zh")):
            commands = [BotCommand(name, about) for name, about in command_menu(lang)]
            try:
                await self.app.bot.set_my_commands(commands, language_code=code)
            except TelegramError as exc:  # a missing menu is no reason not to start
                log.warning("telegram: setMyCommands (%s) failed: %s", lang, exc)

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._recent.seen(str(update.update_id)):
            log.info("telegram: update %s delivered again; handled once", update.update_id)
            return
        if update.callback_query is not None:
            await self._on_tap(update.callback_query)
        elif update.message is not None:
            await self._on_message(update.message)

    async def _on_message(self, message: Message) -> None:
        text = command_text(message, self.app.bot.username)
        private = message.chat.type == "private"
        if text is None:
            if self.on_chat_message is not None and message.text and not private:
                await self.on_chat_message(incoming_from_message(message, message.text))
            return
        reply = await self.handler(incoming_from_message(message, text))
        await self.notifier.send(str(message.chat.id), reply,
                                 reply_to=None if private else message.message_id)

    async def _on_tap(self, query: CallbackQuery) -> None:
        """A button is a command: run it as whoever tapped, answer the tap, reply in the chat."""
        command = self.keys.command_for(query.data or "")
        if not command or query.message is None:
            await query.answer(EXPIRED, show_alert=True)
            return
        await query.answer()  # stops the button's spinner
        reply = await self.handler(incoming_from_tap(query, command))
        chat = query.message.chat
        await self.notifier.send(str(chat.id), reply,
                                 reply_to=None if chat.type == "private" else query.message.message_id)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram: update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
