"""Both languages are complete: every sentence exists in each, with the same placeholders."""

import string

import pytest

from core.language.i18n import MESSAGES, detect_language
from core.language.verbs import VERBS


def fields(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_both_languages_have_the_same_placeholders(key):
    entry = MESSAGES[key]
    assert set(entry) == {"en", "zh"}
    assert fields(entry["en"]) == fields(entry["zh"])


def test_chinese_text_is_chinese():
    for key, entry in MESSAGES.items():
        if entry["en"].strip() and any(ch.isalpha() for ch in entry["en"]) and not key.startswith("kind."):
            assert entry["zh"] != entry["en"], key


def test_every_verb_has_chinese_usage_and_summary():
    for verb in VERBS:
        assert detect_language(verb.summary_zh, "en") == "zh"
        assert detect_language(verb.zh, "en") == "zh"


@pytest.mark.parametrize(("text", "lang"), [("推进 D-1 报价", "zh"), ("move D-1 quote", "en"), ("123", "zh")])
def test_detect_language(text, lang):
    assert detect_language(text, "zh") == lang
