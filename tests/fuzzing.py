"""What the fuzz tests share: their counts in pytest's output (the issue asks for the figures)."""

from __future__ import annotations

import pytest


def write_line(request: pytest.FixtureRequest, line: str) -> None:
    """A line in pytest's terminal output, even while output is captured."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)
