"""Audit entries: who changed what, before and after, written in the change's own transaction."""

from __future__ import annotations

from datetime import datetime

from core.model import AuditEntry, Deal, Task
from core.ports import UnitOfWork


def deal_snapshot(deal: Deal) -> dict:
    """The fields of a deal worth keeping in its history, as JSON-able values."""
    return {
        "title": deal.title,
        "stage": deal.stage,
        "status": str(deal.status),
        "amount": None if deal.amount is None else str(deal.amount),
        "currency": deal.currency,
        "owner_id": deal.owner_id,
        "customer_id": deal.customer_id,
        "expected_close": _iso(deal.expected_close),
        "lost_reason": deal.lost_reason,
        "closed_at": _iso(deal.closed_at),
        "deliverables_done": list(deal.deliverables_done),
    }


def task_snapshot(task: Task) -> dict:
    return {
        "title": task.title,
        "assignee_id": task.assignee_id,
        "deal_id": task.deal_id,
        "due_at": _iso(task.due_at),
        "done_at": _iso(task.done_at),
    }


def record(
    uow: UnitOfWork,
    *,
    action: str,
    entity: str,
    at: datetime,
    actor_id: int | None,
    source: str,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """Write one AuditEntry; `entity` is a code such as 'D-12', 'T-7' or 'member:5'."""
    uow.audit.add(
        AuditEntry(action=action, entity=entity, at=at, actor_id=actor_id,
                   before=before, after=after, source=source)
    )


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, so history lines stay short."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
