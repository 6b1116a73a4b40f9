"""The charts draw without missing glyphs: Chinese with a CJK font when one is installed, English
(and "?" for names no font here can draw) when none is; never boxes in place of characters."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from bot.charts import MatplotlibCharts, cjk_font
from core.analytics.pictures import FunnelPicture, ScorecardPicture, Words

STAGES = [(Words("Lead", "线索"), 8), (Words("First contact", "初步沟通"), 6), (Words("Signed", "签约"), 1)]
PICTURE = ScorecardPicture(
    title=Words("Scorecard · 华南 · 2026-W10", "周报 · 华南 · 2026-W10"), currency="CNY",
    funnel=FunnelPicture(Words("Funnel", "销售漏斗"), STAGES),
    trend_title=Words("Last 8 weeks", "近 8 周"),
    trend=[(f"W{n:02d}", 1000.0 * n, None if n == 3 else n / 20) for n in range(3, 11)],
    reps_title=Words("Won amount per rep", "人均赢单金额"),
    reps=[("liwei", 54000.0), ("小王", 12000.0)],
    labels={"won_amount": Words("Won amount", "赢单金额"), "win_rate": Words("Win rate", "赢单率")},
)


def _draw(charts, lang):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = charts.scorecard(PICTURE, lang)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    return path, missing


def test_without_a_cjk_font_the_chart_is_english_and_complete(tmp_path):
    path, missing = _draw(MatplotlibCharts(tmp_path, cjk=None), "zh")
    assert missing == []
    assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(cjk_font() is None, reason="no CJK font installed (Debian: fonts-noto-cjk)")
def test_with_a_cjk_font_the_chart_is_chinese_and_complete(tmp_path):
    charts = MatplotlibCharts(tmp_path)
    path, missing = _draw(charts, "zh")
    assert missing == []
    english, _ = _draw(charts, "en")
    assert path != english  # a different picture: the Chinese words were drawn


def test_the_same_figures_give_the_same_file(tmp_path):
    charts = MatplotlibCharts(tmp_path, cjk=None)
    assert charts.scorecard(PICTURE, "en") == charts.scorecard(PICTURE, "en")
    assert charts.funnel(PICTURE.funnel, "en").endswith(".png")
