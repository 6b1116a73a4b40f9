"""Next-step detection on the labelled set in tests/data/ (tests/nextsteps_labelled.py).

The issue's bar, on the validation split the rules were never tuned on: precision ≥ 0.95 and
recall ≥ 0.9 in each of English, Chinese and mixed, due-date accuracy ≥ 0.95. The development
split is held to the same bar, and so is the second round's held-back split since the third round
tuned on it. The blind split (tests/data/nextsteps_blind.tsv, written by someone who never saw the
rules; there once merged) is printed, not held: it measures how far the rules generalise, and
tuning to it would spoil that.
"""

from __future__ import annotations

import pytest

from core.conversations.nextsteps import detect
from tests.nextsteps_labelled import LANGUAGES, NOW, SPLITS, TZ, by_language, load


def _due(text: str):
    step = detect(text, NOW, TZ)
    return None if step is None else step.due


def test_the_set_is_big_varied_and_labelled():
    rows = {split: load(split) for split in ("dev", "validation", "holdout")}
    assert sum(map(len, rows.values())) >= 400
    for split, found in rows.items():
        for lang in LANGUAGES:
            of_lang = [row for row in found if row.lang == lang]
            assert {row.speaker for row in of_lang} == {"rep", "customer"}, (split, lang)
            assert sum(row.due is not None for row in of_lang) >= 10, (split, lang)
            assert sum(row.due is None for row in of_lang) >= 10, (split, lang)
    texts = [row.text for found in rows.values() for row in found]
    assert len(texts) == len(set(texts)), "no message twice"


@pytest.mark.parametrize("split", ["validation", "dev", "holdout"])
def test_precision_recall_and_due_dates_per_language(split, capsys):
    scores = by_language(_due, load(split))
    with capsys.disabled():
        for lang, score in scores.items():
            print(f"\n{split} {lang}: precision {score.precision:.3f} recall {score.recall:.3f} "
                  f"due dates {score.date_accuracy:.3f}")
            for what, row, found in score.wrong:
                print(f"  {what}: {row.text!r} (expected {row.due}, found {found})")
    for lang, score in scores.items():
        assert score.precision >= 0.95, lang
        assert score.recall >= 0.9, lang
        assert score.date_accuracy >= 0.95, lang


def test_the_second_rounds_held_back_split_is_kept_whole():
    rows = load("holdout")
    assert len(rows) == 141
    assert {lang: sum(row.lang == lang for row in rows) for lang in LANGUAGES} == {"en": 49, "zh": 47, "mixed": 45}


@pytest.mark.skipif(not SPLITS["blind"].exists(), reason="the blind split is not merged yet")
def test_the_blind_split_is_scored_as_it_comes(capsys):
    rows = load("blind")
    scores = by_language(_due, rows)
    with capsys.disabled():
        for lang, score in scores.items():
            print(f"\nblind {lang}: precision {score.precision:.3f} recall {score.recall:.3f} "
                  f"due dates {score.date_accuracy:.3f} (not held to the bar)")
    assert sum(score.tp + score.fp + score.fn + score.tn for score in scores.values()) == len(rows) > 0
    assert {row.lang for row in rows} <= set(LANGUAGES)
    seen = {row.text for split in ("dev", "validation", "holdout") for row in load(split)}
    assert not [row.text for row in rows if row.text in seen], "a blind message the rules were tuned on"
