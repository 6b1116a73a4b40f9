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


def configured_adapters(settings: Settings, handler) -> list:
    """The adapters to start, built lazily so an unconfigured platform's SDK is never imported."""
    adapters = []
    for factory in (_slack, _telegram, _dingtalk):
        adapter = factory(settings, handler)
        if adapter is not None:
            adapters.append(adapter)
    return adapters


def _slack(settings: Settings, handler):
    return None  # wired when adapters/slack lands


def _telegram(settings: Settings, handler):
    return None  # wired when adapters/telegram lands


def _dingtalk(settings: Settings, handler):
    return None  # wired when adapters/dingtalk lands
