"""Approvals in SQL (core.ports.approvals.ApprovalRepository).

A decision is written only if the approval is still pending at the step it was read at: the
UPDATE names that step and state, and a click that lost the race (another approver, the same
button twice, a second replica) updates no row and writes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.approvals.machine import Approval, Decision, State, Trail, Verdict
from storage import tables as t

_A = t.approvals.c
_D = t.approval_decisions.c
_FIELDS = ("deal_id", "team_id", "requester_id", "kind", "value", "currency", "reason", "steps", "state",
           "step", "created_at", "decided_at")


def _approval(row: Any) -> Approval:
    values = {name: getattr(row, name) for name in _FIELDS}
    values["state"] = State(values["state"])
    values["steps"] = [list(step) for step in values["steps"]]
    return Approval(**values, id=row.id)


def _decision(row: Any) -> Decision:
    return Decision(approval_id=row.approval_id, step=row.step, member_id=row.member_id,
                    verdict=Verdict(row.verdict), note=row.note, at=row.at, id=row.id)


class SqlApprovalRepository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, approval: Approval) -> None:
        values = {name: getattr(approval, name) for name in _FIELDS}
        values["state"] = str(approval.state)
        approval.id = self._session.execute(t.approvals.insert().values(values).returning(_A.id)).scalar_one()

    def get(self, approval_id: int) -> Approval | None:
        row = self._session.execute(select(t.approvals).where(_A.id == approval_id)).first()
        return None if row is None else _approval(row)

    def of_deal(self, deal_id: int) -> Sequence[Approval]:
        query = select(t.approvals).where(_A.deal_id == deal_id).order_by(_A.id)
        return [_approval(row) for row in self._session.execute(query)]

    def pending(self, team_id: int | None = None) -> Sequence[Approval]:
        query = select(t.approvals).where(_A.state == str(State.PENDING))
        if team_id is not None:
            query = query.where(_A.team_id == team_id)
        return [_approval(row) for row in self._session.execute(query.order_by(_A.id))]

    def asked_by(self, member_id: int, limit: int = 20) -> Sequence[Approval]:
        query = select(t.approvals).where(_A.requester_id == member_id).order_by(_A.id.desc()).limit(limit)
        return [_approval(row) for row in self._session.execute(query)]

    def decisions(self, approval_id: int) -> Sequence[Decision]:
        query = select(t.approval_decisions).where(_D.approval_id == approval_id).order_by(_D.id)
        return [_decision(row) for row in self._session.execute(query)]

    def decide(self, approval: Approval, decision: Decision, from_step: int) -> bool:
        changed = self._session.execute(
            update(t.approvals)
            .where(_A.id == approval.saved_id, _A.state == str(State.PENDING), _A.step == from_step)
            .values(state=str(approval.state), step=approval.step, decided_at=approval.decided_at)
        ).rowcount
        if changed != 1:
            return False
        decision.id = self._session.execute(t.approval_decisions.insert().values(
            approval_id=decision.approval_id, step=decision.step, member_id=decision.member_id,
            verdict=str(decision.verdict), note=decision.note, at=decision.at).returning(_D.id)).scalar_one()
        return True

    def trails(self, deal_ids: Collection[int]) -> dict[int, list[Trail]]:
        wanted = set(deal_ids)
        query = select(t.approvals).order_by(_A.id)
        if len(wanted) <= 1000:  # else every approval (few beside the deals), not a huge IN list
            query = query.where(_A.deal_id.in_(wanted))
        found = {row.id: Trail(_approval(row)) for row in self._session.execute(query) if row.deal_id in wanted}
        if found:
            decisions = select(t.approval_decisions).order_by(_D.id)
            if len(found) <= 1000:
                decisions = decisions.where(_D.approval_id.in_(found))
            for row in self._session.execute(decisions):
                if row.approval_id in found:
                    found[row.approval_id].decisions.append(_decision(row))
        trails: dict[int, list[Trail]] = {}
        for trail in found.values():
            trails.setdefault(trail.approval.deal_id, []).append(trail)
        return trails
