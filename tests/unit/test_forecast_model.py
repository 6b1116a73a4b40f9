"""The chat `forecast` takes the team's win model from the deal cards' cache (at most an hour old,
core.analytics.winmodels) instead of learning it on every call; on the in-memory fakes."""

from __future__ import annotations

from core.analytics.reports import build_forecast
from core.domain.pipeline import DEFAULT_PIPELINE
from core.language.periods import month_of
from tests.fakes import ChatHarness


def _chat_with_six_leads() -> ChatHarness:
    """Six new deals; D-1 is expected to close now, so this month's forecast lists it."""
    chat = ChatHarness()
    for _ in range(6):
        assert not chat.say("boss", "new Acme 10k").is_error
    chat.uow.deals.get(1).expected_close = chat.clock.now()
    return chat


def _probability_line(reply) -> str:
    return next(line for line in reply.lines if "D-1" in line)


def test_the_chat_forecast_reuses_the_model_until_it_is_an_hour_old():
    chat = _chat_with_six_leads()
    before = _probability_line(chat.say("boss", "forecast"))
    for deal in range(2, 7):  # five lead stays end in a loss: a fresh model rates leads lower
        assert not chat.say("boss", f"lose D-{deal} price").is_error
    chat.clock.advance(minutes=1)  # a fresh model would see those stays now
    assert _probability_line(chat.say("boss", "forecast")) == before
    chat.clock.advance(hours=1)
    assert _probability_line(chat.say("boss", "forecast")) != before


def test_without_a_model_the_forecast_learns_a_fresh_one():
    chat = _chat_with_six_leads()
    team = chat.uow.teams.get(1)
    period = month_of(chat.clock.now().date())

    def lead_probability() -> float:
        report = build_forecast(chat.uow, team, DEFAULT_PIPELINE, period, chat.clock.now(), "CNY")
        return report.top[0].estimate.probability

    before = lead_probability()
    for deal in range(2, 7):
        assert not chat.say("boss", f"lose D-{deal} price").is_error
    chat.clock.advance(minutes=1)  # the model learns from stays that ended before now
    assert lead_probability() < before
