"""SQLite's plans for the scorecard: each per-rep count walks its (team, member, time) index one
member at a time, so no part of it sorts its rows for the GROUP BY (bench/README.md, "analytics.py":
that sort was a third of the scorecard's SQL at 100k deals). dealbot never runs ANALYZE, and these
plans are what SQLite picks without statistics, on an empty migrated database as on a full one.
The timings themselves are measured in bench/, never here."""

from __future__ import annotations

import re

import sqlalchemy as sa

from core.domain.pipeline import DEFAULT_PIPELINE
from storage.analytics import _scorecard_statement

# The parts of the statement, in order, and the index each reads. The closed deals and the new
# deals with their funnel still sort (a few thousand rows a week, grouped by more than the member).
EXPECTED = [
    ("ix_deals_closed_figures", True),
    ("ix_deals_team_id_created_at_owner_id_stage_furthest_stage", True),
    ("ix_stage_changes_team_id_advance_owner_id_at", False),
    ("ix_interactions_logged_team_id_author_id_occurred_at", False),
    ("ix_tasks_not_done_team_id_assignee_id_due_at", False),
    ("ix_tasks_team_id_done_at", True),
]


def _plan(sqlite_url: str) -> list[str]:
    engine = sa.create_engine(sqlite_url)
    statement = _scorecard_statement(tuple(DEFAULT_PIPELINE.funnel))
    compiled = statement.compile(dialect=engine.dialect)
    params = {"team": 1, "start": "2026-03-01", "end": "2026-03-08", "asof": "2026-03-08"}
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}",
                                          tuple(compiled.construct_params(params)[k] for k in compiled.positiontup))
        details = [row[3] for row in rows]
    engine.dispose()
    return details


def _parts(details: list[str]) -> list[list[str]]:
    """The plan's lines grouped by the part of the UNION ALL they belong to."""
    parts: list[list[str]] = []
    for line in details:
        if line.startswith("SEARCH"):
            parts.append([line])
        elif parts and not line.startswith(("COMPOUND", "LEFT-MOST", "UNION ALL")):
            parts[-1].append(line)
    return parts


def test_each_per_rep_count_reads_its_index_member_by_member_without_a_sort(sqlite_url):
    parts = _parts(_plan(sqlite_url))
    assert len(parts) == len(EXPECTED)
    for lines, (index, sorts) in zip(parts, EXPECTED, strict=True):
        assert re.search(rf"USING (COVERING )?INDEX {index}\b", lines[0]), lines
        assert ("USE TEMP B-TREE FOR GROUP BY" in lines) is sorts, lines
        if not sorts:
            assert "COVERING INDEX" in lines[0], lines  # no table row read either
            assert "USING ROWID SEARCH ON TABLE members FOR IN-OPERATOR" in lines, lines
