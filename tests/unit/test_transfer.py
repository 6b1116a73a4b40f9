"""CSV import and export of deals, against the unit-of-work port.

Everything goes through the `uow` / `make_uow` fixtures and the repository protocols, so the same
tests can later run against the SQL unit of work by parametrizing `make_uow`.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.domain.model import Customer, Deal, DealStatus, Member, Role, StageChange, Team
from core.domain.pipeline import DEFAULT_PIPELINE, Pipeline, Stage
from core.files.deal_rows import TransferError, describe
from core.services.transfer import ImportResult, export_deals, import_deals
from tests.fakes import FakeUnitOfWork

NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
HEADER = (
    "ref,title,customer,owner,team,amount,currency,status,created_at,closed_at,lost_reason,"
    "expected_close,entered_lead,entered_contact,entered_demo,entered_quote,entered_negotiation,"
    "entered_won,entered_lost"
)
COLUMNS = HEADER.split(",")

# won, lost, open created at a later stage (naive time: the new team's default zone, Shanghai),
# and open in an existing team whose zone is Los Angeles (naive time read there).
SAMPLE = f"""{HEADER}
CRM-1,华为 数据平台,华为技术有限公司,@alice,华东,500000,CNY,won,2026-01-05T09:00:00+08:00,2026-02-20T16:30:00+08:00,,2026-02-28T00:00:00+08:00,2026-01-05T09:00:00+08:00,2026-01-08T10:00:00+08:00,2026-01-15T14:00:00+08:00,2026-01-25T11:00:00+08:00,2026-02-05T10:00:00+08:00,2026-02-20T16:30:00+08:00,
CRM-2,阿里云 迁移,阿里巴巴,bob,华东,120000.50,usd,lost,2026-01-10T10:00:00+08:00,2026-02-01T12:00:00+08:00,预算冻结,,2026-01-10T10:00:00+08:00,2026-01-12T10:00:00+08:00,,,,,2026-02-01T12:00:00+08:00
CRM-3,腾讯 续约,腾讯,alice,华东,,,open,2026-02-10 09:30,,,,,,,2026-02-10 09:30,,,
CRM-4,Acme pilot,Acme Corp,carol,West,80000.00,USD,open,2026-02-01 09:00,,,2026-04-30T00:00:00Z,2026-02-01 09:00,2026-02-03T09:00:00Z,,,,,
"""


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def make_uow():
    """A fresh, empty unit of work; parametrize this to run the module against SQL."""
    return FakeUnitOfWork


@pytest.fixture
def uow(make_uow):
    return with_west(make_uow())


def with_west(uow):
    """A configured team: its timezone (like its pipeline) is not in the file."""
    with uow:
        uow.teams.add(Team("West", timezone="America/Los_Angeles"))
        uow.commit()
    return uow


def run_import(uow, text: str, source: str = "deals.csv", **flags: bool) -> ImportResult:
    with uow:
        result = import_deals(
            uow, text, now=NOW, default_timezone="Asia/Shanghai", default_language="zh",
            source=source, **flags,
        )
        uow.commit()
    return result


def run_export(uow, team_name: str | None = None) -> str:
    with uow:
        return export_deals(uow, team_name=team_name)


def deal(uow, ref: str) -> Deal:
    found = uow.deals.by_ref(ref)
    assert found is not None, ref
    return found


def history(uow, d: Deal) -> list[tuple]:
    return [(c.from_stage, c.to_stage, c.at, c.by_id) for c in uow.stage_changes.for_deal(d.id)]


def counts(uow) -> dict[str, int]:
    deals = uow.deals.find()
    return {
        "teams": len(uow.teams.list()),
        "deals": len(deals),
        "stage_changes": sum(len(uow.stage_changes.for_deal(d.id)) for d in deals),
        "audit": sum(len(uow.audit.for_entity(d.code)) for d in deals),
    }


def csv_of(*rows: dict, columns: list[str] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# A valid row naming a team, owner and customer that do not exist yet.
NEW = {
    "ref": "N-1", "title": "新项目", "customer": "新客户", "owner": "@newbie", "team": "新团队",
    "status": "open", "created_at": "2026-03-01T09:00:00+08:00",
    "entered_lead": "2026-03-01T09:00:00+08:00",
}


# -- import -------------------------------------------------------------------------------------


def test_import_creates_deals_teams_members_and_customers(uow):
    assert run_import(uow, SAMPLE) == ImportResult(created=4, updated=0, unchanged=0)

    east = uow.teams.by_name("华东")
    assert (east.timezone, east.language, east.pipeline) == ("Asia/Shanghai", "zh", None)
    alice = uow.members.by_handle("alice")
    assert (alice.team_id, alice.role, alice.created_at) == (east.id, Role.REP, NOW)
    assert uow.members.by_handle("carol").team_id == uow.teams.by_name("West").id
    assert uow.customers.by_name(east.id, "华为技术有限公司") is not None

    won = deal(uow, "CRM-1")
    assert (won.title, won.status, won.stage, won.amount, won.currency) == (
        "华为 数据平台", DealStatus.WON, "won", Decimal("500000.00"), "CNY"
    )
    assert uow.customers.get(won.customer_id).name == "华为技术有限公司"
    assert won.owner_id == alice.id and won.team_id == east.id
    assert (won.created_at, won.stage_entered_at, won.closed_at, won.expected_close) == (
        utc(2026, 1, 5, 1), utc(2026, 2, 20, 8, 30), utc(2026, 2, 20, 8, 30), utc(2026, 2, 27, 16)
    )
    assert won.lost_reason is None and won.deliverables_done == []
    assert history(uow, won) == [
        (None, "lead", utc(2026, 1, 5, 1), None),
        ("lead", "contact", utc(2026, 1, 8, 2), None),
        ("contact", "demo", utc(2026, 1, 15, 6), None),
        ("demo", "quote", utc(2026, 1, 25, 3), None),
        ("quote", "negotiation", utc(2026, 2, 5, 2), None),
        ("negotiation", "won", utc(2026, 2, 20, 8, 30), None),
    ]

    lost = deal(uow, "CRM-2")
    assert (lost.status, lost.stage, lost.lost_reason, lost.amount, lost.currency) == (
        DealStatus.LOST, "lost", "预算冻结", Decimal("120000.50"), "USD"
    )
    assert lost.closed_at == utc(2026, 2, 1, 4)
    assert history(uow, lost) == [
        (None, "lead", utc(2026, 1, 10, 2), None),
        ("lead", "contact", utc(2026, 1, 12, 2), None),
        ("contact", "lost", utc(2026, 2, 1, 4), None),
    ]

    later = deal(uow, "CRM-3")  # created at quote; naive times in the team's zone (UTC+8)
    assert (later.status, later.stage, later.amount, later.currency) == (
        DealStatus.OPEN, "quote", None, "CNY"
    )
    assert later.created_at == later.stage_entered_at == utc(2026, 2, 10, 1, 30)
    assert later.closed_at is None and later.expected_close is None
    assert history(uow, later) == [(None, "quote", utc(2026, 2, 10, 1, 30), None)]

    west = deal(uow, "CRM-4")  # naive times in Los Angeles (UTC-8 in February)
    assert (west.created_at, west.stage, west.stage_entered_at) == (
        utc(2026, 2, 1, 17), "contact", utc(2026, 2, 3, 9)
    )
    assert west.expected_close == utc(2026, 4, 30)
    assert history(uow, west) == [
        (None, "lead", utc(2026, 2, 1, 17), None),
        ("lead", "contact", utc(2026, 2, 3, 9), None),
    ]


def test_import_writes_one_audit_entry_per_created_deal(uow):
    run_import(uow, SAMPLE, source="deals.csv")
    won = deal(uow, "CRM-1")
    [entry] = uow.audit.for_entity(won.code)
    assert (entry.action, entry.source, entry.at, entry.actor_id, entry.before) == (
        "import.create", "import:deals.csv", NOW, None, None
    )
    assert entry.after["stage"] == "won" and entry.after["amount"] == "500000.00"


def test_importing_the_same_file_twice_changes_nothing(uow):
    run_import(uow, SAMPLE)
    before = counts(uow)
    assert run_import(uow, SAMPLE) == ImportResult(created=0, updated=0, unchanged=4)
    assert counts(uow) == before == {"teams": 2, "deals": 4, "stage_changes": 12, "audit": 4}


def test_a_file_without_refs_imported_twice_changes_nothing(uow):
    """A spreadsheet typed by hand (no ref, no uid) imported again created its deals again."""
    header, *lines = SAMPLE.splitlines()
    bare = "\n".join([header, *(",".join(["", *line.split(",")[1:]]) for line in lines)]) + "\n"
    assert run_import(uow, bare).created == 4
    before = counts(uow)
    assert run_import(uow, bare) == ImportResult(created=0, updated=0, unchanged=4)
    assert counts(uow) == before


def test_a_changed_file_without_uids_is_refused_and_changes_nothing(uow):
    """The issue's case: a spreadsheet whose refs name stored deals must not overwrite them."""
    run_import(uow, SAMPLE)
    before = counts(uow)
    changed = SAMPLE.replace("120000.50,usd", "99000,usd")
    with uow, pytest.raises(TransferError) as caught:
        import_deals(uow, changed, now=NOW, default_timezone="Asia/Shanghai", default_language="zh")
    assert caught.value.messages("en") == [
        "line 3: CRM-2 is already D-2 here and this row differs from it without its uid, so it may be "
        "another deal: empty the ref to import it as a new deal, or export D-2, edit that file and "
        "import it with --update."
    ]
    assert counts(uow) == before and deal(uow, "CRM-2").amount == Decimal("120000.50")


def test_an_edited_export_changes_its_deals_only_with_update(uow):
    run_import(uow, SAMPLE)
    changed = run_export(uow).replace("120000.50,USD", "99000.00,USD").replace(
        "2026-02-10T09:30:00+08:00,,,,CRM-3", "2026-02-10T09:30:00+08:00,2026-02-20T10:00:00+08:00,,,CRM-3"
    )
    before = counts(uow)
    alone = run_import(uow, changed)
    assert alone == ImportResult(created=0, updated=0, unchanged=2, left_alone=2)
    assert [describe(n, "en") for n in alone.notes] == [
        "line 3: D-2 differs from this row: left alone (import --update applies it)",
        "line 5: D-4 differs from this row: left alone (import --update applies it)",  # CRM-3, made after CRM-4
    ]
    assert counts(uow) == before and deal(uow, "CRM-2").amount == Decimal("120000.50")

    assert run_import(uow, changed, update=True) == ImportResult(created=0, updated=2, unchanged=2)
    lost = deal(uow, "CRM-2")
    assert lost.amount == Decimal("99000.00")
    [_, update] = uow.audit.for_entity(lost.code)
    assert (update.action, update.before["amount"], update.after["amount"]) == (
        "import.update", "120000.50", "99000.00"
    )
    moved = deal(uow, "CRM-3")
    assert (moved.stage, moved.stage_entered_at) == ("negotiation", utc(2026, 2, 20, 2))
    assert history(uow, moved) == [
        (None, "quote", utc(2026, 2, 10, 1, 30), None),
        ("quote", "negotiation", utc(2026, 2, 20, 2), None),
    ]
    assert counts(uow) == {"teams": 2, "deals": 4, "stage_changes": 13, "audit": 6}


def test_a_dry_run_says_what_would_happen_and_writes_nothing(uow):
    run_import(uow, SAMPLE)
    exported = run_export(uow).replace("120000.50,USD", "99000.00,USD")
    new = csv_of({**NEW, "ref": "D-40"}, {**NEW, "ref": ""}, columns=[*COLUMNS, "source_ref", "uid"])
    before = counts(uow)
    planned = run_import(uow, exported + new.split("\n", 1)[1], update=True, dry_run=True)
    assert planned == ImportResult(created=2, updated=1, unchanged=3)
    assert [describe(n, "en") for n in planned.notes] == ["line 3: updates D-2"]
    assert counts(uow) == before and uow.teams.by_name("新团队") is None


def test_a_deal_keeps_its_number_and_new_deals_never_reuse_one(uow):
    text = csv_of({**NEW, "ref": "D-178"}, {**NEW, "ref": "CRM-9"}, {**NEW, "ref": ""})
    result = run_import(uow, text)
    assert [describe(n, "en") for n in result.notes] == ["line 3: CRM-9 becomes D-179", "line 4: a new deal, D-180"]
    assert deal(uow, "CRM-9").id == 179 and uow.deals.get(178).ref is None
    assert add_chat_deal(uow).id == 181  # the allocator moved past every number the file used
    assert [line.split(",", 1)[0] for line in run_export(uow).splitlines()[1:]] == [
        "D-178", "D-179", "D-180", "D-181"
    ]


def test_another_installs_deal_under_a_taken_number_is_created_under_a_new_one(uow, make_uow):
    chat = add_chat_deal(uow)  # D-1 here
    other = with_west(make_uow())
    run_import(other, csv_of(NEW))
    foreign = run_export(other)  # its D-1 is another deal, with another uid
    result = run_import(uow, foreign)
    assert result == ImportResult(created=1)
    assert [describe(n, "en") for n in result.notes] == ["line 2: D-1 becomes D-2"]
    assert uow.deals.get(chat.id).title == "Chat deal" and uow.deals.get(2).title == "新项目"
    assert run_import(uow, foreign) == ImportResult(unchanged=1)  # its uid came along


def test_import_matches_owners_and_customers_case_insensitively_and_by_alias(uow):
    with uow:
        west = uow.teams.by_name("West")
        uow.members.add(Member("Carol", team_id=west.id, role=Role.MANAGER))
        uow.customers.add(Customer("Acme Corporation", team_id=west.id, aliases=["Acme Corp"]))
        uow.commit()
    run_import(uow, SAMPLE)
    west_deal = deal(uow, "CRM-4")
    assert uow.members.get(west_deal.owner_id).handle == "Carol"
    assert uow.customers.get(west_deal.customer_id).name == "Acme Corporation"
    assert run_import(uow, SAMPLE).unchanged == 4


# -- export -------------------------------------------------------------------------------------


def test_export_writes_iso_times_in_each_teams_zone(uow):
    run_import(uow, SAMPLE)
    uids = [deal(uow, f"CRM-{i}").uid for i in range(1, 5)]
    lines = run_export(uow).splitlines()
    assert lines[0] == HEADER + ",source_ref,uid"
    assert lines[1] == (
        "D-1,华为 数据平台,华为技术有限公司,alice,华东,500000.00,CNY,won,"
        "2026-01-05T09:00:00+08:00,2026-02-20T16:30:00+08:00,,2026-02-28T00:00:00+08:00,"
        "2026-01-05T09:00:00+08:00,2026-01-08T10:00:00+08:00,2026-01-15T14:00:00+08:00,"
        f"2026-01-25T11:00:00+08:00,2026-02-05T10:00:00+08:00,2026-02-20T16:30:00+08:00,,CRM-1,{uids[0]}"
    )
    # new deals are numbered oldest first: CRM-4 (made 1 February) is D-3, CRM-3 (10 February) D-4
    assert lines[4] == ("D-4,腾讯 续约,腾讯,alice,华东,,CNY,open,2026-02-10T09:30:00+08:00,,,,,,,"
                        f"2026-02-10T09:30:00+08:00,,,,CRM-3,{uids[2]}")
    assert lines[3] == (
        "D-3,Acme pilot,Acme Corp,carol,West,80000.00,USD,open,2026-02-01T09:00:00-08:00,,,"
        f"2026-04-29T17:00:00-07:00,2026-02-01T09:00:00-08:00,2026-02-03T01:00:00-08:00,,,,,,CRM-4,{uids[3]}"
    )
    assert run_export(uow, team_name="west").splitlines()[1:] == [lines[3]]


def test_export_reimports_into_a_fresh_database_and_exports_identically(uow, make_uow):
    run_import(uow, SAMPLE)
    add_chat_deal(uow)
    exported = run_export(uow)

    fresh = with_west(make_uow())
    assert run_import(fresh, exported) == ImportResult(created=5, updated=0, unchanged=0)
    assert run_export(fresh) == exported
    assert run_import(fresh, exported) == ImportResult(created=0, updated=0, unchanged=5)


def test_an_export_reimported_into_the_same_database_changes_nothing(uow):
    run_import(uow, SAMPLE)
    chat = add_chat_deal(uow)
    before = counts(uow)
    exported = run_export(uow)
    assert f"\n{chat.code},Chat deal," in exported

    assert run_import(uow, exported) == ImportResult(created=0, updated=0, unchanged=5)
    assert counts(uow) == before
    assert uow.deals.get(chat.id).ref is None


def test_editing_a_chat_deal_in_an_export_updates_it_and_keeps_its_history(uow):
    chat = add_chat_deal(uow)
    kept = history(uow, chat)
    exported = run_export(uow).replace("Chat deal", "Chat deal (renamed)")

    assert run_import(uow, exported, update=True) == ImportResult(created=0, updated=1, unchanged=0)
    chat = uow.deals.get(chat.id)  # the fake hands out copies after each unit of work
    assert (chat.title, chat.ref) == ("Chat deal (renamed)", None)
    assert history(uow, chat) == kept
    assert [e.action for e in uow.audit.for_entity(chat.code)] == ["import.update"]


def test_export_header_is_the_union_of_the_teams_pipelines(uow):
    add_custom_team(uow)
    text = csv_of(
        NEW,
        {**NEW, "ref": "C-1", "team": "Custom", "entered_lead": "", "entered_proposal": NEW["created_at"]},
        columns=[*COLUMNS, "entered_proposal"],
    )
    run_import(uow, text)
    header = run_export(uow).splitlines()[0]
    assert header == HEADER + ",entered_proposal,source_ref,uid"
    assert run_export(uow, team_name="Custom").splitlines()[0].endswith(
        ",expected_close,entered_lead,entered_proposal,entered_won,entered_lost,source_ref,uid"
    )


def test_export_of_an_unknown_team_is_an_error(uow):
    with pytest.raises(TransferError) as caught:
        run_export(uow, team_name="Nowhere")
    assert caught.value.messages("en") == ["No team is called “Nowhere”."]


# -- bad files ----------------------------------------------------------------------------------

BAD_FILES = {
    "unknown column": (
        csv_of({**NEW, "colour": "red"}, columns=[*COLUMNS, "colour"]),
        ["line 1: Unknown column “colour”."],
    ),
    "missing column": (
        csv_of({k: v for k, v in NEW.items() if k != "owner"}, columns=[c for c in COLUMNS if c != "owner"]),
        ["line 1: Missing column “owner”."],
    ),
    "bad timestamp": (
        csv_of(NEW, {**NEW, "ref": "N-2", "created_at": "2026-02-30T10:00"}),
        ["line 3: created_at “2026-02-30T10:00” is not a day or time that exists."],
    ),
    "status and stage disagree": (
        csv_of(NEW, {**NEW, "ref": "N-2", "status": "won", "closed_at": "2026-03-02T09:00:00+08:00",
                     "entered_quote": "2026-03-02T09:00:00+08:00"}),
        ["line 3: Status is won but the latest entered stage is quote."],
    ),
    "lost without a reason": (
        csv_of({**NEW, "status": "lost", "closed_at": "2026-03-02T09:00:00+08:00",
                "entered_lost": "2026-03-02T09:00:00+08:00"}),
        ["line 2: lost_reason is required for a lost deal."],
    ),
    "duplicate ref": (
        csv_of(NEW, {**NEW, "title": "another"}),
        ["line 3: ref “N-1” is already on line 2."],
    ),
    "unknown stage column": (
        csv_of({**NEW, "entered_proposal": "2026-03-02T09:00:00+08:00"}, columns=[*COLUMNS, "entered_proposal"]),
        ["line 1: Unknown column “entered_proposal”: no team in the file has a stage “proposal”."],
    ),
    "bad amount, read as chat reads one": (
        csv_of(NEW, {**NEW, "ref": "N-2", "amount": "5 apples"}, {**NEW, "ref": "N-3", "amount": "-5000"},
               {**NEW, "ref": "N-4", "amount": "$3k", "currency": "CNY"},
               {**NEW, "ref": "N-5", "amount": "1000000000000000"}),  # a spreadsheet's 10^15: its size is said
        [
            "line 3, amount: “5 apples” is not an amount. Try 50000, 50k, 5万, ¥12,000, $3.5k or USD 5000.",
            "line 4, amount: “-5000” is not an amount. Try 50000, 50k, 5万, ¥12,000, $3.5k or USD 5000.",
            "line 5: The amount “$3k” is in another currency than the currency column (CNY).",
            "line 6, amount: “1000000000000000” is too large: an amount is less than 1,000,000,000,000,000.",
        ],
    ),
    "names and handles, read as chat reads them": (
        # any printable text is a name (<script> and 🤝 included); control and formatting characters are not
        csv_of({**NEW, "customer": "Acme\u200b"}, {**NEW, "ref": "N-2", "owner": "@bad handle", "team": "Ea\x07st"}),
        [
            "line 2, customer: “Acme\\u200b” can't be used as a name: it holds a control or formatting character.",
            "line 3, owner: “bad handle” is not a user; write @name.",
            "line 3, team: “Ea\\x07st” can't be used as a name: it holds a control or formatting character.",
        ],
    ),
    "a uid that is not one, and one twice": (
        csv_of({**NEW, "uid": "xyz"}, {**NEW, "ref": "N-2", "uid": "a" * 32}, {**NEW, "ref": "N-3", "uid": "A" * 32},
               columns=[*COLUMNS, "uid"]),
        [
            "line 2: uid “xyz” is not one of this format's uids (32 hex digits); leave it empty for a new deal.",
            "line 4: uid “aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa” is already on line 3.",
        ],
    ),
    "open deal with closed_at, won without it": (
        csv_of({**NEW, "closed_at": "2026-03-02T09:00:00+08:00"},
               {**NEW, "ref": "N-2", "status": "won", "entered_won": "2026-03-02T09:00:00+08:00"}),
        ["line 2: closed_at must be empty for an open deal.",
         "line 3: closed_at is required for a won deal."],
    ),
    "several problems in one row": (
        csv_of({**NEW, "title": "", "status": "maybe", "currency": "yuan"},
               {**NEW, "ref": "N-2", "entered_lead": ""}),
        ["line 2: Status “maybe” is not one of open, won, lost.",
         "line 2: Currency “yuan” is not a 3-letter code such as CNY."],
    ),
    "stage before creation": (
        csv_of({**NEW, "entered_lead": "2026-02-28T09:00:00+08:00"}),
        ["line 2: entered_lead is before created_at."],
    ),
    "line numbers count physical lines of quoted newlines": (
        csv_of({**NEW, "title": "two\nlines"}, {**NEW, "ref": "N-2", "created_at": "soon"}),
        ["line 4: created_at “soon” is not a date with its year: write it like 2027-01-05, 2027/1/5, "
         "2027-01-05 14:30, 2027年1月5日 or Jan 5, 2027."],
    ),
    "wrong number of fields": (
        HEADER + "\nN-1,too,few\n",
        ["line 2: 3 fields, but the header has 19."],
    ),
    "empty file": ("", ["line 1: The file is empty; a header row is expected."]),
}


@pytest.mark.parametrize("text, errors", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_stores_nothing_and_says_which_line(uow, text, errors):
    run_import(uow, SAMPLE)
    before = counts(uow)
    with uow:
        with pytest.raises(TransferError) as caught:
            import_deals(uow, text, now=NOW, default_timezone="Asia/Shanghai", default_language="zh")
        assert caught.value.messages("en") == errors
        assert counts(uow) == before  # before the caller's rollback
        assert uow.teams.by_name("新团队") is None
        assert uow.members.by_handle("newbie") is None


def test_a_stage_outside_the_rows_team_pipeline_is_an_error(uow):
    add_custom_team(uow)
    text = csv_of(
        {**NEW, "team": "Custom", "entered_lead": "", "entered_proposal": NEW["created_at"]},
        {**NEW, "ref": "N-2", "entered_proposal": "2026-03-02T09:00:00+08:00"},
        columns=[*COLUMNS, "entered_proposal"],
    )
    with uow, pytest.raises(TransferError) as caught:
        import_deals(uow, text, now=NOW, default_timezone="Asia/Shanghai", default_language="zh")
    assert caught.value.messages("en") == ["line 3: Team “新团队” has no stage “proposal” (entered_proposal)."]


# -- helpers that set up state the way chat would -------------------------------------------------


def add_chat_deal(uow) -> Deal:
    """A deal made in chat: no ref, a history written by a member, times with microseconds."""
    with uow:
        west = uow.teams.by_name("West")
        rep = uow.members.add(Member("dave", team_id=west.id))
        customer = uow.customers.add(Customer("Globex", team_id=west.id))
        created = utc(2026, 2, 10, 3, 15, 7).replace(microsecond=250_000)
        moved = utc(2026, 2, 12, 8, 0, 1).replace(microsecond=999_999)
        d = uow.deals.add(Deal(
            title="Chat deal", customer_id=customer.id, owner_id=rep.id, team_id=west.id,
            stage="demo", stage_entered_at=moved, created_at=created, amount=Decimal("12000.00"),
            currency="USD", last_activity_at=moved,
        ))
        uow.stage_changes.add(StageChange(d.id, None, "lead", created, rep.id))
        uow.stage_changes.add(StageChange(d.id, "lead", "demo", moved, rep.id))
        uow.commit()
    return uow.deals.get(d.id)


def add_custom_team(uow) -> None:
    pipeline = Pipeline((
        DEFAULT_PIPELINE.get("lead"), Stage("proposal", "Proposal", "方案", 5, 0.4),
        DEFAULT_PIPELINE.get("won"), DEFAULT_PIPELINE.get("lost"),
    ))
    with uow:
        uow.teams.add(Team("Custom", timezone="Asia/Shanghai", pipeline=pipeline.to_dict()))
        uow.commit()


def test_a_hand_made_file_needs_no_title_and_no_entered_columns(uow):
    """The new-user trial's spreadsheet: the README's columns up to expected_close, the title left
    empty. Every row was refused (“title is empty”, “No entered_<stage> time”). As chat's `new`
    does, the title is the customer's name and the deal starts in the first stage at created_at;
    a won or lost deal enters its end at closed_at."""
    bare = {key: value for key, value in NEW.items() if key != "entered_lead"} | {"ref": ""}
    text = csv_of(
        {**bare, "title": ""},
        {**bare, "customer": "旧客户", "status": "won", "closed_at": "2026-03-03T10:00:00+08:00"},
        {**bare, "customer": "丢客户", "status": "lost", "closed_at": "2026-03-03T10:00:00+08:00",
         "lost_reason": "价格"},
        columns=COLUMNS[:12])
    assert run_import(uow, text).created == 3
    with uow:
        deals = sorted(uow.deals.all(), key=lambda d: d.id)
        assert [(d.title, d.stage, d.status) for d in deals] == [
            ("新客户", "lead", DealStatus.OPEN), ("新项目", "won", DealStatus.WON), ("新项目", "lost", DealStatus.LOST)]
        assert deals[0].stage_entered_at == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
        assert deals[1].stage_entered_at == deals[1].closed_at == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    assert run_import(uow, text).unchanged == 3  # and again: nothing new
