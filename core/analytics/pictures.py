"""What a chart shows, as plain data with its words in both languages; bot/charts.py draws it.

The core decides the content; the renderer decides the look and, when no font for Chinese is
installed, falls back to the English words (never boxes in place of characters).
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
