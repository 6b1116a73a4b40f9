"""Each team's win-probability model, learned at most once per `max_age` for the deal cards.

Learning the model reads every stage change of the team's last quarter (reports.LEARN_DAYS), and
its cost grows with that history: ~4 ms per card at a thousand stage changes, ~0.4 s at 350k. A
card needs the model but not a fresh one: an hour adds a handful of stays to shares learned
from a quarter of them (and smoothed toward the stage defaults), so an hour-old model is as good
an estimate. Invalidating on writes instead would not be correct either, because other processes
(`dealbot run` next to `dealbot console`, or a second replica) write to the same database
unseen; a time bound means the same thing in every process. The chat `forecast` reply takes its
model from here too (core/services/analytics.py: learning is most of a forecast's time on a long
history); `dealbot forecast` on the command line and the backtest learn a fresh one
(reports.win_model).

The clock is the caller's `now` (ctx.now), so a fixed clock in tests and `DEALBOT_FIXED_NOW`
behave as time does: a model is reused only while `learned_at <= now < learned_at + max_age`
(a clock set back also relearns). Tests that want every card to see the latest moves pass
`max_age=timedelta(0)`.

`dealbot run` handles messages on worker threads; a dict read or write is atomic under the GIL,
so the worst case of a race is two threads learning the same model and one overwriting the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.analytics.reports import win_model
from core.analytics.winprob import WinModel
from core.domain.model import Team
from core.domain.pipeline import Pipeline
from core.ports.unit_of_work import UnitOfWork

MAX_AGE = timedelta(hours=1)


@dataclass(frozen=True)
class _Learned:
    pipeline: Pipeline  # the pipeline the model was learned for (a team can change its pipeline)
    learned_at: datetime
    model: WinModel


class WinModels:
    """One model per team (so the cache never outgrows the number of teams)."""

    def __init__(self, max_age: timedelta = MAX_AGE):
        self.max_age = max_age
        self._by_team: dict[int | None, _Learned] = {}

    def get(self, uow: UnitOfWork, team: Team, pipeline: Pipeline, now: datetime) -> WinModel:
        learned = self._by_team.get(team.id)
        if learned is not None and learned.pipeline == pipeline and self._fresh(learned, now):
            return learned.model
        model = win_model(uow, team, pipeline, now)
        self._by_team[team.id] = _Learned(pipeline, now, model)
        return model

    def _fresh(self, learned: _Learned, now: datetime) -> bool:
        return learned.learned_at <= now < learned.learned_at + self.max_age
