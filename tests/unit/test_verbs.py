"""Every verb in help holds: its examples read to the commands it declares, each of those has a
handler, and each example is handled without an internal error, in English and in Chinese.
README's command table is the one help makes from the same declarations."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core.app.handlers import HANDLERS, bound
from core.domain.model import Role
from core.domain.pipeline import DEFAULT_PIPELINE
from core.language import commands as c
from core.language.i18n import t
from core.language.parser import ParseContext
from core.language.verbs import VERBS, Verb, find_verb, parse
from core.services.help import command_table
from tests.fakes import ChatHarness, FixedClock

README = Path(__file__).resolve().parents[2] / "README.md"
NOW = FixedClock().now()


def _help_verbs(lang: str) -> list[Verb]:
    """The verbs `help` lists, found by the names it shows."""
    h = ChatHarness()
    reply = h.say("boss", "help" if lang == "en" else "帮助")
    names = [line.split(" — ", 1)[0] for line in reply.lines if " — " in line]
    verbs = [find_verb(name) for name in names]
    assert None not in verbs, names
    return verbs


EXAMPLES = [(verb.key, example) for verb in _help_verbs("en") for example in verb.examples]


def test_help_lists_every_verb_once_in_both_languages():
    assert _help_verbs("en") == _help_verbs("zh") == list(VERBS)


@pytest.mark.parametrize("verb", VERBS, ids=lambda verb: verb.key)
def test_the_examples_read_to_each_command_of_their_verb(verb):
    ctx = ParseContext(NOW, "Asia/Shanghai", DEFAULT_PIPELINE)
    read = set()
    for example in verb.examples:
        command = parse(example, ctx)
        assert type(command) in verb.commands, (example, command)
        read.add(type(command))
    assert read == set(verb.commands), f"{verb.key}: no example reads to {set(verb.commands) - read}"


@pytest.mark.parametrize("verb", VERBS, ids=lambda verb: verb.key)
def test_help_says_who_may_use_a_verb_as_its_commands_declare(verb):
    """A verb only managers or admins may use (Command.who of each of its commands) says so in
    help; a verb says so only when some of its commands are theirs alone."""
    rank = [Role.REP, Role.MANAGER, Role.ADMIN].index
    least = min((command.who for command in verb.commands), key=rank)
    most = max((command.who for command in verb.commands), key=rank)
    words = {Role.ADMIN: ("admins", "管理员"), Role.MANAGER: ("managers", "主管")}
    if least != Role.REP:
        en, zh = words[least]
        assert en in verb.summary_en and zh in verb.summary_zh, verb.key
    said = [role for role, (en, zh) in words.items() if en in verb.summary_en or zh in verb.summary_zh]
    assert not said or most != Role.REP, (verb.key, said)


def test_every_command_of_every_verb_has_its_handler():
    assert set(HANDLERS) == {command for verb in VERBS for command in verb.commands}
    assert all(callable(handler) for handler in HANDLERS.values())


def test_binding_a_command_without_a_handler_or_a_handler_without_a_verb_fails_at_import():
    with pytest.raises(RuntimeError, match="no handler for \\['NewDeal'\\]"):
        bound(VERBS, {k: v for k, v in HANDLERS.items() if k is not c.NewDeal})

    class Stray(c.Command):
        pass

    with pytest.raises(RuntimeError, match="no verb reads to \\['Stray'\\]"):
        bound(VERBS, {**HANDLERS, Stray: HANDLERS[c.Help]})


@pytest.mark.parametrize(("verb", "example"), EXAMPLES)
def test_each_example_is_handled_without_an_internal_error(verb, example, caplog):
    """By an admin, in a team with a deal (D-1) and a task (T-1): every command may run, and the
    refusals it meets (no such suggestion, an unknown code) are the user's errors, never a crash."""
    h = ChatHarness()
    h.say("boss", "me")
    h.say("alice", "me")
    assert not h.say("boss", "new Acme 50k").is_error
    assert not h.say("boss", "task call back D-1 tomorrow").is_error
    with caplog.at_level(logging.ERROR):
        reply = h.say("boss", example)
    assert reply.title not in (t("err.internal", "en"), t("err.internal", "zh")), (example, reply.text())
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], example
    assert find_verb(example.split()[0]).key == verb


def test_readme_command_table_is_the_generated_one():
    assert command_table() in README.read_text(encoding="utf-8"), (
        "README's command table differs from the verbs' declarations; paste this in its place:\n"
        + command_table())
