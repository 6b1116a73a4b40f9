"""Logging: details (tracebacks included) go to the log file, never to the chat or the console.

What the log promises (docs/security.md, "What is logged"):
- every record is one line: control characters in a message are escaped, so text from outside
  (a request, a chat message, an exception about it) cannot forge a record; a traceback's lines
  are indented, so only a record's first line starts at column 0;
- no configured secret (and no token the platforms hand out at run time) is ever written, at any
  level: the formatter redacts them from the finished line (bot.redact);
- the SDKs' DEBUG records carry whole requests, message text included: they are kept only when
  DEALBOT_LOG_MESSAGE_TEXT is on; the database's errors show no parameters unless it is on;
- the file rotates by size (DEALBOT_LOG_MAX_BYTES) and keeps DEALBOT_LOG_BACKUPS old files, all
  readable by the owner only;
- INFO is quiet: the libraries' chatter (APScheduler's line per job run, Alembic's per start,
  matplotlib's font search, aiohttp's line per request) is left out;
- DEALBOT_SQL_LOG=true adds every SQL statement: SQLAlchemy's (its "sqlalchemy.engine" logger)
  and the driver fast path's with its time ("storage.driver", which then routes them through
  SQLAlchemy too); the values are hidden unless DEALBOT_LOG_MESSAGE_TEXT is on.
- DEALBOT_LOG_FORMAT=json writes JSON lines instead (one object per record: ts, level, logger,
  message, and request_id / event_id while a chat message is handled), redacted the same way;
  DEALBOT_LOG_FILE=- writes to stderr instead of a file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler

from bot.config import Settings
from bot.redact import Redactor

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Loggers whose INFO is routine noise: one line per migration step and plugin at every start,
# per font looked up for a chart, per HTTP request served.
QUIET_BELOW_WARNING = ("alembic", "matplotlib", "aiohttp.access", "httpx", "httpcore", "websockets",
                       "urllib3", "PIL")
# APScheduler logs each run at INFO, and at WARNING each run it skips because the previous one
# is still going (a scan waiting out a locked or absent database): by design here, as the
# scheduler never overlaps a job with itself. bot.scheduler logs the scans' own failures.
# matplotlib warns at each process's first chart when a font lacks a bold face (Noto Sans CJK
# from the zh-charts extra has none; the regular weight is used, which is what we want).
QUIET_BELOW_ERROR = ("apscheduler", "matplotlib.font_manager")

# The SQL log (DEALBOT_SQL_LOG): SQLAlchemy's statements, and the fast path's (storage/driver.py).
SQL_LOGGERS = ("sqlalchemy.engine", "storage.driver")

# SDKs and HTTP clients whose DEBUG records show whole requests and answers (message text).
SDK_LOGGERS = ("telegram", "slack_bolt", "slack_sdk", "dingtalk_stream", "adapters.dingtalk.stream",
               "httpx", "httpcore", "urllib3", "websockets", "aiohttp", "hpack", "h11", "h2")

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str) -> str:
    """`text` on one line: newlines and other control characters written as escapes."""
    return _CONTROL.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


class SafeFormatter(logging.Formatter):
    """One line per record, secrets redacted; a traceback follows on indented lines."""

    def __init__(self, redactor: Redactor):
        super().__init__(FORMAT)
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        cached, record.exc_text = record.exc_text, None  # another handler may have cached it unredacted
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        return escape_controls(self.redactor(super().formatMessage(record)))

    def formatException(self, ei) -> str:  # noqa: N802
        return self._indented(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return self._indented(super().formatStack(stack_info))

    def _indented(self, text: str) -> str:
        lines = self.redactor(text).splitlines()
        return "\n".join("    " + escape_controls(line) for line in lines)


# The chat message being handled (or the scan, or the capture batch), for every record logged
# meanwhile (worker threads included: asyncio.to_thread copies the context). request_id: this
# handling; event_id: the platform's message (a redelivery has the same event_id and a new
# request_id), `scan:<job>`, `capture:<n> events`.
REQUEST_ID: ContextVar[str] = ContextVar("dealbot_request_id", default="")
EVENT_ID: ContextVar[str] = ContextVar("dealbot_event_id", default="")


@contextlib.contextmanager
def request_ids(event_id: str) -> Iterator[str]:
    """Name the records logged inside the block with a new request id and `event_id`."""
    request_id = uuid.uuid4().hex[:16]
    tokens = REQUEST_ID.set(request_id), EVENT_ID.set(event_id)
    try:
        yield request_id
    finally:
        REQUEST_ID.reset(tokens[0])
        EVENT_ID.reset(tokens[1])


class JsonFormatter(logging.Formatter):
    """One JSON object per line; secrets redacted from the message and the traceback."""

    def __init__(self, redactor: Redactor):
        super().__init__()
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name,
            "message": self.redactor(record.getMessage()),
        }
        if request_id := REQUEST_ID.get():
            entry["request_id"] = request_id
        if event_id := EVENT_ID.get():
            entry["event_id"] = event_id
        if record.exc_info:
            entry["exception"] = self.redactor(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self.redactor(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


class SdkDebugFilter(logging.Filter):
    """Drops the SDKs' DEBUG records (whole requests, message text among them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO or not record.name.startswith(SDK_LOGGERS)


class OwnerOnlyFileHandler(RotatingFileHandler):
    """The rotating log file; each file it opens (the first, and each after a rotation) is
    readable by the owner only, whatever the umask."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(self.baseFilename, 0o600)  # a log made by an older version was readable by all
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115


def file_handler(settings: Settings) -> logging.Handler:
    """The handler every record goes through: rotating, owner-only, one line, no secrets (or
    stderr, when DEALBOT_LOG_FILE is -)."""
    if settings.log_to_stderr:
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
    else:
        settings.log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = OwnerOnlyFileHandler(settings.log_file, maxBytes=settings.log_max_bytes,
                                       backupCount=settings.log_backups, encoding="utf-8")
    redactor = Redactor.for_settings(settings)
    handler.setFormatter(JsonFormatter(redactor) if settings.log_format == "json" else SafeFormatter(redactor))
    if not settings.log_message_text:
        handler.addFilter(SdkDebugFilter())
    return handler


def setup_logging(settings: Settings) -> None:
    root = logging.getLogger()
    if getattr(root, "_dealbot_configured", False):
        return
    root.addHandler(file_handler(settings))
    root.setLevel(settings.log_level.upper())
    if root.level >= logging.INFO:  # asked for DEBUG: the operator wants the chatter too
        for name in QUIET_BELOW_WARNING:
            logging.getLogger(name).setLevel(logging.WARNING)
        for name in QUIET_BELOW_ERROR:
            logging.getLogger(name).setLevel(logging.ERROR)
    if settings.sql_log:
        for name in SQL_LOGGERS:
            logging.getLogger(name).setLevel(logging.INFO)
    root._dealbot_configured = True  # type: ignore[attr-defined]
