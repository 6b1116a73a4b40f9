"""The port of approvals (core.approvals.machine): the requests and the decisions on them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from core.approvals.machine import Approval, Decision, Trail


class ApprovalRepository(Protocol):
    def add(self, approval: Approval) -> None:
        """Store a new approval; it gets its id."""
        ...

    def get(self, approval_id: int) -> Approval | None: ...

    def of_deal(self, deal_id: int) -> Sequence[Approval]:
        """The deal's approvals, oldest first."""
        ...

    def pending(self, team_id: int | None = None) -> Sequence[Approval]:
        """The pending approvals (of one team's deals when given), oldest first."""
        ...

    def asked_by(self, member_id: int, limit: int = 20) -> Sequence[Approval]:
        """The member's own requests, newest first."""
        ...

    def decisions(self, approval_id: int) -> Sequence[Decision]:
        """The approval's decisions, oldest first."""
        ...

    def decide(self, approval: Approval, decision: Decision, from_step: int) -> bool:
        """Store `decision` and the approval's new state and step, only if the stored approval is
        still pending at `from_step` (else False, and nothing is written: someone decided first)."""
        ...

    def trails(self, deal_ids: Collection[int]) -> dict[int, list[Trail]]:
        """The approvals of these deals with their decisions, by deal, oldest first (the export)."""
        ...
