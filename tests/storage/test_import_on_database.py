"""The CSV import on SQLite and PostgreSQL: numbers kept and never reused, nothing overwritten
without the deal's identity, and export → import → export the identity into an empty database."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.domain.model import Deal, DealStatus, Member, StageChange, Team
from core.files.deal_rows import Problem, TransferError, describe
from core.services.transfer import ImportResult, export_deals, import_deals
from storage import tables as t
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
HEADER = ("ref,title,customer,owner,team,amount,currency,status,created_at,closed_at,lost_reason,expected_close,"
          "entered_lead,entered_contact,entered_demo,entered_quote,entered_negotiation,entered_won,entered_lost")


def _row(ref: str, title: str = "Pilot", amount: str = "1000", *, won: bool = False) -> str:
    if won:
        return (f"{ref},{title},Globex,@zed,East,{amount},CNY,won,2026-01-05T09:00:00Z,2026-02-01T09:00:00Z,,,"
                "2026-01-05T09:00:00Z,,,,,2026-02-01T09:00:00Z,")
    return f"{ref},{title},Acme,@ann,East,{amount},CNY,open,2026-01-05T09:00:00Z,,,,2026-01-05T09:00:00Z,,,,,,"


def _import(factory, text: str, **flags: bool) -> ImportResult:
    with SqlUnitOfWork(factory) as uow:
        result = import_deals(uow, text, now=NOW, default_timezone="UTC", default_language="en", **flags)
        uow.commit()
    return result


def _export(factory) -> str:
    with SqlUnitOfWork(factory) as uow:
        return export_deals(uow)


def _chat_deal(factory, amount: str = "50000") -> Deal:
    """A deal made the way `new` makes one: the repository assigns its number."""
    with SqlUnitOfWork(factory) as uow:
        team = uow.teams.by_name("East") or uow.teams.add(Team("East", timezone="UTC"))
        rep = uow.members.by_handle("ann") or uow.members.add(Member("ann", team_id=team.id))
        customer = uow.customers.named(team.id, "Acme")
        at = datetime(2026, 2, 2, 9, 30, 15, 123456, tzinfo=UTC)
        deal = uow.deals.add(Deal(title="Chat", customer_id=customer.id, owner_id=rep.id, team_id=team.id,
                                  stage="lead", stage_entered_at=at, created_at=at, amount=Decimal(amount)))
        uow.stage_changes.add(StageChange(deal.id, None, "lead", at, rep.id))
        uow.commit()
    return deal


def _deal(factory, number: int) -> Deal | None:
    with SqlUnitOfWork(factory) as uow:
        return uow.deals.get(number)


def _count(factory, table) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_a_deal_keeps_its_number_and_new_deals_never_reuse_one(factory_on_each_database):
    result = _import(factory_on_each_database, f"{HEADER}\n{_row('D-178')}\n{_row('CRM-9')}\n{_row('')}\n")
    assert [describe(n, "en") for n in result.notes] == ["line 3: CRM-9 becomes D-179", "line 4: a new deal, D-180"]
    assert _deal(factory_on_each_database, 178).ref is None
    assert _deal(factory_on_each_database, 179).ref == "CRM-9"
    assert _chat_deal(factory_on_each_database).id == 181  # PostgreSQL's sequence moved past them too
    refs = [line.split(",", 1)[0] for line in _export(factory_on_each_database).splitlines()[1:]]
    assert refs == ["D-178", "D-179", "D-180", "D-181"]


def test_another_installs_file_never_changes_a_deal_here(factory_on_each_database, other_factory):
    """The issue's case: an open ¥50k D-1 here, someone else's won ¥67k D-1 in the file."""
    mine = _chat_deal(factory_on_each_database, amount="50000")
    _import(other_factory, f"{HEADER}\n{_row('D-1', 'Theirs', '67000', won=True)}\n")
    theirs = _export(other_factory)

    spreadsheet = theirs.replace(theirs.splitlines()[1].rsplit(",", 1)[1], "")  # the uid cleared
    with SqlUnitOfWork(factory_on_each_database) as uow, pytest.raises(TransferError) as caught:
        import_deals(uow, spreadsheet, now=NOW, default_timezone="UTC", default_language="en", update=True)
    assert caught.value.messages("en")[0].startswith("line 2: D-1 is already D-1 here and this row differs")

    assert _import(factory_on_each_database, theirs, update=True) == ImportResult(created=1)
    kept, added = _deal(factory_on_each_database, mine.id), _deal(factory_on_each_database, 2)
    assert (kept.amount, kept.status, kept.title) == (Decimal("50000.00"), DealStatus.OPEN, "Chat")
    assert (added.amount, added.status, added.title) == (Decimal("67000.00"), DealStatus.WON, "Theirs")
    assert _import(factory_on_each_database, theirs, update=True) == ImportResult(unchanged=1)


def test_only_an_export_with_update_changes_a_deal_and_a_dry_run_writes_nothing(factory_on_each_database):
    deal = _chat_deal(factory_on_each_database)
    edited = _export(factory_on_each_database).replace(",50000.00,", ",60000.00,")
    audit = _count(factory_on_each_database, t.audit_entries)

    assert _import(factory_on_each_database, edited) == ImportResult(left_alone=1)
    assert _import(factory_on_each_database, edited, update=True, dry_run=True) == ImportResult(updated=1)
    assert _deal(factory_on_each_database, deal.id).amount == Decimal("50000.00")
    assert _count(factory_on_each_database, t.audit_entries) == audit

    assert _import(factory_on_each_database, edited, update=True) == ImportResult(updated=1)
    assert _deal(factory_on_each_database, deal.id).amount == Decimal("60000.00")
    assert _count(factory_on_each_database, t.stage_changes) == 1  # the history typed in chat stays


def test_export_import_export_into_an_empty_database_is_the_identity(factory_on_each_database, other_factory):
    _import(factory_on_each_database, f"{HEADER}\n{_row('CRM-1')}\n{_row('D-40', won=True)}\n")
    _chat_deal(factory_on_each_database)
    _import(factory_on_each_database, f"{HEADER}\nD-50,+1 plan,-Acme,@ann,East,,,open,"
                                      "2026-01-05T09:00:00Z,,,,2026-01-05T09:00:00Z,,,,,,\n")
    exported = _export(factory_on_each_database)
    assert "\nD-50,'+1 plan,'-Acme," in exported  # safe to open in a spreadsheet

    assert _import(other_factory, exported).created == 4
    assert _export(other_factory) == exported
    assert _chat_deal(other_factory).id == 51


@pytest.fixture
def other_factory(request, tmp_path, _sqlite_template):
    """A second empty, migrated database of the same kind as factory_on_each_database's."""
    if request.node.callspec.params["factory_on_each_database"] == "sqlite":
        path = tmp_path / "other.db"
        shutil.copyfile(_sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("make_pg_database")(migrated=True)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


CUSTOMERS = ('team,name,lifecycle,aliases,contacts\n'
             'East,Acme,customer,"[""ACME Corp""]","[{""name"": ""Wang Wei"", ""email"": ""w@acme.cn""}]"\n'
             'East,Init\u200bech,prospect,,\n')


def NEW_COLUMNS(text: str) -> str:  # noqa: N802 (reads as the file it makes)
    lines = text.splitlines()
    return "\n".join([lines[0] + ",owner,industry,source,tags", *(line + ",,,," for line in lines[1:])]) + "\n"


CARD_FIELDS = ('team,name,lifecycle,aliases,contacts,owner,industry,source,tags\n'
               'East,Acme,customer,,,@ann,能源,展会,"[""重点"", ""VIP""]"\n'
               'East,Beta,lead,,,,,,\n')


def test_customers_owner_industry_source_tags_export_and_import(factory_on_each_database, other_factory):
    from core.files.sheets import csv_sheet
    from core.services.customer_transfer import export_customers, import_customers

    def load(factory, text: str, **flags: bool) -> ImportResult:
        with SqlUnitOfWork(factory) as uow:
            result = import_customers(uow, csv_sheet(text), default_timezone="UTC", default_language="en", **flags)
            uow.commit()
        return result

    _chat_deal(factory_on_each_database)  # team East, rep ann, customer Acme without fields
    with SqlUnitOfWork(factory_on_each_database) as uow, pytest.raises(TransferError) as caught:
        import_customers(uow, csv_sheet(CARD_FIELDS.replace("@ann", "@nobody")), default_timezone="UTC",
                         default_language="en", update=True)
    assert caught.value.messages("en") == [
        "line 2, owner: @nobody is not an active member of team East, so cannot own its customer."]
    with SqlUnitOfWork(factory_on_each_database) as uow, pytest.raises(TransferError) as caught:
        import_customers(uow, csv_sheet(CARD_FIELDS.replace('"[""重点"", ""VIP""]"', "重点")),
                         default_timezone="UTC", default_language="en", update=True)
    assert "tags must be a JSON list" in caught.value.messages("en")[0]
    assert load(factory_on_each_database, CARD_FIELDS, update=True) == ImportResult(created=1, updated=1)
    with SqlUnitOfWork(factory_on_each_database) as uow:
        acme = uow.customers.by_name(uow.teams.by_name("East").id, "Acme")
        ann = uow.members.by_handle("ann")
        assert (acme.owner_id, acme.industry, acme.source, acme.tags) == (ann.id, "能源", "展会", ["重点", "VIP"])
        exported = export_customers(uow)
    assert exported == CARD_FIELDS.replace("@ann", "ann")
    # a file of before these columns changes none of them
    old = 'team,name,lifecycle,aliases,contacts\nEast,Acme,customer,,\n'
    assert load(factory_on_each_database, old, update=True) == ImportResult(unchanged=1)
    _chat_deal(other_factory)
    assert load(other_factory, exported, update=True) == ImportResult(created=1, updated=1)
    with SqlUnitOfWork(other_factory) as uow:
        assert export_customers(uow) == exported


def test_customers_with_their_fields_export_and_import(factory_on_each_database, other_factory):
    from core.files.sheets import csv_sheet
    from core.services.customer_transfer import export_customers, import_customers

    def load(factory, text: str, **flags: bool) -> ImportResult:
        with SqlUnitOfWork(factory) as uow:
            result = import_customers(uow, csv_sheet(text), default_timezone="UTC", default_language="en", **flags)
            uow.commit()
        return result

    def dump(factory) -> str:
        with SqlUnitOfWork(factory) as uow:
            return export_customers(uow)

    with SqlUnitOfWork(factory_on_each_database) as uow, pytest.raises(TransferError) as caught:
        import_customers(uow, csv_sheet(CUSTOMERS), default_timezone="UTC", default_language="en")
    assert caught.value.messages("en") == [
        "line 3, name: “Init\\u200bech” can't be used as a name: it holds a control or formatting character."]
    text = CUSTOMERS.replace("Init\u200bech", "-Initech")
    _chat_deal(factory_on_each_database)  # customer Acme of team East, no fields yet
    assert load(factory_on_each_database, text) == ImportResult(created=1, left_alone=1)
    assert load(factory_on_each_database, text, update=True) == ImportResult(updated=1, unchanged=1)
    exported = dump(factory_on_each_database)
    # safe in a spreadsheet, read back as written; the columns an older file lacks, empty
    assert exported == NEW_COLUMNS(text.replace("-Initech", "'-Initech"))
    with SqlUnitOfWork(factory_on_each_database) as uow:
        acme = uow.customers.by_name(uow.teams.by_name("East").id, "acme corp")
        assert (acme.lifecycle, acme.contacts) == ("customer", [{"name": "Wang Wei", "email": "w@acme.cn"}])

    assert load(other_factory, exported) == ImportResult(created=2)
    assert dump(other_factory) == exported


def test_a_removed_member_cannot_own_an_open_deal_but_keeps_closed_ones(factory_on_each_database):
    """Issue 14: `member @x remove` hands over open deals; an import must not give them back."""
    factory = factory_on_each_database
    deal = _chat_deal(factory)  # @ann's open deal in East
    with SqlUnitOfWork(factory) as uow:
        uow.members.by_handle("ann").removed_at = NOW
        uow.commit()
    edited = _export(factory).replace(",50000.00,", ",60000.00,")
    deals, audit = _count(factory, t.deals), _count(factory, t.audit_entries)

    for text, flags in ((f"{HEADER}\n{_row('')}\n{_row('CRM-2', won=True).replace('@zed', '@ANN')}\n", {}),
                        (edited, {"update": True})):
        with SqlUnitOfWork(factory) as uow, pytest.raises(TransferError) as caught:
            import_deals(uow, text, now=NOW, default_timezone="UTC", default_language="en", **flags)
        assert caught.value.messages("en") == [
            "line 2, owner: @ann was removed from the team and cannot own an open deal: name an active "
            "member (or import the deal as won or lost)."]
        assert caught.value.messages("zh")[0].startswith("第 2 行 owner 列：@ann 已被移出团队")
    assert (_count(factory, t.deals), _count(factory, t.audit_entries)) == (deals, audit)
    assert _deal(factory, deal.id).amount == Decimal("50000.00")

    won = _row("CRM-3", won=True).replace("@zed", "@ann")  # a closed deal keeps its removed owner
    assert _import(factory, f"{HEADER}\n{won}\n") == ImportResult(created=1)


def test_dates_read_as_chat_writes_them_and_an_ambiguous_one_is_refused_by_line(factory_on_each_database):
    factory = factory_on_each_database
    written = (f"{HEADER}\n"
               "CRM-1,Pilot,Acme,@ann,East,1000,CNY,open,2026/1/5 9:30,,,2026年3月31日,2026年1月5日下午3点,,,,,,\n"
               "CRM-2,Pilot,Acme,@ann,East,1000,CNY,won,\"Jan 5, 2026\",2026.2.1,,,2026-01-05,,,,,25/1/2026,\n")
    with SqlUnitOfWork(factory) as uow:
        uow.teams.add(Team("East", timezone="Asia/Shanghai"))
        uow.commit()
    assert _import(factory, written) == ImportResult(created=2)
    with SqlUnitOfWork(factory) as uow:
        first, second = uow.deals.by_ref("CRM-1"), uow.deals.by_ref("CRM-2")
        assert first.created_at == datetime(2026, 1, 5, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
        assert first.stage_entered_at == datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # 下午3点
        assert first.expected_close == datetime(2026, 3, 30, 16, 0, tzinfo=UTC)
        assert (second.closed_at, second.stage_entered_at) == (datetime(2026, 1, 31, 16, 0, tzinfo=UTC),
                                                               datetime(2026, 1, 24, 16, 0, tzinfo=UTC))

    ambiguous = (f"{HEADER}\n{_row('CRM-3')}\n"
                 "CRM-4,Pilot,Acme,@ann,East,1000,CNY,open,2026-01-05T09:00:00Z,,,3/4/2026,2026-01-05,,,,,,\n")
    deals = _count(factory, t.deals)
    with SqlUnitOfWork(factory) as uow, pytest.raises(TransferError) as caught:
        import_deals(uow, ambiguous, now=NOW, default_timezone="UTC", default_language="en")
    assert caught.value.messages("en") == [
        "line 3: expected_close “3/4/2026” can be read as 2026-04-03 or as 2026-03-04: write it year first, "
        "like 2026-03-04."]
    assert caught.value.messages("zh") == [
        "第 3 行：expected_close“3/4/2026”既可读作 2026-04-03，也可读作 2026-03-04：请把年份写在前面，如 2026-03-04。"]
    assert _count(factory, t.deals) == deals


def test_new_deals_are_numbered_oldest_first_and_notes_keep_the_files_order(factory_on_each_database):
    factory = factory_on_each_database
    rows = [_row(f"CRM-{n}").replace("2026-01-05T09:00:00Z", f"2026-01-{day:02}T09:00:00Z")
            for n, day in ((1, 20), (2, 5), (3, 12))]
    result = _import(factory, HEADER + "\n" + "\n".join(rows) + "\n")
    assert [describe(n, "en") for n in result.notes] == [
        "line 2: CRM-1 becomes D-3", "line 3: CRM-2 becomes D-1", "line 4: CRM-3 becomes D-2"]
    with SqlUnitOfWork(factory) as uow:
        deals = sorted(uow.deals.find(), key=lambda d: d.id)
        assert [(d.ref, d.created_at.day) for d in deals] == [("CRM-2", 5), ("CRM-3", 12), ("CRM-1", 20)]
        assert deals[0].uid < deals[1].uid < deals[2].uid  # an import's uids come in order


def test_new_deals_of_customers_already_here_import_on_each_database(factory_on_each_database):
    """Every customer of the file already here: PostgreSQL was sent an INSERT … unnest() with no
    arrays (“the query has 6 placeholders but 0 parameters”), and the import failed."""
    _chat_deal(factory_on_each_database)  # Acme
    assert _import(factory_on_each_database, f"{HEADER}\n{_row('')}\n") == ImportResult(
        created=1, notes=(Problem(2, "import.note_new", {"deal": "D-2"}),))
    assert _count(factory_on_each_database, t.customers) == 1


def test_a_hand_made_file_without_refs_imported_twice_adds_nothing_the_second_time(factory_on_each_database):
    """The new-user trial's case: a spreadsheet typed by hand has no ref or uid; imported again it
    created every deal a second time (README: the same file twice changes nothing). Two equal
    rows are two deals, both times."""
    other = _row("", "Renewal", "2000").replace("2026-01-05T09:00:00Z", "2026-01-06 10:00")
    text = f"{HEADER}\n{_row('')}\n{_row('')}\n{_row('', won=True)}\n{other}\n"
    assert _import(factory_on_each_database, text) == ImportResult(created=4)
    assert _import(factory_on_each_database, text) == ImportResult(unchanged=4)
    assert _count(factory_on_each_database, t.deals) == 4
    changed = text.replace("Renewal,Acme,@ann,East,2000", "Renewal,Acme,@ann,East,2500")
    assert _import(factory_on_each_database, changed) == ImportResult(created=1, unchanged=3)  # a new row
