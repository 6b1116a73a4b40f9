"""The words the docs teach are the bot's: every Chinese term of docs/glossary.md occurs in the
core's code (its sentences, verbs, stage names and parser keywords), and docs/commands.md lists
every verb with its Chinese name, its aliases and its usage in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from core.language.verbs import VERBS

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
COMMANDS = ROOT / "docs" / "commands.md"


def _core_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "core").rglob("*.py")))


def _chinese_terms() -> list[str]:
    terms = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[1] in ("中文", "---"):
            continue
        for term in re.split(r"\s*(?:/|·|,|;)\s*", cells[1]):
            if term and re.search(r"[\u4e00-\u9fff]", term):
                terms.append(term)
    return terms


def test_the_glossary_has_terms():
    assert len(_chinese_terms()) > 60


def test_every_chinese_term_is_one_the_bot_uses():
    code = _core_text()
    unused = [term for term in _chinese_terms() if term not in code]
    assert unused == [], f"docs/glossary.md lists terms the code never uses: {unused}"


def test_the_command_reference_lists_every_verb():
    page = COMMANDS.read_text(encoding="utf-8").replace("\\|", "|")
    rows = {line.split("|")[1].strip(" `"): line for line in page.splitlines() if line.startswith("| `")}
    for verb in VERBS:
        row = rows.get(verb.key)
        assert row is not None, f"docs/commands.md has no row for the verb {verb.key}"
        for word in (verb.zh, *verb.aliases, verb.usage_en, verb.usage_zh):
            assert f"`{word}`" in row, f"docs/commands.md: the row of {verb.key} lacks `{word}`"
