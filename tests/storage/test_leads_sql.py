"""Leads on the real database (SQLite, or PostgreSQL in that run): the SQL repository behind the
round robin, capacity, timeouts and the pool, through chat commands and the scheduler's scan
with a frozen clock; the same rules the fakes are held to in tests/unit/test_leads.py."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from core.chat.messages import Incoming
from core.leads.model import LeadStatus
from core.reminders.scans import Scans
from storage import tables

REPS = {"alice": "11", "bob": "12", "carol": "13"}


def _world(wired):
    ids = iter(range(1, 10_000))

    def say(who, text):
        user = {"boss": "1000", **REPS, "mia": "19"}[who]
        return wired.bot.handle(Incoming(platform="telegram", user_id=user, user_name=who, text=text,
                                         chat_id=user, message_id=str(next(ids)), is_direct=True))

    assert not say("boss", "me").is_error
    for n, who in enumerate([*REPS, "mia"], start=1):
        say(who, "hi")
        role = "manager" if who == "mia" else "rep"
        assert not say("boss", f"member approve R-{n} role:{role} team:sales").is_error
    return say


def _owners(wired) -> list[str | None]:
    with wired.engine.connect() as db:
        names = dict(db.execute(select(tables.members.c.id, tables.members.c.handle)).all())
        rows = db.execute(select(tables.leads.c.owner_id).order_by(tables.leads.c.id)).all()
    return [names.get(owner) for (owner,) in rows]


def test_round_robin_capacity_timeouts_and_the_pool_in_sql(wired):
    say = _world(wired)
    for n in range(9):
        assert not say("mia", f"lead Company{n} source:web").is_error
    assert Counter(_owners(wired)) == {"alice": 3, "bob": 3, "carol": 3}
    assert _owners(wired)[:3] == ["alice", "bob", "carol"]
    with wired.uow() as uow:
        team = uow.teams.by_name("sales")
        team.settings = {**(team.settings or {}), "leads": {"capacity": 3}}
        uow.commit()
    reply = say("mia", "lead Full")
    assert "every rep it could go to holds as many leads as allowed" in reply.text()
    assert not say("alice", "lead L-1 accept").is_error  # a deal now: still held while it is open
    assert say("alice", "claim L-10").is_error
    assert not say("alice", "won D-1").is_error
    assert not say("alice", "claim L-10").is_error

    scans = Scans(wired.uow, wired.bot.clock)
    wired.bot.clock.advance(hours=2, minutes=1)  # 12:01: every open offer has timed out
    moved = scans.leads()
    assert moved.events == 8
    with wired.uow() as uow:
        assert all(lead.status == LeadStatus.OFFERED for lead in uow.leads.of_team(None, statuses=["offered"]))
        pooled = uow.leads.of_team(None, statuses=["pool"])
        offered = uow.leads.of_team(None, statuses=["offered"])
        # each went to the next rep within capacity (3, L-10's open deal counting for alice); one
        # found all its other reps full and went to the pool
        assert len(offered) == 7 and len(pooled) == 1
        assert sum(uow.leads.open_counts(team.saved_id).values()) == 7 + 1
    with wired.engine.connect() as db:
        outcomes = Counter(db.execute(select(tables.lead_offers.c.outcome)).scalars())
    assert outcomes["timeout"] == 8 and outcomes["open"] == 7
    wired.bot.clock.advance(days=4)
    assert scans.leads().events == 7  # untouched past pool_days (3): back to the pool
    assert "L-2" in say("bob", "pool").text()
    assert scans.leads().events == 0


def test_team_settings_take_the_lead_rules_and_keep_them_with_the_rest(wired):
    import io

    from bot.outbox_cli import team_settings

    say = _world(wired)
    out = io.StringIO()
    assert team_settings(wired, "sales", ["leads.rules=source:展会=alice; territory:华南=bob,carol",
                                          "leads.capacity=5", "quiet_hours=22:00-07:30"], out, io.StringIO()) == 0
    assert "  leads.rules = source:展会=alice; territory:华南=bob,carol\n" in out.getvalue()
    err = io.StringIO()
    assert team_settings(wired, "sales", ["leads.rules=colour:red=alice"], io.StringIO(), err) == 2
    assert "not a rule field" in err.getvalue()
    assert team_settings(wired, "sales", ["end_of_day=17:00"], io.StringIO(), io.StringIO()) == 0  # keeps leads
    for n in range(3):
        assert "已分配给 @alice，等待接受。" in say("mia", f"lead Expo{n} source:展会").lines  # Chinese words: a Chinese reply
    assert "已分配给 @bob，等待接受。" in say("mia", "lead South territory:华南").lines
    assert "已分配给 @carol，等待接受。" in say("mia", "lead South2 territory:华南").lines


def test_a_leads_file_is_checked_whole_then_taken_in_once(wired, tmp_path):
    import io

    from bot.transfer_cli import import_file

    _world(wired)
    bad = tmp_path / "bad.csv"
    bad.write_text("company,person,phone,email,source\nAcme,Wang,13800138000,,expo\n"
                   ",Li,,,web\nBeta,Zhao,12,zhao@beta,web\n", encoding="utf-8")
    err = io.StringIO()
    assert import_file(wired, str(bad), encoding=None, update=False, dry_run=False, out=io.StringIO(), err=err) == 1
    assert "line 3, company: company is empty." in err.getvalue()
    assert "line 4, phone: “12” is not a phone number." in err.getvalue()
    assert "line 4, email" in err.getvalue()
    with wired.uow() as uow:
        assert uow.leads.of_team(None) == []  # all or nothing
    good = tmp_path / "leads.csv"  # as a spreadsheet saves it: GBK, and a formula-looking cell escaped
    good.write_bytes("company,person,phone,source,territory\n华为,王经理,'+86 138 0013 8000,展会,华南\n"
                     "Beta,Zhao,,web,\n".encode("gbk"))
    out = io.StringIO()
    assert import_file(wired, str(good), encoding=None, update=False, dry_run=True, out=out, err=io.StringIO()) == 0
    with wired.uow() as uow:
        assert uow.leads.of_team(None) == []  # a dry run writes nothing
    out = io.StringIO()
    assert import_file(wired, str(good), encoding=None, update=False, dry_run=False, out=out, err=io.StringIO()) == 0
    assert "L-1 → @alice" in out.getvalue() and "L-2 → @bob" in out.getvalue()
    with wired.uow() as uow:
        first = uow.leads.get(1)
        assert (first.company, first.phone, first.channel, str(first.status)) == ("华为", "+86 138 0013 8000",
                                                                                  "import", "offered")
        assert len(uow.outbox.list()) >= 2  # each offered rep's DM
    assert import_file(wired, str(good), encoding=None, update=False, dry_run=False,
                       out=io.StringIO(), err=io.StringIO()) == 0
    with wired.uow() as uow:
        assert len(uow.leads.of_team(None)) == 2  # the same file twice: nothing twice


def test_bad_refs_bad_contacts_and_duplicates_store_nothing_in_sql(wired, tmp_path):
    import io

    from bot.transfer_cli import import_file
    from storage.db import row_counts

    say = _world(wired)
    assert not say("mia", 'lead "Beta Corp" 李四 li@beta.cn').is_error  # L-1
    before = row_counts(wired.engine)
    for text, said in (
        ("lead L-99999999999999999999999", "is not a lead id"),
        ("lead L--1", "is not a lead id"),
        ("lead Foo 12345 bad@email", "“12345” is not a phone number."),
        ("lead Foo Wang bad@email", "“bad@email” is not an e-mail address."),
        ("lead BETA corp", "Beta Corp is already lead L-1, with @alice; nothing was taken in."),
        ("lead Zeta Zhao LI@BETA.CN", "Beta Corp is already lead L-1, with @alice"),
    ):
        reply = say("mia", text)
        assert reply.is_error and said in reply.title, (text, reply.title)
    assert row_counts(wired.engine) == before
    assert say("bob", "lead L-1 accept").title == "Lead L-1 is not yours to see."
    assert not say("alice", "lead L-1 pass").is_error  # on to bob
    assert say("alice", "lead L-1 pass").title == "You already passed on L-1; it went on to another rep."
    # a leads file: each repeating line is named, the others are taken in
    sheet = tmp_path / "leads.csv"
    sheet.write_text("company,person,email\nBeta Corp.,Li,\nNew One,Wu,wu@new.cn\nNewer,Wu,WU@new.cn\n"
                     "Gamma,Ma,\n", encoding="utf-8")
    out = io.StringIO()
    assert import_file(wired, str(sheet), encoding=None, update=False, dry_run=True, out=out, err=io.StringIO()) == 0
    assert "line 4: repeats line 3; not taken in twice" in out.getvalue(), out.getvalue()
    out = io.StringIO()
    assert import_file(wired, str(sheet), encoding=None, update=False, dry_run=False, out=out, err=io.StringIO()) == 0
    text = out.getvalue()
    assert "line 2: Beta Corp is already lead L-1, with @bob; nothing was taken in." in text, text
    assert "line 4: New One is already lead L-2" in text and "line 5: L-3 →" in text
    with wired.uow() as uow:
        assert [lead.company for lead in uow.leads.of_team(None)] == ["Gamma", "New One", "Beta Corp"]
