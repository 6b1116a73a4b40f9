"""The map cannot rot: every file, folder, link and module that README.md and docs/*.md name exists.

Three kinds of reference are checked, read from the text (code spans and prose alike):
- paths from the repository's root: `core/…`, `adapters/…`, `storage/…`, `bot/…`, `docs/…`,
  `bench/…`, `tests/…` (a `*` is a glob that must match something; a path that goes on with a
  placeholder such as `adapters/<name>/` is left alone);
- relative Markdown links, `[text](design-notes.md)`, from the page's own folder;
- dotted names of our packages: `core.language.parser`, `storage.db.writing_engine`,
  `core.domain.pipeline.Pipeline.change` — the longest prefix must be a module, and what follows
  a name defined in it (a class, function, constant, import, or an attribute a method sets on
  `self`), read with `ast`, so nothing is imported.
The code's own pointers to documents and tests (`docs/…`, `tests/…` in docstrings, comments and
--help text) must exist too.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ROOTS = ("core", "adapters", "storage", "bot", "docs", "bench", "tests")
PACKAGES = ("core", "adapters", "storage", "bot")

_PATH = re.compile(rf"(?<![\w./\-])((?:{'|'.join(ROOTS)})/[\w./*\-]*)(<?)")
_LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)\s]*)?\)")
_DOTTED = re.compile(rf"(?<![\w./\-])((?:{'|'.join(PACKAGES)})(?:\.[A-Za-z_]\w*)+)")


def _paths(text: str) -> set[str]:
    found = set()
    for match in _PATH.finditer(text):
        path, placeholder = match[1].rstrip("."), match[2]
        if placeholder:  # `adapters/<name>/`, `tests/adapters/fake_<name>.py`: a pattern, not a path
            continue
        found.add(path)
    return found


def _links(text: str) -> set[str]:
    return {target for target in _LINK.findall(text) if not re.match(r"^[a-z]+:", target)}


def _dotted(text: str) -> set[str]:
    return {name.rstrip(".") for name in _DOTTED.findall(text)}


def _exists(path: str) -> bool:
    if "*" in path:
        return any(ROOT.glob(path))
    return (ROOT / path).exists()


@cache
def _names_in(file: Path) -> dict[str, set[str]]:
    """Top-level names of a module ('' key) and each class's own names (its key)."""
    tree = ast.parse(file.read_text(encoding="utf-8"))
    names: dict[str, set[str]] = {"": set()}

    def bound(node: ast.AST) -> set[str]:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return {node.name}
        if isinstance(node, ast.Assign):
            return {t.id for t in node.targets if isinstance(t, ast.Name)}
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            return {node.target.id}
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return {(a.asname or a.name).split(".")[0] for a in node.names}
        return set()

    for node in tree.body:
        names[""] |= bound(node)
        if isinstance(node, ast.ClassDef):
            own = set().union(*(bound(item) for item in node.body))
            for sub in ast.walk(node):  # self.x = … in any method
                if (isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Store)
                        and isinstance(sub.value, ast.Name) and sub.value.id == "self"):
                    own.add(sub.attr)
            names[node.name] = own
    return names


def _module_file(parts: list[str]) -> Path | None:
    base = ROOT.joinpath(*parts)
    if (base / "__init__.py").exists():
        return base / "__init__.py"
    if base.with_suffix(".py").exists():
        return base.with_suffix(".py")
    return None


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        file = _module_file(parts[:cut])
        if file is None:
            continue
        rest = parts[cut:]
        if not rest:
            return True
        if file.name == "__init__.py" and (file.parent / rest[0]).exists():
            return False  # a subpackage that did not resolve as a module
        names = _names_in(file)
        if rest[0] not in names[""]:
            return False
        return len(rest) == 1 or (rest[0] in names and rest[1] in names[rest[0]])
    return False


def _references() -> list[tuple[str, str, str]]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        name = page.relative_to(ROOT).as_posix()
        found += [(name, "path", path) for path in sorted(_paths(text))]
        found += [(name, "link", link) for link in sorted(_links(text))]
        found += [(name, "module", dotted) for dotted in sorted(_dotted(text))]
    return found


def test_the_pages_name_things_to_check():
    kinds = {kind for _, kind, _ in _references()}
    assert kinds == {"path", "link", "module"}
    assert (ROOT / "docs" / "architecture.md") in PAGES


@pytest.mark.parametrize("page, kind, reference", _references())
def test_reference_exists(page: str, kind: str, reference: str):
    if kind == "path":
        assert _exists(reference), f"{page} names {reference}, which is not in the repository"
    elif kind == "link":
        target = (ROOT / page).parent / reference
        assert target.exists(), f"{page} links to {reference}, which is not in the repository"
    else:
        assert _resolves(reference), f"{page} names the module or name {reference}, which does not exist"


CODE = ("core", "adapters", "storage", "bot", "bench", "tests")
_POINTER = re.compile(r"(?<![\w./\-])((?:docs|tests)/[\w./*\-]*\w)(<?)")


def _code_pointers() -> list[tuple[str, str]]:
    found = []
    for package in CODE:
        for file in sorted((ROOT / package).rglob("*.py")):
            text = file.read_text(encoding="utf-8")
            found += [(file.relative_to(ROOT).as_posix(), m[1]) for m in _POINTER.finditer(text) if not m[2]]
    return found


def test_code_points_to_documents_and_tests_that_exist():
    """Docstrings, comments and --help name docs/… and tests/… files that are in the repository."""
    pointers = _code_pointers()
    assert any(path.startswith("docs/") for _, path in pointers)
    missing = [(file, path) for file, path in pointers if not _exists(path)]
    assert missing == [], f"code points to files that are not in the repository: {missing}"


def test_the_checks_catch_what_is_gone():
    """The checks themselves: a moved module, a stale name, a missing file are caught."""
    assert _resolves("core.language.verbs.parse")
    assert _resolves("core.app.dealbot.Dealbot.writing_uow_factory")
    assert not _resolves("core.parser")
    assert not _resolves("core.language.parser.no_such_function")
    assert not _resolves("core.domain.pipeline.Pipeline.no_such_method")
    assert _paths("see `core/language/verbs.py`, adapters/<name>/ and bench/README.md.") == {
        "core/language/verbs.py", "bench/README.md"}
    assert not _exists("core/no_such_module.py")
    assert _exists("tests/e2e/test_command_crash_*.py")
    assert _links("[a](slack.md) [b](https://example.org) [c](security.md#erasure)") == {"slack.md", "security.md"}
