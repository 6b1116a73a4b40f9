"""Which platforms `dealbot run` starts: each one whose credentials are set."""

from __future__ import annotations

import asyncio

from bot.bootstrap import Wired
from bot.config import Settings

REQUIRED = {
    "slack": "SLACK_BOT_TOKEN and either SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)",
    "telegram": "TELEGRAM_BOT_TOKEN",
    "dingtalk": "DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET",
}


def api_only_message() -> str:
    """What `dealbot run` says when it starts with no chat platform: it serves the HTTP server alone
    (REST API, lead intake, webhooks, health, metrics) and how to add a platform."""
    lines = ["dealbot run: no chat platform is configured, so only the HTTP server runs (REST API,",
             "lead intake, health, metrics; the scheduler keeps running). To add a chat platform set one of:"]
    lines += [f"  {platform}: {needs}" for platform, needs in REQUIRED.items()]
    lines.append("(see .env.example; to try dealbot in a terminal, run `dealbot console`)")
    return "\n".join(lines)


def configured_adapters(settings: Settings, handler, on_chat_message=None, on_chat_moved=None) -> list:
    """The adapters to start, built lazily so an unconfigured platform's SDK is never imported.
    `on_chat_message` takes the group talk not addressed to the bot (bot.capture's writer);
    `on_chat_moved` hears of a chat that changed its id (chat_mover; only Telegram does that)."""
    adapters = [
        _slack(settings, handler, on_chat_message),
        _telegram(settings, handler, on_chat_message, on_chat_moved),
        _dingtalk(settings, handler, on_chat_message),
    ]
    return [adapter for adapter in adapters if adapter is not None]


def chat_mover(wired: Wired):
    """The async callback an adapter calls when a chat changed its id (a Telegram group became a
    supergroup): the link and the digest subscriptions move to the new id, in one transaction."""
    from core.services.chats import move_chat

    def move(platform: str, old: str, new: str) -> None:
        with wired.bot.writing_uow_factory() as uow:
            if move_chat(uow, platform, old, new, wired.bot.clock.now()):
                uow.commit()

    async def moved(platform: str, old: str, new: str) -> None:
        await asyncio.to_thread(move, platform, old, new)

    return moved


def _slack(settings: Settings, handler, on_chat_message):
    if not settings.slack_bot_token or not (settings.slack_app_token or settings.slack_signing_secret):
        return None
    from adapters.slack import SlackAdapter, SlackConfig

    return SlackAdapter(SlackConfig(
        bot_token=settings.slack_bot_token, app_token=settings.slack_app_token,
        signing_secret=settings.slack_signing_secret, api_url=settings.slack_api_url,
        command=settings.slack_command,
    ), handler, on_chat_message=on_chat_message)


def _telegram(settings: Settings, handler, on_chat_message, on_chat_moved):
    if not settings.telegram_bot_token:
        return None
    from adapters.telegram import TelegramAdapter, TelegramConfig

    return TelegramAdapter(TelegramConfig(
        token=settings.telegram_bot_token, api_url=settings.telegram_api_url,
        webhook_url=settings.telegram_webhook_url, webhook_secret=settings.telegram_webhook_secret,
    ), handler, on_chat_message=on_chat_message, on_chat_moved=on_chat_moved)


def _dingtalk(settings: Settings, handler, on_chat_message):
    if not (settings.dingtalk_client_id and settings.dingtalk_client_secret):
        return None
    from adapters.dingtalk import DingTalkAdapter, DingTalkConfig

    return DingTalkAdapter(DingTalkConfig(
        client_id=settings.dingtalk_client_id, client_secret=settings.dingtalk_client_secret,
        api_url=settings.dingtalk_api_url, oapi_url=settings.dingtalk_oapi_url,
    ), handler, on_chat_message=on_chat_message)
