"""Telegram (python-telegram-bot): long polling, or a webhook route on the shared web server."""

from adapters.telegram.adapter import TelegramAdapter, TelegramConfig
from adapters.telegram.notifier import TelegramNotifier

__all__ = ["TelegramAdapter", "TelegramConfig", "TelegramNotifier"]
