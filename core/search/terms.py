"""The words of the search index and of a query, the same on both databases.

Both databases split the indexed text into words of letters and digits (SQLite FTS5's unicode61
tokenizer, PostgreSQL's `to_tsvector('simple', …)`), neither knows where one Chinese word ends.
So before indexing, a run of Chinese characters is written as its overlapping pairs plus its
last character: 华为技术 → `华为 为技 技术 术`. A Chinese query of two characters or more is then
the phrase of its pairs (技术有限 → `技术 术有 有限`, next to each other: a substring of the run),
one character is a prefix of a pair; an English word is a prefix of a word. A name (a deal, a
customer, a contact) also carries the pinyin of its Chinese, each syllable onwards joined
(华为技术 → `huaweijishu weijishu jishu shu`), so `huawei` finds 华为. Message bodies carry no
pinyin: pypinyin costs ~80 µs a sentence, more than storing the message (bench/search.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

# Han ideographs (the unified blocks, the extensions, the compatibility block).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN = re.compile(f"[{_HAN}]+")
# A word: letters and digits that are not Han (Han runs are their own terms).
_WORD = re.compile(f"[^\\W_{_HAN}]+")
_TERM = re.compile(f"[{_HAN}]+|[^\\W_{_HAN}]+")
_DEAL_REF = re.compile(r"^(?:d-?|#)(\d{1,9})$", re.IGNORECASE)
_PINYIN_RUN = 16  # the pinyin of a longer run of a name keeps its first 16 syllables
MESSAGE_PREFIX = 3  # in messages, a word of at least this many letters may be a prefix; shorter, whole


def _pinyin(run: str) -> list[str]:
    """The syllables of a Han run. pypinyin is imported on first use: loading its dictionary takes
    ~0.3 s, which `dealbot --help` and every start that never meets Chinese should not pay."""
    from pypinyin import lazy_pinyin

    return [s for s in lazy_pinyin(run[:_PINYIN_RUN]) if s.isascii() and s.isalpha()]


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _pairs(match: re.Match[str]) -> str:
    run = match[0]
    pairs = [run[i:i + 2] for i in range(len(run) - 1)]
    return " " + " ".join([*pairs, run[-1]]) + " "


def index_text(text: str) -> str:
    """The text as the index stores it: Han runs as pairs (module docstring), the rest as typed."""
    if text.isascii():
        return text
    return _HAN_RUN.sub(_pairs, text)


@lru_cache(maxsize=4096)
def pinyin_words(text: str) -> tuple[str, ...]:
    """The pinyin of each Han run of a name, from each syllable onwards, joined."""
    words: list[str] = []
    for run in _HAN_RUN.findall(text):
        syllables = _pinyin(run)
        words.extend("".join(syllables[i:]) for i in range(len(syllables)))
    return tuple(words)


def name_text(names: Iterable[str]) -> str:
    """A name document of the index: the names, then their pinyin."""
    names = [n for n in names if n]
    pinyin = [w for n in names if not n.isascii() for w in pinyin_words(n)]
    return " ".join([index_text(n) for n in names] + pinyin)


def vocabulary(names: Iterable[str]) -> set[str]:
    """The English words and whole-run pinyin of names, for correcting typos (`Acmee` → acme)."""
    found: set[str] = set()
    for name in names:
        folded = fold(name)
        found.update(w for w in _WORD.findall(folded) if len(w) >= 3 and w.isascii())
        for run in _HAN_RUN.findall(name):
            whole = "".join(_pinyin(run))
            if len(whole) >= 3:
                found.add(whole)
    return found


@dataclass(frozen=True)
class Term:
    """One part of a query: a word (a prefix, or whole) or a run of Han characters."""

    text: str  # folded
    han: bool = False
    whole: bool = False  # an English word matched whole, never as a prefix

    def prefix(self, in_messages: bool) -> bool:
        if self.han:
            return len(self.text) == 1
        return not self.whole and (not in_messages or len(self.text) >= MESSAGE_PREFIX)

    def tokens(self) -> list[str]:
        """What the index holds for it: the word, or the Han run's pairs (one character alone)."""
        if not self.han or len(self.text) == 1:
            return [self.text]
        return [self.text[i:i + 2] for i in range(len(self.text) - 1)]

    def matches(self, words: Sequence[str], text: str) -> bool:
        """Whether a document (its folded text, its words and pinyin) holds this term."""
        if self.han:
            return self.text in text
        return any(w.startswith(self.text) for w in words)


@dataclass(frozen=True)
class Query:
    text: str  # as typed, for the reply
    terms: tuple[Term, ...]
    deal_number: int | None = None  # `find D-12`

    def matches(self, text: str, pinyin: bool = True) -> bool:
        """Whether a name (or message) holds every term: the index's answer checked on the
        row as it is now, so an index row that lags behind is never shown."""
        folded = fold(text)
        words = _WORD.findall(folded)
        if pinyin and not text.isascii():
            words += pinyin_words(text)
        return all(term.matches(words, folded) for term in self.terms)

    def replaced(self, old: Term, new: Sequence[str]) -> list[Query]:
        """The query with one word replaced by each of its corrections."""
        return [Query(self.text, tuple(Term(w) if t == old else t for t in self.terms)) for w in new]


def read_query(text: str) -> Query:
    """The terms of what was typed after `find`: English words, Han runs, a deal's `D-12`."""
    folded = fold(text).strip()
    ref = _DEAL_REF.match(folded)
    if ref:
        return Query(text, (), deal_number=int(ref[1]))
    seen: dict[str, Term] = {}
    for part in _TERM.findall(folded):
        seen.setdefault(part, Term(part, han=bool(_HAN_RUN.fullmatch(part))))
    return Query(text, tuple(seen.values()))


def typo_limit(word: str) -> int:
    """How many edits a word of this length may be off: none under 4 letters, one, two from 8."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2
