"""Who may do what: reps their own deals and tasks, managers their team's, admins everything."""

from __future__ import annotations

from core.model import Deal, Member, Role, Task


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
