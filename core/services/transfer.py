"""Import and export of deals as CSV (DESIGN.md §7), over one unit of work that the caller commits.

The whole file is parsed and validated (core.transfer.parse_rows) before the first write, so a bad
row stores nothing even if the caller forgot to roll back.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from core.audit import deal_snapshot, record
from core.model import Customer, Deal, DealStatus, Member, Role, Team
from core.pipeline import DEFAULT_PIPELINE, Pipeline, pipeline_of
from core.ports import UnitOfWork
from core.transfer import (
    DealRow,
    TeamContext,
    TransferError,
    deal_row,
    format_rows,
    parse_rows,
    stage_columns,
)

_CODE = re.compile(r"D-(\d+)")


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def import_deals(
    uow: UnitOfWork,
    csv_text: str,
    *,
    now: datetime,
    default_timezone: str,
    default_language: str,
    source: str = "csv",
) -> ImportResult:
    """Creates or updates one deal per row, matched on `ref`; does not commit."""
    teams = {t.name.casefold(): _context(t) for t in uow.teams.list()}
    rows = parse_rows(csv_text, teams, TeamContext(DEFAULT_PIPELINE, default_timezone))
    importer = _Importer(uow, now, f"import:{source}", default_timezone, default_language)
    outcomes = Counter(importer.apply(row) for row in rows)
    return ImportResult(outcomes["created"], outcomes["updated"], outcomes["unchanged"])


def export_deals(uow: UnitOfWork, *, team_name: str | None = None) -> str:
    """Every deal (or one team's), oldest id first, in the format import_deals reads."""
    team = uow.teams.by_name(team_name) if team_name is not None else None
    if team_name is not None and team is None:
        raise TransferError([f"no team named '{team_name}'"])
    teams = {t.id: t for t in uow.teams.list()}
    deals = sorted(uow.deals.find(team_id=team.id if team else None), key=lambda d: d.id)
    pipelines = {t.id: pipeline_of(t.pipeline) for t in teams.values()}
    used = [pipelines[d.team_id] for d in deals] or [pipelines[team.id] if team else DEFAULT_PIPELINE]
    rows = [_row_of(uow, deal, teams[deal.team_id]) for deal in deals]
    return format_rows(rows, stage_columns(used), {t.name: t.timezone for t in teams.values()})


def _context(team: Team) -> TeamContext:
    return TeamContext(pipeline_of(team.pipeline), team.timezone)


def _row_of(uow: UnitOfWork, deal: Deal, team: Team) -> DealRow:
    return deal_row(
        deal,
        uow.stage_changes.for_deal(deal.id),
        team=team.name,
        owner=uow.members.get(deal.owner_id).handle,
        customer=uow.customers.get(deal.customer_id).name,
    )


def _match(uow: UnitOfWork, ref: str) -> Deal | None:
    """The deal a row's ref names: its own ref, else D-<id> of a deal made in chat."""
    deal = uow.deals.by_ref(ref)
    if deal is None and (code := _CODE.fullmatch(ref)):
        by_id = uow.deals.get(int(code[1]))
        deal = by_id if by_id is not None and by_id.ref is None else None
    return deal


class _Importer:
    """Applies validated rows, creating the teams, members and customers they name."""

    def __init__(self, uow: UnitOfWork, now: datetime, source: str, timezone: str, language: str):
        self.uow, self.now, self.source = uow, now, source
        self.timezone, self.language = timezone, language  # for teams the file creates

    def apply(self, row: DealRow) -> str:
        team = self._team(row.team)
        owner, customer = self._owner(row.owner, team), self._customer(row.customer, team)
        row = replace(row, team=team.name, owner=owner.handle, customer=customer.name)
        deal = _match(self.uow, row.ref)
        if deal is None:
            self._create(row, team, owner, customer)
            return "created"
        old = _row_of(self.uow, deal, self.uow.teams.get(deal.team_id))
        if old == row:
            return "unchanged"
        self._update(deal, old, row, team, owner, customer)
        return "updated"

    def _team(self, name: str) -> Team:
        team = self.uow.teams.by_name(name)
        if team is None:
            team = self.uow.teams.add(Team(name, timezone=self.timezone, language=self.language))
        return team

    def _owner(self, handle: str, team: Team) -> Member:
        member = self.uow.members.by_handle(handle)
        if member is None:
            member = self.uow.members.add(
                Member(handle, team_id=team.id, role=Role.REP, created_at=self.now)
            )
        return member

    def _customer(self, name: str, team: Team) -> Customer:
        return self.uow.customers.named(team.id, name)

    def _create(self, row: DealRow, team: Team, owner: Member, customer: Customer) -> None:
        deal = Deal(
            title=row.title, customer_id=customer.id, owner_id=owner.id, team_id=team.id,
            stage=row.stage, stage_entered_at=row.stage_entered_at, created_at=row.created_at,
            ref=row.ref, last_activity_at=row.last_event_at,
        )
        _assign(deal, row, team, owner, customer)
        self.uow.deals.add(deal)
        _write_history(self.uow, deal, row, pipeline_of(team.pipeline))
        self._audit("import.create", deal, None)

    def _update(
        self, deal: Deal, old: DealRow, row: DealRow, team: Team, owner: Member, customer: Customer
    ) -> None:
        before = deal_snapshot(deal)
        _assign(deal, row, team, owner, customer)
        deal.last_activity_at = max(filter(None, [deal.last_activity_at, row.last_event_at]))
        if (old.stage, old.entered) != (row.stage, row.entered):
            _write_history(self.uow, deal, row, pipeline_of(team.pipeline))
        self._audit("import.update", deal, before)

    def _audit(self, action: str, deal: Deal, before: dict | None) -> None:
        record(
            self.uow, action=action, entity=deal.code, at=self.now, actor_id=None,
            source=self.source, before=before, after=deal_snapshot(deal),
        )


def _assign(deal: Deal, row: DealRow, team: Team, owner: Member, customer: Customer) -> None:
    """Everything a row says about a deal; the ref stays as it was (None for a chat deal)."""
    deal.title, deal.team_id = row.title, team.id
    deal.owner_id, deal.customer_id = owner.id, customer.id
    deal.amount, deal.currency = row.amount, row.currency
    deal.status, deal.stage = DealStatus(row.status), row.stage
    deal.created_at, deal.stage_entered_at = row.created_at, row.stage_entered_at
    deal.closed_at, deal.lost_reason = row.closed_at, row.lost_reason
    deal.expected_close = row.expected_close


def _write_history(uow: UnitOfWork, deal: Deal, row: DealRow, pipeline: Pipeline) -> None:
    """Replaces the deal's stage changes with the ones the row's entered_* times describe."""
    uow.stage_changes.delete_for_deal(deal.id)
    deal.furthest_stage = None  # the history is written again from the row: so is what it reached
    previous = None
    for stage, at in row.history(pipeline):
        uow.stage_changes.add(pipeline.change(deal, stage, at, None, from_key=previous))
        previous = stage
