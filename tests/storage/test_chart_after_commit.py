"""A chart is drawn after the command's transaction: drawing takes up to a second (more on a
busy machine), and on SQLite a command holds the write lock for its whole transaction, so a chart
drawn inside it would stall every other writer (the capture writer, the scheduler) meanwhile."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.engine import make_url

from core.chat.messages import Incoming


class LockProbe:
    """A Charts port that, while "drawing", tries to take SQLite's write lock without waiting."""

    def __init__(self, database: str):
        self.database = database
        self.lock_free: list[bool] = []

    def _draw(self, *_args) -> str:
        connection = sqlite3.connect(self.database, timeout=0)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.rollback()
            self.lock_free.append(True)
        except sqlite3.OperationalError:  # database is locked
            self.lock_free.append(False)
        finally:
            connection.close()
        return "chart.png"

    scorecard = funnel = forecast = _draw


def test_charts_are_drawn_once_the_write_lock_is_released(wired, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the write lock is SQLite's")
    probe = LockProbe(make_url(database_url).database)
    wired.bot.charts = probe

    for n, text in enumerate(["new Acme 50k close:2026-03-20", "scorecard this week", "funnel", "forecast"]):
        reply = wired.bot.handle(Incoming(platform="console", user_id="boss", user_name="boss", text=text,
                                          message_id=str(n)))
        assert not reply.is_error, reply.text()
    assert probe.lock_free == [True, True, True]
