"""`dealbot import leads.csv`: a file of leads taken in as `lead` takes one (core.services.leads.
intake: the duplicate check, the rules, the DMs), all or nothing. A row equal to a lead the team
already has (the same company, phone and e-mail, normalised) is left alone, so the same file
twice takes nothing in twice. A row repeating one of the team's open leads (the same company,
phone or e-mail: core.leads.matching.duplicate_of), or an earlier row of the file, is not taken
in: its line is reported with the lead it repeats and who holds it."""

from __future__ import annotations

from datetime import datetime

from core.files.deal_rows import Problem, TransferError
from core.files.lead_rows import read_lead_rows
from core.files.sheets import Sheet
from core.leads.matching import duplicate_of, email_key, name_key, phone_key
from core.leads.model import Lead, LeadFields
from core.ports.unit_of_work import UnitOfWork
from core.services.leads import duplicate_error, intake, pending_leads
from core.services.transfer import ImportResult


def _key(company: str, phone: str | None, email: str | None) -> tuple[str, str | None, str | None]:
    return name_key(company), phone_key(phone), email_key(email)


def import_leads(uow: UnitOfWork, sheet: Sheet, *, default_team: str, now: datetime, dry_run: bool,
                 source: str) -> ImportResult:
    teams = {team.name.casefold(): team for team in uow.teams.list()}
    rows = read_lead_rows(sheet, set(teams))
    fallback = teams.get(default_team.casefold()) or next(iter(teams.values()), None)
    if fallback is None:
        raise TransferError([Problem(0, "import.no_team", {"name": default_team})])
    known: dict[int, set[tuple[str, str | None, str | None]]] = {}
    pending: dict[int, list[Lead]] = {}
    lines: dict[int, int] = {}  # id() of a dry run's unsaved lead -> its line
    created, unchanged, notes = 0, 0, []
    for row in rows:
        team = teams[row.team.casefold()] if row.team else fallback
        if team.saved_id not in known:
            known[team.saved_id] = {_key(lead.company, lead.phone, lead.email)
                                    for lead in _every_lead(uow, team.saved_id)}
            pending[team.saved_id] = pending_leads(uow, team.saved_id)
        key = _key(row.fields.company, row.fields.phone, row.fields.email)
        if key in known[team.saved_id]:
            unchanged += 1
            continue
        same = duplicate_of(row.fields, pending[team.saved_id])
        if same is not None:
            unchanged += 1
            notes.append(_duplicate_note(uow, row.line, same, lines))
            continue
        known[team.saved_id].add(key)
        created += 1
        if dry_run:
            lead = Lead(team_id=team.saved_id, company=row.fields.company, created_at=now,
                        phone=row.fields.phone, email=row.fields.email)
            lines[id(lead)] = row.line
        else:
            lead, moved, _ = intake(uow, team, LeadFields(**vars(row.fields)), now=now, actor=None,
                                    source=source, channel="import", check_duplicate=False)
            owner = moved.member.ref() if moved.member else "—"
            notes.append(Problem(row.line, "import.note_lead", {"lead": lead.code, "owner": owner}))
        pending[team.saved_id].append(lead)
    return ImportResult(created=created, unchanged=unchanged, notes=tuple(notes))


def _duplicate_note(uow: UnitOfWork, line: int, same: Lead, lines: dict[int, int]) -> Problem:
    if same.id is None:
        return Problem(line, "import.lead_repeats_line", {"line": lines.get(id(same), 0)})
    err = duplicate_error(uow, same)
    return Problem(line, err.key, dict(err.params))


def _every_lead(uow: UnitOfWork, team_id: int) -> list[Lead]:
    return list(uow.leads.of_team(team_id, limit=1_000_000))
