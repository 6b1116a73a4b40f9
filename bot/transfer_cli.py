"""`dealbot import` and `dealbot export`: files in and out, every problem one line, never a traceback.

An import reads and checks the whole file in a read-only transaction first (a 50,000-row file
takes seconds), then writes the plan in batches, each its own short write transaction
(core.services.transfer.write_plan_in_batches) sized and spaced by bot/import_pacing.py: on
SQLite a running bot's commands wait for one batch at most, well under a second, and a failed
batch takes back what the earlier ones wrote.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from bot.bootstrap import Wired
from bot.import_pacing import pacer_for
from bot.spreadsheets import read_sheet
from core.files.customer_rows import is_customer_sheet
from core.files.deal_rows import Problem, TransferError, describe
from core.files.lead_rows import is_lead_sheet
from core.files.sheets import SheetError, csv_sheet
from core.language.i18n import t
from core.services.customer_transfer import export_customers, import_customers
from core.services.lead_transfer import import_leads
from core.services.transfer import (
    ImportResult,
    export_deals,
    plan_rows,
    read_deals,
    write_plan_in_batches,
)

SHOWN = 50  # problems and notes listed before "… and N more"


def import_file(wired: Wired, path: str, *, encoding: str | None, update: bool, dry_run: bool,
                out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    settings, lang = wired.settings, wired.settings.language
    try:
        sheet = read_sheet(Path(path), encoding)
        if is_lead_sheet(sheet):  # leads (issue 18): taken in as `lead` takes one
            with wired.bot.writing_uow_factory() as uow:
                result = import_leads(uow, sheet, default_team=settings.team, now=wired.bot.clock.now(),
                                      dry_run=dry_run, source=f"import:{Path(path).name}")
                if not dry_run:
                    uow.commit()
            return _done(result, dry_run, lang, out)
        if is_customer_sheet(sheet):
            with wired.bot.writing_uow_factory() as uow:
                result = import_customers(uow, sheet, default_timezone=settings.timezone,
                                          default_language=settings.language, update=update, dry_run=dry_run)
                if not dry_run:
                    uow.commit()
            return _done(result, dry_run, lang, out)
        with wired.uow() as uow:
            rows = read_deals(uow, sheet, default_timezone=settings.timezone)
            planned = plan_rows(uow, rows, now=wired.bot.clock.now(), default_timezone=settings.timezone,
                                default_language=settings.language, source=Path(path).name, update=update)
        if dry_run:
            return _done(planned.result(), dry_run, lang, out)
        result = write_plan_in_batches(wired.bot.writing_uow_factory, planned,
                                       pacer=pacer_for(wired.engine.dialect.name))
    except SheetError as exc:
        return _refused([Problem(exc.line, exc.key, exc.params)], lang, err)
    except TransferError as exc:
        return _refused(exc.problems, lang, err)
    return _done(result, dry_run, lang, out)


def export_file(wired: Wired, path: str, *, team: str | None, customers: bool = False,
                out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    lang = wired.settings.language
    try:
        with wired.uow() as uow:
            text = (export_customers if customers else export_deals)(uow, team_name=team)
    except TransferError as exc:
        return _refused(exc.problems, lang, err, summary=False)
    if path == "-":
        out.write(text)
        return 0
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        print(t("export.cannot_write", lang, path=path, reason=exc.strerror or str(exc)), file=err)
        return 1
    count = sum(1 for _ in csv_sheet(text).records)  # not lines: a quoted cell may hold a newline
    print(t("export.customers_done" if customers else "export.done", lang, count=count, path=path), file=out)
    return 0


def _done(result: ImportResult, dry_run: bool, lang: str, out: TextIO) -> int:
    _list(result.notes, lang, out)
    print(_summary(result, dry_run, lang), file=out)
    return 0


def _refused(problems: list[Problem], lang: str, err: TextIO, summary: bool = True) -> int:
    _list(problems, lang, err)
    if summary:
        print(t("import.refused", lang, count=len(problems)), file=err)
    return 1


def _list(problems: tuple[Problem, ...] | list[Problem], lang: str, stream: TextIO) -> None:
    for problem in problems[:SHOWN]:
        print(describe(problem, lang), file=stream)
    if len(problems) > SHOWN:
        print(t("import.more", lang, count=len(problems) - SHOWN), file=stream)


def _summary(result: ImportResult, dry_run: bool, lang: str) -> str:
    return t("import.planned" if dry_run else "import.done", lang, created=result.created,
             updated=result.updated, unchanged=result.unchanged, left_alone=result.left_alone)
