"""The members a team's settings name must be there (`dealbot team-settings`): a lead rule or
`leads.reps` naming nobody, a removed member, another team's member or a manager sends the team's
leads to the pool with no word, and an approval waiting for an `@ghost` waits forever. Each check
answers the one sentence that names the first wrong handle, or None when every handle is right."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from core.domain.model import Member, Role, Team
from core.leads.settings import LeadSettings


def lead_handle_problem(key: str, settings: LeadSettings, team: Team, team_members: Sequence[Member],
                        anyone: Callable[[str], Member | None]) -> str | None:
    """`key` is `reps` or `rules`: its handles must be active reps of the team. `anyone(handle)`
    finds a member of any team, to say where a wrong one is."""
    named = settings.reps if key == "reps" else tuple(h for rule in settings.rules for h in rule.reps)
    reps = {m.handle.casefold() for m in team_members if m.is_active and m.role == Role.REP and m.is_person}
    for handle in named:
        if handle.casefold() in reps:
            continue
        found = anyone(handle)
        if found is None:
            why = f"there is no member @{handle}"
        elif not found.is_active:
            why = f"@{handle} was removed"
        elif found.team_id != team.saved_id:
            why = f"@{handle} is not in {team.name}"
        elif not found.is_person:
            why = f"@{handle} is an integration (an API token), not a rep"
        else:
            why = f"@{handle} is a {found.role}, not a rep"
        return f"leads.{key}: {why}; {team.name}'s reps: {_listed(sorted(reps))}"
    return None


def approver_problem(approvals: Iterable[dict[str, Any]] | None, anyone: Callable[[str], Member | None]) -> str | None:
    """Every `@handle` approver of the rules must be an active member (of any team: an admin of
    another team may decide)."""
    for rule in approvals or ():
        for approver in rule.get("approvers", ()):
            if not str(approver).startswith("@"):
                continue
            found = anyone(str(approver)[1:].lower())
            if found is None:
                return f"approvals: there is no member {approver}; approvers are manager, admin or a member's @handle"
            if not found.is_active:
                return f"approvals: {approver} was removed; name an active member"
    return None


def _listed(handles: Sequence[str]) -> str:
    return ", ".join(f"@{h}" for h in handles) or "none yet"
