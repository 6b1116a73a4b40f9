"""Import and export: the rows a file's deals and customers need, read and written in bulk."""


from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from core.domain.model import (
    Customer,
    Deal,
)


class TransferStore(Protocol):
    """What an import (core.services.transfer) reads and writes in bulk: a file's 50,000 rows in
    a few statements each, not a few statements per row."""

    def deals_by_uid(self, uids: Collection[str]) -> dict[str, Deal]: ...
    def deals_by_number(self, numbers: Collection[int]) -> dict[int, Deal]: ...
    def deals_by_source_ref(self, refs: Collection[str]) -> dict[str, Deal]:
        """Deals imported with these refs (Deal.ref), keyed by the ref casefolded."""
        ...

    def deals_created_at(self, times: Collection[datetime]) -> list[Deal]:
        """Deals created at one of these moments (to the microsecond): those a file that names
        no deal may hold again."""
        ...

    def stage_changes_of(self, deal_ids: Collection[int]) -> dict[int, list[tuple[str, datetime]]]:
        """Each deal's changes as (stage entered, at), oldest first."""
        ...

    def customers_of(self, team_id: int) -> Sequence[Customer]: ...
    def add_customers(self, customers: Sequence[Customer]) -> None:
        """Stores them and sets their ids."""
        ...

    def add_new_customers(self, names: Sequence[tuple[int, str]]) -> list[int]:
        """Stores customers that have only a (team id, name): an import's, thousands at once,
        without a mapped object each. Their ids, in the same order."""
        ...

    def reserve_numbers(self, count: int, wanted: Collection[int]) -> list[int]:
        """`count` deal numbers never used before, above every number in use and every wanted one;
        no deal made later (in chat or by another import) gets one of them or a wanted one."""
        ...

    def add_deals(self, deals: Sequence[Mapping[str, Any]], changes: Sequence[Mapping[str, Any]], audit: Sequence[Mapping[str, Any]]) -> None:
        """New deals with their ids (D-<n> numbers) set, their history and audit entries: the field
        values of Deal, StageChange and AuditEntry. Plain values, as building 50,000 deals' mapped
        objects (storage/orm.py) costs more than writing them."""
        ...

    def remove_import(self, deal_ids: Collection[int], customer_ids: Collection[int]) -> None:
        """Takes back what earlier transactions of a failed import committed: these deals (with
        their history, follow-ups and audit entries) and these customers unless a deal uses them."""
        ...
