"""The labelled next-step messages in tests/data/ and how a detector is scored on them.

Shared by tests/unit/test_nextsteps_labelled.py and bench/nextsteps.py. A row is a message as a
sales group chat has it, with what a careful reader expects: the due date of the commitment it
makes, or nothing. The reference moment is NOW (Wed 4 Mar 2026 10:00, Shanghai).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = "Asia/Shanghai"
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo(TZ))
DATA = Path(__file__).resolve().parent / "data"
FIXED_SPLITS = {
    "dev": DATA / "nextsteps_dev.tsv",
    "validation": DATA / "nextsteps_validation.tsv",
    "holdout": DATA / "nextsteps_holdout.tsv",
}
# Blind splits: each round of issue 22 may get one, written by someone who never saw the rules, as
# tests/data/nextsteps_blind<round>.tsv; the split is named after its file (nextsteps_blind3.tsv is
# "blind3"). One is scored as it comes, then tuned on in the next round and listed here.
TUNED_BLIND = frozenset({"blind3"})
_BLIND_FILE = re.compile(r"nextsteps_(blind\d*)\.tsv")


def _blind_splits() -> dict[str, Path]:
    """The blind split files that are there, newest (highest round) first."""
    found = {match[1]: path for path in DATA.glob("nextsteps_blind*.tsv")
             if (match := _BLIND_FILE.fullmatch(path.name))}
    return dict(sorted(found.items(), key=lambda item: -int(item[0][5:] or 0)))


SPLITS = {**_blind_splits(), **FIXED_SPLITS}
LANGUAGES = ("en", "zh", "mixed")

# A detector: message -> its due date, or None when it suggests nothing.
Detector = Callable[[str], datetime | None]


@dataclass(frozen=True)
class Row:
    lang: str  # en | zh | mixed
    speaker: str  # rep | customer
    kind: str  # what sort of message it is (tests/data/README.md)
    due: datetime | None  # None: no next step
    text: str


def available() -> list[str]:
    """The splits whose file is there: the blind ones newest first, then the held-back before the
    tuned-on."""
    order = [*_blind_splits(), "holdout", "validation", "dev"]
    return [split for split in order if SPLITS[split].exists()]


def tuned_on() -> list[str]:
    """The splits the rules were tuned on (or held to the bar since): every fixed split and the
    blind splits of past rounds."""
    return [split for split in available() if split in FIXED_SPLITS or split in TUNED_BLIND]


def not_yet_tuned() -> list[str]:
    """Blind splits that came after the rules: scored as they come, never tuned to."""
    return [split for split in available() if split not in tuned_on()]


def load(split: str) -> list[Row]:
    rows = []
    for line in SPLITS[split].read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, speaker, kind, due, text = line.split("\t")
        when = None if due == "-" else datetime.strptime(due, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(TZ))
        rows.append(Row(lang, speaker, kind, when, text.strip()))
    return rows


@dataclass
class Score:
    tp: int = 0  # a commitment found (whatever its date)
    fp: int = 0
    fn: int = 0
    tn: int = 0
    right_date: int = 0  # true positives with the exact due date
    wrong: list[tuple[str, Row, datetime | None]] = field(default_factory=list)  # (what, row, found)
    by_kind: Counter = field(default_factory=Counter)  # (kind, outcome) -> count

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def date_accuracy(self) -> float:
        return self.right_date / self.tp if self.tp else 1.0


def score(detector: Detector, rows: Iterable[Row]) -> Score:
    result = Score()
    for row in rows:
        found = detector(row.text)
        if found is not None and row.due is not None:
            result.tp += 1
            outcome = "tp"
            if found == row.due:
                result.right_date += 1
            else:
                outcome = "tp_wrong_date"
                result.wrong.append(("wrong date", row, found))
        elif found is not None:
            result.fp += 1
            outcome = "fp"
            result.wrong.append(("false positive", row, found))
        elif row.due is not None:
            result.fn += 1
            outcome = "fn"
            result.wrong.append(("missed", row, None))
        else:
            result.tn += 1
            outcome = "tn"
        result.by_kind[(row.kind, outcome)] += 1
    return result


def by_language(detector: Detector, rows: list[Row]) -> dict[str, Score]:
    return {lang: score(detector, [row for row in rows if row.lang == lang]) for lang in LANGUAGES}


def confusion_table(scores: Iterable[Score]) -> list[str]:
    """Lines: per kind, how many were found right, found with a wrong date, missed, wrongly
    suggested and rightly left alone."""
    total: Counter = Counter()
    for one in scores:
        total.update(one.by_kind)
    kinds = sorted({kind for kind, _ in total})
    lines = [f"{'kind':<20}{'right':>7}{'date≠':>7}{'missed':>8}{'false+':>8}{'right-':>8}"]
    for kind in kinds:
        lines.append(f"{kind:<20}" + "".join(
            f"{total[(kind, outcome)]:>{width}}" for outcome, width in
            (("tp", 7), ("tp_wrong_date", 7), ("fn", 8), ("fp", 8), ("tn", 8))))
    return lines
