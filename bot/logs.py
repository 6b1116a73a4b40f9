"""Logging: details (tracebacks included) go to the log file, never to the chat or the console."""

from __future__ import annotations

import logging

from bot.config import Settings


def setup_logging(settings: Settings) -> None:
    root = logging.getLogger()
    if getattr(root, "_dealbot_configured", False):
        return
    settings.log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(settings.log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    # httpx logs every request URL at INFO, and Telegram's URLs carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    root._dealbot_configured = True  # type: ignore[attr-defined]
