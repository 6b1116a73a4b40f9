"""`dealbot nextsteps export`: the suggestions owners kept or dismissed, as labelled examples.

An operator's command (it reads the database directly, as `dealbot export` does): no chat verb
reaches it. A dismissed suggestion is a message the rules took for a commitment and the owner
did not; the file has the columns of tests/data/nextsteps_*.tsv first (a dismissed one labelled
"-", no next step), so a reviewed row can go into the development split, then what the detector
said: when the message was said and in which zone (its dates are relative to that), the due date
it suggested, the rule and the words it went by (docs/nextsteps.md).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from bot.cli_errors import CliError, no_such_team
from core.conversations.suggestions import EXAMPLE_COLUMNS, example_row
from core.domain.model import SuggestionStatus

STATUSES = {"dismissed": (SuggestionStatus.DISMISSED,), "kept": (SuggestionStatus.KEPT,),
            "all": (SuggestionStatus.DISMISSED, SuggestionStatus.KEPT)}


def export_examples(wired, path: str, *, status: str = "dismissed", team: str | None = None,
                    out: TextIO = sys.stdout) -> int:
    with wired.uow() as uow:
        team_id = None
        if team is not None:
            found = uow.teams.by_name(team)
            if found is None:
                raise CliError(no_such_team(team, uow.teams.list()))
            team_id = found.id
        rows = [row for decided in uow.suggestions.decided(STATUSES[status], team_id)
                if (row := example_row(decided)) is not None]
    lines = ["# " + "\t".join(EXAMPLE_COLUMNS)]
    lines += ["\t".join(_cell(value) for value in row) for row in rows]
    text = "\n".join(lines) + "\n"
    if path == "-":
        out.write(text)
        return 0
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from exc
    print(f"exported {len(rows)} suggestion{'s' if len(rows) != 1 else ''} ({status}) to {path}", file=out)
    return 0


def _cell(value: str) -> str:
    return " ".join(str(value).split())  # one line, no tabs: a cell of a TSV row
