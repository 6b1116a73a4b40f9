"""What a failed send means: slow down (429), try again later (5xx, network), or give up.

Notifiers are the platforms' own SDKs underneath, so their errors arrive as slack_sdk,
python-telegram-bot, httpx, aiohttp or requests exceptions. They are read by shape, not by
import, so this module needs none of those packages: an exception with `retry_after` (seconds
or a timedelta) is a rate limit; one with an HTTP status (`status`, `status_code`, or a
`response` carrying one) is judged by it. A notifier of our own may raise anything with
those attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

RATE_LIMITED, TRANSIENT, PERMANENT = "rate_limited", "transient", "permanent"
DEFAULT_RETRY_AFTER = 5.0

# python-telegram-bot class names (BadRequest and Forbidden derive from NetworkError, so they
# are looked at first) and transport errors of the HTTP clients the SDKs use.
_PERMANENT_NAMES = {"BadRequest", "Forbidden", "InvalidToken", "ChatMigrated", "Conflict", "EndPointNotFound"}
_TRANSIENT_NAMES = {"TimedOut", "NetworkError", "TransportError", "ClientConnectionError",
                    "ServerDisconnectedError", "ClientOSError", "ConnectionError", "Timeout",
                    "ReadTimeout", "ConnectTimeout", "RemoteDisconnected"}


@dataclass(frozen=True)
class Outcome:
    kind: str  # RATE_LIMITED | TRANSIENT | PERMANENT
    error: str
    retry_after: float | None = None


def classify(exc: BaseException) -> Outcome:
    text = _describe(exc)
    names = {cls.__name__ for cls in type(exc).__mro__}
    # python-telegram-bot keeps a timedelta in _retry_after; its int retry_after is deprecated
    retry_after = _seconds(getattr(exc, "_retry_after", None) or getattr(exc, "retry_after", None))
    if retry_after is not None:
        return Outcome(RATE_LIMITED, text, retry_after)
    status, headers = _status(exc)
    if status == 429:
        return Outcome(RATE_LIMITED, text, _header_seconds(headers) or DEFAULT_RETRY_AFTER)
    if status is not None:
        return Outcome(TRANSIENT if status >= 500 or status == 408 else PERMANENT, text)
    if names & _PERMANENT_NAMES:
        return Outcome(PERMANENT, text)
    if names & _TRANSIENT_NAMES or isinstance(exc, ConnectionError | TimeoutError | OSError):
        return Outcome(TRANSIENT, text)
    # Unknown: try again with backoff; after the last attempt the row keeps the error.
    return Outcome(TRANSIENT, text)


def _describe(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0] if message else ''}"[:500]


def _seconds(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return max(0.0, value.total_seconds())
    try:
        return max(0.0, float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _status(exc: BaseException) -> tuple[int | None, object]:
    for holder in (exc, getattr(exc, "response", None)):
        if holder is None:
            continue
        for name in ("status", "status_code"):
            value = getattr(holder, name, None)
            if isinstance(value, int):
                return value, getattr(holder, "headers", None)
    return None, None


def _header_seconds(headers: object) -> float | None:
    if headers is None:
        return None
    try:
        value = headers.get("Retry-After") or headers.get("retry-after")  # type: ignore[attr-defined]
    except AttributeError:
        return None
    return _seconds(value)
