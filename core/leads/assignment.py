"""Who gets a lead: the team's assignment rules as a pure choice (no storage, no clock).

The candidates are the team's lead-taking reps (LeadSettings.reps, else every active rep); the
first matching rule (territory, industry, source) narrows them to its reps. A candidate is
skipped while away (`me away until …`), at capacity (open leads held), or once offered this lead
already. Of the rest, round robin: the one whose latest offer is the oldest (never offered: first), ties by
member id, so N reps each get every N-th lead and a pass or a timeout moves the turn on.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from core.leads.settings import LeadSettings, Rule


@dataclass(frozen=True)
class Candidate:
    member_id: int
    handle: str
    open_leads: int = 0  # offered or assigned to them, or accepted with the deal still open
    last_offer: int | None = None  # the id of their latest offer of any lead (ids only grow)
    away: bool = False


@dataclass(frozen=True)
class Choice:
    member_id: int | None  # None: nobody may take it now (the pool)
    rule: Rule | None  # the rule that decided the candidates, if any
    why_none: str = ""  # no_reps | all_tried | all_away | all_full


def choose(candidates: Sequence[Candidate], settings: LeadSettings, values: dict[str, str | None],
           tried: Collection[int] = ()) -> Choice:
    rule = settings.rule_for(values)
    allowed = rule.reps if rule else settings.reps
    pool = [c for c in candidates if not allowed or c.handle in allowed]
    if not pool:
        return Choice(None, rule, "no_reps")
    fresh = [c for c in pool if c.member_id not in tried]
    if not fresh:
        return Choice(None, rule, "all_tried")
    present = [c for c in fresh if not c.away]
    if not present:
        return Choice(None, rule, "all_away")
    free = [c for c in present if not settings.capacity or c.open_leads < settings.capacity]
    if not free:
        return Choice(None, rule, "all_full")
    chosen = min(free, key=lambda c: (c.last_offer is not None, c.last_offer or 0, c.member_id))
    return Choice(chosen.member_id, rule)
