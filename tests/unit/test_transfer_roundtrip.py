"""Export → import → export is the identity, for any pipeline of deals (hypothesis).

The pipelines are made the way chat and earlier imports leave them: teams with their own time
zones (one with its own stages), members, customers whose names start with what a spreadsheet
would run as a formula, deals in every status with histories that revisit stages, times with
microseconds, amounts in several currencies, free-text lost reasons with commas, quotes and
newlines, refs from another system. The empty database it is imported into has the same teams
(a team's time zone and stages are its configuration, not data in the file). Runs on the
in-memory unit of work and, with fewer examples, on SQLite (and PostgreSQL where one answers,
tests/storage/test_transfer_roundtrip_sql.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.model import Deal, DealStatus, Member, StageChange, Team
from core.domain.pipeline import DEFAULT_PIPELINE, Pipeline, Stage
from core.files.sheets import cells_of, csv_sheet
from core.services.transfer import ImportResult, export_deals, import_deals
from tests.fakes import FakeUnitOfWork

NOW = datetime(2026, 12, 1, tzinfo=UTC)
CUSTOM = Pipeline((DEFAULT_PIPELINE.get("lead"), Stage("proposal", "Proposal", "方案", 5, 0.4),
                   DEFAULT_PIPELINE.get("won"), DEFAULT_PIPELINE.get("lost")))
TEAMS = (("East", "Asia/Shanghai", None), ("West", "America/Los_Angeles", None),
         ("华南", "Asia/Shanghai", CUSTOM))

_FIRST = st.sampled_from(list("AbZ华东-+'(")) | st.just("Ü")
_REST = st.text(alphabet=st.sampled_from(list("abcXYZ019华为 .,&'()/+-·")), max_size=20)
NAMES = st.builds(lambda a, b: " ".join((a + b + "x").split()), _FIRST, _REST)  # as chat keeps a name
REASONS = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029")
                  | st.sampled_from(["\n", ",", '"', "=", "@"]), min_size=1, max_size=30
                  ).map(str.strip).filter(bool)
AMOUNTS = st.none() | st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999999"), places=2)


@st.composite
def deal_plans(draw):
    team = draw(st.integers(0, len(TEAMS) - 1))
    pipeline = TEAMS[team][2] or DEFAULT_PIPELINE
    open_keys = [s.key for s in pipeline.stages if not s.is_closed]
    visits = draw(st.lists(st.sampled_from(open_keys), min_size=1, max_size=5))
    fate = draw(st.sampled_from(["open", "won", "lost"]))
    if fate != "open":
        visits.append(fate)
    gaps = draw(st.lists(st.integers(1, 10**6), min_size=len(visits), max_size=len(visits)))
    micro = draw(st.lists(st.integers(0, 999_999), min_size=len(visits) + 1, max_size=len(visits) + 1))
    created = NOW - timedelta(days=draw(st.integers(30, 900)), microseconds=micro[0])
    at, times = created, []
    for gap, us in zip(gaps, micro[1:], strict=True):
        at = at + timedelta(seconds=gap) + timedelta(microseconds=us - at.microsecond)
        times.append(at)  # each at least a second after the one before, in whole seconds too
    return {
        "team": team, "owner": draw(st.integers(0, 3)), "customer": draw(st.integers(0, 4)),
        "title": draw(NAMES), "history": list(zip(visits, times, strict=True)), "created": created,
        "status": fate, "amount": draw(AMOUNTS), "currency": draw(st.sampled_from(["CNY", "USD", "EUR"])),
        "reason": draw(REASONS) if fate == "lost" else None,
        "close": draw(st.none() | st.datetimes(datetime(2026, 1, 1), datetime(2028, 1, 1), timezones=st.just(UTC))),
        "ref": draw(st.none() | st.from_regex(r"[A-Z]{2,4}-[0-9]{1,5}", fullmatch=True)),
        "imported": draw(st.booleans()),
    }


PIPELINES = st.fixed_dictionaries({
    "handles": st.lists(st.from_regex(r"[a-z][a-z0-9._-]{0,10}", fullmatch=True), min_size=4, max_size=4,
                        unique_by=str.casefold),
    "customers": st.lists(NAMES, min_size=5, max_size=5, unique_by=str.casefold),
    "deals": st.lists(deal_plans(), max_size=12),
})


def with_teams(uow):
    with uow as u:
        for name, zone, pipeline in TEAMS:
            u.teams.add(Team(name, timezone=zone, pipeline=pipeline.to_dict() if pipeline else None))
        u.commit()
    return uow


def build(uow, plan: dict):
    """The pipeline as chat (history by a member) and earlier imports (a ref, no author) leave it."""
    with uow as u:
        teams = u.teams.list()
        for n, d in enumerate(plan["deals"]):
            team = teams[d["team"]]
            handle = f"{plan['handles'][d['owner']]}{team.id}"
            owner = u.members.by_handle(handle) or u.members.add(Member(handle, team_id=team.id))
            customer = u.customers.named(team.id, plan["customers"][d["customer"]])
            stage, entered = d["history"][-1]
            closed = entered if d["status"] != "open" else None
            deal = u.deals.add(Deal(
                title=d["title"], customer_id=customer.id, owner_id=owner.id, team_id=team.id, stage=stage,
                stage_entered_at=entered, created_at=d["created"], amount=d["amount"], currency=d["currency"],
                status=DealStatus(d["status"]), lost_reason=d["reason"], closed_at=closed,
                expected_close=d["close"], ref=f"{d['ref']}.{n}" if d["ref"] else None,
            ))
            previous = None
            for key, at in d["history"]:
                u.stage_changes.add(StageChange(deal.id, previous, key, at, None if d["imported"] else owner.id))
                previous = key
        u.commit()


def round_trip(make_uow, plan: dict) -> None:
    """`make_uow()` gives an empty database's unit of work, to be entered again and again."""
    source = with_teams(make_uow())
    build(source, plan)
    with source as u:
        exported = export_deals(u)
    empty = with_teams(make_uow())
    with empty as u:
        result = import_deals(u, exported, now=NOW, default_timezone="UTC", default_language="en")
        u.commit()
    assert result == ImportResult(created=len(plan["deals"]))
    with empty as u:
        assert export_deals(u) == exported
    with empty as u:  # and importing it again where it now is changes nothing
        again = import_deals(u, exported, now=NOW, default_timezone="UTC", default_language="en")
    assert again == ImportResult(unchanged=len(plan["deals"]))
    with empty as u:  # D-n in the file is D-n in chat
        for _, (ref, title, *_) in cells_of(csv_sheet(exported)):
            assert u.deals.get(int(ref.removeprefix("D-"))).title == title
    made_in_chat = [{**d, "ref": None} for d in plan["deals"][:1]]
    build(empty, {**plan, "deals": made_in_chat})  # a deal made in chat afterwards: a new number
    with empty as u:
        grown = export_deals(u)
    with with_teams(make_uow()) as u:  # so the next export imports too
        result = import_deals(u, grown, now=NOW, default_timezone="UTC", default_language="en")
    assert result.created == len(made_in_chat) + len(plan["deals"])


@pytest.mark.slow  # 24 s in a full run on a loaded 2-core machine
@settings(max_examples=150, deadline=None)
@given(PIPELINES)
def test_export_import_export_is_the_identity(plan):
    round_trip(FakeUnitOfWork, plan)
