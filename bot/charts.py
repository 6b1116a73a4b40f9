"""MatplotlibCharts: the Charts port of core.ports, as PNG files drawn with matplotlib's Agg backend.

matplotlib is imported on first use (not at start-up), and only its object API is used (Figure
plus FigureCanvasAgg, no pyplot and no global figure state), under a lock, because commands run
in worker threads. Chinese labels need a font with CJK glyphs: the `zh-charts` extra installs
Noto Sans CJK SC (from the mplfonts package), or the system's (Debian: fonts-noto-cjk); when
none is there the chart uses the English labels, and a Chinese name (a team, a rep) is written in
pinyin (华南 → Huanan), so a chart never shows boxes or "?" in place of characters. Amounts read
as in the chat (¥50,000; 5万 on a Chinese chart), each bar carries its figure, and a part with
nothing to show says "No data" instead of drawing empty axes. Files are named by a hash of their
content: the same figures give the same file.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from core.analytics.pictures import (
    AttainmentPicture,
    ForecastPicture,
    FunnelPicture,
    HealthPicture,
    ScorecardPicture,
)
from core.domain.amounts import format_money

_LOCK = threading.Lock()
CJK_SAMPLE = "周报销售漏斗赢单金额率人均近周签约谈判报价方案演示初步沟通线索"
# Families that carry CJK glyphs, in order of preference; any other installed font that covers
# CJK_SAMPLE is found by scanning when none of these is present.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Droid Sans Fallback", "SimHei", "Microsoft YaHei", "PingFang SC")


@cache
def cjk_font() -> str | None:
    """The family name of an installed font that draws every character of CJK_SAMPLE, or None.

    matplotlib caches its font list; a font installed after the cache was written is found by
    scanning the system's font files and added. "Last Resort" fonts are skipped: they "cover"
    every character with a placeholder box.
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager
    found = _best(manager.ttflist)
    if found is None:
        known = {f.fname for f in manager.ttflist}
        for path in [*_packaged_fonts(), *font_manager.findSystemFonts(fontext="ttf")]:
            if path not in known and covers(path, CJK_SAMPLE):
                manager.addfont(path)
        found = _best(manager.ttflist)
    return found


def _packaged_fonts() -> list[str]:
    """Noto Sans CJK SC as shipped in the mplfonts wheel (the `zh-charts` extra), found without
    importing mplfonts: only its font file is used."""
    from importlib.util import find_spec

    spec = find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return []
    font = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "NotoSansCJKsc-Regular.otf"
    return [str(font)] if font.is_file() else []


def _best(fonts) -> str | None:
    usable = [f for f in fonts if "last resort" not in f.name.lower()]
    ranked = sorted(usable, key=lambda f: CJK_FAMILIES.index(f.name) if f.name in CJK_FAMILIES else len(CJK_FAMILIES))
    return next((f.name for f in ranked if covers(f.fname, CJK_SAMPLE)), None)


@cache
def _charmap(path: str) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    try:
        return frozenset(FT2Font(path).get_charmap())
    except Exception:  # an unreadable font file is no font
        return frozenset()


def covers(path: str, text: str) -> bool:
    chars = _charmap(path)
    return all(ord(ch) in chars for ch in text if not ch.isspace())


class MatplotlibCharts:
    def __init__(self, directory: Path, *, cjk: str | None | bool = True):
        """cjk=True: look for a CJK font; None or False: draw as if none were installed."""
        self.directory = Path(directory)
        self._cjk = cjk

    # -- the port ---------------------------------------------------------------------------------
    def scorecard(self, picture: ScorecardPicture, lang: str) -> str:
        return self._draw(SCORECARD, picture, lang)

    def funnel(self, picture: FunnelPicture, lang: str) -> str:
        return self._draw(FUNNEL, picture, lang)

    def forecast(self, picture: ForecastPicture, lang: str) -> str:
        return self._draw(FORECAST, picture, lang)

    def attainment(self, picture: AttainmentPicture, lang: str) -> str:
        return self._draw(ATTAINMENT, picture, lang)

    def health(self, picture: HealthPicture, lang: str) -> str:
        return self._draw(HEALTH, picture, lang)

    def figure(self, layout: Layout, picture, lang: str):
        """The chart as a matplotlib Figure, laid out but not saved (what _draw saves; tests read
        its texts)."""
        with _LOCK:
            fig, font = self._figure(layout, picture, lang)
            with _font_context(font):
                fig.canvas.draw()
            return fig

    # -- drawing ------------------------------------------------------------------------------------
    def _font(self) -> str | None:
        return cjk_font() if self._cjk is True else (self._cjk or None)

    def _draw(self, layout: Layout, picture, lang: str) -> str:
        with _LOCK:
            font = self._font()
            lang = lang if lang == "zh" and font else "en"
            digest = hashlib.sha256(f"{lang}|{font}|{picture!r}".encode()).hexdigest()[:16]
            path = self.directory / f"chart-{digest}.png"
            if path.exists():
                return str(path)
            self.directory.mkdir(parents=True, exist_ok=True)
            fig, font = self._figure(layout, picture, lang)
            with _font_context(font):
                tmp = path.with_suffix(".tmp.png")
                fig.savefig(tmp, format="png")
            tmp.replace(path)
            return str(path)

    def _figure(self, layout: Layout, picture, lang: str):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        font = self._font()
        words = _Words(lang if lang == "zh" and font else "en", font)
        fig = Figure(figsize=layout.size(picture), dpi=110, layout="constrained")
        FigureCanvasAgg(fig)
        with _font_context(font):
            layout.draw(self, fig, picture, words)
        return fig, font

    def _scorecard(self, fig, picture: ScorecardPicture, words: _Words) -> None:
        fig.suptitle(words(picture.title), fontsize=12, fontweight=words.title_weight)
        top, middle, bottom = fig.subplots(3, 1, height_ratios=(1.2, 1, 1))
        self._funnel(top, picture.funnel, words)
        self._trend(middle, picture, words)
        self._reps(bottom, picture, words)

    def _funnel(self, ax, picture: FunnelPicture, words: _Words) -> None:
        ax.set_title(words(picture.title), fontsize=10, loc="left")
        counts = [count for _, count in picture.stages]
        if not any(counts):
            _no_data(ax, words)
            return
        names = [words(name) for name, _ in picture.stages]
        bars = ax.barh(range(len(names)), counts, color="#3b82c4")
        ax.set_yticks(range(len(names)), names)
        ax.invert_yaxis()
        ax.bar_label(bars, labels=[str(c) for c in counts], padding=3, fontsize=9)
        ax.set_xlim(0, max(counts + [1]) * 1.15)
        ax.spines[["top", "right"]].set_visible(False)

    def _trend(self, ax, picture: ScorecardPicture, words: _Words) -> None:
        ax.set_title(words(picture.trend_title), fontsize=10, loc="left")
        if not any(amount or rate for _, amount, rate in picture.trend):
            _no_data(ax, words)
            return
        weeks = [week for week, _, _ in picture.trend]
        amounts = [amount for _, amount, _ in picture.trend]
        bars = ax.bar(weeks, amounts, color="#7fb77e")
        money = _Money(picture.currency, words.lang)
        ax.bar_label(bars, labels=[money.short(a) if a else "" for a in amounts], padding=2, fontsize=7)
        ax.yaxis.set_major_formatter(money.axis())
        ax.set_ylim(0, max(amounts + [1]) * 1.18)
        ax.set_ylabel(f"{words(picture.labels['won_amount'])} ({picture.currency})", fontsize=9)
        rates = ax.twinx()
        rates.plot(weeks, [None if r is None else r * 100 for _, _, r in picture.trend], color="#d9534f",
                   marker="o")
        rates.set_ylabel(f"{words(picture.labels['win_rate'])} (%)", fontsize=9)
        rates.set_ylim(0, 100)
        ax.spines[["top"]].set_visible(False)

    def _reps(self, ax, picture: ScorecardPicture, words: _Words) -> None:
        ax.set_title(f"{words(picture.reps_title)} ({picture.currency})", fontsize=10, loc="left")
        if not picture.reps:
            _no_data(ax, words)
            return
        names = [words.name(handle, i) for i, (handle, _) in enumerate(picture.reps, start=1)]
        amounts = [amount for _, amount in picture.reps]
        bars = ax.bar(names, amounts, color="#f0ad4e")
        money = _Money(picture.currency, words.lang)
        ax.bar_label(bars, labels=[money.short(a) for a in amounts], padding=2, fontsize=7)
        ax.yaxis.set_major_formatter(money.axis())
        ax.set_ylim(0, max(amounts + [1]) * 1.18)
        ax.tick_params(axis="x", labelsize=8, rotation=20)
        ax.spines[["top", "right"]].set_visible(False)

    def _forecast(self, fig, picture: ForecastPicture, words: _Words) -> None:
        fig.suptitle(words(picture.title), fontsize=11, fontweight=words.title_weight)
        ax = fig.add_subplot(1, 1, 1)
        ax.set_title(words(picture.expected_label), fontsize=9, loc="left")
        if not picture.deals:
            _no_data(ax, words)
            return
        money = _Money(picture.currency, words.lang)
        names = [words.clean(name) for name, _, _ in picture.deals]
        amounts = [amount for _, amount, _ in picture.deals]
        expected = [amount * probability for _, amount, probability in picture.deals]
        rows = range(len(names))
        ax.barh(rows, amounts, color="#d5dde8", label=words(picture.labels["amount"]))
        bars = ax.barh(rows, expected, color="#3b82c4", label=words(picture.labels["expected"]))
        ax.bar_label(bars, padding=3, fontsize=8,
                     labels=[f"{p:.0%} · {money.short(e)}" for (_, _, p), e in zip(picture.deals, expected, strict=True)])
        ax.set_yticks(rows, names)
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(money.axis())
        ax.set_xlim(0, max(amounts + [1]) * 1.1)
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)

    def _attainment(self, fig, picture: AttainmentPicture, words: _Words) -> None:
        """A bar per rep's target: attainment in %, a lighter bar to where the weighted pipeline
        would bring it, and a line at 100%."""
        fig.suptitle(words(picture.title), fontsize=11, fontweight=words.title_weight)
        ax = fig.add_subplot(1, 1, 1)
        if not picture.bars:
            _no_data(ax, words)
            return
        names = [f"{words.clean(handle)} · {words(metric)}" for handle, metric, _, _ in picture.bars]
        done = [share * 100 for _, _, share, _ in picture.bars]
        projected = [(p if p is not None else s) * 100 for _, _, s, p in picture.bars]
        rows = range(len(names))
        ax.barh(rows, projected, color="#d5dde8", label=words(picture.labels["projected"]))
        bars = ax.barh(rows, done, color="#3b82c4", label=words(picture.labels["done"]))
        ax.bar_label(bars, labels=[f"{d:.0f}%" for d in done], padding=3, fontsize=8)
        ax.axvline(100, color="#d9534f", linewidth=1)
        ax.set_yticks(rows, names)
        ax.invert_yaxis()
        ax.set_xlim(0, max(projected + done + [100]) * 1.15)
        ax.set_xlabel("%", fontsize=9)
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)

    def _health(self, fig, picture: HealthPicture, words: _Words) -> None:
        """The health board: a small chart per figure (2 rows of 4), a line per team over the
        weeks, its latest value written at its end; a figure no team has says "No data"."""
        fig.suptitle(words(picture.title), fontsize=11, fontweight=words.title_weight)
        axes = fig.subplots(2, 4).flatten()
        colours = ("#3b82c4", "#f0ad4e", "#7fb77e", "#d9534f", "#8e6cc0", "#5bc0de")
        weeks = list(range(len(picture.weeks)))
        money = _Money(picture.currency, words.lang)
        keyed = None  # the legend's panel: the first one with lines (a "No data" panel has none)
        for ax, (label, kind, series) in zip(axes, picture.panels, strict=False):
            ax.set_title(words(label), fontsize=9, loc="left")
            if not any(v is not None for _, values in series for v in values):
                _no_data(ax, words)
                continue
            keyed = keyed or ax
            percent = kind == "percent"
            top = 0.0
            for i, (team, values) in enumerate(series):
                shown = [None if v is None else (v * 100 if percent else v) for v in values]
                top = max([top] + [v for v in shown if v is not None])
                colour = colours[i % len(colours)]
                ax.plot(weeks, [float("nan") if v is None else v for v in shown], marker="o", markersize=3,
                        color=colour, label=words.name(team, i + 1))
                last = shown[-1]
                if last is not None:
                    text = f"{last:.0f}%" if percent else money.short(last) if kind == "money" else f"{last:,.3g}"
                    ax.annotate(text, (weeks[-1], last), textcoords="offset points", xytext=(3, 3), fontsize=7,
                                color=colour)
            if kind == "money":
                ax.yaxis.set_major_formatter(money.axis())
            ax.set_xticks(weeks, picture.weeks, fontsize=7)
            ax.tick_params(axis="y", labelsize=7)
            ax.set_ylim(0, 5.5 if kind == "score" else max(top * 1.25, 10 if percent else 1))
            ax.spines[["top", "right"]].set_visible(False)
        if keyed is not None and len(picture.panels[0][2]) > 1:  # which line is which team
            keyed.legend(loc="best", fontsize=7, frameon=False)


@dataclass(frozen=True)
class Layout:
    """One kind of chart: the figure's size for a picture, and what draws the picture on it."""

    size: Callable[[Any], tuple[float, float]]
    draw: Callable[[MatplotlibCharts, Any, Any, _Words], None]  # (charts, figure, picture, words)


SCORECARD = Layout(lambda picture: (6.4, 10.5), lambda charts, fig, picture, words: charts._scorecard(fig, picture, words))
FUNNEL = Layout(lambda picture: (6.4, 4.2),
                lambda charts, fig, picture, words: charts._funnel(fig.add_subplot(1, 1, 1), picture, words))
FORECAST = Layout(lambda picture: (6.4, 2.2 + 0.45 * max(1, len(picture.deals))),
                  lambda charts, fig, picture, words: charts._forecast(fig, picture, words))
HEALTH = Layout(lambda picture: (10.0, 5.2),
                lambda charts, fig, picture, words: charts._health(fig, picture, words))
ATTAINMENT = Layout(lambda picture: (6.4, 1.8 + 0.45 * max(1, len(picture.bars))),
                    lambda charts, fig, picture, words: charts._attainment(fig, picture, words))


def _no_data(ax, words: _Words) -> None:
    """An empty part of a chart: one sentence where the axes would be (no -0.04…0.04 ticks)."""
    ax.set_axis_off()
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, "暂无数据" if words.lang == "zh" else "No data", ha="center", va="center",
            fontsize=11, color="#777777", transform=ax.transAxes)


class _Money:
    """Amounts on a chart as in the chat: ¥50,000, and on a Chinese chart 5万 from ten thousand."""

    def __init__(self, currency: str, lang: str):
        self.currency, self.lang = currency, lang

    def short(self, amount: float) -> str:
        return format_money(Decimal(str(round(amount))), self.currency, self.lang)

    def tick(self, value: float, _position=None) -> str:
        if self.lang == "zh" and abs(value) >= 10_000:
            return f"{value / 10_000:,.4g}万"
        return f"{value:,.0f}"

    def axis(self):
        from matplotlib.ticker import FuncFormatter

        return FuncFormatter(self.tick)


class _Words:
    """Picks each label's language, and keeps characters the fonts cannot draw off the chart."""

    def __init__(self, lang: str, font: str | None):
        self.lang, self.font = lang, font
        # The packaged CJK font has no bold face: asking for one logs a warning for each chart.
        self.title_weight = "normal" if font else "bold"
        self.drawable = _charmap(_font_file("DejaVu Sans")) | (_charmap(_font_file(font)) if font else frozenset())

    def __call__(self, words) -> str:
        return self.clean(words.get(self.lang))

    def clean(self, text: str) -> str:
        """The text as the fonts here can draw it: Chinese characters no font has become pinyin
        (a team named 华南 reads "Huanan" without a CJK font), and anything else undrawable (an
        emoji) is left out, never a box or a "?"."""
        out: list[str] = []
        han: list[str] = []
        for ch in text:
            if ch.isspace() or ord(ch) in self.drawable:
                _flush_pinyin(han, out)
                out.append(ch)
            elif _is_han(ch):
                han.append(ch)
        _flush_pinyin(han, out)
        return " ".join("".join(out).split())

    def name(self, text: str, number: int) -> str:
        """A member's handle as it can be drawn, or "#<number>" when nothing of it can."""
        return self.clean(text) or f"#{number}"


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _flush_pinyin(han: list[str], out: list[str]) -> None:
    """A run of Chinese characters as one capitalised pinyin word: 华南 -> Huanan."""
    if not han:
        return
    from pypinyin import lazy_pinyin

    word = "".join(lazy_pinyin("".join(han))).capitalize()
    if out and out[-1][-1:].isalnum():
        out.append(" ")
    out.append(word)
    han.clear()


@cache
def _font_file(family: str) -> str:
    from matplotlib import font_manager

    return font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=True)


class _font_context:  # noqa: N801 (used as a context manager)
    def __init__(self, font: str | None):
        self.font = font

    def __enter__(self):
        import matplotlib

        family = [self.font, "DejaVu Sans"] if self.font else ["DejaVu Sans"]
        self._rc = matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": family,
                                          "axes.unicode_minus": False})
        self._rc.__enter__()

    def __exit__(self, *exc):
        return self._rc.__exit__(*exc)
