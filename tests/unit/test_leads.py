"""Leads on the fakes (core.leads, core.services.leads): intake and the duplicate check, the
round robin over 1,000 leads, rules, capacity, away, offers timing out and leads going back to the
pool with a fake clock, accept / pass / claim / assign, and refusals that change nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from core.domain.model import Customer
from core.domain.pipeline import DEFAULT_PIPELINE
from core.domain.worktime import WorkSettings
from core.language import commands as c
from core.language.errors import ParseError
from core.language.parser import ParseContext
from core.language.verbs import parse
from core.leads.hours import add_working_hours
from core.leads.matching import known_customer, name_key, phone_key
from core.leads.model import LeadFields, LeadStatus, OfferOutcome
from core.leads.settings import LeadSettings, LeadSettingsError
from core.reminders.outbox import Kind
from core.reminders.scans import Scans
from core.services.leads import intake
from tests.fakes import ChatHarness, FixedClock

CTX = ParseContext(FixedClock().now(), "Asia/Shanghai", DEFAULT_PIPELINE)
WEDNESDAY_10 = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a working day
REPS = ("alice", "bob", "carol", "dan")


def _team(h, settings=None):
    with h.uow:
        team = h.uow.teams.by_name("sales")
        team.settings = {**(team.settings or {}), "leads": settings or {}}
        h.uow.commit()


@pytest.fixture
def h():
    h = ChatHarness(admins=(("telegram", "1000"),), clock=FixedClock(WEDNESDAY_10))
    h.say("1000", "me", platform="telegram")
    h.say("1000", "team new east", platform="telegram")
    for n, who in enumerate(REPS, start=1):
        h.admit(str(n), "telegram", name=who, admin=("telegram", "1000"))
    h.admit("9", "telegram", name="mia", admin=("telegram", "1000"), role="manager")
    h.admit("8", "telegram", name="erin", admin=("telegram", "1000"), team="east")
    return h


def say(h, who, text):
    ids = {"boss": "1000", "mia": "9", "erin": "8"} | {w: str(n) for n, w in enumerate(REPS, start=1)}
    return h.say(ids[who], text, platform="telegram")


def _state(h):
    def fields(row):
        return repr({k: v for k, v in vars(row).items() if not k.startswith("_")})
    return {name: sorted(map(fields, getattr(h.uow, name).all())) for name in h.uow._REPOS}


def _owner(h, lead_id):
    lead = h.uow.leads.get(lead_id)
    member = h.uow.members.get(lead.owner_id) if lead.owner_id else None
    return member.handle if member else None


# -- the words ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "command"), [
    ("lead Acme 王经理 13800138000 source:展会",
     c.NewLead("Acme", "王经理", phone="13800138000", source="展会")),
    ('线索 "Beta Corp" 李四 li@beta.cn 来源:官网 区域:华南 行业:能源',
     c.NewLead("Beta Corp", "李四", email="li@beta.cn", source="官网", territory="华南", industry="能源")),
    ("lead Gamma Wang Wei +86 138-0013-8000", c.NewLead("Gamma", "Wang Wei", phone="+86 138-0013-8000")),
    ("lead L-Tech Wang", c.NewLead("L-Tech", "Wang")),  # a company, not a lead id
    ('lead "L-7" Wang', c.NewLead("L-7", "Wang")),  # quoted: a company
    ("lead Acme 13800138000 li@acme.cn", c.NewLead("Acme", phone="13800138000", email="li@acme.cn")),
    ("lead Gamma pool", c.NewLead("Gamma", pool=True)),
    ("线索 Gamma 公海 团队:east", c.NewLead("Gamma", team="east", pool=True)),
    ("lead", c.ListLeads()),
    ("lead L-7", c.ShowLead(7)),
    ("lead l7 accept", c.AcceptLead(7)),
    ("线索 L-7 接受", c.AcceptLead(7)),
    ("lead L-7 pass", c.PassLead(7)),
    ("线索 L-7 放弃", c.PassLead(7)),
    ("pool", c.ListPool()),
    ("公海", c.ListPool()),
    ("claim L-7", c.ClaimLead(7)),
    ("领取 L-7", c.ClaimLead(7)),
    ("assign L-7 @Bob", c.AssignLead(7, "bob")),
    ("转交 L-7 给 @bob", c.AssignLead(7, "bob")),
    ("me away off", c.SetAway(None)),
    ("我 请假 结束", c.SetAway(None)),
    ("me away until next friday", c.SetAway(datetime(2026, 3, 13, 16, 0, tzinfo=UTC))),
    ("me away until 2026-03-20", c.SetAway(datetime(2026, 3, 20, 16, 0, tzinfo=UTC))),  # back 21st 00:00 Shanghai
    ("我 请假 到 2026-03-20", c.SetAway(datetime(2026, 3, 20, 16, 0, tzinfo=UTC))),
])
def test_parses(text, command):
    assert parse(text, CTX) == command


@pytest.mark.parametrize(("text", "key"), [
    ("claim", "err.missing_arg"),
    ("claim D-7", "lead.bad_ref"),
    ("lead L-7 maybe", "err.extra_args"),
    ("lead Acme colour:red", "err.bad_option"),
    ("lead Acme phone:12", "cust.bad_phone"),
    ("lead Acme email:nobody", "cust.bad_email"),
    ("lead Acme source:a source:b", "cust.option_twice"),
    # a first word shaped like a lead id is one: a bad one is refused, never a new lead "L-…"
    ("lead L-99999999999999999999999", "lead.bad_ref"),
    ("lead L--1", "lead.bad_ref"),
    ("lead L-7a pass", "lead.bad_ref"),
    # a word shaped like a phone or an e-mail must be a valid one, never folded into the name
    ("lead Foo 12345 bad@email.cn", "cust.bad_phone"),
    ("lead Foo Wang bad@email", "cust.bad_email"),
    ("lead Foo -5", "cust.bad_phone"),
    ("lead Foo 13800138000 13900139000", "cust.bad_phone"),  # two numbers are not one
    ("lead Foo 13800138000 Wang 13900139000", "cust.option_twice"),
    ('lead ""', "err.empty_name"),
    ("me away", "err.missing_arg"),
    ("me away until someday-ish", "err.bad_date"),
])
def test_bad_words_are_one_message(text, key):
    with pytest.raises(ParseError) as caught:
        parse(text, CTX)
    assert caught.value.key == key


# -- the pure parts -----------------------------------------------------------------------------------
def test_names_phones_and_emails_are_normalised():
    assert name_key("ACME, Inc.") == name_key("acme") == "acme"
    assert name_key("华为技术有限公司") == name_key("华为技术") == "华为技术"
    assert name_key("Ｂｅｔａ  Ltd") == "beta"
    assert phone_key("+86 138-0013-8000") == phone_key("13800138000") == phone_key("0086 13800138000")
    acme = Customer("Acme", 1, id=1, contacts=[{"name": "Wang", "phone": "138 0013 8000", "email": "W@Acme.cn"}])
    other = Customer("Beta", 1, id=2, aliases=["Beta Group"])
    assert known_customer(LeadFields("ACME Inc."), [acme, other]).by == "name"
    assert known_customer(LeadFields("Beta Group Ltd"), [acme, other]).customer is other
    assert known_customer(LeadFields("New Co", phone="+86 13800138000"), [acme, other]).by == "phone"
    assert known_customer(LeadFields("New Co", email="w@acme.CN"), [acme, other]).by == "email"
    assert known_customer(LeadFields("New Co", phone="13900000000"), [acme, other]) is None


def test_working_hours_limit_skips_the_evening_and_the_weekend():
    work = WorkSettings.of("Asia/Shanghai", {})  # 09:00-18:00, Monday to Friday
    friday_1730 = datetime(2026, 3, 6, 9, 30, tzinfo=UTC)
    assert add_working_hours(work, friday_1730, 2) == datetime(2026, 3, 9, 2, 30, tzinfo=UTC)  # Monday 10:30
    saturday = datetime(2026, 3, 7, 3, 0, tzinfo=UTC)
    assert add_working_hours(work, saturday, 2) == datetime(2026, 3, 9, 3, 0, tzinfo=UTC)  # Monday 11:00
    assert add_working_hours(work, WEDNESDAY_10, 2) == WEDNESDAY_10 + timedelta(hours=2)


def test_settings_read_strictly_and_fall_back_when_stored_badly():
    s = LeadSettings().with_value("rules", "source:展会=alice,@bob; territory:华南=carol")
    assert [(r.field, r.value, r.reps) for r in s.rules] == [("source", "展会", ("alice", "bob")),
                                                             ("territory", "华南", ("carol",))]
    for key, value in (("rules", "colour:red=alice"), ("capacity", "-1"), ("first_contact_hours", "0"),
                       ("nonsense", "1"), ("rules", "source:expo=")):
        with pytest.raises(LeadSettingsError):
            LeadSettings().with_value(key, value)
    stored = LeadSettings.of({"leads": {"capacity": "lots", "pool_days": 5}})
    assert stored.capacity == 0 and stored.pool_days == 5


# -- round robin, rules, capacity, away ---------------------------------------------------------------
_NAMES = count(1)  # every lead of a test its own company: a repeated one would be a duplicate


def _take_in(h, count, **fields):
    with h.uow:
        team = h.uow.teams.by_name("sales")
        leads = [intake(h.uow, team, LeadFields(f"Company {next(_NAMES)}", **fields), now=h.clock.now(),
                        actor=None, source="test", channel="api")[0] for _ in range(count)]
        h.uow.commit()
    return leads


def test_round_robin_is_fair_over_a_thousand_leads(h):
    leads = _take_in(h, 1000)
    got = Counter(_owner(h, lead.id) for lead in leads)
    assert got == {who: 250 for who in REPS}
    order = [_owner(h, lead.id) for lead in leads[:8]]
    assert order == [*REPS, *REPS]  # each rep in turn, none twice before the others
    assert sorted(Counter(o.member_id for o in h.uow.leads.offer_rows.all()).values()) == [250] * 4


def test_round_robin_stays_fair_when_reps_pass(h):
    leads = _take_in(h, 80)
    for lead in leads[::2]:  # every other lead is passed on by whoever got it
        assert not say(h, _owner(h, lead.id), f"lead {lead.code} pass").is_error
    offers = Counter(h.uow.members.get(o.member_id).handle for o in h.uow.leads.offer_rows.all())
    assert max(offers.values()) - min(offers.values()) <= 1
    assert sum(offers.values()) == 120


def test_rules_send_a_lead_only_to_their_reps(h):
    _team(h, {"rules": "source:展会=alice; territory:华南=bob,carol"})
    expo = _take_in(h, 5, source="展会")
    south = _take_in(h, 6, territory="华南")
    rest = _take_in(h, 8, source="web")
    assert {_owner(h, lead.id) for lead in expo} == {"alice"}
    assert Counter(_owner(h, lead.id) for lead in south) == {"bob": 3, "carol": 3}
    assert Counter(_owner(h, lead.id) for lead in rest) == {who: 2 for who in REPS}
    # the rule's one rep passes: nobody else may have it, so it goes to the pool
    assert not say(h, "alice", f"lead {expo[0].code} pass").is_error
    assert h.uow.leads.get(expo[0].id).status == LeadStatus.POOL


def test_capacity_is_honoured_then_the_pool(h):
    _team(h, {"capacity": 2})
    leads = _take_in(h, 10)
    held = Counter(_owner(h, lead.id) for lead in leads)
    assert held == {**{who: 2 for who in REPS}, None: 2}
    assert all(h.uow.leads.get(lead.id).status == LeadStatus.POOL for lead in leads[8:])
    reply = say(h, "alice", f"claim {leads[8].code}")
    assert reply.is_error and "the most your team allows (2)" in reply.title
    # alice wins one of her deals' leads: accepting made a deal; a closed deal no longer counts
    accept = say(h, "alice", f"lead {leads[0].code} accept")
    assert not accept.is_error
    deal_id = h.uow.leads.get(leads[0].id).deal_id
    assert not say(h, "alice", f"won D-{deal_id}").is_error
    assert not say(h, "alice", f"claim {leads[8].code}").is_error


def test_away_reps_get_no_leads_until_they_are_back(h):
    assert "through 2026-03-05" in say(h, "alice", "me away until tomorrow").title
    leads = _take_in(h, 6)
    assert "alice" not in {_owner(h, lead.id) for lead in leads}
    h.clock.set(datetime(2026, 3, 5, 16, 0, tzinfo=UTC))  # midnight: Friday in Shanghai
    later = _take_in(h, 1)
    assert _owner(h, later[0].id) == "alice"  # back, and offered least recently
    assert say(h, "bob", "我 请假 到 2026-03-01").is_error  # a past day: refused, nothing stored
    assert set(h.uow.leads.away) == {h.uow.members.by_handle("alice").id}  # bob's refusal stored nothing


# -- offers timing out, the pool ----------------------------------------------------------------------
def test_a_timeout_offers_the_lead_to_the_next_rep_then_the_pool(h):
    scans = Scans(lambda: h.uow, h.clock)
    (lead,) = _take_in(h, 1)
    assert _owner(h, lead.id) == "alice"
    assert h.uow.leads.get(lead.id).offer_due == WEDNESDAY_10 + timedelta(hours=2)
    h.clock.advance(hours=1, minutes=59)
    scans.leads()
    assert _owner(h, lead.id) == "alice"  # not yet
    seen = ["alice"]
    for _ in REPS[1:]:
        h.clock.set(h.uow.leads.get(lead.id).offer_due + timedelta(minutes=1))
        scans.leads()
        seen.append(_owner(h, lead.id))
    assert seen == list(REPS)
    outcomes = [o.outcome for o in h.uow.leads.offers(lead.id)]
    assert outcomes == [OfferOutcome.TIMED_OUT] * 3 + [OfferOutcome.OPEN]
    # bob at 12:01, carol at 14:02, dan at 16:03: his two working hours run on into Thursday 09:03
    assert h.uow.leads.get(lead.id).offer_due == datetime(2026, 3, 5, 1, 3, tzinfo=UTC)
    h.clock.set(datetime(2026, 3, 4, 14, 0, tzinfo=UTC))  # 22:00 on Wednesday: still dan's
    scans.leads()
    assert _owner(h, lead.id) == "dan"
    h.clock.set(datetime(2026, 3, 5, 3, 30, tzinfo=UTC))  # Thursday 11:30
    assert scans.leads().events == 1
    assert h.uow.leads.get(lead.id).status == LeadStatus.POOL
    pool_notices = [m for m in h.uow.outbox.all() if ":pool:" in m.dedupe_key]
    assert {m.payload["recipient"] for m in pool_notices} == {h.uow.members.by_handle(w).id for w in ("mia", "dan")}
    assert scans.leads().events == 0  # nothing moves twice
    assert "L-1" in say(h, "bob", "pool").text()


def test_an_untouched_assigned_lead_returns_to_the_pool(h):
    _team(h, {"pool_days": 2})
    (lead,) = _take_in(h, 1)
    assert not say(h, "mia", f"assign {lead.code} @carol").is_error
    assert h.uow.leads.get(lead.id).status == LeadStatus.ASSIGNED
    scans = Scans(lambda: h.uow, h.clock)
    h.clock.advance(days=1, hours=23)
    scans.leads()
    assert _owner(h, lead.id) == "carol"  # assigned: no first-contact limit, and not two days yet
    h.clock.advance(hours=2)
    scans.leads()
    assert h.uow.leads.get(lead.id).status == LeadStatus.POOL
    notice = [m for m in h.uow.outbox.all() if ":pool:" in m.dedupe_key]
    assert any("back in the pool" in line for m in notice for line in m.reply.lines)
    assert not say(h, "bob", f"claim {lead.code}").is_error
    assert _owner(h, lead.id) == "bob" and h.uow.leads.get(lead.id).status == LeadStatus.ACCEPTED


# -- the chat verbs -----------------------------------------------------------------------------------
def test_lead_in_chat_is_offered_with_a_dm_and_accepting_makes_customer_and_deal(h):
    reply = say(h, "mia", "lead Acme Wang 13800138000 source:expo")
    assert reply.title == "Lead L-1 taken in: Acme." and "Offered to @alice." in reply.lines
    (dm,) = [m for m in h.uow.outbox.all() if m.kind == Kind.LEAD]
    assert dm.platform == "telegram" and dm.chat_id == "1"
    assert [b.command for b in dm.reply.buttons] == ["lead L-1 accept", "lead L-1 pass"]
    assert "within 2 working hours" in dm.reply.lines[0]
    accepted = say(h, "alice", "lead L-1 accept")
    assert accepted.title.startswith("L-1 accepted: D-1 for Acme"), accepted.title
    deal = h.uow.deals.get(1)
    customer = h.uow.customers.get(deal.customer_id)
    assert deal.owner_id == h.uow.members.by_handle("alice").id and deal.stage == DEFAULT_PIPELINE.first.key
    assert customer.owner_id == deal.owner_id and customer.source == "expo"
    assert customer.contacts == [{"name": "Wang", "phone": "13800138000"}]
    assert say(h, "alice", "lead L-1 accept").is_error  # once
    # a later lead of the same customer (by phone) goes to its owner, assigned
    again = say(h, "bob", "线索 新公司 +86 138-0013-8000")
    assert "已有客户 Acme（电话相同）。" in again.lines and "已指派给 @alice。" in again.lines


def test_refusals_change_nothing(h):
    say(h, "mia", "lead Acme")  # L-1 to alice
    say(h, "boss", "lead East1 team:east")  # L-2 to erin
    before = _state(h)
    for who, text, key in (
        ("bob", "lead L-1 accept", "Lead L-1 is not yours to see."),
        ("bob", "assign L-1 @bob", "Only managers assign leads"),
        ("mia", "assign L-2 @alice", "There is no lead L-2."),
        ("mia", "lead L-1 accept", "Lead L-1 is not offered to you"),
        ("mia", "assign L-1 @erin", "@erin"),
        ("alice", "claim L-1", "Lead L-1 is already yours: lead L-1 accept"),
        ("bob", "claim L-1", "Lead L-1 is not yours to see."),
        ("alice", "lead X team:east", "Only admins take in leads for another team"),
        ("boss", "claim L-2", "Lead L-2 is not in the pool"),
        ("alice", "claim L-99", "There is no lead L-99."),
    ):
        reply = say(h, who, text)
        assert reply.is_error and key in reply.title, (text, reply.title)
    assert _state(h) == before


def test_a_manager_assigns_and_the_rep_is_told(h):
    say(h, "mia", "lead Acme pool")
    assert h.uow.leads.get(1).status == LeadStatus.POOL
    reply = say(h, "mia", "assign L-1 @bob")
    assert reply.title == "Lead L-1 assigned to @bob." and "@bob gets the lead in a direct message." in reply.lines
    dm = [m for m in h.uow.outbox.all() if m.kind == Kind.LEAD][-1]
    assert dm.chat_id == "2" and [b.command for b in dm.reply.buttons] == ["lead L-1 accept"]
    assert "L-1" in say(h, "bob", "lead").text()
    assert not say(h, "bob", "lead L-1 accept").is_error


def test_an_obsolete_offer_is_not_sent(h):
    from core.reminders.rules import obsolete_reason

    say(h, "mia", "lead Acme")
    dm = [m for m in h.uow.outbox.all() if m.kind == Kind.LEAD][0]
    assert obsolete_reason(h.uow, dm.guard, h.clock.now()) is None
    say(h, "alice", "lead L-1 pass")
    assert obsolete_reason(h.uow, dm.guard, h.clock.now()) == "the offer ended"


def test_merging_customers_and_members_carries_their_leads(h):
    assert not say(h, "alice", "new Acme").is_error
    assert not say(h, "bob", 'new "Acme Inc"').is_error
    reply = say(h, "mia", "lead ACME INC.")  # the name folds to acme: the first customer, alice's
    assert "Known customer Acme (same name)." in reply.lines
    assert not say(h, "mia", 'merge customer Acme into "Acme Inc"').is_error
    lead = h.uow.leads.get(1)
    assert h.uow.customers.get(lead.customer_id).name == "Acme Inc"


def test_a_lead_taken_in_at_night_is_offered_in_the_morning(h):
    h.clock.set(datetime(2026, 3, 4, 15, 0, tzinfo=UTC))  # 23:00 in Shanghai, quiet hours
    (lead,) = _take_in(h, 1)
    [dm] = [m for m in h.uow.outbox.all() if m.kind == Kind.LEAD]
    assert dm.not_before == datetime(2026, 3, 5, 0, 0, tzinfo=UTC)  # 08:00 Thursday
    assert h.uow.leads.get(lead.id).offer_due == datetime(2026, 3, 5, 3, 0, tzinfo=UTC)  # 09:00 + 2 working hours


# -- trial findings: duplicates, clear refusals, away in `me` --------------------------------------
def test_a_lead_repeating_an_open_lead_is_refused_and_names_its_holder(h):
    assert not say(h, "mia", 'lead "Beta Corp" 李四 li@beta.cn').is_error  # L-1 to alice
    before = _state(h)
    same = say(h, "mia", 'lead "Beta Corp" 李四 li@beta.cn')  # Chinese words: a Chinese reply
    assert same.is_error and same.title == "Beta Corp 已是线索 L-1，由 @alice 跟进；未重复录入。"
    for text in ("lead BETA CORP.", "lead Other Zhao LI@beta.cn"):
        reply = say(h, "mia", text)
        assert reply.is_error and reply.title == "Beta Corp is already lead L-1, with @alice; nothing was taken in."
    assert _state(h) == before  # no second lead, no second offer
    say(h, "mia", "lead Gamma pool")
    assert say(h, "bob", "lead gamma").title == "Gamma is already lead L-2, in the pool (claim L-2); nothing was taken in."
    # once taken (accepted), the company is a customer: a new lead of it goes to its owner
    assert not say(h, "alice", "lead L-1 accept").is_error
    again = say(h, "mia", 'lead "Beta Corp"')
    assert not again.is_error and "Assigned to @alice." in again.lines


def test_accepting_a_known_customers_lead_joins_the_reps_open_deal_or_names_the_other(h):
    assert not say(h, "alice", "new Acme 50k").is_error  # D-1, alice's
    assert "Assigned to @alice." in say(h, "mia", "lead Acme Wang").lines  # L-1
    joined = say(h, "alice", "lead L-1 accept")
    assert joined.title == "L-1 accepted: Acme already has your open deal D-1; the lead joins it."
    assert len(h.uow.deals.all()) == 1 and h.uow.leads.get(1).deal_id == 1
    assert "Assigned to @alice." in say(h, "mia", "lead Acme 13900139000").lines  # L-1 taken: not a duplicate
    assert not say(h, "mia", "assign L-2 @bob").is_error
    other = say(h, "bob", "lead L-2 accept")
    assert other.title.startswith("L-2 accepted: D-2 for Acme"), other.title
    assert "Acme also has open deal D-1 (@alice)." in other.lines


def test_refusals_say_what_happened(h):
    say(h, "mia", "lead Acme")  # L-1 offered to alice
    assert not say(h, "alice", "lead L-1 pass").is_error  # on to bob
    twice = say(h, "alice", "lead L-1 pass")
    assert twice.is_error and twice.title == "You already passed on L-1; it went on to another rep."
    say(h, "mia", "lead Beta pool")  # L-2
    assert not say(h, "carol", "claim L-2").is_error
    late = say(h, "dan", "claim L-2")
    assert late.is_error and late.title == "Lead L-2 was already claimed by @carol."
    assert say(h, "dan", "领取 L-2").title == "线索 L-2 已被 @carol 领取。"
    assert not say(h, "bob", "lead L-1 accept").is_error
    assert say(h, "dan", "lead L-1 accept").title == "Lead L-1 was already accepted by @bob."
    east = say(h, "alice", "pool east")
    assert east.is_error and east.title == "Only admins see another team's pool (east)."
    empty = say(h, "alice", 'lead ""')
    assert empty.is_error and empty.title.startswith("A name can't be empty.")
    say(h, "mia", "lead Gamma pool")
    say(h, "mia", "lead Delta pool")
    pool = say(h, "alice", "pool")
    assert pool.title == "Pool of sales · claim L-4 to take one" and "L-7" not in pool.text()
    assert say(h, "alice", "公海").title == "sales 的公海 · 用 领取 L-4 领取"


def test_me_shows_that_you_are_away_and_the_example_is_not_in_the_past(h):
    assert not any("Away" in line for line in say(h, "alice", "me").lines)
    assert not say(h, "alice", "me away until next friday").is_error
    assert "Away through 2026-03-13: no leads offered (me away off: back)" in say(h, "alice", "me").lines
    assert "请假至 2026-03-13：不分配线索（我 请假 结束：销假）" in say(h, "alice", "我").lines
    past = say(h, "alice", "me away until 2026-03-01")
    assert past.is_error and "me away until next friday" in past.title
    assert not say(h, "alice", "me away off").is_error
    assert not any("Away" in line for line in say(h, "alice", "me").lines)
