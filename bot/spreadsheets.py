"""Files people import, as a core.files.sheets.Sheet: CSV in the encodings spreadsheets write, and .xlsx.

Excel saves "CSV" in the machine's ANSI code page: GBK on a Chinese Windows (read here as
GB18030, its superset), with a UTF-8 byte-order mark when "CSV UTF-8" is chosen, UTF-16 for
"Unicode text", and with ';' between fields where the decimal mark is a comma. A file is read as
UTF-8 (with or without the mark), else UTF-16 when it starts with that mark, else GB18030; any
other encoding is named with --encoding. Nothing here raises anything but SheetError, whose key
(core.language.i18n) says exactly what to do.
"""

from __future__ import annotations

import codecs
from datetime import date, datetime, time
from pathlib import Path

from core.files.sheets import Sheet, SheetError, csv_sheet

_GUESSED = ("utf-8", "gb18030")
_NOT_READ = {".xls": "Excel 97-2003", ".ods": "OpenDocument", ".numbers": "Numbers", ".et": "WPS"}


def read_sheet(path: Path, encoding: str | None = None) -> Sheet:
    """The file's table; SheetError for a file that is missing, unreadable or of a kind not read."""
    if not path.exists():
        raise SheetError(0, "import.no_file", path=str(path))
    if path.is_dir():
        raise SheetError(0, "import.is_directory", path=str(path))
    suffix = path.suffix.lower()
    if suffix in _NOT_READ:
        raise SheetError(0, "import.kind_not_read", kind=_NOT_READ[suffix])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SheetError(0, "import.unreadable", path=str(path), reason=exc.strerror or str(exc)) from exc
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return _xlsx_sheet(data)
    return csv_sheet(_decode(data, encoding))


def _decode(data: bytes, encoding: str | None) -> str:
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise SheetError(0, "import.unknown_encoding", encoding=encoding) from exc
        return _strict(data, encoding)
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8):], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16")
    first_error = None
    for guess in _GUESSED:
        try:
            return data.decode(guess)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    line = data.count(b"\n", 0, first_error.start) + 1
    raise SheetError(line, "import.bad_encoding")


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SheetError(line, "import.not_in_encoding", encoding=encoding) from exc


def _xlsx_sheet(data: bytes) -> Sheet:
    """The first worksheet (or the one named 'deals'); row numbers as Excel shows them."""
    from io import BytesIO

    from openpyxl import load_workbook

    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — a damaged zip or XML fails in many ways, each the same to the user
        raise SheetError(0, "import.bad_xlsx", reason=f"{type(exc).__name__}: {exc}"[:200]) from exc
    try:
        sheet = book["deals"] if "deals" in book.sheetnames else book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_text(v).strip().lower() for v in next(rows, ())]
        while header and not header[-1]:  # cells Excel formatted but left empty
            header.pop()
        records = []
        for number, values in enumerate(rows, start=2):
            cells = [_text(v) for v in values]
            while len(cells) > len(header) and not cells[-1].strip():
                cells.pop()  # formatted but empty cells to the right of the table
            cells += [""] * (len(header) - len(cells))
            if any(c.strip() for c in cells):
                records.append((number, cells))
        return Sheet(header, records)
    finally:
        book.close()


def _text(value: object) -> str:
    """A cell as the text a CSV would hold: dates in ISO 8601, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
