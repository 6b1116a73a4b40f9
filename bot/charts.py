"""MatplotlibCharts: the Charts port of core.ports, as PNG files drawn with matplotlib's Agg backend.

matplotlib is imported on first use (not at start-up), and only its object API is used (Figure
plus FigureCanvasAgg, no pyplot and no global figure state), under a lock, because commands run
in worker threads. Chinese labels need a font with CJK glyphs: the `zh-charts` extra installs
Noto Sans CJK SC (from the mplfonts package), or the system's (Debian: fonts-noto-cjk); when
none is there the chart uses the English labels, and any name the font cannot draw is
replaced, so a chart never shows boxes in place of characters. Files are named by a hash of
their content: the same figures give the same file.
"""

from __future__ import annotations

import hashlib
import threading
from functools import cache
from pathlib import Path

from core.analytics.pictures import FunnelPicture, ScorecardPicture

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
        return self._draw(repr(picture), lang, lambda fig, words: self._scorecard(fig, picture, words),
                          (6.4, 10.5))

    def funnel(self, picture: FunnelPicture, lang: str) -> str:
        return self._draw(repr(picture), lang, lambda fig, words: self._funnel(fig.add_subplot(1, 1, 1), picture, words),
                          (6.4, 4.2))

    # -- drawing ------------------------------------------------------------------------------------
    def _font(self) -> str | None:
        return cjk_font() if self._cjk is True else (self._cjk or None)

    def _draw(self, content: str, lang: str, paint, size: tuple[float, float]) -> str:
        with _LOCK:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            font = self._font()
            lang = lang if lang == "zh" and font else "en"
            words = _Words(lang, font)
            digest = hashlib.sha256(f"{lang}|{font}|{content}".encode()).hexdigest()[:16]
            path = self.directory / f"chart-{digest}.png"
            if path.exists():
                return str(path)
            self.directory.mkdir(parents=True, exist_ok=True)
            fig = Figure(figsize=size, dpi=110, layout="constrained")
            FigureCanvasAgg(fig)
            with _font_context(font):
                paint(fig, words)
                tmp = path.with_suffix(".tmp.png")
                fig.savefig(tmp, format="png")
            tmp.replace(path)
            return str(path)

    def _scorecard(self, fig, picture: ScorecardPicture, words: _Words) -> None:
        fig.suptitle(words(picture.title), fontsize=12, fontweight="bold")
        top, middle, bottom = fig.subplots(3, 1, height_ratios=(1.2, 1, 1))
        self._funnel(top, picture.funnel, words)
        self._trend(middle, picture, words)
        self._reps(bottom, picture, words)

    def _funnel(self, ax, picture: FunnelPicture, words: _Words) -> None:
        names = [words(name) for name, _ in picture.stages]
        counts = [count for _, count in picture.stages]
        bars = ax.barh(range(len(names)), counts, color="#3b82c4")
        ax.set_yticks(range(len(names)), names)
        ax.invert_yaxis()
        ax.bar_label(bars, labels=[str(c) for c in counts], padding=3, fontsize=9)
        ax.set_title(words(picture.title), fontsize=10, loc="left")
        ax.set_xlim(0, max(counts + [1]) * 1.15)
        ax.spines[["top", "right"]].set_visible(False)

    def _trend(self, ax, picture: ScorecardPicture, words: _Words) -> None:
        weeks = [week for week, _, _ in picture.trend]
        ax.bar(weeks, [amount for _, amount, _ in picture.trend], color="#7fb77e")
        ax.set_ylabel(f"{words(picture.labels['won_amount'])} ({picture.currency})", fontsize=9)
        ax.set_title(words(picture.trend_title), fontsize=10, loc="left")
        rates = ax.twinx()
        rates.plot(weeks, [None if r is None else r * 100 for _, _, r in picture.trend], color="#d9534f",
                   marker="o")
        rates.set_ylabel(f"{words(picture.labels['win_rate'])} (%)", fontsize=9)
        rates.set_ylim(0, 100)
        ax.spines[["top"]].set_visible(False)

    def _reps(self, ax, picture: ScorecardPicture, words: _Words) -> None:
        names = [words.name(handle, i) for i, (handle, _) in enumerate(picture.reps, start=1)]
        amounts = [amount for _, amount in picture.reps]
        ax.bar(names, amounts, color="#f0ad4e")
        ax.set_title(f"{words(picture.reps_title)} ({picture.currency})", fontsize=10, loc="left")
        ax.tick_params(axis="x", labelsize=8, rotation=20)
        ax.spines[["top", "right"]].set_visible(False)


class _Words:
    """Picks each label's language, and keeps characters the fonts cannot draw off the chart."""

    def __init__(self, lang: str, font: str | None):
        self.lang, self.font = lang, font
        self.drawable = _charmap(_font_file("DejaVu Sans")) | (_charmap(_font_file(font)) if font else frozenset())

    def __call__(self, words) -> str:
        return self.clean(words.get(self.lang))

    def clean(self, text: str) -> str:
        """Each run of characters no font here can draw becomes one "?" (a team named 华南
        without a CJK font), never a row of boxes."""
        out = []
        for ch in text:
            if ch.isspace() or ord(ch) in self.drawable:
                out.append(ch)
            elif not out or out[-1] != "?":
                out.append("?")
        return "".join(out)

    def name(self, text: str, number: int) -> str:
        """A member's handle, or "#<number>" when it cannot be drawn."""
        cleaned = self.clean(text)
        return text if cleaned == text else f"#{number}"


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
