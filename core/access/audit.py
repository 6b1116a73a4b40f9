"""Audit entries: who changed what, before and after, written in the change's own transaction."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from core.domain.model import AuditEntry, DealStatus, Task
from core.notify import news
from core.ports.unit_of_work import UnitOfWork


class DealFields(Protocol):
    """What a deal snapshot reads: a Deal, or an import's new deal as plain values."""

    title: str
    stage: str
    status: DealStatus
    amount: Decimal | None
    currency: str
    owner_id: int
    customer_id: int
    expected_close: datetime | None
    lost_reason: str | None
    closed_at: datetime | None
    deliverables_done: list[str]


def deal_snapshot(deal: DealFields) -> dict[str, Any]:
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


def task_snapshot(task: Task) -> dict[str, Any]:
    snapshot = {
        "title": task.title,
        "assignee_id": task.assignee_id,
        "deal_id": task.deal_id,
        "due_at": _iso(task.due_at),
        "done_at": _iso(task.done_at),
    }
    if task.cancelled_at is not None:
        snapshot["cancelled_at"] = _iso(task.cancelled_at)
    return snapshot


def record(
    uow: UnitOfWork,
    *,
    action: str,
    entity: str,
    at: datetime,
    actor_id: int | None,
    source: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Write one AuditEntry; `entity` is a code such as 'D-12', 'T-7' or 'member:5'. A deal
    event goes on to the chats subscribed to it, in the same transaction (core.notify.news)."""
    entry = uow.audit.add(
        AuditEntry(action=action, entity=entity, at=at, actor_id=actor_id,
                   before=before, after=after, source=source)
    )
    if entity.startswith("D-"):
        news.after_audit(uow, entry)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, so history lines stay short."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
