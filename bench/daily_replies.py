"""The daily update by reply (core.performance.daily_reply): how right its proposals are, and
what reading an answer costs.

    python bench/daily_replies.py [--repeats 7]

**Accuracy.** Precision and recall per kind of proposal — follow-up (the deal named), task (and
its day), stage move — on each split of the labelled answers (tests/data/daily_replies.tsv: dev,
tuned on; validation, held back; and daily_replies_fresh<n>.tsv when present: written by someone
who never saw the reader, scored once). Beside the reader, in the same run, a naive baseline:
the same deal naming and dates, but a move whenever a later stage's word appears — what the
negation, "work done" and "nothing ahead" rules buy in precision.

**Cost.** µs per answer for the reader, and for the date reader alone
(core.language.dates.text.find_date on each clause), the share no reader can avoid. Median of
--repeats passes over all labelled answers. Never part of the test run.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.domain.pipeline import DEFAULT_PIPELINE  # noqa: E402
from core.language.dates.text import find_date  # noqa: E402
from core.performance import daily_reply  # noqa: E402
from tests.daily_replies_labelled import DATA, DEALS, KINDS, NOW, TZ, Row, rows, score  # noqa: E402


def fresh_rows() -> list[Row]:
    """The fresh splits (daily_replies_fresh<n>.tsv beside the labelled set): written without seeing the reader."""
    found = []
    for path in sorted(DATA.parent.glob("daily_replies_fresh*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                split, lang, expected, text = line.split("\t")
                found.append(Row(split, lang, tuple(expected.split()), text))
    return found


def naive(text, deals, pipeline, now, tz):
    """The reader, but a move whenever a later stage's word appears in a clause about one deal."""
    reading = daily_reply.read_update(text, deals, pipeline, now, tz)
    by_id = {deal.deal_id: deal for deal in deals}
    for proposal in reading.proposals:
        deal = by_id[proposal.deal_id]
        for stage in pipeline.stages[pipeline.index(deal.stage) + 1:]:
            words = (*daily_reply._STAGE_WORDS.get(stage.key, ((), ()))[0], *stage.names())
            if stage.key == "won":
                words = daily_reply._WON_WORDS
            if any(w.casefold() in proposal.text.casefold() for w in words if len(w) >= 2):
                proposal.move_to = stage.key
    return reading


def line(name: str, result) -> str:
    cells = [f"{k} P {result.precision(k):.2f} R {result.recall(k):.2f}" for k in KINDS]
    return f"  {name:<9} " + " · ".join(cells) + f" · all P {result.precision():.2f} R {result.recall():.2f}"


def timed(fn, texts: list[str], repeats: int) -> float:
    passes = []
    for _ in range(repeats):
        began = time.perf_counter()
        for text in texts:
            fn(text)
        passes.append((time.perf_counter() - began) / len(texts) * 1e6)
    return statistics.median(passes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    splits = {"dev": rows("dev"), "validation": rows("validation"), "fresh": fresh_rows()}
    for name, selected in splits.items():
        if not selected:
            continue
        print(f"{name} ({len(selected)} answers)")
        for lang in ("en", "zh", "mixed", None):
            part = [r for r in selected if lang is None or r.lang == lang]
            print(line(lang or "all", score(part)))
        print(line("baseline", score(selected, read=naive)) + "  (naive moves)")
    texts = [r.text for r in rows()]
    clauses = [[c for c in re.split(r"[，,。；;！!？?\n]+", t) if c.strip()] for t in texts]
    reader = timed(lambda t: daily_reply.read_update(t, DEALS, DEFAULT_PIPELINE, NOW, TZ), texts, args.repeats)
    dates_only = timed(lambda i: [find_date(c, NOW, TZ) for c in clauses[i]], list(range(len(texts))), args.repeats)
    print(f"cost per answer: reader {reader:.0f} µs · find_date on its clauses alone {dates_only:.0f} µs")


if __name__ == "__main__":
    main()
