"""The charts draw without missing glyphs: Chinese with a CJK font when one is installed, English
(and "?" for names no font here can draw) when none is; never boxes in place of characters."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from bot import charts as layouts
from bot.charts import MatplotlibCharts, cjk_font
from core.analytics.pictures import ForecastPicture, FunnelPicture, ScorecardPicture, Words

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


# --- charts that read well --------------------------------------------------------------------

EMPTY = ScorecardPicture(
    title=PICTURE.title, currency="CNY", funnel=FunnelPicture(Words("Funnel", "销售漏斗"), [(w, 0) for w, _ in STAGES]),
    trend_title=PICTURE.trend_title, trend=[(f"W{n:02d}", 0.0, None) for n in range(3, 11)],
    reps_title=PICTURE.reps_title, reps=[], labels=PICTURE.labels,
)
FORECAST = ForecastPicture(
    title=Words("Forecast · 华南 · 2026-03", "业绩预测 · 华南 · 2026-03"), currency="CNY",
    expected_label=Words("Expected: ¥128,000", "预计成交：¥12.8万"),
    deals=[("D-12", 120000.0, 0.6), ("D-7", 80000.0, 0.7)],
    labels={"amount": Words("Deal amount", "商机金额"), "expected": Words("Expected", "预计成交")},
)


def _texts(figure) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in figure.findobj(Text) if t.get_visible() and t.get_text()]


def test_amounts_have_separators_and_every_bar_its_figure(tmp_path):
    texts = _texts(MatplotlibCharts(tmp_path, cjk=None).figure(layouts.SCORECARD, PICTURE, "en"))
    assert "¥54,000" in texts and "¥12,000" in texts  # the reps' bars
    assert "¥10,000" in texts  # the last week's bar of the trend
    assert "50,000" in texts  # an axis tick, not 50000 or 5e4
    assert not any("e+" in text for text in texts)


@pytest.mark.skipif(cjk_font() is None, reason="no CJK font installed (Debian: fonts-noto-cjk)")
def test_a_chinese_chart_counts_in_wan(tmp_path):
    texts = _texts(MatplotlibCharts(tmp_path).figure(layouts.SCORECARD, PICTURE, "zh"))
    assert "¥5.4万" in texts and "¥1.2万" in texts and "5万" in texts


def test_an_empty_week_says_no_data_instead_of_drawing_empty_axes(tmp_path):
    texts = _texts(MatplotlibCharts(tmp_path, cjk=None).figure(layouts.SCORECARD, EMPTY, "en"))
    assert texts.count("No data") == 3  # funnel, trend, reps
    assert not any(text.replace("−", "-").startswith(("-0.0", "0.0")) for text in texts)
    empty_forecast = ForecastPicture(FORECAST.title, "CNY", FORECAST.expected_label, [], FORECAST.labels)
    assert "No data" in _texts(MatplotlibCharts(tmp_path, cjk=None).figure(layouts.FORECAST, empty_forecast, "en"))


def test_without_a_cjk_font_chinese_names_are_written_in_pinyin_never_question_marks(tmp_path):
    texts = _texts(MatplotlibCharts(tmp_path, cjk=None).figure(layouts.SCORECARD, PICTURE, "zh"))
    assert "Scorecard · Huanan · 2026-W10" in texts
    assert "Xiaowang" in texts  # the rep 小王
    assert not any("?" in text for text in texts)
    forecast = _texts(MatplotlibCharts(tmp_path, cjk=None).figure(layouts.FORECAST, FORECAST, "zh"))
    assert "Forecast · Huanan · 2026-03" in forecast and not any("?" in text for text in forecast)


def test_the_forecast_chart_shows_each_deals_chance_and_expected_amount(tmp_path):
    charts = MatplotlibCharts(tmp_path, cjk=None)
    texts = _texts(charts.figure(layouts.FORECAST, FORECAST, "en"))
    assert "D-12" in texts and "60% · ¥72,000" in texts and "70% · ¥56,000" in texts
    assert Path(charts.forecast(FORECAST, "en")).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
