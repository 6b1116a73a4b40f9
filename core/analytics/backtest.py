"""`dealbot forecast --backtest`: how well the win-probability model predicts deals it has not seen.

Rolling origin: at each of `snapshots` moments spread over the later half of the team's closed
history, the model learns from the deals closed before that moment and predicts every deal that
was open then and has closed since, from the stage it was in and how long it had been there. The
Brier score (mean squared error, lower is better) of those predictions is set beside the same
score for the pipeline's default stage probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.analytics.reports import win_model
from core.analytics.winprob import brier
from core.domain.model import Team
from core.domain.pipeline import Pipeline
from core.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Backtest:
    team: str
    snapshots: list[datetime]
    predictions: int
    won: int
    model_brier: float | None
    baseline_brier: float | None

    @property
    def beats_baseline(self) -> bool:
        return (self.model_brier is not None and self.baseline_brier is not None
                and self.model_brier < self.baseline_brier)

    def to_json(self) -> dict[str, Any]:
        return {"team": self.team, "snapshots": [s.isoformat() for s in self.snapshots],
                "predictions": self.predictions, "won": self.won,
                "model_brier": _round(self.model_brier), "baseline_brier": _round(self.baseline_brier),
                "beats_baseline": self.beats_baseline}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def run_backtest(uow: UnitOfWork, team: Team, pipeline: Pipeline, snapshots: int = 12) -> Backtest:
    span = uow.analytics.closed_range(team.saved_id)
    if span is None:
        return Backtest(team.name, [], 0, 0, None, None)
    first, last = span
    moments = [first + (last - first) * (0.5 + 0.5 * i / snapshots) for i in range(snapshots)]
    model_pairs, baseline_pairs = [], []
    for moment in moments:
        model = win_model(uow, team, pipeline, moment)
        for state in uow.analytics.states_at(team.saved_id, moment):
            estimate = model.estimate(state.stage, state.entered_at, moment)
            model_pairs.append((estimate.probability, state.won))
            baseline_pairs.append((model.default(state.stage), state.won))
    return Backtest(team.name, moments, len(model_pairs), sum(won for _, won in model_pairs),
                    brier(model_pairs), brier(baseline_pairs))
