"""The health board's chart: a small chart per figure, a line per team over the five weeks with its
last value written at its end, "No data" where no team has the figure; Chinese with a CJK font,
pinyin without one; and the chart a `health` reply carries, drawn after the transaction."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from pathlib import Path

from bot import charts as layouts
from bot.charts import MatplotlibCharts, cjk_font
from core.analytics.pictures import HealthPicture, Words
from core.domain.model import Identity, Member, Role, Team
from core.services.analytics import draw_pending
from tests.fakes import ChatHarness, FakeUnitOfWork, FixedClock

WEEKS = ["W06", "W07", "W08", "W09", "W10"]
PICTURE = HealthPicture(
    title=Words("Health board · 2026-W10", "销售健康度 · 2026-W10"),
    weeks=WEEKS,
    panels=[(Words("Conversion", "赢单转化率"), "percent",
             [("sales", [0.25, None, 0.5, 0.4, 0.6667]), ("华南", [0.1, 0.2, 0.3, 0.2, 0.25])]),
            (Words("Output per rep", "人均产出"), "money", [("sales", [0, 1000, 5000, 2000, 20000]),
                                                          ("华南", [None] * 5)]),
            (Words("Satisfaction", "客户满意度"), "number", [("sales", [None] * 5), ("华南", [None] * 5)])],
    currency="CNY",
)


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda artist: hasattr(artist, "get_text"))]


def test_each_figure_has_its_panel_lines_and_last_values(tmp_path):
    fig = MatplotlibCharts(tmp_path, cjk=None).figure(layouts.HEALTH, PICTURE, "en")
    texts = _texts(fig)
    assert {"Conversion", "Output per rep", "Satisfaction", "Health board · 2026-W10"} <= set(texts)
    assert {"67%", "25%", "¥20,000"} <= set(texts)  # the week's values at the lines' ends
    assert "No data" in texts  # nobody recorded a score
    assert {"sales", "Huanan"} <= set(texts)  # the legend; 华南 in pinyin without a CJK font
    assert set(WEEKS) <= set(texts)
    conversion = fig.axes[0]
    assert len(conversion.get_lines()) == 2
    sales = conversion.get_lines()[0].get_ydata()
    assert list(sales[[0, 2, 3, 4]]) == [25.0, 50.0, 40.0, 66.67] and sales[1] != sales[1]  # a gap: NaN


def test_the_chart_is_a_png_and_the_same_figures_give_the_same_file(tmp_path):
    charts = MatplotlibCharts(tmp_path, cjk=None)
    path = charts.health(PICTURE, "en")
    assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and Path(path).stat().st_size > 20_000
    assert charts.health(PICTURE, "en") == path


def test_chinese_words_without_missing_glyphs(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        texts = _texts(MatplotlibCharts(tmp_path).figure(layouts.HEALTH, PICTURE, "zh"))
    assert not [w for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    if cjk_font():
        assert "赢单转化率" in texts and "华南" in texts and "¥2万" in texts
    else:
        assert "Conversion" in texts


def test_a_health_reply_carries_the_chart(tmp_path):
    uow = FakeUnitOfWork()
    uow.teams.add(Team("sales", timezone="Asia/Shanghai", id=1))
    uow.members.add(Member("max", 1, Role.MANAGER, id=1))
    uow.members.add_identity(Identity("console", "max", 1))
    uow.commit()
    chat = ChatHarness(clock=FixedClock(datetime(2026, 3, 11, 2, tzinfo=UTC)), uow=uow, admins=(),
                       charts=MatplotlibCharts(tmp_path, cjk=None))
    reply = draw_pending(chat.say("max", "health"))
    assert reply.image_path is not None and Path(reply.image_path).read_bytes()[:4] == b"\x89PNG"


def test_two_teams_without_the_first_figure_keep_their_legend_and_warn_nothing(tmp_path):
    """The legend sat on the first panel; with "No data" there it had no lines to name and
    matplotlib warned ("No artists with labels found"). It goes on the first panel with lines."""
    empty_first = HealthPicture(title=PICTURE.title, weeks=WEEKS, panels=[
        (Words("Conversion", "赢单转化率"), "percent", [("sales", [None] * 5), ("华南", [None] * 5)]),
        *PICTURE.panels[1:]], currency="CNY")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = MatplotlibCharts(tmp_path, cjk=None).figure(layouts.HEALTH, empty_first, "en")
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert len(legends) == 1 and [t.get_text() for t in legends[0].get_texts()] == ["sales", "Huanan"]
    assert fig.axes[1].get_legend() is legends[0]  # Output per rep: the first panel with lines
