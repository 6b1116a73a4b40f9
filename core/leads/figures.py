"""The lead figures of a period (the scorecard's `leads`): per source, how many leads came in,
how many were accepted (each accepted lead is a deal: core.services.leads), how many of those
deals were won, the lead → deal conversion, and the median response time: working hours
(core.conversations.response_times) from a lead's intake to its acceptance."""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from core.analytics import rounding
from core.conversations.response_times import working_seconds
from core.domain.model import DealStatus, Team
from core.domain.worktime import WorkSettings
from core.leads.model import Lead
from core.ports.unit_of_work import UnitOfWork

NO_SOURCE = ""  # leads that said no source


def lead_figures(uow: UnitOfWork, team: Team, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """One row per source (the most leads first, then by name), then the team's total (source None)."""
    work = WorkSettings.of(team.timezone, team.settings)
    by_source: dict[str, list[Lead]] = {}
    leads = uow.leads.created_between(team.saved_id, start, end)
    for lead in leads:
        by_source.setdefault(lead.source or NO_SOURCE, []).append(lead)
    rows = [_row(uow, work, source, group) for source, group in
            sorted(by_source.items(), key=lambda item: (-len(item[1]), item[0]))]
    return [*rows, _row(uow, work, None, list(leads))] if rows else []


def _row(uow: UnitOfWork, work: WorkSettings, source: str | None, leads: list[Lead]) -> dict[str, Any]:
    accepted = [lead for lead in leads if lead.accepted_at is not None]
    deals = [lead for lead in accepted if lead.deal_id is not None]
    won = 0
    for lead in deals:
        deal = uow.deals.get(lead.deal_id) if lead.deal_id is not None else None
        won += deal is not None and deal.status == DealStatus.WON
    hours = [working_seconds(work, lead.created_at, lead.accepted_at) / 3600
             for lead in accepted if lead.accepted_at is not None]
    median = statistics.median(hours) if hours else None
    return {"source": source, "leads": len(leads), "accepted": len(accepted), "deals": len(deals), "won": won,
            "conversion": rounding.rate(len(deals), len(leads)),
            "response_hours_median": None if median is None else round(median, 2)}
