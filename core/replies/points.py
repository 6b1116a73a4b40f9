"""What the leaderboard says (core.performance.standings.Board): in `leaderboard` and the weekly digest."""

from __future__ import annotations

from core.language.i18n import t
from core.performance.standings import Board


def board_lines(result: Board, names: dict[int, str], lang: str, *, top: int | None) -> list[str]:
    """The ranking (the first `top` when given; ties share a rank) and the most improved."""
    rows = result.rows if top is None else [r for r in result.rows if r.points > 0][:top]
    if not any(r.points for r in result.rows):
        return [t("points.board_empty", lang)]
    lines, rank, last = [], 0, None
    for n, row in enumerate(rows, start=1):
        if row.points != last:
            rank, last = n, row.points
        lines.append(t("points.board_line", lang, rank=rank, who=names.get(row.member_id, "?"), points=row.points,
                       change=f"{row.improvement:+d}"))
    if result.improved is not None:
        lines.append(t("points.improved", lang, who=names.get(result.improved.member_id, "?"),
                       change=f"{result.improved.improvement:+d}"))
    return lines


def digest_lines(result: Board, names: dict[int, str], lang: str, top: int = 3) -> list[str]:
    """The weekly digest's part: the top three and the most improved; nothing when points are
    off or nobody earned any."""
    if not result.rules.enabled or not any(r.points for r in result.rows):
        return []
    return [t("points.digest_head", lang), *board_lines(result, names, lang, top=top)]
