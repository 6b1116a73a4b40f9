"""Deals as CSV text and back (DESIGN.md §7), with every row checked before any is used.

This module only turns text into DealRows and DealRows into text; core/services/transfer.py turns
rows into deals. Keeping the repositories out of here lets a whole file be validated before
anything is written. Times in a DealRow are UTC, cut to whole seconds: the precision of the file,
so that a deal and the row it exports to compare equal and re-importing an export changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.amounts import DEFAULT_CURRENCY
from core.model import Deal, DealStatus, StageChange
from core.pipeline import LOST, WON, Pipeline

BASE_COLUMNS = (
    "ref", "title", "customer", "owner", "team", "amount", "currency", "status",
    "created_at", "closed_at", "lost_reason", "expected_close",
)
REQUIRED_COLUMNS = ("ref", "title", "customer", "owner", "team", "status", "created_at")
ENTERED = "entered_"

_PLAIN_DECIMAL = re.compile(r"\d{1,15}(?:\.\d{1,2})?")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_CENT = Decimal("0.01")
_STATUSES = {status.value for status in DealStatus}


class TransferError(Exception):
    """A file that cannot be imported (or a team that cannot be exported); `errors` says why."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class TeamContext:
    """What reading a team's rows depends on: its stages, and its timezone for naive timestamps."""

    pipeline: Pipeline
    timezone: str


@dataclass
class DealRow:
    ref: str
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
    line: int = field(default=0, compare=False)

    @property
    def stage_entered_at(self) -> datetime:
        return self.entered[self.stage]

    @property
    def last_event_at(self) -> datetime:
        return max(filter(None, [self.created_at, self.closed_at, *self.entered.values()]))

    def history(self, pipeline: Pipeline) -> list[tuple[str, datetime]]:
        """(stage, entered at), oldest first; among equal times the current stage comes last."""
        order = {key: i for i, key in enumerate(pipeline.keys)}
        return sorted(
            self.entered.items(),
            key=lambda item: (item[1], item[0] == self.stage, order.get(item[0], len(order))),
        )


# -- reading ------------------------------------------------------------------------------------


def parse_rows(
    text: str, teams: Mapping[str, TeamContext], default: TeamContext
) -> list[DealRow]:
    """Every row of the file, or TransferError with every problem as 'line N: reason'.

    `teams` is keyed by casefolded team name; a team not in it (one the import will create) is
    read with `default`.
    """
    header, records = _read(text)

    def context(name: str) -> TeamContext:
        return teams.get(name.strip().casefold(), default)

    named = [context(cells.get("team", "")) for _, cells in records if isinstance(cells, dict)]
    _check_header(header, [default, *named])
    rows, errors, seen = [], [], {}
    for line, cells in records:
        if isinstance(cells, str):
            errors.append(f"line {line}: {cells}")
            continue
        errors += [f"line {line}: {p}" for p in _duplicate(cells.get("ref", ""), line, seen)]
        row, problems = _parse_row(cells, context(cells.get("team", "")), line)
        errors += [f"line {line}: {p}" for p in problems]
        rows.append(row)
    if errors:
        raise TransferError(errors)
    return rows


def _read(text: str) -> tuple[list[str], list[tuple[int, dict[str, str] | str]]]:
    """The header and each non-blank record with its first physical line (or what is wrong)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        if not header:
            raise TransferError(["line 1: the file is empty; a header row is expected"])
        records, start = [], reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if any(cell.strip() for cell in cells):
                records.append((line, _cells(header, cells)))
    except csv.Error as exc:
        raise TransferError([f"line {reader.line_num}: {exc}"]) from exc
    return header, records


def _cells(header: list[str], cells: list[str]) -> dict[str, str] | str:
    if len(cells) != len(header):
        return f"{len(cells)} fields, but the header has {len(header)}"
    return dict(zip(header, cells, strict=True))


def _check_header(header: list[str], contexts: Iterable[TeamContext]) -> None:
    stages = {key for ctx in contexts for key in ctx.pipeline.keys}
    errors = [f"line 1: missing column '{name}'" for name in REQUIRED_COLUMNS if name not in header]
    for i, name in enumerate(header):
        if name in header[:i]:
            errors.append(f"line 1: column '{name}' appears twice")
        elif name.startswith(ENTERED) and name.removeprefix(ENTERED) not in stages:
            stage = name.removeprefix(ENTERED)
            errors.append(f"line 1: unknown column '{name}': no team in the file has a stage '{stage}'")
        elif not name.startswith(ENTERED) and name not in BASE_COLUMNS:
            errors.append(f"line 1: unknown column '{name}'")
    if errors:
        raise TransferError(errors)


def _duplicate(ref: str, line: int, seen: dict[str, int]) -> list[str]:
    ref = ref.strip()
    if ref and ref in seen:
        return [f"ref '{ref}' is already on line {seen[ref]}"]
    seen.setdefault(ref, line)
    return []


def _parse_row(cells: dict[str, str], context: TeamContext, line: int) -> tuple[DealRow, list[str]]:
    c = _RowReader(cells, context)
    row = DealRow(
        ref=c.text("ref", required=True),
        title=c.text("title", required=True),
        customer=c.text("customer", required=True),
        owner=c.owner(),
        team=c.text("team", required=True),
        status=c.status(),
        created_at=c.timestamp("created_at", required=True),
        entered=c.entered(),
        stage="",
        amount=c.amount(),
        currency=c.currency(),
        closed_at=c.timestamp("closed_at"),
        lost_reason=c.text("lost_reason") or None,
        expected_close=c.timestamp("expected_close"),
        line=line,
    )
    if c.problems:
        return row, c.problems
    row.stage = row.history(context.pipeline)[-1][0]
    return row, _inconsistencies(row)


class _RowReader:
    """One record's cells, collecting every problem instead of stopping at the first."""

    def __init__(self, cells: dict[str, str], context: TeamContext):
        self.cells, self.context, self.problems = cells, context, []

    def text(self, column: str, required: bool = False) -> str:
        value = self.cells.get(column, "").strip()
        if required and not value:
            self.problems.append(f"{column} is empty")
        return value

    def owner(self) -> str:
        handle = self.text("owner").removeprefix("@").strip()
        if not handle:
            self.problems.append("owner is empty")
        return handle

    def status(self) -> DealStatus | None:
        raw = self.text("status", required=True).lower()
        if raw in _STATUSES:
            return DealStatus(raw)
        if raw:
            self.problems.append(f"status '{raw}' is not one of open, won, lost")
        return None

    def timestamp(self, column: str, required: bool = False) -> datetime | None:
        raw = self.text(column, required)
        if not raw:
            return None
        try:
            value = datetime.fromisoformat(raw)
            if value.tzinfo is None:
                value = value.replace(tzinfo=ZoneInfo(self.context.timezone))
        except ValueError:
            self.problems.append(f"{column} '{raw}' is not an ISO 8601 timestamp")
            return None
        except ZoneInfoNotFoundError:
            self.problems.append(f"{column} has no offset and the team's timezone is unknown")
            return None
        return _second(value)

    def amount(self) -> Decimal | None:
        raw = self.text("amount")
        if raw and not _PLAIN_DECIMAL.fullmatch(raw):
            self.problems.append(
                f"amount '{raw}' is not a plain decimal such as 50000 or 50000.00"
            )
            return None
        return Decimal(raw).quantize(_CENT) if raw else None

    def currency(self) -> str:
        raw = self.text("currency")
        if raw and not _CURRENCY.fullmatch(raw):
            self.problems.append(f"currency '{raw}' is not a 3-letter code such as CNY")
        return raw.upper() or DEFAULT_CURRENCY

    def entered(self) -> dict[str, datetime]:
        entered = {}
        for column in (name for name in self.cells if name.startswith(ENTERED)):
            at, stage = self.timestamp(column), column.removeprefix(ENTERED)
            if at and stage not in self.context.pipeline.keys:
                team = self.text("team")
                self.problems.append(f"team '{team}' has no stage '{stage}' ({column})")
            elif at:
                entered[stage] = at
        if not entered and not self.problems:
            self.problems.append("no entered_<stage> time: at least one is needed")
        return entered


def _inconsistencies(row: DealRow) -> list[str]:
    problems = []
    expected = {WON: DealStatus.WON, LOST: DealStatus.LOST}.get(row.stage, DealStatus.OPEN)
    if row.status != expected:
        problems.append(f"status is {row.status} but the latest entered stage is {row.stage}")
    if row.status == DealStatus.OPEN and row.closed_at:
        problems.append("closed_at must be empty for an open deal")
    if row.status != DealStatus.OPEN and not row.closed_at:
        problems.append(f"closed_at is required for a {row.status} deal")
    if row.status == DealStatus.LOST and not row.lost_reason:
        problems.append("lost_reason is required for a lost deal")
    if row.closed_at and row.closed_at < row.created_at:
        problems.append("closed_at is before created_at")
    problems += [
        f"{ENTERED}{stage} is before created_at"
        for stage, at in row.entered.items()
        if at < row.created_at
    ]
    return problems


# -- writing ------------------------------------------------------------------------------------


def deal_row(
    deal: Deal, changes: Iterable[StageChange], *, team: str, owner: str, customer: str
) -> DealRow:
    """The row a deal exports to; `changes` oldest first, so a re-entered stage keeps its last time."""
    entered = {change.to_stage: _second(change.at) for change in changes}
    entered[deal.stage] = _second(deal.stage_entered_at)
    return DealRow(
        ref=deal.ref or deal.code,
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
    )


def stage_columns(pipelines: Iterable[Pipeline]) -> list[str]:
    """The union of the pipelines' stage keys, in first-seen order."""
    return list(dict.fromkeys(key for pipeline in pipelines for key in pipeline.keys))


def format_rows(rows: Iterable[DealRow], stages: list[str], timezones: Mapping[str, str]) -> str:
    """CSV text; `timezones` maps each row's team name to the zone its times are written in."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*BASE_COLUMNS, *(ENTERED + key for key in stages)])
    for row in rows:
        writer.writerow(_format_row(row, stages, ZoneInfo(timezones[row.team])))
    return out.getvalue()


def _format_row(row: DealRow, stages: list[str], zone: ZoneInfo) -> list[str]:
    def iso(value: datetime | None) -> str:
        return value.astimezone(zone).isoformat(timespec="seconds") if value else ""

    amount = "" if row.amount is None else f"{row.amount.quantize(_CENT):f}"
    return [
        row.ref, row.title, row.customer, row.owner, row.team, amount, row.currency,
        str(row.status), iso(row.created_at), iso(row.closed_at), row.lost_reason or "",
        iso(row.expected_close), *(iso(row.entered.get(key)) for key in stages),
    ]


def _second(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC).replace(microsecond=0) if value else None
