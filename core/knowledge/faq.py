"""Ranking the FAQ for `faq <words>` (问答): Chinese substrings, pinyin and English words.

A team's FAQ is small (tens to a few hundred entries), so ranking is done here, in plain
Python over the team's entries, the same on SQLite and PostgreSQL, and explainable:

- the words asked become terms: each English (or pinyin) word, stemmed lightly (invoicing →
  invoic, quotes → quote); each Chinese character but the commonest particles, and each pair of
  neighbouring characters (报价折扣 → 报, 价, 折, 扣, 报价, 价折, 折扣);
- an entry matches a term in its question, its tags or its answer (worth 1, 0.9, 0.7): a word by
  its stem or as the pinyin of a run of its Chinese characters (baojia, bao jia → 报价; every
  reading of a character counts, so 行业 is hangye and xingye, 绿 lv and lu; up to four characters
  in the question and tags, two in the answer), a character or pair where it occurs;
- rarer terms count more (idf over the team's entries), a single character half as much: the
  score is the share of the asked terms' weight an entry matches, 0–100. GOOD (35) or more is
  an answer; less is a gap.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pypinyin.pinyin_dict import pinyin_dict

from core.knowledge.records import FaqEntry

GOOD = 35  # a score from which the best entry answers the question
CHAR_WEIGHT = 0.5  # a single Chinese character says less than a word or a pair
FIELD_WEIGHTS = (("question", 1.0), ("tags", 0.9), ("answer", 0.7))
MAX_SYLLABLES = 4  # a pinyin word may stand for a run of up to this many characters
ANSWER_SYLLABLES = 2  # in an answer (long), only single characters and pairs: most words are pairs

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_EN_STOP = frozenset(["a", "an", "the", "is", "are", "was", "were", "be", "do", "does", "did", "can", "could", "should", "would", "will", "we", "our", "us", "you", "your", "i", "me", "my", "it", "its", "to", "of", "for", "in", "on", "at", "by", "with", "and", "or", "not", "no", "how", "what", "when", "where", "which", "who", "why", "there", "this", "that", "these", "those", "if", "any", "please"])
_ZH_STOP = frozenset("的了吗呢吧啊是在有和与就都也还我你他她它们这那个么什怎请问")
_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def stem(word: str) -> str:
    """invoicing, invoices, invoice → invoic; quotes, quoted → quot: one rule for both sides."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


@dataclass(frozen=True)
class Features:
    words: frozenset[str]  # stems of the Latin words
    chars: frozenset[str]
    pairs: frozenset[str]
    pinyin: frozenset[str]  # each run of 1..MAX_SYLLABLES characters spelt in pinyin, every reading


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=8192)
def features(text: str, syllables: int = MAX_SYLLABLES) -> Features:
    """What an entry's field offers to match; cached, as a team's entries are asked about again
    and again (the pinyin spellings are most of the work)."""
    folded = _fold(text)
    words = frozenset(stem(w) for w in _WORD.findall(folded))
    chars: set[str] = set()
    pairs: set[str] = set()
    pinyin: set[str] = set()
    for run in _CJK_RUN.findall(folded):
        chars.update(run)
        pairs.update(run[i:i + 2] for i in range(len(run) - 1))
        for i in range(len(run)):
            spellings = {""}
            for char in run[i:i + syllables]:
                spellings = {so_far + reading for so_far in spellings for reading in readings(char)}
                if not spellings:
                    break
                pinyin.update(spellings)
    return Features(frozenset(words), frozenset(chars), frozenset(pairs), frozenset(pinyin))


@lru_cache(maxsize=16384)
def readings(char: str) -> frozenset[str]:
    """Every toneless pinyin reading of a Chinese character, ü typed as v or u (绿: lv, lu)."""
    found = set()
    for reading in pinyin_dict.get(ord(char), "").split(","):
        decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "ü")
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        if plain:
            found.update({plain.replace("ü", "v"), plain.replace("ü", "u")})
    return frozenset(found)


Term = tuple[str, str]  # (kind, text): ("w", stem), ("c", 报), ("p", 报价)


def terms(query: str) -> list[Term]:
    """The terms of the words asked, each once, in the order asked."""
    folded = _fold(query)
    found: list[Term] = []
    for word in _WORD.findall(folded):
        if word not in _EN_STOP:
            found.append(("w", word))
    for run in _CJK_RUN.findall(folded):
        found += [("c", ch) for ch in run if ch not in _ZH_STOP]
        found += [("p", run[i:i + 2]) for i in range(len(run) - 1)]
    return list(dict.fromkeys(found))


def matches(term: Term, f: Features) -> bool:
    kind, text = term
    if kind == "w":
        return stem(text) in f.words or text in f.pinyin
    if kind == "c":
        return text in f.chars
    return text in f.pairs


@dataclass(frozen=True)
class Ranked:
    entry: FaqEntry
    score: int  # 0–100
    matched: tuple[str, ...]  # the asked terms it matched, for the explanation


def _entry_features(entry: FaqEntry) -> dict[str, Features]:
    return {"question": features(entry.question), "tags": features(" ".join(entry.tags)),
            "answer": features(entry.answer, ANSWER_SYLLABLES)}


def rank(entries: Sequence[FaqEntry], query: str) -> list[Ranked]:
    """The entries that match any asked term, best first (ties: the older entry first)."""
    asked = terms(query)
    if not asked or not entries:
        return []
    docs = [(entry, _entry_features(entry)) for entry in entries]
    n = len(docs)
    idf = {}
    for term in asked:
        df = sum(1 for _, fields in docs if any(matches(term, f) for f in fields.values()))
        idf[term] = math.log(1 + (n + 1) / (df + 0.5)) * (CHAR_WEIGHT if term[0] == "c" else 1.0)
    total = sum(idf.values())
    ranked = []
    for entry, fields in docs:
        got, matched = 0.0, []
        for term in asked:
            weight = max((w for name, w in FIELD_WEIGHTS if matches(term, fields[name])), default=0.0)
            if weight:
                got += weight * idf[term]
                matched.append(term[1])
        if matched:
            ranked.append(Ranked(entry, round(100 * got / total), tuple(matched)))
    ranked.sort(key=lambda r: (-r.score, r.entry.id or 0))
    return ranked
