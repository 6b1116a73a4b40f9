"""A leads file (`dealbot import leads.csv`): `company` and optionally `team, person, phone,
email, source, territory, industry, note`, one lead a row, checked whole before anything is
written (every problem with its line), as deal and customer files are. Cells a spreadsheet would
run as a formula come back without their leading apostrophe (core.files.sheets.restore_cell)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from core.files.deal_rows import Problem, TransferError
from core.files.sheets import Sheet, restore_cell
from core.leads.contact_check import is_email, is_phone
from core.leads.model import LeadFields

COLUMNS = ("team", "company", "person", "phone", "email", "source", "territory", "industry", "note")
_LIMITS = {"company": 200, "person": 200, "phone": 64, "email": 320, "source": 100, "territory": 100,
           "industry": 100, "note": 1000}
_NOT_PRINTABLE = frozenset({"Cc", "Cf", "Co", "Cn", "Cs"})


def is_lead_sheet(sheet: Sheet) -> bool:
    """A leads file names companies: a `company` column, and no `title` (deals) or `name` (customers)."""
    return "company" in sheet.header and "title" not in sheet.header and "name" not in sheet.header


@dataclass(frozen=True)
class LeadRow:
    line: int
    team: str  # "" : the default team
    fields: LeadFields


def read_lead_rows(sheet: Sheet, team_names: set[str]) -> list[LeadRow]:
    """Every row, or TransferError with every problem (`team_names`: the teams, case-folded)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in sheet.header:
        if name in seen:
            problems.append(Problem(1, "import.column_twice", {"name": name}))
        elif name not in COLUMNS:
            problems.append(Problem(1, "import.unknown_column", {"name": name}))
        seen.add(name)
    if problems:
        raise TransferError(problems)
    rows = []
    for line, cells in sheet.records:
        values = {name: " ".join(restore_cell(cells[i] if i < len(cells) else "").split())
                  for i, name in enumerate(sheet.header)}
        found = len(problems)
        for name, value in values.items():
            if len(value) > _LIMITS.get(name, 100):
                problems.append(Problem(line, "err.name_too_long", {"value": value[:40], "limit": _LIMITS[name]}, name))
            elif any(unicodedata.category(ch) in _NOT_PRINTABLE for ch in value):
                problems.append(Problem(line, "err.bad_name", {"value": value[:40]}, name))
        if not values.get("company"):
            problems.append(Problem(line, "import.empty_cell", {"name": "company"}, "company"))
        team = values.get("team", "")
        if team and team.casefold() not in team_names:
            problems.append(Problem(line, "import.no_team", {"name": team}, "team"))
        phone, email = values.get("phone", ""), values.get("email", "")
        if phone and not is_phone(phone):
            problems.append(Problem(line, "cust.bad_phone", {"value": phone[:40]}, "phone"))
        if email and not is_email(email):
            problems.append(Problem(line, "cust.bad_email", {"value": email[:40]}, "email"))
        if len(problems) == found:
            rows.append(LeadRow(line, team, LeadFields(
                values["company"], values.get("person", ""), phone or None, email or None,
                values.get("source") or None, values.get("territory") or None, values.get("industry") or None,
                values.get("note") or None)))
    if problems:
        raise TransferError(problems)
    return rows
