"""JSON-lines logs (bot.logs.JsonFormatter, request ids) and the metrics' hooks (bot.metrics)."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
from bot.logs import file_handler, request_ids
from bot.metrics import Metrics, verb_of
from core.chat.messages import Incoming, Reply
from core.conversations.capture import Outcome


def json_logger(tmp_path: Path, **values):
    settings = Settings(_env_file=None, log_file=tmp_path / "dealbot.log", log_format="json", **values)
    handler = file_handler(settings)
    logger = logging.getLogger(f"test.jsonlog.{id(handler)}")
    logger.propagate, logger.level = False, logging.DEBUG
    logger.addHandler(handler)

    def read() -> list[dict]:
        handler.flush()
        return [json.loads(line) for line in settings.log_file.read_text(encoding="utf-8").splitlines()]

    return logger, read


def test_json_lines_carry_the_request_and_event_ids_into_worker_threads(tmp_path: Path):
    logger, read = json_logger(tmp_path)

    async def handle():
        with request_ids("telegram:-100:42") as request_id:
            await asyncio.to_thread(logger.info, "handled in a thread")
        return request_id

    request_id = asyncio.run(handle())
    logger.info("outside any request")
    inside, outside = read()
    assert inside["message"] == "handled in a thread" and inside["level"] == "INFO"
    assert inside["request_id"] == request_id and len(request_id) == 16
    assert inside["event_id"] == "telegram:-100:42"
    assert "request_id" not in outside and "event_id" not in outside
    assert inside["ts"].endswith("+00:00") and inside["logger"].startswith("test.jsonlog")


def test_json_lines_are_one_line_each_and_hold_no_secret(tmp_path: Path):
    token = "123456:AAE-secret-part-of-the-token"
    logger, read = json_logger(tmp_path, telegram_bot_token=token, metrics_token="m" * 20)
    try:
        raise ValueError(f"bad call to /bot{token}/getMe\nsecond line")
    except ValueError:
        logger.exception("failed with %s and %s", token, "m" * 20)
    text = (tmp_path / "dealbot.log").read_text(encoding="utf-8")
    assert len(text.splitlines()) == 1
    (record,) = read()
    assert "AAE-secret" not in text and "m" * 20 not in text
    assert "ValueError" in record["exception"] and record["level"] == "ERROR"


def test_verbs_are_a_bounded_label_set():
    def verb(text: str) -> str:
        return verb_of(Incoming(platform="telegram", user_id="1", text=text))

    assert verb("show D-1") == "show" and verb("推进 D-1 报价") == "move" and verb("/new@dealbot_bot Acme") == "new"
    assert verb("the customer said hi") == "other" and verb("") == "other" and verb("   ") == "other"


def test_hooks_count_what_happened():
    metrics = Metrics()
    said = Incoming(platform="slack", user_id="U1", text="deals")
    metrics.command(said, Reply(title="Open deals"), 0.004)
    metrics.command(said, Reply(title="no", is_error=True), 0.002)
    metrics.command(said, None, 0.5)  # handle() raised
    metrics.captured_batch([Outcome.STORED, Outcome.STORED, Outcome.DUPLICATE])
    metrics.delivery("telegram", "sent")
    metrics.delivery("telegram", "rate_limited")
    metrics.scheduler_run("daily", "failed")
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(metrics.exposition().decode()) for s in family.samples}
    assert samples[("dealbot_commands_total", (("result", "ok"), ("verb", "deals")))] == 1
    assert samples[("dealbot_commands_total", (("result", "error"), ("verb", "deals")))] == 1
    assert samples[("dealbot_commands_total", (("result", "failed"), ("verb", "deals")))] == 1
    assert samples[("dealbot_command_seconds_bucket", (("le", "0.005"),))] == 2
    assert samples[("dealbot_command_seconds_count", ())] == 3
    assert samples[("dealbot_captured_messages_total", (("outcome", "stored"),))] == 2
    assert samples[("dealbot_captured_messages_total", (("outcome", "duplicate"),))] == 1
    assert samples[("dealbot_rate_limited_total", (("platform", "telegram"),))] == 1
    assert samples[("dealbot_deliveries_total", (("platform", "telegram"), ("result", "sent")))] == 1
    assert samples[("dealbot_scheduler_runs_total", (("job", "daily"), ("result", "failed")))] == 1


def test_an_unreachable_database_leaves_the_scrape_answering():
    def away(now):
        raise ConnectionError("database is away")

    metrics = Metrics(backlog=away)
    families = {family.name for family in text_string_to_metric_families(metrics.exposition().decode())}
    assert {"dealbot_outbox_depth", "dealbot_commands"} <= families


def test_database_errors_are_counted_by_kind(tmp_path: Path):
    import pytest
    import sqlalchemy as sa

    from storage.db import make_engine

    metrics = Metrics()
    engine = make_engine(f"sqlite:///{tmp_path / 'errors.db'}")
    metrics.watch_engine(engine)
    try:
        with engine.connect() as connection, pytest.raises(sa.exc.OperationalError):
            connection.execute(sa.text("SELECT * FROM no_such_table"))
    finally:
        engine.dispose()
    samples = {(s.name, tuple(s.labels.items())): s.value
               for family in text_string_to_metric_families(metrics.exposition().decode()) for s in family.samples}
    assert samples[("dealbot_database_errors_total", (("kind", "OperationalError"),))] == 1
