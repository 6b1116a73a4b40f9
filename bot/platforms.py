"""Which platforms `dealbot run` starts: each one whose credentials are set."""

from __future__ import annotations

from bot.config import Settings

REQUIRED = {
    "slack": "SLACK_BOT_TOKEN and either SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)",
    "telegram": "TELEGRAM_BOT_TOKEN",
    "dingtalk": "DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET",
}


def missing_settings_message() -> str:
    lines = ["dealbot run: no chat platform is configured. Set at least one of:"]
    lines += [f"  {platform}: {needs}" for platform, needs in REQUIRED.items()]
    lines.append("(see .env.example; to try dealbot without a platform, run `dealbot console`)")
    return "\n".join(lines)


def configured_adapters(settings: Settings, handler, on_chat_message=None) -> list:
    """The adapters to start, built lazily so an unconfigured platform's SDK is never imported.
    `on_chat_message` takes the group talk not addressed to the bot (bot.capture's writer)."""
    adapters = []
    for factory in (_slack, _telegram, _dingtalk):
        adapter = factory(settings, handler, on_chat_message)
        if adapter is not None:
            adapters.append(adapter)
    return adapters


def _slack(settings: Settings, handler, on_chat_message):
    if not settings.slack_bot_token or not (settings.slack_app_token or settings.slack_signing_secret):
        return None
    from adapters.slack import SlackAdapter, SlackConfig

    return SlackAdapter(SlackConfig(
        bot_token=settings.slack_bot_token, app_token=settings.slack_app_token,
        signing_secret=settings.slack_signing_secret, api_url=settings.slack_api_url,
    ), handler, on_chat_message=on_chat_message)


def _telegram(settings: Settings, handler, on_chat_message):
    if not settings.telegram_bot_token:
        return None
    from adapters.telegram import TelegramAdapter, TelegramConfig

    return TelegramAdapter(TelegramConfig(
        token=settings.telegram_bot_token, api_url=settings.telegram_api_url,
        webhook_url=settings.telegram_webhook_url, webhook_secret=settings.telegram_webhook_secret,
    ), handler, on_chat_message=on_chat_message)


def _dingtalk(settings: Settings, handler, on_chat_message):
    if not (settings.dingtalk_client_id and settings.dingtalk_client_secret):
        return None
    from adapters.dingtalk import DingTalkAdapter, DingTalkConfig

    return DingTalkAdapter(DingTalkConfig(
        client_id=settings.dingtalk_client_id, client_secret=settings.dingtalk_client_secret,
        api_url=settings.dingtalk_api_url,
    ), handler, on_chat_message=on_chat_message)
