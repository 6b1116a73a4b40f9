"""The hand-written SQL baselines of bench/analytics.py: each answers the same question as dealbot's
figure, straight on sqlite3, with the fewest statements a person would write, and returns the same
numbers, which bench/analytics.py checks against dealbot's before it times anything.

They read the same file through the same indexes and the same kept columns (migrations 0007–0009:
a stage change carries its deal's team, owner and whether it advanced; a deal its furthest stage).
What they leave out is exactly dealbot's own cost: SQLAlchemy, the domain objects,
rounding and the reply. They are written as a person would first write them, one statement per
figure; dealbot's own statements are shaped further (storage/analytics.py).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from core.domain.pipeline import DEFAULT_PIPELINE, WON

FMT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a naive UTC timestamp in SQLite
ORDER = [s.key for s in DEFAULT_PIPELINE.open_stages] + [WON]
OPEN_STAGES = ORDER[:-1]


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).strftime(FMT)


def _rank(column: str) -> str:
    whens = " ".join(f"WHEN '{key}' THEN {i}" for i, key in enumerate(ORDER))
    return f"CASE {column} {whens} END"


def _cents(value) -> Decimal:
    return Decimal(value or 0) / 100


# -- the weekly scorecard ------------------------------------------------------------------------

CREATED = ("SELECT owner_id, count(*) FROM deals WHERE team_id = ? AND created_at >= ? AND created_at < ?"
           " GROUP BY owner_id")
# Whole seconds of a stored timestamp, the fraction cut off (as storage/analytics.epoch on SQLite).
SECONDS = "CAST(strftime('%s', substr({}, 1, 19)) AS INTEGER)"
CLOSED = ("SELECT owner_id, status, currency, count(*), sum(amount),"
          f" sum({SECONDS.format('closed_at')} - {SECONDS.format('created_at')})"
          " FROM deals WHERE team_id = ? AND closed_at >= ? AND closed_at < ? AND status != 'open'"
          " GROUP BY owner_id, status, currency")
# The funnel reads each deal's furthest stage (deals.furthest_stage, migration 0009), the advances
# each change's owner and advance flag (stage_changes.owner_id, .advance): the columns dealbot keeps.
# The per-rep counts walk one (team, member, time) index range per member ("IN (SELECT id FROM
# members)"), in member order, so SQLite needs no sort for the GROUP BY, as dealbot's do.
FUNNEL = (f"SELECT max(coalesce({_rank('stage')}, 0), coalesce({_rank('furthest_stage')}, 0)) AS top, count(*)"
          " FROM deals WHERE team_id = ? AND created_at >= ? AND created_at < ? GROUP BY top")
MEMBERS_IN = "IN (SELECT id FROM members)"
ADVANCES = (f"SELECT owner_id, count(*) FROM stage_changes WHERE team_id = ? AND advance = 1 AND owner_id {MEMBERS_IN}"
            " AND at >= ? AND at < ? GROUP BY owner_id")
LOGGED = ("SELECT author_id, count(*) FROM interactions INDEXED BY ix_interactions_logged_team_id_author_id_occurred_at"
          f" WHERE team_id = ? AND author_id {MEMBERS_IN} AND occurred_at >= ? AND occurred_at < ?"
          " AND kind != 'message' GROUP BY author_id")
OVERDUE = ("SELECT assignee_id, count(*) FROM tasks WHERE team_id = ? AND assignee_id"
           f" {MEMBERS_IN} AND due_at < ? AND done_at IS NULL GROUP BY assignee_id UNION ALL"
           " SELECT assignee_id, count(*) FROM tasks WHERE team_id = ? AND due_at < ? AND done_at >= ?"
           " GROUP BY assignee_id")
STALE = ("SELECT id, stage, stage_entered_at FROM deals WHERE team_id = ? AND status = 'open' AND ("
         + " OR ".join("stage = ? AND stage_entered_at <= ?" for _ in OPEN_STAGES)
         + ") ORDER BY stage_entered_at, id")
MEMBERS = "SELECT id, handle, role FROM members WHERE team_id = ?"
# First response (captured chats): each contact message in the week and the next member message in
# its chat (none in the bench's data, which has no captured chats; the query still runs).
ANSWERS = ("SELECT a.occurred_at, (SELECT r.occurred_at FROM interactions r WHERE r.platform = a.platform"
           " AND r.chat_id = a.chat_id AND r.kind = 'message' AND r.author_kind = 'member'"
           " AND r.occurred_at > a.occurred_at ORDER BY r.occurred_at, r.id LIMIT 1)"
           " FROM interactions a WHERE a.team_id = ? AND a.kind = 'message' AND a.author_kind = 'contact'"
           " AND a.occurred_at >= ? AND a.occurred_at < ?")


def scorecard(db: sqlite3.Connection, team: int, start: str, end: str, asof: str,
              stale_by: dict[str, str]) -> dict:
    """The week's figures, as bench/analytics.scorecard_figures() reads them off dealbot's."""
    window = (team, start, end)
    reps: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    totals: dict = defaultdict(int)
    for owner, count in db.execute(CREATED, window):
        reps[owner]["new_deals"] = count
        totals["new_deals"] += count
    for owner, status, currency, count, cents, seconds in db.execute(CLOSED, window):
        totals[status] += count
        if status == WON:
            totals["cycle_seconds"] += seconds
            if currency == "CNY":
                totals["won_amount"] += _cents(cents)
                reps[owner]["won_amount"] += _cents(cents)
            reps[owner]["won"] += count
    tops = dict(db.execute(FUNNEL, window).fetchall())
    for owner, count in db.execute(ADVANCES, window):
        reps[owner]["advances"] = count
    for author, count in db.execute(LOGGED, window):
        reps[author]["interactions"] = count
    for assignee, count in db.execute(OVERDUE, (team, asof, team, asof, asof)):
        reps[assignee]["overdue_tasks"] += count
    stale_args = [team] + [v for key in OPEN_STAGES for v in (key, stale_by[key])]
    stale = [deal_id for deal_id, _, _ in db.execute(STALE, stale_args)]
    db.execute(MEMBERS, (team,)).fetchall()
    db.execute(ANSWERS, window).fetchall()
    return {"new_deals": totals["new_deals"], "won": totals[WON], "lost": totals["lost"],
            "won_amount": totals["won_amount"], "cycle_seconds": totals["cycle_seconds"],
            "funnel": [sum(n for top, n in tops.items() if top >= rank) for rank in range(len(ORDER))],
            "reps": {member: dict(row) for member, row in reps.items()}, "stale": stale}


# -- the funnel over a period ----------------------------------------------------------------------

def funnel(db: sqlite3.Connection, team: int, start: str, end: str) -> list[int]:
    tops = dict(db.execute(FUNNEL, (team, start, end)).fetchall())
    return [sum(n for top, n in tops.items() if top >= rank) for rank in range(len(ORDER))]


# -- the forecast ----------------------------------------------------------------------------------

def _bucket(cutoffs: dict[str, tuple[str, str]]) -> tuple[str, list[str]]:
    """CASE: 2 past twice the stage's limit, 1 past it, else 0 (as storage/analytics.open_groups)."""
    entered_by = " OR ".join("stage = ? AND stage_entered_at <= ?" for _ in cutoffs)
    args = [v for key, (_, far) in cutoffs.items() for v in (key, far)]
    args += [v for key, (over, _) in cutoffs.items() for v in (key, over)]
    return f"CASE WHEN ({entered_by}) THEN 2 WHEN ({entered_by}) THEN 1 ELSE 0 END", args


def forecast(db: sqlite3.Connection, team: int, start: str, end: str,
             cutoffs: dict[str, tuple[str, str]], top: int) -> dict:
    """The open deals expected to close in the window by stage, overstay and currency; the amount
    won in it; the largest deals. (The model's probabilities come from stage_exits() below.)"""
    bucket, args = _bucket(cutoffs)
    groups = db.execute(f"SELECT stage, {bucket} AS b, currency, count(*), sum(amount) FROM deals"
                        " WHERE team_id = ? AND status = 'open' AND expected_close >= ? AND expected_close < ?"
                        " GROUP BY stage, b, currency", [*args, team, start, end]).fetchall()
    won = db.execute("SELECT sum(amount) FROM deals WHERE team_id = ? AND status = 'won' AND closed_at >= ?"
                     " AND closed_at < ? AND currency = 'CNY'", (team, start, end)).fetchone()[0]
    largest = db.execute("SELECT id FROM deals WHERE team_id = ? AND status = 'open' AND expected_close >= ?"
                         " AND expected_close < ? ORDER BY amount IS NULL, amount DESC, id LIMIT ?",
                         (team, start, end, top)).fetchall()
    return {"deals": sum(g[3] for g in groups),
            "pipeline_amount": sum(_cents(g[4]) for g in groups if g[2] == "CNY"),
            "won_amount": _cents(won), "top": [row[0] for row in largest]}


def stage_exits(db: sqlite3.Connection, team: int, since: str, cutoff: str, limits: dict[str, int]) -> dict:
    """What the win model learns: per stage, the stays that ended since `since`, how many moved
    forward, and the same for the stays past the stage's limit and past twice it."""
    following = "OVER (PARTITION BY s.deal_id ORDER BY s.at, s.id)"
    seconds = SECONDS
    limit = " ".join(f"WHEN '{key}' THEN {days}" for key, days in limits.items())

    def longer(factor: int) -> str:
        return f"stay >= (CASE stage {limit} END * {factor} + 1) * 86400"

    inner = (f"SELECT s.to_stage AS stage, {_rank('s.to_stage')} AS r, {_rank(f'lead(s.to_stage) {following}')}"
             f" AS next_r, {seconds.format(f'lead(s.at) {following}')} - {seconds.format('s.at')} AS stay"
             " FROM deals d JOIN stage_changes s ON s.deal_id = d.id WHERE d.team_id = ? AND s.at >= ? AND s.at < ?")
    forward = "CASE WHEN next_r > r THEN 1 ELSE 0 END"
    query = (f"SELECT stage, count(*), sum({forward}), sum({longer(1)}), sum(CASE WHEN {longer(1)} THEN {forward}"
             f" ELSE 0 END), sum({longer(2)}), sum(CASE WHEN {longer(2)} THEN {forward} ELSE 0 END)"
             f" FROM ({inner}) WHERE stay IS NOT NULL AND stage IN ({', '.join('?' for _ in OPEN_STAGES)})"
             " GROUP BY stage")
    return {row[0]: tuple(int(v or 0) for v in row[1:])
            for row in db.execute(query, (team, since, cutoff, *OPEN_STAGES))}
