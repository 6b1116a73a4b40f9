"""Sending to a Telegram chat: replies to commands and the scheduler's proactive messages.

A chat id is the chat's numeric id as a string; a person's private chat has their user id.
The bot underneath paces itself and honours 429s (AIORateLimiter, see adapter.py).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram import Bot, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode

from adapters.telegram.render import CallbackKeys, caption_html, render
from core.chat.messages import Reply

log = logging.getLogger(__name__)
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class TelegramNotifier:
    platform = "telegram"

    def __init__(self, bot: Bot, keys: CallbackKeys):
        self.bot = bot
        self.keys = keys

    async def send(self, chat_id: str, reply: Reply, *, reply_to: int | None = None) -> str:
        """Send `reply` (in parts if long, buttons on the last; its chart, if any, after it) and
        return the id of the message with the buttons. Errors go quietly (no notification):
        Telegram has no "only you can see this". `reply_to`: the message being answered."""
        rendered = render(reply, self.keys)
        last: Message | None = None
        for number, part in enumerate(rendered.parts, start=1):
            final = number == len(rendered.parts)
            last = await self.bot.send_message(
                chat_id=chat_id, text=part, parse_mode=ParseMode.HTML,
                reply_markup=rendered.keyboard if final else None,
                disable_notification=reply.is_error, link_preview_options=_NO_PREVIEW,
                reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to and number == 1 else None,
            )
        if reply.image_path:
            if Path(reply.image_path).is_file():
                await self.send_image(chat_id, reply.image_path, reply.title)
            else:
                log.warning("telegram: chart %s is missing; sent the text only", reply.image_path)
        return str(last.message_id) if last else ""

    async def send_image(self, chat_id: str, path: str, caption: str = "") -> str:
        """A picture (a chart) with an optional plain-text caption; returns the message id."""
        photo = await asyncio.to_thread(Path(path).read_bytes)
        message = await self.bot.send_photo(
            chat_id=chat_id, photo=photo, filename=Path(path).name,
            caption=caption_html(caption) if caption else None, parse_mode=ParseMode.HTML,
        )
        return str(message.message_id)
