"""Secrets out of the log: the configured ones by value, the ones handed out at run time by shape.

The SDKs log what they send at DEBUG (and httpx every URL at INFO): Telegram's bot token is in
the path of every request, Slack's in an Authorization header, DingTalk's access token in a
header and its stream ticket in the WebSocket URL. Whatever logger wrote the line, the log
formatter passes it through a Redactor before it is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import quote, quote_plus

from sqlalchemy.engine import make_url

from bot.config import Settings

HIDDEN = "[redacted]"
_SHORTEST_SECRET = 6  # shorter values (a test's "x") would redact ordinary words

# Tokens whose shape gives them away, configured or not: Slack's xox?-/xapp- tokens, a Telegram
# bot token in a URL path, an Authorization header's credentials, named token/secret fields
# (DingTalk's accessToken and x-acs-dingtalk-access-token, its stream ticket, a client secret,
# Telegram's webhook secret header), and a password in a database URL.
_SHAPES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]{6,}"), lambda m: HIDDEN),
    (re.compile(r"(/bot)\d+(?::|%3A)[A-Za-z0-9_-]+", re.IGNORECASE), lambda m: m.group(1) + HIDDEN),
    (re.compile(r"(\bauthorization['\"]?\s*[:=]\s*['\"]?(?:bearer|basic|token)?\s*)[^\s'\",}]+",
                re.IGNORECASE), lambda m: m.group(1) + HIDDEN),
    (re.compile(r"((?:access[_-]?token|x-acs-dingtalk-access-token|ticket|client[_-]?secret|app[_-]?secret"
                r"|secret[_-]?token|x-telegram-bot-api-secret-token|password|signing[_-]?secret)"
                r"['\"]?\s*[:=]\s*['\"]?)[^\s'\",&}]+", re.IGNORECASE), lambda m: m.group(1) + HIDDEN),
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+(@)"), lambda m: m.group(1) + HIDDEN + m.group(2)),
)


class Redactor:
    """Callable: text in, the same text with every secret replaced by [redacted]."""

    def __init__(self, secrets: Iterable[str] = ()):
        variants = set()
        for secret in secrets:
            if secret and len(secret) >= _SHORTEST_SECRET:
                variants |= {secret, quote(secret, safe=""), quote_plus(secret)}
        longest_first = sorted(variants, key=len, reverse=True)
        self._known = re.compile("|".join(map(re.escape, longest_first))) if longest_first else None

    @classmethod
    def for_settings(cls, settings: Settings) -> Redactor:
        return cls(secrets_of(settings))

    def __call__(self, text: str) -> str:
        if self._known is not None:
            text = self._known.sub(HIDDEN, text)
        for pattern, replace in _SHAPES:
            text = pattern.sub(replace, text)
        return text


def secrets_of(settings: Settings) -> list[str]:
    """Every secret among the settings: platform tokens and secrets, the database password."""
    found = [settings.slack_bot_token, settings.slack_app_token, settings.slack_signing_secret,
             settings.telegram_bot_token, settings.telegram_webhook_secret, settings.dingtalk_client_secret,
             settings.metrics_token]
    if ":" in settings.telegram_bot_token:  # 123456:ABC…: the part after the bot's id is the secret
        found.append(settings.telegram_bot_token.split(":", 1)[1])
    try:
        password = make_url(settings.database_url).password
    except Exception:  # an unreadable URL fails later, where it is used, with its own message
        password = None
    if password:
        found.append(str(password))
    return found
