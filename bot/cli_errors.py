"""What the `dealbot` command says when it cannot do what it was asked: one sentence on stderr
and an exit code, never a traceback (the log file keeps the details of anything unexpected).

Exit codes: 2 the input, a setting or the database needs the operator's attention (the sentence
says what to do); 1 anything unexpected; 141 the reader of our output went away
(`dealbot console | head`), as a shell reports a pipe closed under a command.
"""

from __future__ import annotations

import errno
import re

from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError, OperationalError

NEEDS_ATTENTION = 2
UNEXPECTED = 1
CLOSED_PIPE = 141


class CliError(Exception):
    """An error a subcommand explains itself: `message` is the sentence, `code` the exit code."""

    def __init__(self, message: str, code: int = NEEDS_ATTENTION):
        super().__init__(message)
        self.code = code


def team_named(uow, defaults, name: str):
    """The team of that name; the default team (DEALBOT_TEAM) is made as dealbot's first start
    makes it, so `team-settings` and `token create` work before it; else CliError."""
    from core.services.people import default_team

    team = uow.teams.by_name(name)
    if team is None and name == defaults.team_name:
        team = default_team(uow, defaults)
    if team is None:
        raise CliError(no_such_team(name, uow.teams.list()))
    return team


def no_such_team(name: str, teams) -> str:
    known = ", ".join(team.name for team in teams) or "none yet (the default team, DEALBOT_TEAM, is made when " \
        "dealbot first starts: dealbot console)"
    return f"no team named '{name}'; teams: {known}"


def explain(error: BaseException) -> tuple[str, int] | None:
    """(the sentence, the exit code) for an error the operator can act on; None for the rest."""
    from alembic.util.exc import CommandError

    from bot.analytics import FiguresError
    from bot.config import ConfigError
    from core.domain.pipeline import PipelineError
    from core.files.deal_rows import TransferError
    from storage.backup import BackupError
    from storage.migrate import SchemaNotReady

    if isinstance(error, CliError):
        return str(error), error.code
    if isinstance(error, (ConfigError, SchemaNotReady, FiguresError, TransferError, PipelineError, BackupError)):
        return str(error), NEEDS_ATTENTION
    if isinstance(error, ValidationError):
        return _setting(error), NEEDS_ATTENTION
    if isinstance(error, CommandError):  # alembic: an unknown revision, mostly
        return _revision(error), NEEDS_ATTENTION
    if isinstance(error, OperationalError):
        return f"cannot reach the database: {_first_line(error.orig)}", NEEDS_ATTENTION
    if isinstance(error, ArgumentError):
        return "DEALBOT_DATABASE_URL is not a database URL (e.g. postgresql+psycopg://user:pass@host/db)", \
            NEEDS_ATTENTION
    if isinstance(error, OSError) and error.errno in _FILE_PROBLEMS:
        return f"{error.filename}: {_FILE_PROBLEMS[error.errno]}", NEEDS_ATTENTION
    if isinstance(error, UnicodeDecodeError):
        return (f"the file is not UTF-8 text (byte {error.object[error.start:error.start + 1]!r} at "
                f"position {error.start}); save it as UTF-8 and try again"), NEEDS_ATTENTION
    return None


_FILE_PROBLEMS = {
    errno.ENOENT: "no such file",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOTDIR: "a part of this path is not a folder",
    errno.EACCES: "permission denied",
    errno.ENOSPC: "the disk is full",
}


def _setting(error: ValidationError) -> str:
    """pydantic names the setting by its environment variable (the validation alias)."""
    first = error.errors()[0]
    name = ".".join(str(part) for part in first["loc"]) or "a setting"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{name}={first.get('input')!s}: {message}"


def _revision(error: Exception) -> str:
    from storage.migrate import head

    text = _first_line(error)
    unknown = _UNKNOWN_REVISION.search(text)
    if unknown:
        return (f"there is no revision '{unknown[1]}'; the newest is {head()} "
                "(plain `dealbot migrate` goes there)")
    return text


_UNKNOWN_REVISION = re.compile(r"(?:locate revision identified by|No such revision or branch) '([^']*)'")


def _first_line(error: object) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
