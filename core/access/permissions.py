"""Who may do what: reps their own deals and tasks, managers their team's, admins everything."""

from __future__ import annotations

from collections.abc import Iterable

from core.domain.model import Customer, Deal, Member, Role, Task


def is_admin(member: Member) -> bool:
    return member.role == Role.ADMIN


def can_view_deal(member: Member, deal: Deal) -> bool:
    return is_admin(member) or deal.team_id == member.team_id


def can_change_deal(member: Member, deal: Deal) -> bool:
    if is_admin(member):
        return True
    if member.role == Role.MANAGER:
        return deal.team_id == member.team_id
    return deal.owner_id == member.id


def can_change_task(member: Member, task: Task) -> bool:
    if is_admin(member):
        return True
    if member.role == Role.MANAGER:
        return task.team_id == member.team_id
    return task.assignee_id == member.id


def can_read_history(member: Member, deal: Deal) -> bool:
    return is_admin(member) or (member.role == Role.MANAGER and deal.team_id == member.team_id)


def can_assign_to_others(member: Member) -> bool:
    return member.role in (Role.MANAGER, Role.ADMIN)


def can_invite(member: Member, team_id: int, role: Role) -> bool:
    """Admins invite anyone anywhere; a manager invites reps to their own team."""
    if is_admin(member):
        return True
    return member.role == Role.MANAGER and member.team_id == team_id and role == Role.REP


def can_take_work(actor: Member, member: Member) -> bool:
    """Whether the actor may give work (a deal, a task) to `member`: an active member, of the
    actor's own team unless the actor is an admin, so no deal ends up with someone who cannot
    see it, and its customer stays in its team."""
    return member.is_active and (is_admin(actor) or member.team_id == actor.team_id)


def can_view_customer(member: Member, customer: Customer) -> bool:
    """A customer's card: anyone of its team (as its deals), admins any team's."""
    return is_admin(member) or customer.team_id == member.team_id


def can_change_customer(member: Member, customer: Customer, deals: Iterable[Deal]) -> bool:
    """A customer's fields: its owner, a manager of its team, an admin; while it has no owner, a
    rep who owns one of its deals."""
    if is_admin(member):
        return True
    if customer.team_id != member.team_id:
        return False
    if member.role == Role.MANAGER or customer.owner_id == member.id:
        return True
    return customer.owner_id is None and any(deal.owner_id == member.id for deal in deals)
