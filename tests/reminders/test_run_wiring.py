"""`dealbot run` starts the scheduler and dispatcher after the adapters and stops them first."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime, timedelta

import pytest

from bot import run as run_module
from bot.bootstrap import build
from bot.config import Settings
from core.reminders.outbox import OutboxMessage
from tests.fakes import RecordingNotifier


class FakeAdapter:
    platform = "telegram"

    def __init__(self, events: list):
        self.events = events
        outer = self

        class Notifier(RecordingNotifier):
            async def send(self, chat_id, reply):
                outer.events.append("send")
                os.kill(os.getpid(), signal.SIGTERM)  # sent: now stop the process
                return await super().send(chat_id, reply)

        self.notifier = Notifier("telegram")

    async def start(self):
        self.events.append("start")

    async def stop(self):
        self.events.append("stop")

    def routes(self):
        return []


@pytest.mark.slow  # 8 s in a full run on a loaded 2-core machine
async def test_run_sends_queued_messages_between_adapter_start_and_stop(tmp_path, monkeypatch):
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'run.db'}",
                        log_file=tmp_path / "run.log", http_port=0, scan_seconds=0.05)
    wired = build(settings)
    now = datetime.now(UTC)
    with wired.uow() as uow:
        uow.outbox.add(OutboxMessage(platform="telegram", chat_id="42", kind="digest", dedupe_key="k",
                                     payload={"reply": {"title": "Weekly scorecard"}},
                                     not_before=now - timedelta(seconds=1), created_at=now))
        uow.commit()
    wired.engine.dispose()
    events: list[str] = []
    adapter = FakeAdapter(events)
    monkeypatch.setattr(run_module, "configured_adapters", lambda settings, handler, on_chat_message=None, on_chat_moved=None: [adapter])
    assert await run_module.serve(settings) == 0
    assert events == ["start", "send", "stop"]
    assert [(chat, reply.title) for chat, reply in adapter.notifier.sent] == [("42", "Weekly scorecard")]
    wired = build(settings)
    with wired.uow() as uow:
        assert uow.outbox.counts() == {"sent": 1}
    wired.engine.dispose()
