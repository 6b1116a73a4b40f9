"""What a chart shows, as plain data with its words in both languages; bot/charts.py draws it.

The core decides the content; the renderer decides the look and, when no font for Chinese is
installed, falls back to the English words (never boxes in place of characters). Amounts are
plain numbers here with the currency beside them: the renderer writes them for the chart's
language (separators, or 万 in Chinese).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Words:
    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class FunnelPicture:
    title: Words
    stages: list[tuple[Words, int]]  # stage name, deals that reached it


@dataclass(frozen=True)
class ScorecardPicture:
    title: Words
    currency: str
    funnel: FunnelPicture
    trend_title: Words
    trend: list[tuple[str, float, float | None]]  # week label, won amount, win rate
    reps_title: Words
    reps: list[tuple[str, float]]  # handle, won amount
    labels: dict[str, Words] = field(default_factory=dict)  # won_amount, win_rate


@dataclass(frozen=True)
class ForecastPicture:
    """The month's open deals with the chance of winning each: the bar is the amount, its filled
    part the amount times the probability (what the forecast counts)."""

    title: Words
    currency: str
    expected_label: Words  # "Expected ¥123,000 of ¥300,000"
    deals: list[tuple[str, float, float]]  # "D-12", amount, probability 0..1
    labels: dict[str, Words] = field(default_factory=dict)  # amount, expected


@dataclass(frozen=True)
class AttainmentPicture:
    """Targets per rep (core.services.targets): a bar per target, its attainment (0..1, may pass
    1), and where won-so-far plus the weighted pipeline would bring it (None: no pipeline feeds
    the metric)."""

    title: Words
    bars: list[tuple[str, Words, float, float | None]]  # "@alice", the metric, attainment, projected
    labels: dict[str, Words] = field(default_factory=dict)  # done, projected


@dataclass(frozen=True)
class HealthPicture:
    """The health board (core.health.board): a small chart per figure, a line per team over the
    weeks. A panel's kind: "percent" (fractions 0..1 shown as %), "money" (in `currency`), "score"
    (1–5) or "number"; a None is a week without the figure."""

    title: Words
    weeks: list[str]  # "W06" … "W10"
    panels: list[tuple[Words, str, list[tuple[str, list[float | None]]]]]  # figure, kind, (team, values)
    currency: str = "CNY"
