"""Customers as rows of a table and back: `team, name, lifecycle, aliases, contacts, owner,
industry, source, tags`. The last four may be left out of a file (those written before they
existed): a customer then keeps what it has of them.

Aliases and contacts are JSON in their cells (`["Acme Corp"]`, `[{"name": "Wang Wei", "email":
"wang@acme.cn"}]`), so that every value comes back exactly as it went out. Names and aliases
are read by chat's rules (core.language.parser.read_name), as in a deals file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from core.domain.model import Customer
from core.files.deal_rows import Problem, TransferError
from core.files.sheets import Sheet, cells_of, csv_text
from core.language.errors import UserError
from core.language.parser import read_handle, read_name

COLUMNS = ("team", "name", "lifecycle", "aliases", "contacts", "owner", "industry", "source", "tags")
OPTIONAL = ("owner", "industry", "source", "tags")  # absent: kept as stored
REQUIRED = ("team", "name")
LIFECYCLES = ("lead", "prospect", "customer", "churned")


def is_customer_sheet(sheet: Sheet) -> bool:
    """A customers file names customers, not deals: a `name` column and no `title`."""
    return "name" in sheet.header and "title" not in sheet.header


@dataclass
class CustomerRow:
    team: str
    name: str
    lifecycle: str = "lead"
    aliases: list[str] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    # None: the file has no such column. owner is a handle ("" none); industry and source "" none
    owner: str | None = None
    industry: str | None = None
    source: str | None = None
    tags: list[str] | None = None
    line: int = field(default=0, compare=False)


def parse_customers(sheet: Sheet) -> list[CustomerRow]:
    """Every row, or TransferError with every problem and its line."""
    problems = [Problem(1, "import.missing_column", {"name": n}) for n in REQUIRED if n not in sheet.header]
    problems += [Problem(1, "import.unknown_column", {"name": n}) for n in sheet.header if n not in COLUMNS]
    problems += [Problem(1, "import.column_twice", {"name": n}) for i, n in enumerate(sheet.header)
                 if n in sheet.header[:i]]
    if problems:
        raise TransferError(problems)
    rows: list[CustomerRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in cells_of(sheet):
        if len(cells) != len(sheet.header):
            problems.append(Problem(line, "import.field_count", {"count": len(cells), "expected": len(sheet.header)}))
            continue
        row, found = _parse(dict(zip(sheet.header, cells, strict=True)), line)
        key = (row.team.casefold(), row.name.casefold())
        if not found and key in seen:
            found = [Problem(line, "import.customer_twice", {"name": row.name, "other": seen[key]})]
        seen.setdefault(key, line)
        problems += found
        rows.append(row)
    if problems:
        raise TransferError(problems)
    return rows


def _parse(cells: dict[str, str], line: int) -> tuple[CustomerRow, list[Problem]]:
    problems: list[Problem] = []

    def name(column: str, value: str) -> str:
        try:
            return read_name(value)
        except UserError as err:
            problems.append(Problem(line, err.key, err.params, column))
            return value

    team, customer = (cells.get(c, "").strip() for c in ("team", "name"))
    for column, value in (("team", team), ("name", customer)):
        if not value:
            problems.append(Problem(line, "import.empty_cell", {"name": column}))
        else:
            name(column, value)
    lifecycle = cells.get("lifecycle", "").strip().lower() or "lead"
    if lifecycle not in LIFECYCLES:
        problems.append(Problem(line, "import.bad_lifecycle", {"value": lifecycle[:40]}))
    aliases = _json_list(cells.get("aliases", ""), str, "aliases", line, problems)
    for alias in aliases:
        name("aliases", alias)
    contacts = _json_list(cells.get("contacts", ""), dict, "contacts", line, problems)
    if any(not all(isinstance(v, str) for v in c.values()) for c in contacts):
        problems.append(Problem(line, "import.bad_json_list", {"name": "contacts"}))
    owner = industry = source = None
    tags: list[str] | None = None
    if "owner" in cells:
        owner = cells["owner"].strip()
        if owner:
            try:
                owner = read_handle(owner)
            except UserError as err:
                problems.append(Problem(line, err.key, err.params, "owner"))
    if "industry" in cells:
        industry = cells["industry"].strip()
        if industry:
            name("industry", industry)
    if "source" in cells:
        source = cells["source"].strip()
        if source:
            name("source", source)
    if "tags" in cells:
        tags = _json_list(cells["tags"], str, "tags", line, problems)
        for tag in tags:
            name("tags", tag)
    return CustomerRow(team, customer, lifecycle, aliases, contacts, owner, industry, source, tags, line), problems


def _json_list(raw: str, kind: type, column: str, line: int, problems: list[Problem]) -> list[Any]:
    if not raw.strip():
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(item, kind) for item in value):
        problems.append(Problem(line, "import.bad_json_list", {"name": column}))
        return []
    return value


def customer_row(customer: Customer, team: str, owner: str = "") -> CustomerRow:
    """The row of a stored customer; `owner` is its owner's handle."""
    return CustomerRow(team, customer.name, customer.lifecycle, list(customer.aliases),
                       [dict(c) for c in customer.contacts], owner, customer.industry or "", customer.source or "",
                       list(customer.tags))


def format_customers(rows: list[CustomerRow]) -> str:
    def cell(value: list[Any]) -> str:
        return json.dumps(value, ensure_ascii=False) if value else ""

    return csv_text(COLUMNS, ([r.team, r.name, r.lifecycle, cell(r.aliases), cell(r.contacts), r.owner or "",
                               r.industry or "", r.source or "", cell(r.tags or [])] for r in rows))
