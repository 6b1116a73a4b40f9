"""Tables of text cells as an import reads them and an export writes them (CSV, spreadsheets).

A `Sheet` is a header and its records, each with the line (CSV) or row (spreadsheet) it came from,
so every error can name it. Decoding a file's bytes and opening .xlsx files happen outside the
core (bot/spreadsheets.py); this module only turns text into a Sheet and rows back into CSV text.

Cells are made safe to open in a spreadsheet: a value that Excel or LibreOffice would run as a
formula (starting with = + - @, a tab or a carriage return) is written with a leading apostrophe,
which spreadsheets show as "text" and do not display. Reading removes it again, so an export
imports back to exactly what was exported. A value that itself starts with an apostrophe followed
by one of those characters (or by a second apostrophe) gets one more apostrophe, so that the
mapping stays one-to-one: `restore_cell(safe_cell(v)) == v` for every text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_FORMULA_START = frozenset("=+-@\t\r")
_ESCAPE = "'"
SEPARATORS = (",", ";", "\t")


class SheetError(Exception):
    """A file that cannot be read as a table at all; `line` is where reading stopped."""

    def __init__(self, line: int, key: str, **params: object):
        super().__init__(key)
        self.line, self.key, self.params = line, key, params


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    # (line or row number, cells), blank records left out. A CSV's are read from its text each
    # time they are gone through (a list of 50,000 rows of cells is ~60 MB; the text ~10 MB), so
    # a CSV that breaks further down raises SheetError while they are read.
    records: Iterable[tuple[int, list[str]]]


def safe_cell(value: str) -> str:
    """The value as written into a file a spreadsheet may open: never a formula."""
    if value[:1] in _FORMULA_START or (value[:1] == _ESCAPE and _needs_escape(value[1:2])):
        return _ESCAPE + value
    return value


def restore_cell(value: str) -> str:
    """The value safe_cell was given (other text is returned as it is)."""
    if value[:1] == _ESCAPE and _needs_escape(value[1:2]):
        return value[1:]
    return value


def _needs_escape(char: str) -> bool:
    return char != "" and (char in _FORMULA_START or char == _ESCAPE)


def guess_separator(first_line: str) -> str:
    """',' ';' or tab: whichever the header line holds most of (',' when none).

    Excel writes ';' where the decimal mark is a comma (much of Europe); header names never hold
    a separator, so counting them on the header line is enough.
    """
    counts = {sep: first_line.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def csv_sheet(text: str, separator: str | None = None) -> Sheet:
    """The header and every non-blank record of CSV text, each with its first physical line."""
    text = text.removeprefix("\ufeff")
    separator = separator or guess_separator(text.split("\n", 1)[0])
    records = _CsvRecords(text, separator)
    header = next(iter(records.rows()), (0, []))[1]
    return Sheet([name.strip().lower() for name in header], records)


@dataclass(frozen=True)
class _CsvRecords:
    text: str
    separator: str

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        rows = self.rows()
        next(rows, None)  # the header
        for line, cells in rows:
            if any(cell.strip() for cell in cells):
                yield line, cells

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.separator)
        start = 1
        try:
            for cells in reader:
                line, start = start, reader.line_num + 1
                yield line, cells
        except csv.Error as exc:
            raise SheetError(reader.line_num, "import.bad_csv", reason=str(exc)) from exc


def csv_text(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """CSV text with a header row, every cell made safe (safe_cell)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(header))
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def cells_of(sheet: Sheet) -> Iterator[tuple[int, list[str]]]:
    """Each record with its cells restored (restore_cell)."""
    for line, cells in sheet.records:
        yield line, [restore_cell(cell) for cell in cells]
