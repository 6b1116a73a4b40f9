"""Deals as rows of a table and back (docs/design-notes.md), with every row checked before any is used.

This module only turns a Sheet (core.files.sheets) into DealRows and DealRows into CSV text;
core/services/transfer.py turns rows into deals. Keeping the repositories out of here lets a whole
file be validated before anything is written. Times in a DealRow are UTC, cut to whole seconds:
the precision of the file, so that a deal and the row it exports to compare equal and
re-importing an export changes nothing.

Names, handles and amounts are read by the same rules as in chat (core.language.parser, core.domain.amounts), so
an import cannot store what a rep could not type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.domain.amounts import DEFAULT_CURRENCY, parse_amount, too_large
from core.domain.model import Deal, DealStatus
from core.domain.pipeline import LOST, WON, Pipeline
from core.files.file_dates import FileDateError, read_file_time
from core.files.sheets import Sheet, cells_of, csv_text
from core.language.errors import UserError
from core.language.i18n import t
from core.language.parser import read_handle, read_name

BASE_COLUMNS = (
    "ref", "title", "customer", "owner", "team", "amount", "currency", "status",
    "created_at", "closed_at", "lost_reason", "expected_close",
)
# After the entered_<stage> columns: where a deal came from, and its identity (core.domain.model.Deal.uid).
TRAILING_COLUMNS = ("source_ref", "uid")
# Written last when any deal of the export has one, never read back: the deal's approvals in words.
APPROVALS_COLUMN = "approvals"
REQUIRED_COLUMNS = ("ref", "title", "customer", "owner", "team", "status", "created_at")
ENTERED = "entered_"

_NUMBER = re.compile(r"D-(\d{1,9})", re.IGNORECASE)
_UID = re.compile(r"[0-9a-f]{32}")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_CENT = Decimal("0.01")
_STATUSES = {status.value for status in DealStatus}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file (or said about a row): a message key of core.language.i18n and where."""

    line: int
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    column: str = ""


def describe(problem: Problem, lang: str) -> str:
    """One problem as a sentence, with its line (and column) when it has one."""
    text = t(problem.key, lang, **problem.params)
    if not problem.line:
        return text
    if problem.column:
        return t("import.at_cell", lang, line=problem.line, column=problem.column, text=text)
    return t("import.at_line", lang, line=problem.line, text=text)


class TransferError(Exception):
    """A file that cannot be imported (or a team that cannot be exported); `problems` says why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)

    def messages(self, lang: str) -> list[str]:
        return [describe(problem, lang) for problem in self.problems]


@dataclass(frozen=True)
class TeamContext:
    """What reading a team's rows depends on: its stages, and its timezone for naive timestamps."""

    pipeline: Pipeline
    timezone: str
    stages: frozenset[str] = field(init=False, compare=False)

    zone: ZoneInfo | None = field(init=False, compare=False)  # None: not a zone this machine knows

    def __post_init__(self) -> None:
        object.__setattr__(self, "stages", frozenset(self.pipeline.keys))  # read for every cell
        try:
            object.__setattr__(self, "zone", ZoneInfo(self.timezone))
        except (ZoneInfoNotFoundError, ValueError):
            object.__setattr__(self, "zone", None)


@dataclass(slots=True)  # 50,000 of them in memory at once during an import
class DealRow:
    ref: str  # as written: D-<n> (a deal number), another system's id, or '' (a new deal)
    title: str
    customer: str
    owner: str  # the member's handle, without '@'
    team: str
    status: DealStatus
    created_at: datetime
    stage: str  # the latest entered stage
    entered: dict[str, datetime]  # stage key -> when the deal (last) entered it
    amount: Decimal | None = None
    currency: str = DEFAULT_CURRENCY
    closed_at: datetime | None = None
    lost_reason: str | None = None
    expected_close: datetime | None = None
    source_ref: str | None = None  # the deal's id in the system it came from (Deal.ref)
    uid: str | None = field(default=None, compare=False)
    number: int | None = field(default=None, compare=False)  # n of a D-<n> ref
    line: int = field(default=0, compare=False)
    approvals: str = field(default="", compare=False)  # the deal's approvals in words (export only)

    @property
    def stage_entered_at(self) -> datetime:
        return self.entered[self.stage]

    @property
    def last_event_at(self) -> datetime:
        return max(filter(None, [self.created_at, self.closed_at, *self.entered.values()]))

    def history(self, pipeline: Pipeline) -> list[tuple[str, datetime]]:
        """(stage, entered at), oldest first; among equal times the current stage comes last."""
        order = pipeline.order
        return sorted(
            self.entered.items(),
            key=lambda item: (item[1], item[0] == self.stage, order.get(item[0], len(order))),
        )


# -- reading ------------------------------------------------------------------------------------


def parse_rows(
    sheet: Sheet, teams: Mapping[str, TeamContext], default: TeamContext
) -> list[DealRow]:
    """Every row of the sheet, or TransferError with every problem and its line.

    `teams` is keyed by casefolded team name; a team not in it (one the import will create) is
    read with `default`.
    """
    if not sheet.header:
        raise TransferError([Problem(1, "import.empty")])

    def context(name: str) -> TeamContext:
        return teams.get(name.strip().casefold(), default)

    # One pass over the records, each read into a DealRow and let go: only the rows are kept.
    rows: list[DealRow] = []
    problems: list[Problem] = []
    seen: tuple[dict[str, int], dict[str, int]] = ({}, {})
    names: dict[tuple[Callable[[str], str], str], str | UserError] = {}
    used = {id(default): default}
    for line, raw in cells_of(sheet):
        cells = _cells(sheet.header, raw)
        if isinstance(cells, Problem):
            problems.append(Problem(line, cells.key, cells.params))
            continue
        team = context(cells.get("team", ""))
        used[id(team)] = team
        row, found = _parse_row(cells, team, line, names)
        if row is None:
            problems += found
            continue
        problems += found or _duplicates(row, seen)
        rows.append(row)
    _check_header(sheet.header, used.values())  # before the rows' problems: a wrong column is the cause
    if problems:
        raise TransferError(problems)
    return rows


def _cells(header: list[str], cells: list[str]) -> dict[str, str] | Problem:
    if len(cells) != len(header):
        return Problem(0, "import.field_count", {"count": len(cells), "expected": len(header)})
    return dict(zip(header, cells, strict=True))


def _check_header(header: list[str], contexts: Iterable[TeamContext]) -> None:
    stages = {key for ctx in {id(c): c for c in contexts}.values() for key in ctx.stages}
    problems = [Problem(1, "import.missing_column", {"name": n}) for n in REQUIRED_COLUMNS if n not in header]
    for i, name in enumerate(header):
        if name in header[:i]:
            problems.append(Problem(1, "import.column_twice", {"name": name}))
        elif name.startswith(ENTERED) and name.removeprefix(ENTERED) not in stages:
            problems.append(Problem(1, "import.unknown_stage_column",
                                    {"name": name, "stage": name.removeprefix(ENTERED)}))
        elif not name.startswith(ENTERED) and name not in (*BASE_COLUMNS, *TRAILING_COLUMNS, APPROVALS_COLUMN):
            problems.append(Problem(1, "import.unknown_column", {"name": name}))
    if problems:
        raise TransferError(problems)


def _duplicates(row: DealRow, seen: tuple[dict[str, Any], dict[str, Any]]) -> list[Problem]:
    """A ref or uid already on an earlier line of the file."""
    problems = []
    for value, lines, key in ((row.ref, seen[0], "import.ref_twice"), (row.uid, seen[1], "import.uid_twice")):
        folded = value.casefold() if value else value
        if folded and folded in lines:
            problems.append(Problem(row.line, key, {"value": value, "other": lines[folded]}))
        elif folded:
            lines[folded] = row.line
    return problems


def _parse_row(cells: dict[str, str], context: TeamContext, line: int,
               names: dict[tuple[Callable[[str], str], str], str | UserError]) -> tuple[DealRow | None, list[Problem]]:
    """The row of one record, or None and every problem its cells have; `names` as _RowReader's."""
    c = _RowReader(cells, context, line, names)
    ref, title, customer, owner, team = (c.text("ref"), c.name("title", required=False), c.name("customer"),
                                         c.owner(), c.name("team"))
    status, created_at = c.status(), c.timestamp("created_at", required=True)
    entered, currency, closed_at = c.entered(), c.currency(), c.timestamp("closed_at")
    if not entered and status is not None and created_at is not None:
        entered = _entered_by_status(context.pipeline, status, created_at, closed_at)
    lost_reason, expected_close = c.text("lost_reason") or None, c.timestamp("expected_close")
    source_ref, uid = c.text("source_ref") or None, c.uid()
    amount, currency = c.amount(currency)
    number, source_ref = c.number(ref, source_ref)
    if c.problems or status is None or created_at is None:  # a missing status or time is a problem
        return None, c.problems
    row = DealRow(ref=ref, title=title or customer, customer=customer, owner=owner, team=team, status=status,
                  created_at=created_at, entered=entered, stage="", currency=currency, closed_at=closed_at,
                  lost_reason=lost_reason, expected_close=expected_close, source_ref=source_ref, uid=uid,
                  line=line, amount=amount, number=number)
    row.stage = row.history(context.pipeline)[-1][0]
    return row, [Problem(line, key, params) for key, params in _inconsistencies(row)]


class _RowReader:
    """One record's cells, collecting every problem instead of stopping at the first."""

    def __init__(self, cells: dict[str, str], context: TeamContext, line: int,
                 names: dict[tuple[Callable[[str], str], str], str | UserError] | None = None):
        self.cells, self.context, self.line = cells, context, line
        self.problems: list[Problem] = []
        # Customers, owners and teams repeat over a file's rows: each spelling is read once
        self.names = {} if names is None else names

    def problem(self, key: str, column: str = "", **params: object) -> None:
        self.problems.append(Problem(self.line, key, params, column))

    def text(self, column: str, required: bool = False) -> str:
        value = self.cells.get(column, "").strip()
        if required and not value:
            self.problem("import.empty_cell", name=column)
        return value

    def name(self, column: str, required: bool = True) -> str:
        value = self.text(column, required=required)
        return self._chat_rule(read_name, value, column) if value else value

    def owner(self) -> str:
        value = self.text("owner", required=True).removeprefix("@").strip()
        if value:
            self._chat_rule(read_handle, value, "owner")
        return value  # as written: an existing member is found whatever the case

    def _chat_rule(self, reader: Callable[[str], str], value: str, column: str) -> str:
        reuse = column != "title"  # a title is one deal's: nothing to reuse
        read = self.names.get((reader, value)) if reuse else None
        if read is None:
            try:
                read = reader(value)
            except UserError as err:
                read = err
            if reuse:
                self.names[reader, value] = read
        if isinstance(read, UserError):
            self.problem(read.key, column, **read.params)
            return value
        return read

    def status(self) -> DealStatus | None:
        raw = self.text("status", required=True).lower()
        if raw in _STATUSES:
            return DealStatus(raw)
        if raw:
            self.problem("import.bad_status", value=raw)
        return None

    def timestamp(self, column: str, required: bool = False) -> datetime | None:
        raw = self.text(column, required)
        if not raw:
            return None
        try:
            return _second(read_file_time(raw, self.context.zone))
        except FileDateError as err:
            self.problem(err.key, "", **{"name": column, **err.params})
            return None

    def currency(self) -> str:
        raw = self.text("currency")
        if raw and not _CURRENCY.fullmatch(raw):
            self.problem("import.bad_currency", value=raw[:40])
        return raw.upper() or DEFAULT_CURRENCY

    def amount(self, currency: str) -> tuple[Decimal | None, str]:
        """The amount as chat reads one (50000, 50k, 5万, ¥12,000); its own currency must agree."""
        raw = self.text("amount")
        if not raw:
            return None, currency
        money = parse_amount(raw, currency)
        if money is None:
            self.problem("err.amount_too_large" if too_large(raw) else "err.bad_amount", "amount", value=raw[:40])
            return None, currency
        if self.text("currency") and money.currency != currency:
            self.problem("import.currency_conflict", value=raw[:40], currency=currency)
        return money.amount.quantize(_CENT), money.currency

    def uid(self) -> str | None:
        raw = self.text("uid").lower()
        if raw and not _UID.fullmatch(raw):
            self.problem("import.bad_uid", value=raw[:40])
        return raw or None

    def number(self, ref: str, source_ref: str | None) -> tuple[int | None, str | None]:
        """D-<n>: the number the deal keeps; other text is the id in another system."""
        if m := _NUMBER.fullmatch(ref):
            return int(m[1]), source_ref
        if ref and source_ref:
            self.problem("import.ref_and_source", value=ref[:40])
        return None, source_ref or ref or None

    def entered(self) -> dict[str, datetime]:
        entered = {}
        for column in (name for name in self.cells if name.startswith(ENTERED)):
            at, stage = self.timestamp(column), column.removeprefix(ENTERED)
            if at and stage not in self.context.stages:
                self.problem("import.stage_not_in_team", team=self.text("team"), stage=stage, name=column)
            elif at:
                entered[stage] = at
        return entered


def _entered_by_status(pipeline: Pipeline, status: DealStatus, created_at: datetime,
                       closed_at: datetime | None) -> dict[str, datetime]:
    """A row with no entered_<stage> time (a file typed by hand): as chat's `new`, the deal began
    in the first stage when it was created; a won or lost one ended at closed_at."""
    entered = {pipeline.first.key: created_at}
    end = {DealStatus.WON: WON, DealStatus.LOST: LOST}.get(status)
    if end is not None and closed_at is not None:
        entered[end] = closed_at
    return entered


def _inconsistencies(row: DealRow) -> list[tuple[str, dict[str, Any]]]:
    problems: list[tuple[str, dict[str, Any]]] = []
    expected = {WON: DealStatus.WON, LOST: DealStatus.LOST}.get(row.stage, DealStatus.OPEN)
    if row.status != expected:
        problems.append(("import.status_vs_stage", {"status": str(row.status), "stage": row.stage}))
    if row.status == DealStatus.OPEN and row.closed_at:
        problems.append(("import.open_closed_at", {}))
    if row.status != DealStatus.OPEN and not row.closed_at:
        problems.append(("import.closed_at_required", {"status": str(row.status)}))
    if row.status == DealStatus.LOST and not row.lost_reason:
        problems.append(("import.lost_reason_required", {}))
    if row.closed_at and row.closed_at < row.created_at:
        problems.append(("import.closed_before_created", {}))
    problems += [
        ("import.entered_before_created", {"name": ENTERED + stage})
        for stage, at in row.entered.items()
        if at < row.created_at
    ]
    return problems


# -- writing ------------------------------------------------------------------------------------


def deal_row(
    deal: Deal, changes: Iterable[tuple[str, datetime]], *, team: str, owner: str, customer: str
) -> DealRow:
    """The row a deal exports to; `changes` are (stage entered, at), oldest first, so a re-entered
    stage keeps its last time."""
    entered = {stage: _second(at) for stage, at in changes}
    entered[deal.stage] = _second(deal.stage_entered_at)
    return DealRow(
        ref=deal.code,
        title=deal.title,
        customer=customer,
        owner=owner,
        team=team,
        status=DealStatus(deal.status),
        created_at=_second(deal.created_at),
        stage=deal.stage,
        entered=entered,
        amount=None if deal.amount is None else deal.amount.quantize(_CENT),
        currency=deal.currency,
        closed_at=_second(deal.closed_at),
        lost_reason=deal.lost_reason or None,
        expected_close=_second(deal.expected_close),
        source_ref=deal.ref,
        uid=deal.uid,
        number=deal.id,
    )


def stage_columns(pipelines: Iterable[Pipeline]) -> list[str]:
    """The union of the pipelines' stage keys, in first-seen order."""
    return list(dict.fromkeys(key for pipeline in pipelines for key in pipeline.keys))


def format_rows(rows: Iterable[DealRow], stages: list[str], timezones: Mapping[str, str]) -> str:
    """CSV text; `timezones` maps each row's team name to the zone its times are written in."""
    rows = list(rows)
    trail = any(row.approvals for row in rows)
    header = [*BASE_COLUMNS, *(ENTERED + key for key in stages), *TRAILING_COLUMNS, *([APPROVALS_COLUMN] * trail)]
    zones = {name: ZoneInfo(zone) for name, zone in timezones.items()}
    return csv_text(header, (_format_row(row, stages, zones[row.team])[:len(header)] for row in rows))


def _format_row(row: DealRow, stages: list[str], zone: ZoneInfo) -> list[str]:
    def iso(value: datetime | None) -> str:
        return value.astimezone(zone).isoformat(timespec="seconds") if value else ""

    amount = "" if row.amount is None else f"{row.amount.quantize(_CENT):f}"
    return [
        row.ref, row.title, row.customer, row.owner, row.team, amount, row.currency,
        str(row.status), iso(row.created_at), iso(row.closed_at), row.lost_reason or "",
        iso(row.expected_close), *(iso(row.entered.get(key)) for key in stages),
        row.source_ref or "", row.uid or "", row.approvals,
    ]


@overload
def _second(value: datetime) -> datetime: ...
@overload
def _second(value: datetime | None) -> datetime | None: ...
def _second(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC).replace(microsecond=0) if value else None
