"""Arbitrary Unicode never breaks the parser or the bot: only ParseError escapes parse(), and
Dealbot.handle always answers with a Reply."""

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.domain.pipeline import DEFAULT_PIPELINE
from core.language.errors import ParseError
from core.language.parser import ParseContext
from core.language.verbs import VERBS, parse
from tests.fakes import ChatHarness

CTX = ParseContext(datetime(2026, 3, 4, 2, 0, tzinfo=UTC), "Asia/Shanghai", DEFAULT_PIPELINE)
VERB_WORDS = [name for v in VERBS for name in (v.key, v.zh)]

# Free text, and text that starts with a real verb so the argument parsers get exercised too.
messages = st.one_of(
    st.text(max_size=200),
    st.builds(lambda v, rest: f"{v} {rest}", st.sampled_from(VERB_WORDS), st.text(max_size=120)),
    st.builds(lambda v, rest: f"{v} D-1 {rest}", st.sampled_from(VERB_WORDS), st.text(max_size=80)),
)


@given(messages)
@settings(max_examples=600, deadline=None)
def test_parse_raises_only_parse_error(text):
    with contextlib.suppress(ParseError):  # anything else fails the test
        parse(text, CTX)


@pytest.mark.slow  # 5 s in a full run on a loaded 2-core machine
@given(st.lists(messages, min_size=1, max_size=5))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_bot_always_answers(texts):
    chat = ChatHarness()
    chat.say("alice", "new Acme 50k")
    for text in texts:
        reply = chat.say("alice", text)
        assert reply.title
        if reply.is_error:
            assert "Traceback" not in reply.text()
            assert "something went wrong" not in reply.title  # a crash, not a user error
