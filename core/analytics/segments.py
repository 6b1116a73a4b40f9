"""Which kind of customer converts (`funnel by:industry|source|tag`, 漏斗 按:行业): the cohort funnel
of a period's new deals per value of their customer's industry, source or tag, and its JSON in the
funnel and scorecard reports. Segments are ordered by how many deals they started with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.analytics import rounding
from core.analytics.reports import FunnelStep, funnel_order, funnel_steps
from core.domain.pipeline import Pipeline
from core.ports.unit_of_work import UnitOfWork

SEGMENTS = ("industry", "source", "tag")


@dataclass(frozen=True)
class SegmentRow:
    value: str | None  # None: customers without one
    steps: list[FunnelStep]

    @property
    def created(self) -> int:
        return self.steps[0].reached if self.steps else 0

    @property
    def won(self) -> int:
        return self.steps[-1].reached if self.steps else 0

    @property
    def conversion(self) -> float | None:
        return rounding.rate(self.won, self.created)

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "created": self.created, "won": self.won, "won_conversion": self.conversion,
                "funnel": [{"stage": s.stage, "reached": s.reached, "conversion": s.conversion} for s in self.steps]}


def build_segments(uow: UnitOfWork, team_id: int, pipeline: Pipeline, start: datetime, end: datetime,
                   by: str) -> list[SegmentRow]:
    order = funnel_order(pipeline)
    found = uow.analytics.funnel_by(team_id, start, end, order, by)
    rows = [SegmentRow(value, funnel_steps(order, reached)) for value, reached in found.items()]
    return sorted(rows, key=lambda r: (-r.created, r.value is None, r.value or ""))
