"""Proactive messages (reminders, digests, charts) through the Web API.

A chat id is a channel (C…, G…, D…) or a user (U…, W…): for a user, conversations.open finds
or opens the direct message with the bot first. Errors are slack_sdk's own (SlackApiError with
the response's status and Retry-After), which bot.delivery reads to retry or give up.
"""

from __future__ import annotations

import logging
import os

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import SlackMessage, render
from adapters.slack.translate import PLATFORM
from core.chat.messages import Reply

log = logging.getLogger(__name__)


def make_client(token: str, api_url: str, rate_limit_retries: int = 2) -> AsyncWebClient:
    """A Web API client that waits out 429s as Slack's Retry-After says (the SDK's default
    handlers retry only dropped connections)."""
    handlers = async_default_handlers() + [AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries)]
    return AsyncWebClient(token=token, base_url=api_url if api_url.endswith("/") else api_url + "/",
                          retry_handlers=handlers)


def is_user_id(chat_id: str) -> bool:
    return chat_id[:1] in ("U", "W")


class SlackNotifier:
    platform = PLATFORM

    def __init__(self, client: AsyncWebClient):
        self.client = client
        self._dm_channels: dict[str, str] = {}

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Post the reply (and its chart, if any); return the message's ts."""
        channel = await self.channel_for(chat_id)
        ts = await self.post(channel, render(reply))
        if reply.image_path:
            await self.send_image_quietly(channel, reply.image_path, reply.title)
        return ts

    async def post(self, channel: str, message: SlackMessage, thread_ts: str | None = None) -> str:
        response = await self.client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks,
                                                      thread_ts=thread_ts, unfurl_links=False)
        return str(response["ts"])

    async def send_image(self, chat_id: str, path: str, title: str = "") -> str:
        """Upload a picture (a chart) into the chat; return the file id."""
        channel = await self.channel_for(chat_id)
        name = os.path.basename(path)
        response = await self.client.files_upload_v2(channel=channel, file=path, filename=name,
                                                     title=title or name)
        return str((response.get("file") or {}).get("id", ""))

    async def send_image_quietly(self, chat_id: str, path: str, title: str = "") -> None:
        """After the text went out a failed upload is logged, not raised: raising would make the
        outbox send the text a second time."""
        try:
            await self.send_image(chat_id, path, title)
        except Exception as exc:  # SlackApiError, SlackRequestError, aiohttp's, a missing file
            log.warning("uploading %s to %s failed: %s", path, chat_id, exc)

    async def channel_for(self, chat_id: str) -> str:
        if not is_user_id(chat_id):
            return chat_id
        if chat_id not in self._dm_channels:
            response = await self.client.conversations_open(users=chat_id)
            self._dm_channels[chat_id] = response["channel"]["id"]
        return self._dm_channels[chat_id]
