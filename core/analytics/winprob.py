"""Win probability of an open deal, learned from the team's history (docs/design-notes.md).

The share of deals at a stage that end up won is estimated stage by stage: of the stays in a
stage that have ended, the share that moved forward, multiplied along the pipeline to signing.
Reading it off closed deals alone would be biased low: the deals still on their way to a win are
the slow ones, so a history of closed deals over-represents quick losses (on the demo data that
version lost to the stage defaults in `dealbot forecast --backtest`; this one beats them).

A deal that overstays its stage is compared with the stays that lasted as long: past the time
limit ("over"), past twice the limit ("far"). Each estimate is smoothed with PRIOR pseudo-stays
toward the one before it (the first toward the stage's default probability) and never exceeds
it, so overstaying only lowers the probability.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.analytics.counts import StageExits
from core.analytics.reference import DAY
from core.domain.pipeline import Pipeline

PRIOR = 10  # pseudo-stays of the prior behind every learned share


@dataclass(frozen=True)
class Estimate:
    probability: float
    stage: str
    similar: int  # ended stays in this stage (as long as this deal's, when it overstays)
    moved_on: int  # of those, the ones that moved forward
    days_over: int  # whole days past the stage's time limit (0 within it)
    limit: int | None
    default: float  # the stage's default probability (the baseline)


@dataclass(frozen=True)
class _StageModel:
    default: float
    limit: int | None
    levels: tuple[tuple[float, int, int], ...]  # (probability, stays, forward): within / over / far


class WinModel:
    def __init__(self, pipeline: Pipeline, exits: list[StageExits]):
        by_stage = {e.stage: e for e in exits}
        stages = pipeline.open_stages
        self._stages: dict[str, _StageModel] = {}
        later = 1.0  # chance to get from the next stage to signing
        for stage in reversed(stages):
            e = by_stage.get(stage.key, StageExits(stage.key))
            prior = stage.win_probability
            levels: list[tuple[float, int, int]] = []
            previous = prior
            for stays, forward in ((e.exits, e.forward), (e.over, e.over_forward), (e.far, e.far_forward)):
                learned = (forward / stays) * later if stays else previous
                estimate = (stays * learned + PRIOR * previous) / (stays + PRIOR)
                if levels:
                    estimate = min(estimate, previous)
                levels.append((estimate, stays, forward))
                previous = estimate
            self._stages[stage.key] = _StageModel(prior, stage.sla_days, tuple(levels))
            share = e.forward / e.exits if e.exits else _default_step(pipeline, stage.key)
            later *= share

    def bucket(self, stage: str, days_in_stage: int) -> int:
        """0 within the time limit, 1 over it, 2 over twice it (whole days, as the cards count)."""
        model = self._stages.get(stage)
        if model is None or model.limit is None or days_in_stage <= model.limit:
            return 0
        return 2 if days_in_stage > 2 * model.limit else 1

    def probability(self, stage: str, bucket: int) -> float:
        model = self._stages.get(stage)
        return model.levels[bucket][0] if model else 0.0

    def estimate(self, stage: str, entered_at: datetime, now: datetime) -> Estimate:
        model = self._stages.get(stage)
        if model is None:
            return Estimate(0.0, stage, 0, 0, 0, None, 0.0)
        days = max(0, int((now - entered_at).total_seconds() // DAY))
        bucket = self.bucket(stage, days)
        probability, stays, forward = model.levels[bucket]
        over = days - model.limit if bucket and model.limit is not None else 0
        return Estimate(probability, stage, stays, forward, over, model.limit, model.default)

    def default(self, stage: str) -> float:
        model = self._stages.get(stage)
        return model.default if model else 0.0


def _default_step(pipeline: Pipeline, key: str) -> float:
    """A stage's forward share implied by the default probabilities, when it has no history."""
    here = pipeline.get(key).win_probability
    target = pipeline.next_open_after(key)
    following = pipeline.get(target).win_probability if target else 1.0
    return min(1.0, following / here) if here else 1.0


def brier(pairs: list[tuple[float, bool]]) -> float | None:
    """Mean squared error of probabilities against outcomes; lower is better."""
    if not pairs:
        return None
    return sum((p - (1.0 if won else 0.0)) ** 2 for p, won in pairs) / len(pairs)
