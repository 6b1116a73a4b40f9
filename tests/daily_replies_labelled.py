"""The labelled daily-card answers (tests/data/daily_replies.tsv) and their score: precision and
recall per kind of proposal (follow-up, task with its date, stage move), for the test that holds
the validation split to the bar and for bench/daily_replies.py."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from core.domain.pipeline import DEFAULT_PIPELINE
from core.performance.daily_reply import OpenDeal, read_update, scored

DATA = Path(__file__).parent / "data" / "daily_replies.tsv"
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TZ = "Asia/Shanghai"
KINDS = ("log", "task", "move")
# The rep's open deals (tests/data/README.md, "Daily update replies")
DEALS = (
    OpenDeal(1, "contact", "Acme", ("王经理", "Wang"), "Acme data platform"),
    OpenDeal(2, "demo", "华为", ("李伟", "Li Wei"), "Huawei cloud migration"),
    OpenDeal(3, "lead", "Gamma", ("张敏", "Zhang Min"), "Gamma pilot"),
    OpenDeal(4, "quote", "Beta Corp", ("陈总",), "Beta Corp CRM seats"),
    OpenDeal(5, "negotiation", "腾讯", ("Tony",), "Tencent renewal"),
    OpenDeal(6, "demo", "Initech", ("Peter",), "Initech analytics"),
)


@dataclass(frozen=True)
class Row:
    split: str
    lang: str
    expected: tuple[str, ...]
    text: str


def rows(split: str | None = None) -> list[Row]:
    found = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        part, lang, expected, text = line.split("\t")
        if split is None or part == split:
            found.append(Row(part, lang, tuple(expected.split()), text))
    return found


def kind(item: str) -> str:
    return item.split(":", 1)[1].split("@")[0].split(">")[0]


@dataclass
class Score:
    true: Counter
    false_pos: Counter
    false_neg: Counter
    misses: list[tuple[str, set[str], set[str]]]

    def precision(self, kind: str | None = None) -> float:
        tp, fp = self._sum(self.true, kind), self._sum(self.false_pos, kind)
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, kind: str | None = None) -> float:
        tp, fn = self._sum(self.true, kind), self._sum(self.false_neg, kind)
        return tp / (tp + fn) if tp + fn else 1.0

    @staticmethod
    def _sum(counter: Counter, kind: str | None) -> int:
        return counter[kind] if kind else sum(counter.values())


def score(selected: list[Row], read=read_update) -> Score:
    result = Score(Counter(), Counter(), Counter(), [])
    for row in selected:
        expected, found = scored(row.expected, read(row.text, DEALS, DEFAULT_PIPELINE, NOW, TZ).proposals)
        for item in expected & found:
            result.true[kind(item)] += 1
        for item in found - expected:
            result.false_pos[kind(item)] += 1
        for item in expected - found:
            result.false_neg[kind(item)] += 1
        if expected != found:
            result.misses.append((row.text, expected - found, found - expected))
    return result
