"""The attainment chart of `targets`: a bar per rep's target with its percentage, the weighted
pipeline's reach behind it, a line at 100%; Chinese with a CJK font, pinyin without one."""

from __future__ import annotations

import warnings
from pathlib import Path

from bot import charts as layouts
from bot.charts import MatplotlibCharts, cjk_font
from core.analytics.pictures import AttainmentPicture, Words

PICTURE = AttainmentPicture(
    title=Words("Attainment · sales · 2026-03", "目标完成率 · sales · 2026-03"),
    bars=[("@liwei", Words("won amount", "赢单金额"), 0.4, 0.75),
          ("@小王", Words("wins", "赢单数"), 1.25, 1.5),
          ("@bo", Words("follow-ups", "跟进"), 0.25, None)],
    labels={"done": Words("Reached", "已完成"), "projected": Words("With weighted pipeline", "含加权管道")},
)


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda artist: hasattr(artist, "get_text"))]


def test_every_bar_shows_its_percentage_and_name(tmp_path):
    texts = _texts(MatplotlibCharts(tmp_path, cjk=None).figure(layouts.ATTAINMENT, PICTURE, "en"))
    assert {"40%", "125%", "25%"} <= set(texts)
    assert "@liwei · won amount" in texts and "@bo · follow-ups" in texts
    assert "Attainment · sales · 2026-03" in texts and "With weighted pipeline" in texts


def test_the_chart_is_a_png_and_the_same_figures_give_the_same_file(tmp_path):
    charts = MatplotlibCharts(tmp_path, cjk=None)
    path = charts.attainment(PICTURE, "en")
    assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert charts.attainment(PICTURE, "en") == path


def test_chinese_words_without_missing_glyphs(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        texts = _texts(MatplotlibCharts(tmp_path).figure(layouts.ATTAINMENT, PICTURE, "zh"))
    assert not [w for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    if cjk_font():
        assert "@liwei · 赢单金额" in texts and "目标完成率 · sales · 2026-03" in texts
    else:
        assert "@liwei · won amount" in texts
