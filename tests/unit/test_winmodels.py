"""The deal cards' win-probability models are learned at most once per max age, per team and
pipeline (core.analytics.winmodels); on the in-memory fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from core.analytics.winmodels import WinModels
from core.domain.model import Deal, StageChange, Team
from core.domain.pipeline import DEFAULT_PIPELINE, Pipeline
from tests.fakes import ChatHarness, FakeUnitOfWork, FixedClock

NOW = FixedClock().now()


def _uow_with_team() -> tuple[FakeUnitOfWork, Team]:
    uow = FakeUnitOfWork()
    return uow, uow.teams.add(Team("sales", id=1))


def _lead_stays(model) -> int:
    """How many ended lead stays the model learned from."""
    return model.estimate("lead", NOW, NOW).similar


def _leave_lead(uow: FakeUnitOfWork, deal_id: int, team_id: int = 1) -> None:
    """A deal of the team that entered lead two days ago and moved on to contact yesterday."""
    entered, left = NOW - timedelta(days=2), NOW - timedelta(days=1)
    uow.deals.add(Deal(f"d{deal_id}", 1, 1, team_id, "contact", left, entered, id=deal_id))
    uow.stage_changes.add(StageChange(deal_id, None, "lead", entered, 1))
    uow.stage_changes.add(StageChange(deal_id, "lead", "contact", NOW - timedelta(days=1), 1))


def test_a_model_is_reused_until_it_is_max_age_old():
    uow, team = _uow_with_team()
    models = WinModels(max_age=timedelta(hours=1))
    assert _lead_stays(models.get(uow, team, DEFAULT_PIPELINE, NOW)) == 0
    _leave_lead(uow, 1)
    almost = NOW + timedelta(minutes=59)
    assert _lead_stays(models.get(uow, team, DEFAULT_PIPELINE, almost)) == 0
    assert _lead_stays(models.get(uow, team, DEFAULT_PIPELINE, NOW + timedelta(hours=1))) == 1


def test_max_age_zero_learns_every_time():
    uow, team = _uow_with_team()
    models = WinModels(max_age=timedelta(0))
    models.get(uow, team, DEFAULT_PIPELINE, NOW)
    _leave_lead(uow, 1)
    assert _lead_stays(models.get(uow, team, DEFAULT_PIPELINE, NOW)) == 1


def test_a_clock_set_back_or_another_pipeline_learns_again():
    uow, team = _uow_with_team()
    models = WinModels()
    models.get(uow, team, DEFAULT_PIPELINE, NOW)
    _leave_lead(uow, 1)
    assert _lead_stays(models.get(uow, team, DEFAULT_PIPELINE, NOW - timedelta(minutes=1))) == 1
    _leave_lead(uow, 2)
    earlier = NOW - timedelta(minutes=1)
    stored = Pipeline.from_dict(DEFAULT_PIPELINE.to_dict())  # equal, as read back from the team row
    assert _lead_stays(models.get(uow, team, stored, earlier)) == 1
    longer_lead = Pipeline(tuple(replace(stage, sla_days=30) if stage.key == "lead" else stage
                                 for stage in DEFAULT_PIPELINE.stages))
    assert _lead_stays(models.get(uow, team, longer_lead, earlier)) == 2


def test_each_team_has_its_own_model():
    uow, team = _uow_with_team()
    other = uow.teams.add(Team("north", id=2))
    models = WinModels()
    _leave_lead(uow, 1, team_id=other.id)
    assert _lead_stays(models.get(uow, team, DEFAULT_PIPELINE, NOW)) == 0
    assert _lead_stays(models.get(uow, other, DEFAULT_PIPELINE, NOW)) == 1
    _leave_lead(uow, 2, team_id=team.id)  # team 1's model is cached: one team does not evict another
    assert _lead_stays(models.get(uow, team, DEFAULT_PIPELINE, NOW)) == 0


def test_the_card_shows_the_hour_old_figure_until_the_hour_is_up():
    chat = ChatHarness()
    for _ in range(6):
        chat.say("boss", "new Acme 10k")
    before = _win_probability(chat.say("boss", "show D-1"))
    for deal in range(2, 7):
        assert not chat.say("boss", f"lose D-{deal} price").is_error
    assert _win_probability(chat.say("boss", "show D-1")) == before
    chat.clock.advance(hours=1)
    after = _win_probability(chat.say("boss", "show D-1"))
    assert after != before and "5 deals" in after


def _win_probability(reply) -> str:
    return next(field.value for field in reply.fields if field.label == "Win probability")
