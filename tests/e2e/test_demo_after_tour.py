"""README.md's order: the short tour in `dealbot console`, then `dealbot demo && dealbot --demo
console`. The demo has a database of its own, so it works after the tour (and again after
itself), the tour's deals stay, and the deal the README names shows a win probability."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.test_first_start import REPO, dealbot, first_start_env
from tests.e2e.test_readme_tour import NOW

pytestmark = pytest.mark.slow


def readme_blocks() -> list[str]:
    """The ```text blocks of README.md's tour: chat lines, each followed by its explanation."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    tour = readme[readme.index("## A short tour"):readme.index("## Commands")]
    return re.findall(r"```text\n(.*?)```", tour, flags=re.S)


def commands(block: str) -> str:
    """The chat lines of a block, without the explanation after two or more spaces."""
    return "".join(re.split(r"\s{2,}", line.strip())[0] + "\n" for line in block.splitlines() if line.strip())


def test_demo_after_the_tour_has_its_own_database(tmp_path: Path):
    # The demo is laid out backwards from now, to the minute: which open deal it names moves with
    # the hour (D-152 or D-154 on 7 Dec 2026). The README names the one at the tour's moment.
    env, cwd = first_start_env(tmp_path / "home", DEALBOT_FIXED_NOW=NOW), tmp_path
    tour, figures = readme_blocks()[:2]
    toured = dealbot(["console"], cwd, env, stdin=commands(tour))
    assert toured.returncode == 0 and "D-1" in toured.stdout, toured.stderr

    for _ in range(2):  # a second demo starts afresh too
        loaded = dealbot(["demo"], cwd, env)
        assert loaded.returncode == 0, loaded.stderr
        assert "demo loaded into " + str(tmp_path / "home" / "share" / "dealbot" / "demo.db") in loaded.stdout

    named = re.search(r"^show (D-\d+)", commands(figures), flags=re.M)[1]
    assert f"show {named}" in loaded.stdout  # the demo names the deal the README names
    card = dealbot(["--demo", "console"], cwd, env, stdin=f"show {named}\n")
    assert card.returncode == 0 and "Win probability: " in card.stdout, card.stdout + card.stderr

    own = dealbot(["console"], cwd, env, stdin="show D-1\n")
    assert "Acme" in own.stdout  # the tour's deal, untouched by the demo
