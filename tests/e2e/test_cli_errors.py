"""Every error of the `dealbot` command is one sentence on stderr and an exit code: no traceback,
no exception class names, whatever the operator got wrong (issue 15 §4)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import DEALBOT, dealbot_env

pytestmark = pytest.mark.slow


def assert_one_sentence(result: subprocess.CompletedProcess, command: str, says: str, code: int = 2) -> None:
    lines = result.stderr.splitlines()
    assert result.returncode == code, (result.returncode, result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"dealbot {command}: ") and says in lines[0], lines[0]
    assert "Error" not in lines[0] and "Traceback" not in result.stdout + result.stderr


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "gbk.csv").write_bytes("客户,金额\n华为,5万\n".encode("gbk"))
    (tmp_path / "latin1.toml").write_bytes(b"[[stages]]\nkey = \"caf\xe9\"\n")
    (tmp_path / "broken.toml").write_text("[[stages]\n", encoding="utf-8")
    (tmp_path / "a-folder").mkdir()
    return tmp_path


CASES = [
    # (arguments, extra environment, the command's name in the sentence, what the sentence says)
    # `dealbot import` and `export` report a file or team they cannot use in their own way (the sentence, then the count of
    # errors, exit code 1): tests/e2e/test_import_cli.py holds them to that.
    (["team-settings", "nowhere"], {}, "team-settings", "no team named 'nowhere'; teams: "),
    (["scorecard", "--team", "nowhere"], {}, "scorecard", "no team named 'nowhere'"),
    (["migrate", "abc"], {}, "migrate", "there is no revision 'abc'; the newest is"),
    (["console"], {"DEALBOT_PIPELINE_FILE": "missing.toml"}, "console",
     "DEALBOT_PIPELINE_FILE: there is no file missing.toml"),
    (["console"], {"DEALBOT_PIPELINE_FILE": "a-folder"}, "console", "is a folder, not a TOML file"),
    (["console"], {"DEALBOT_PIPELINE_FILE": "latin1.toml"}, "console", "is not UTF-8 text"),
    (["run"], {"DEALBOT_PIPELINE_FILE": "broken.toml"}, "run", "broken.toml: not valid TOML"),
    (["console"], {"DEALBOT_LANGUAGE": "fr"}, "console", "DEALBOT_LANGUAGE=fr: DEALBOT_LANGUAGE must be en or zh"),
    (["run"], {"DEALBOT_HTTP_PORT": "eighty"}, "run", "DEALBOT_HTTP_PORT=eighty: "),
    (["console"], {"DEALBOT_DATABASE_URL": "not a url"}, "console", "DEALBOT_DATABASE_URL is not a database URL"),
    (["console"], {"DEALBOT_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/x"}, "console",
     "cannot reach the database"),
    # a number no row can have: one sentence, not the driver's OverflowError (trial report 2026-12-07)
    (["outbox", "retry", "99999999999999999999"], {}, "outbox", "there is no outbox row 99999999999999999999"),
    (["webhook", "log", "W-99999999999999999999"], {}, "webhook", "there is no webhook W-99999999999999999999"),
    (["webhook", "remove", "W-99999999999999999999"], {}, "webhook", "there is no webhook W-99999999999999999999"),
]


@pytest.mark.parametrize(("args", "env", "command", "says"), CASES, ids=[" ".join(c[0]) + str(c[1]) for c in CASES])
def test_one_sentence_and_an_exit_code(run_dealbot, files, args, env, command, says):
    assert_one_sentence(run_dealbot(args, stdin="help\n", **env), command, says)


def test_a_closed_pipe_stops_the_console_quietly(database_url: str, tmp_path: Path):
    """`dealbot console | head -1`: the reader goes away; no BrokenPipeError, exit 141 as a shell says."""
    lines = "help\n" * 5000
    process = subprocess.Popen([str(DEALBOT), "console"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=tmp_path, env=dealbot_env(database_url, tmp_path))
    process.stdin.write(lines.encode())  # ~25 kB: fits in the pipe whether it reads or not
    process.stdin.close()
    process.stdout.readline()
    process.stdout.close()  # what `head -1` does after its line
    assert process.wait(timeout=60) == 141
    assert process.stderr.read() == b""


def test_postgresql_without_tables_says_run_migrate(make_pg_database, tmp_path: Path):
    url = make_pg_database()  # an empty database: nobody ran `dealbot migrate`
    result = subprocess.run([str(DEALBOT), "console"], input="help\n", capture_output=True, text=True,
                            cwd=tmp_path, env=dealbot_env(url, tmp_path), timeout=60)
    assert_one_sentence(result, "console", "the database has no dealbot tables yet: run `dealbot migrate`")
    migrated = subprocess.run([str(DEALBOT), "migrate"], capture_output=True, text=True, cwd=tmp_path,
                              env=dealbot_env(url, tmp_path), timeout=60)
    assert migrated.returncode == 0, migrated.stderr
    after = subprocess.run([str(DEALBOT), "console"], input="help\n", capture_output=True, text=True,
                           cwd=tmp_path, env=dealbot_env(url, tmp_path), timeout=60)
    assert after.returncode == 0 and "help" in after.stdout, after.stderr


def test_every_subcommands_help_says_what_it_does_and_what_its_arguments_are():
    """The new-user trial: `dealbot console --help` (run, migrate, doctor, demo too) said only
    “usage: … options: -h”, and `file` or `revision` had no word of help."""
    import argparse

    from bot.cli import _parser

    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        assert command.description, name
        for action in command._actions:
            if not action.option_strings:  # a positional argument
                assert action.help, (name, action.dest)
