"""dealbot's log file (bot.logs, bot.redact): one line per record whatever the text, no secrets,
bounded by rotation, readable by the owner only. Real files, the real handler."""

from __future__ import annotations

import logging
import re
import stat
from pathlib import Path

import pytest

from bot.config import Settings
from bot.logs import file_handler
from bot.redact import Redactor

RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ \S+: ")


@pytest.fixture
def log_to(tmp_path: Path):
    """log_to(**settings) -> (logger, read): a logger writing through dealbot's file handler."""
    made: list[logging.Handler] = []

    def make(file: str = "dealbot.log", **values):
        settings = Settings(_env_file=None, log_file=tmp_path / "logs" / file, **values)
        handler = file_handler(settings)
        made.append(handler)
        logger = logging.getLogger(f"test.logfile.{id(handler)}")
        logger.propagate, logger.level = False, logging.DEBUG
        logger.addHandler(handler)

        def read() -> str:
            handler.flush()
            return settings.log_file.read_text(encoding="utf-8")

        return logger, read

    yield make
    for handler in made:
        logging.getLogger(f"test.logfile.{id(handler)}").removeHandler(handler)
        handler.close()


def test_user_text_cannot_forge_a_record(log_to):
    logger, read = log_to()
    forged = "Acme\n2026-03-04 10:00:00,000 ERROR dealbot: admin password reset\r\x1b[2Jdone\u2028x"
    logger.warning("captured %s", forged)
    try:
        raise ValueError(forged)
    except ValueError:
        logger.exception("command failed for %r", "bob\nINFO")
    lines = read().splitlines()
    starts = [line for line in lines if not line.startswith("    ")]
    assert len(starts) == 2 and all(RECORD_START.match(line) for line in starts)
    assert "Acme\\n2026-03-04" in starts[0] and "\\x1b" in starts[0] and "\\r" in starts[0]
    assert "\x1b" not in read() and "\r" not in read() and "\u2028" not in read()
    assert any("Traceback" in line for line in lines[2:])  # the traceback is there, indented


def test_secrets_are_redacted_at_every_level_and_in_tracebacks(log_to):
    token = "123456:AAE-very-secret-telegram-token_x"
    logger, read = log_to(telegram_bot_token=token, slack_bot_token="xoxb-configured-slack-token",
                          dingtalk_client_secret="ding/secret+with=marks",
                          database_url="postgresql+psycopg://dealbot:pg-pass-word@db:5432/dealbot")
    logger.debug("POST http://127.0.0.1:8081/bot%s/sendMessage", token)  # a Bot API URL holds the token
    logger.info("headers {'Authorization': 'Bearer xoxb-configured-slack-token'}")
    logger.info("form clientSecret=ding%2Fsecret%2Bwith%3Dmarks&x=1")
    logger.info("url %s", "postgresql+psycopg://dealbot:pg-pass-word@db:5432/dealbot")
    try:
        raise RuntimeError(f"connect failed for {token}")
    except RuntimeError:
        logger.exception("failed")
    text = read()
    for secret in ("very-secret-telegram-token", "configured-slack-token", "ding/secret", "ding%2Fsecret",
                   "pg-pass-word"):
        assert secret not in text
    assert text.count("[redacted]") >= 5


@pytest.mark.parametrize("line, hidden", [
    ("GET /bot42:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"),
    ("token xoxp-1-2-3-abcdefabcdef and xapp-1-A0-123-abcdef", "abcdefabcdef"),
    ("{'x-acs-dingtalk-access-token': 'at-9f8e7d6c'}", "at-9f8e7d6c"),
    ('{"accessToken": "at-1234567890", "expireIn": 7200}', "at-1234567890"),
    ("ws://gw/connect?ticket=tk-abcdef123&x=1", "tk-abcdef123"),
    ("X-Telegram-Bot-Api-Secret-Token: s3cr3t-value", "s3cr3t-value"),
])
def test_tokens_handed_out_at_run_time_are_redacted_by_their_shape(line, hidden):
    assert hidden not in Redactor()(line)


def test_the_log_rotates_and_keeps_a_bounded_number_of_owner_only_files(log_to, tmp_path):
    logger, _ = log_to(log_max_bytes=20_000, log_backups=2)
    for n in range(2_000):
        logger.warning("line %d %s", n, "x" * 80)
    files = sorted((tmp_path / "logs").iterdir())
    assert [f.name for f in files] == ["dealbot.log", "dealbot.log.1", "dealbot.log.2"]
    assert all(f.stat().st_size <= 20_000 for f in files)
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)


def test_a_log_left_readable_by_an_older_version_is_made_owner_only(tmp_path, log_to):
    path = tmp_path / "logs" / "dealbot.log"
    path.parent.mkdir()
    path.write_text("old\n")
    path.chmod(0o644)
    logger, read = log_to()
    logger.warning("new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and read().startswith("old\n")


def test_sdk_debug_records_only_with_message_text_on(log_to):
    quiet_logger, quiet = log_to("quiet.log")
    chatty_logger, chatty = log_to("chatty.log", log_message_text=True)
    for logger in (quiet_logger, chatty_logger):
        sdk = logging.getLogger("telegram.ext.ExtBot")
        sdk.handlers, sdk.propagate, sdk.level = logger.handlers, False, logging.DEBUG
        sdk.debug("Calling Bot API endpoint `sendMessage` with parameters `{'text': 'Acme 50k'}`")
        sdk.info("Application started")
    sdk.handlers, sdk.propagate, sdk.level = [], True, logging.NOTSET
    assert "Acme 50k" not in quiet() and "Application started" in quiet()
    assert "Acme 50k" in chatty()


@pytest.mark.parametrize("values", [{"log_backups": 0}, {"log_max_bytes": 100}])
def test_settings_refuse_a_log_that_could_grow_without_bound(values):
    with pytest.raises(ValueError):
        Settings(_env_file=None, **values)
