"""The funnel per kind of customer (`funnel by:industry|source|tag`), in SQL.

Industry and source: one GROUP BY over the deals created in the window joined to their
customers. Tags are a JSON list, which the two databases expand differently: the deals are
grouped by customer in SQL, then each customer's tags are read once (one query per thousand
customers) and the counts added up per tag here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import tables as t

_C = t.customers.c
_CHUNK = 1000


def funnel_by(session: Session, team_id: int, start: datetime, end: datetime, order: Sequence[str], by: str,
              top: Any, window: Callable[..., Any], reached: Callable[[dict[int, int], Sequence[str]], list[int]]
              ) -> dict[str | None, list[int]]:
    deals = t.deals.c
    created = (deals.team_id == team_id, window(deals.created_at, start, end))
    tops: dict[str | None, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    if by in ("industry", "source"):
        query = (select(_C[by], top.label("top"), func.count())
                 .select_from(t.deals.join(t.customers, _C.id == deals.customer_id))
                 .where(*created).group_by(_C[by], "top"))
        for value, rank, count in session.execute(query):
            tops[value][rank] += count
    elif by == "tag":
        per_customer: dict[int, dict[int, int]] = defaultdict(dict)
        query = select(deals.customer_id, top.label("top"), func.count()).where(*created).group_by(
            deals.customer_id, "top")
        for customer_id, rank, count in session.execute(query):
            per_customer[customer_id][rank] = count
        ids = sorted(per_customer)
        for i in range(0, len(ids), _CHUNK):
            for customer_id, tags in session.execute(select(_C.id, _C.tags).where(_C.id.in_(ids[i:i + _CHUNK]))):
                for tag in (tags or [None]):
                    for rank, count in per_customer[customer_id].items():
                        tops[tag][rank] += count
    else:
        raise ValueError(f"funnel_by: no segment {by!r}")
    return {value: reached(ranks, order) for value, ranks in tops.items()}
