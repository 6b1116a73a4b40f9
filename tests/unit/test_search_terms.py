"""What the search index holds for a text and what a query asks of it (core/search/terms.py),
the ranking and snippets (core/search/results.py), and `find` on the fakes in both languages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.search import results as r
from core.search.terms import Term, index_text, name_text, read_query, typo_limit, vocabulary
from storage.search import fts_query, ts_query
from tests.fakes import ChatHarness


def test_han_runs_are_indexed_as_overlapping_pairs_and_their_last_character():
    assert index_text("Acme") == "Acme"
    assert index_text("华为技术").split() == ["华为", "为技", "技术", "术"]
    assert index_text("明天和Acme开会").split() == ["明天", "天和", "和", "Acme", "开会", "会"]


def test_names_carry_the_pinyin_of_each_syllable_onwards():
    assert name_text(["华为技术"]).split()[-4:] == ["huaweijishu", "weijishu", "jishu", "shu"]
    assert vocabulary(["Acme Corp", "华为", "王", "A1"]) == {"acme", "corp", "huawei", "wang"}


@pytest.mark.parametrize(("query", "name", "found"), [
    ("华为", "华为技术有限公司", True),  # a Chinese substring
    ("技术有限", "华为技术有限公司", True),
    ("华技", "华为技术有限公司", False),  # not next to each other
    ("acm", "Acme Corp", True),  # an English prefix
    ("cme", "Acme Corp", False),  # not the start of a word
    ("ACME corp", "Acme Corp", True),
    ("huawei", "华为技术有限公司", True),  # pinyin
    ("weiji", "华为技术有限公司", True),
    ("Acmee", "Acme", False),  # typos are corrected first (core.services.search), not matched
])
def test_a_query_matches_a_name(query, name, found):
    assert read_query(query).matches(name) is found


def test_messages_match_without_pinyin_and_short_words_whole():
    query = read_query("huawei")
    assert not query.matches("华为的报价", pinyin=False)
    assert Term("qu").prefix(in_messages=True) is False and Term("quo").prefix(in_messages=True) is True
    assert Term("华", han=True).prefix(in_messages=True) and not Term("华为", han=True).prefix(in_messages=True)


def test_deal_numbers_and_the_databases_query_syntax():
    assert read_query("D-12").deal_number == 12 and read_query("#7").deal_number == 7
    query = read_query("Acme 技术有限 华")
    assert fts_query(query, in_messages=False) == '"acme"* "技术 术有 有限" "华"*'
    assert ts_query(query, in_messages=True) == "('acme':*) & ('技术' <-> '术有' <-> '有限') & ('华':*)"
    assert read_query("Acme's \"quote\" OR NEAR").terms == tuple(
        Term(w) for w in ("acme", "s", "quote", "or", "near"))  # no syntax of either database gets through


def test_typo_limits_grow_with_the_word():
    assert [typo_limit(w) for w in ("acm", "acme", "acmecorp")] == [0, 1, 2]


def test_names_rank_the_whole_name_then_its_start_then_the_rest_deals_first():
    query = read_query("acme")
    hits = [r.NameHit(r.CUSTOMER, 3, ("Big Acme",), "Big Acme"), r.NameHit(r.DEAL, 2, ("Acme pilot", "Acme"), "Acme"),
            r.NameHit(r.CUSTOMER, 1, ("Acme",), "Acme"), r.NameHit(r.CUSTOMER, 4, ("Beta",), "Beta")]
    assert [(hit.kind, hit.id) for hit, _ in r.rank_names(query, hits)] == [
        (r.CUSTOMER, 1), (r.DEAL, 2), (r.CUSTOMER, 3)]  # Beta: the index lagged; the row says no


def test_messages_are_checked_again_and_the_newest_come_first():
    at = datetime(2026, 3, 1, tzinfo=UTC)
    hits = [r.MessageHit(1, "message", "the quote is fine", at, 1, None, None),
            r.MessageHit(2, "message", "", at, 1, None, None),  # erased behind the index
            r.MessageHit(3, "note", "quote sent", at.replace(day=2), 1, None, None)]
    assert [hit.id for hit in r.real_messages(read_query("quote"), hits)] == [3, 1]


def test_a_snippet_is_cut_around_the_first_word_found():
    text = "Hello there. " * 10 + "The revised quote is attached, please check it before Friday."
    assert r.snippet(text, read_query("quote")).startswith("…") and "quote" in r.snippet(text, read_query("quote"))
    assert r.snippet("short one", read_query("x")) == "short one"


def test_find_on_the_fakes_in_both_languages():
    h = ChatHarness()
    h.say("boss", "new Acme 50k")
    h.say("boss", "new 华为技术有限公司 5万")
    h.say("boss", "log D-1 sent the revised quote")
    assert h.say("boss", "find acm").lines[:2] == ["Deal D-1 · Acme (Lead)", "Customer · Acme"]
    assert h.say("boss", "搜索 华为").lines[0] == "商机 D-2 · 华为技术有限公司（线索）"
    assert h.say("boss", "find huawei").lines[0] == "Deal D-2 · 华为技术有限公司 (Lead)"
    reply = h.say("boss", "find Acmee")
    assert reply.title == "Nothing for “Acmee”; showing “acme”." and reply.lines[0] == "Deal D-1 · Acme (Lead)"
    assert h.say("boss", "find quote").lines == ["Follow-up · D-1 · 2026-03-04: sent the revised quote"]
    assert h.say("boss", "find zebra").title == "Nothing found for “zebra” among what you may see."
    assert h.say("boss", "搜索 斑马").title == "在您可查看的范围内没有找到“斑马”。"
    empty = h.say("boss", "find")
    assert empty.is_error and empty.title.startswith("Tell me what to look for")
    assert h.say("boss", "搜索").title.startswith("请告诉我要找什么")
    assert h.say("boss", "find ???").is_error


def test_a_typo_is_measured_against_the_beginnings_of_a_names_pinyin():
    import random

    from core.language.verbs import edit_distance
    from core.services.search import _nearest_start, _prefix_distances

    rng = random.Random(7)
    for _ in range(2000):  # one table gives what edit_distance gives for each beginning
        a = "".join(rng.choice("huawejs") for _ in range(rng.randint(1, 7)))
        b = "".join(rng.choice("huawejs") for _ in range(rng.randint(0, 9)))
        assert [min(d, 3) for d in _prefix_distances(a, b)] == [edit_distance(a, b[:j], 2) for j in range(len(b) + 1)]
    name = "huaweijishuyouxiangongsi"  # 华为技术有限公司
    assert [_nearest_start(typo, name, 1)[-1] for typo in ("huwei", "huawie", "huaweii", "huawai")] == ["huawei"] * 4
    assert _nearest_start("hxwxi", name, 1) is None
    assert _nearest_start("huawei", name, 1)[-1] != "huawei"  # the word typed is never its own correction
