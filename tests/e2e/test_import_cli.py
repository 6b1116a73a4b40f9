"""`dealbot import` / `dealbot export` as a user runs them, on files as spreadsheets save them."""

from __future__ import annotations

import codecs
from datetime import datetime

import pytest
from openpyxl import Workbook

pytestmark = pytest.mark.slow  # starts dealbot processes

HEADER = ["ref", "title", "customer", "owner", "team", "amount", "currency", "status", "created_at",
          "closed_at", "lost_reason", "expected_close", "entered_lead", "entered_contact"]
ROWS = [
    ["CRM-1", "华为 数据平台", "华为技术有限公司", "@liwei", "华南", "500000", "CNY", "open",
     "2026-01-05 09:00", "", "", "", "2026-01-05 09:00", "2026-01-08 10:00"],
    ["CRM-2", "Café 1", "Société Générale", "@anne", "华南", "12,000.50", "EUR", "open",
     "2026-01-06 09:00", "", "", "", "2026-01-06 09:00", ""],
]


def _text(separator: str = ",") -> str:
    return "".join(separator.join(cells) + "\r\n" for cells in [HEADER, *ROWS]).replace(
        "12,000.50", '"12,000.50"' if separator == "," else "12,000.50")


def _xlsx(path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for cells in ROWS:  # what Excel holds: numbers and dates as values, not text
        values = [float(c.replace(",", "")) if i == 5 else c for i, c in enumerate(cells)]
        values[8] = values[12] = datetime.fromisoformat(cells[8])
        if cells[13]:
            values[13] = datetime.fromisoformat(cells[13])
        sheet.append(values)
    book.save(path)


SPREADSHEETS = {
    "gbk (Excel on a Chinese Windows)": lambda p: p.write_bytes(_text().replace("Café 1", "Cafe 1").replace(
        "Société Générale", "Societe Generale").encode("gbk")),
    "gb18030": lambda p: p.write_bytes(_text().encode("gb18030")),
    "utf-8 with a BOM and ';' (CSV UTF-8, European Excel)": lambda p: p.write_bytes(
        codecs.BOM_UTF8 + _text(";").encode("utf-8")),
    "utf-16 with tabs (Unicode text)": lambda p: p.write_bytes(_text("\t").encode("utf-16")),
    "xlsx": _xlsx,
}


@pytest.mark.parametrize("write", SPREADSHEETS.values(), ids=SPREADSHEETS.keys())
def test_real_spreadsheets_import(run_dealbot_forked, tmp_path, write):
    path = tmp_path / ("deals.xlsx" if write is _xlsx else "deals.csv")
    write(path)
    imported = run_dealbot_forked(["import", str(path)])
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.endswith("imported: 2 created, 0 updated, 0 unchanged, 0 left alone\n")
    exported = run_dealbot_forked(["export", "-"]).stdout.splitlines()
    assert exported[1].startswith("D-1,华为 数据平台,华为技术有限公司,liwei,华南,500000.00,CNY,open,"
                                  "2026-01-05T09:00:00+08:00,")
    assert ",12000.50,EUR,open,2026-01-06T09:00:00+08:00," in exported[2]
    again = run_dealbot_forked(["import", str(path)])
    assert again.stdout.endswith("imported: 0 created, 0 updated, 2 unchanged, 0 left alone\n")


BAD = {
    "missing": (None, "There is no file {path}."),
    "a folder": ("dir", "{path} is a folder; name a .csv or .xlsx file."),
    "cp1252": (b"ref,title\r\nD-1,Caf\xe9,\xe0\r\n", "line 2: The file is neither UTF-8 nor GBK/GB18030"),
    "Excel 97": (b"\xd0\xcf\x11\xe0", "Excel 97-2003 files are not read: save it as .xlsx or as “CSV UTF-8”."),
    "broken xlsx": (b"PK\x03\x04broken", "This is not a readable .xlsx file"),
}


@pytest.mark.parametrize("content, message", BAD.values(), ids=BAD.keys())
def test_an_unreadable_file_is_one_sentence_and_stores_nothing(run_dealbot_forked, tmp_path, content, message):
    path = tmp_path / ("deals.xls" if content == b"\xd0\xcf\x11\xe0" else "deals.csv")
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    result = run_dealbot_forked(["import", str(path)])
    assert result.returncode == 1
    assert result.stderr.startswith(message.format(path=path))
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr
    assert result.stderr.splitlines()[-1] == "nothing imported: 1 error(s)"
    assert run_dealbot_forked(["export", "-"]).stdout.count("\n") == 1


def test_dry_run_update_and_chinese_messages(run_dealbot_forked, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(_text(), encoding="utf-8")
    assert run_dealbot_forked(["import", str(path)]).returncode == 0
    export = tmp_path / "export.csv"
    assert run_dealbot_forked(["export", str(export)]).stdout == f"exported 2 deals to {export}\n"
    export.write_text(export.read_text(encoding="utf-8").replace("500000.00", "450000.00"), encoding="utf-8")

    planned = run_dealbot_forked(["import", str(export), "--update", "--dry-run"], DEALBOT_LANGUAGE="zh")
    assert planned.stdout == "第 2 行：更新 D-1\n试运行，未写入：将新建 0，更新 1，未变 1，未改动 0\n"
    left = run_dealbot_forked(["import", str(export)])
    assert left.stdout.startswith("line 2: D-1 differs from this row: left alone (import --update applies it)\n")
    assert ",500000.00," in run_dealbot_forked(["export", "-"]).stdout
    assert run_dealbot_forked(["import", str(export), "--update"]).returncode == 0
    assert ",450000.00," in run_dealbot_forked(["export", "-"]).stdout

    path.write_text(_text().replace("500000", "5 apples"), encoding="utf-8")
    refused = run_dealbot_forked(["import", str(path)], DEALBOT_LANGUAGE="zh")
    assert refused.returncode == 1
    assert refused.stderr == ("第 2 行 amount 列：“5 apples”不是有效金额。可以写 50000、5万、¥12,000、$3.5k 或 USD 5000。\n"
                              "未导入任何内容：1 个错误\n")
