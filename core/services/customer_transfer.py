"""Import and export of customers with their fields (lifecycle, aliases, contacts, owner, industry,
source, tags). An owner is named by handle and must be an active member of the customer's team.

A customer is known by its team and name (or an alias), as in chat. A row of a customer stored
here changes it only with update=True (`dealbot import --update`), otherwise it is left alone and
listed; a row naming no stored customer creates it (and its team, when new).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.model import Customer, Team, customer_key, customers_by_key
from core.files.customer_rows import CustomerRow, customer_row, format_customers, parse_customers
from core.files.deal_rows import Problem, TransferError
from core.files.sheets import Sheet
from core.ports.unit_of_work import UnitOfWork
from core.services.transfer import ImportResult


@dataclass(frozen=True)
class _Match:
    row: CustomerRow
    customer: Customer


def import_customers(uow: UnitOfWork, sheet: Sheet, *, default_timezone: str, default_language: str,
                     update: bool = False, dry_run: bool = False) -> ImportResult:
    """Creates, updates (when asked) or leaves alone one customer per row; does not commit."""
    rows = parse_customers(sheet)
    teams = {t.name.casefold(): t for t in uow.teams.list()}
    owners = _owners(uow, rows, teams)
    known: dict[int, dict[str, Customer]] = {}
    created, changed, unchanged, alone, notes = [], [], 0, 0, []
    for row in rows:
        team = teams.get(row.team.casefold())
        found = _by_name(uow, known, team, row.name) if team else None
        if found is None:
            created.append(row)
        elif team is not None and customer_row(found, team.name, _handle(uow, found)) == _canonical(
                row, found, team, _handle(uow, found)):
            unchanged += 1
        elif update:
            changed.append(_Match(row, found))
            notes.append(Problem(row.line, "import.note_customer_updated", {"name": found.name}))
        else:
            alone += 1
            notes.append(Problem(row.line, "import.note_customer_left_alone", {"name": found.name}))
    if not dry_run:
        for match in changed:
            match.customer.lifecycle = match.row.lifecycle
            match.customer.aliases, match.customer.contacts = match.row.aliases, match.row.contacts
            _set_fields(match.customer, match.row, owners)
        new = []
        for row in created:
            team = teams.get(row.team.casefold())
            if team is None:
                team = teams[row.team.casefold()] = uow.teams.add(
                    Team(row.team, timezone=default_timezone, language=default_language))
            customer = Customer(row.name, team.saved_id, row.lifecycle, row.aliases, row.contacts)
            _set_fields(customer, row, owners)
            new.append(customer)
        uow.transfer.add_customers(new)
    return ImportResult(len(created), len(changed), unchanged, alone, tuple(notes))


def export_customers(uow: UnitOfWork, *, team_name: str | None = None) -> str:
    """Every customer (or one team's), oldest first, in the format import_customers reads."""
    teams = uow.teams.list()
    if team_name is not None:
        teams = [t for t in teams if t.name.casefold() == team_name.casefold()]
        if not teams:
            raise TransferError([Problem(0, "import.no_team", {"name": team_name})])
    return format_customers([customer_row(c, team.name, _handle(uow, c)) for team in teams
                             for c in uow.transfer.customers_of(team.saved_id)])


def _by_name(uow: UnitOfWork, known: dict[int, dict[str, Customer]], team: Team, name: str) -> Customer | None:
    if team.id not in known:  # one read per team: a file names many customers
        known[team.saved_id] = customers_by_key(list(uow.transfer.customers_of(team.saved_id)))
    return known[team.saved_id].get(customer_key(name))


def _canonical(row: CustomerRow, customer: Customer, team: Team, owner: str) -> CustomerRow:
    """The row as the stored customer's would read, the columns the file lacks taken as stored."""
    return CustomerRow(team.name, customer.name, row.lifecycle, row.aliases, row.contacts,
                       owner if row.owner is None else row.owner,
                       customer.industry or "" if row.industry is None else row.industry,
                       customer.source or "" if row.source is None else row.source,
                       list(customer.tags) if row.tags is None else row.tags)


def _handle(uow: UnitOfWork, customer: Customer) -> str:
    member = uow.members.get(customer.owner_id) if customer.owner_id is not None else None
    return member.handle if member else ""


def _owners(uow: UnitOfWork, rows: list[CustomerRow], teams: dict[str, Team]) -> dict[str, int]:
    """The owners the rows name, by handle: each an active member of the row's team (a new team
    has none yet), or TransferError naming every row that names someone else."""
    found: dict[str, int] = {}
    problems = []
    for row in rows:
        if not row.owner:
            continue
        member = uow.members.by_handle(row.owner)
        team = teams.get(row.team.casefold())
        if member is None or not member.is_active or team is None or member.team_id != team.id:
            problems.append(Problem(row.line, "import.customer_owner", {"handle": row.owner, "team": row.team},
                                    "owner"))
        else:
            found[row.owner] = member.saved_id
    if problems:
        raise TransferError(problems)
    return found


def _set_fields(customer: Customer, row: CustomerRow, owners: dict[str, int]) -> None:
    if row.owner is not None:
        customer.owner_id = owners[row.owner] if row.owner else None
    if row.industry is not None:
        customer.industry = row.industry or None
    if row.source is not None:
        customer.source = row.source or None
    if row.tags is not None:
        customer.tags = list(row.tags)
