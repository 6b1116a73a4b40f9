"""The check every request to /slack/events passes before slack-bolt sees it.

Slack signs each request: `v0=` + HMAC-SHA256(signing secret, `v0:{timestamp}:{body}`), with the
timestamp in `X-Slack-Request-Timestamp`. slack-bolt can check that itself, but its check logs
the whole body of a refused request at INFO (a flood of large forged bodies fills the disk, and
their newlines forge log lines), raises on a timestamp that is not a number, and bolt parses the
body before checking it (a truncated JSON body became a 500 with a traceback). So dealbot checks
here, on the raw bytes, and turns bolt's check off: a request is signed and well-formed, or it is
refused with a 4xx and a reason of a few words for the log, never its content.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

MAX_AGE_SECONDS = 300  # Slack's documented window against replays
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class Refusal:
    status: int  # 401: not from Slack; 400: from Slack (signed) but not a request bolt can read
    reason: str  # a few words for the log; never any of the request's content


def refusal(raw: bytes, headers: Mapping[str, str], secret: str, now: float) -> Refusal | None:
    """Why this request must be refused, or None when it is Slack's and readable."""
    return _unsigned(raw, headers, secret, now) or _malformed(raw, headers.get("Content-Type", ""))


def _unsigned(raw: bytes, headers: Mapping[str, str], secret: str, now: float) -> Refusal | None:
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not timestamp or not signature:
        return Refusal(401, "no signature")
    if not _TIMESTAMP.fullmatch(timestamp):
        return Refusal(401, "a timestamp that is not a number")
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return Refusal(401, "a stale timestamp")
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw,
                                hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return Refusal(401, "a bad signature")
    return None


def _malformed(raw: bytes, content_type: str) -> Refusal | None:
    """Signed, but not what bolt can read: bodies are a JSON object (events) or a form whose
    optional `payload` field is a JSON object (slash commands, clicks). Bolt reads any body that
    starts with `{` as JSON, whatever the Content-Type says, and so does this."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "a body that is not UTF-8")
    if not text:
        return Refusal(400, "an empty body")
    if content_type.split(";")[0].strip().lower() == "application/json" or text.startswith("{"):
        return _not_an_object(text, "JSON body")
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in fields:
        return _not_an_object(fields["payload"], "payload")
    return None


def _not_an_object(text: str, what: str) -> Refusal | None:
    try:
        value = json.loads(text)
    except ValueError:
        return Refusal(400, f"a {what} that is not JSON")
    return None if isinstance(value, dict) else Refusal(400, f"a {what} that is not a JSON object")
