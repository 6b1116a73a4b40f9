"""One repository contract, three backends: the in-memory fakes, SQLite and PostgreSQL.

Everything the core relies on from core.ports is asserted here, so tests/fakes/ cannot drift
from storage.repositories. A test that only makes sense for SQL belongs elsewhere in tests/storage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from core.domain.model import (
    AuditEntry,
    Customer,
    Deal,
    DealStatus,
    Identity,
    Interaction,
    Member,
    Role,
    StageChange,
    Task,
    TaskOrigin,
    Team,
)
from core.ports.unit_of_work import UnitOfWork
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeUnitOfWork

T0 = datetime(2026, 3, 4, 2, 0, 5, 123456, tzinfo=UTC)

NewUow = Callable[[], UnitOfWork]


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def new_uow(backend: str, request: pytest.FixtureRequest) -> Iterator[NewUow]:
    """Returns a fresh unit of work per call, all on the same (empty) database."""
    if backend == "fake":
        fake = FakeUnitOfWork()  # one fake instance *is* the whole database
        yield lambda: fake
        return
    engine = make_engine(request.getfixturevalue(f"{backend}_url"))
    factory = make_session_factory(engine)
    yield lambda: SqlUnitOfWork(factory)
    engine.dispose()


class World:
    """Ids of a small seeded world: two teams, two members, a customer in each team."""

    def __init__(self, new_uow: NewUow):
        with new_uow() as uow:
            self.team = uow.teams.add(Team(name="Sales East")).id
            self.other_team = uow.teams.add(Team(name="Sales West", timezone="UTC")).id
            self.alice = uow.members.add(
                Member(handle="alice", team_id=self.team, created_at=T0)
            ).id
            self.bob = uow.members.add(
                Member(handle="bob", team_id=self.other_team, role=Role.MANAGER)
            ).id
            self.acme = uow.customers.add(
                Customer(name="Acme Corp", team_id=self.team, aliases=["ACME", "阿克米"])
            ).id
            self.globex = uow.customers.add(Customer(name="Globex", team_id=self.other_team)).id
            uow.commit()

    def deal(self, **overrides) -> Deal:
        fields = dict(
            title="Acme rollout",
            customer_id=self.acme,
            owner_id=self.alice,
            team_id=self.team,
            stage="lead",
            stage_entered_at=T0,
            created_at=T0,
        )
        return Deal(**(fields | overrides))

    def task(self, **overrides) -> Task:
        fields = dict(title="call back", assignee_id=self.alice, team_id=self.team, created_at=T0)
        return Task(**(fields | overrides))

    def interaction(self, **overrides) -> Interaction:
        fields = dict(team_id=self.team, text="hello", occurred_at=T0)
        return Interaction(**(fields | overrides))


@pytest.fixture
def world(new_uow: NewUow) -> World:
    return World(new_uow)


# --- ids and lookups -----------------------------------------------------------------------------


def test_add_assigns_ids_at_once(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal = uow.deals.add(world.deal())
        second = uow.deals.add(world.deal(title="second"))
        task = uow.tasks.add(world.task())
        change = uow.stage_changes.add(StageChange(deal.id, None, "lead", T0, world.alice))
        note = uow.interactions.add(world.interaction(deal_id=deal.id))
        entry = uow.audit.add(AuditEntry(action="new", entity=deal.code, at=T0))
        identity = uow.members.add_identity(Identity("slack", "U1", world.alice))
        added = [deal, second, task, change, note, entry, identity]
        assert all(isinstance(obj.id, int) for obj in added)
        assert deal.id != second.id
        assert deal.code == f"D-{deal.id}" and task.code == f"T-{task.id}"


def test_get_returns_the_object_or_none(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal_id = uow.deals.add(world.deal()).id
        task_id = uow.tasks.add(world.task()).id
        uow.commit()
    with new_uow() as uow:
        assert uow.teams.get(world.team).name == "Sales East"
        assert uow.members.get(world.alice).handle == "alice"
        assert uow.customers.get(world.acme).name == "Acme Corp"
        assert uow.deals.get(deal_id).title == "Acme rollout"
        assert uow.tasks.get(task_id).title == "call back"
        missing = 10_000
        assert uow.teams.get(missing) is None
        assert uow.members.get(missing) is None
        assert uow.customers.get(missing) is None
        assert uow.deals.get(missing) is None
        assert uow.tasks.get(missing) is None


def test_teams_by_name_ignores_case_and_list_is_in_id_order(new_uow: NewUow, world: World):
    with new_uow() as uow:
        assert uow.teams.by_name("sales east").id == world.team
        assert uow.teams.by_name("SALES WEST").id == world.other_team
        assert uow.teams.by_name("Sales North") is None
        assert [team.id for team in uow.teams.list()] == [world.team, world.other_team]


def test_members_by_handle_identity_and_team(new_uow: NewUow, world: World):
    with new_uow() as uow:
        carol = uow.members.add(Member(handle="Carol", team_id=world.team))
        uow.members.add_identity(Identity("slack", "U123", carol.id))
        uow.members.add_identity(Identity("console", "carol", carol.id))
        uow.members.add_identity(Identity("slack", "U999", world.bob))
        uow.commit()
    with new_uow() as uow:
        assert uow.members.by_handle("carol").id == carol.id
        assert uow.members.by_handle("ALICE").id == world.alice
        assert uow.members.by_handle("nobody") is None
        assert uow.members.by_identity("slack", "U123").id == carol.id
        assert uow.members.by_identity("telegram", "U123") is None
        assert uow.members.by_identity("slack", "u123") is None  # platform ids are exact
        assert [m.id for m in uow.members.in_team(world.team)] == [world.alice, carol.id]
        assert [(i.platform, i.user_id) for i in uow.members.identities(carol.id)] == [
            ("slack", "U123"),
            ("console", "carol"),
        ]


def test_customers_by_name_matches_name_or_alias_in_the_team(new_uow: NewUow, world: World):
    with new_uow() as uow:
        assert uow.customers.by_name(world.team, "acme corp").id == world.acme
        assert uow.customers.by_name(world.team, "acme").id == world.acme
        assert uow.customers.by_name(world.team, "阿克米").id == world.acme
        assert uow.customers.by_name(world.team, "Globex") is None  # another team's customer
        assert uow.customers.by_name(world.other_team, "GLOBEX").id == world.globex
        assert uow.customers.by_name(world.team, "Initech") is None


def test_named_finds_the_customer_or_creates_it_once(new_uow: NewUow, world: World):
    with new_uow() as uow:
        assert uow.customers.named(world.team, "ACME").id == world.acme  # by alias, any case
        initech = uow.customers.named(world.team, "Initech")
        assert initech.id is not None and initech.team_id == world.team
        assert uow.customers.named(world.team, "initech").id == initech.id
        assert uow.customers.named(world.other_team, "Initech").id != initech.id  # per team
        uow.commit()


def test_case_is_ignored_beyond_ascii(new_uow: NewUow, world: World):
    with new_uow() as uow:
        team = uow.teams.add(Team(name="Équipe Zoë")).id
        zoe = uow.members.add(Member(handle="ZOË", team_id=team)).id
        customer = uow.customers.add(Customer(name="Société Générale", team_id=team)).id
        uow.commit()
    with new_uow() as uow:
        assert uow.teams.by_name("équipe zoë").id == team
        assert uow.teams.by_name("Équipe Zoë").id == team
        assert uow.members.by_handle("zoë").id == zoe
        assert uow.members.by_handle("ZOË").id == zoe
        assert uow.customers.by_name(team, "SOCIÉTÉ GÉNÉRALE").id == customer


# The matching rules of customers.by_name (core.domain.model.customer_key), pinned on every backend:
# storage finds customers through an indexed key, and must match exactly what str.casefold did.
CUSTOMER_MATCHES = [  # (stored name, aliases, asked for, found?)
    ("Straße Müller GmbH", [], "STRASSE MÜLLER GMBH", True),  # ß is ss, beyond-ASCII case
    ("ΑΘΗΝΑΣ Shipping", [], "αθηνας shipping", True),  # final sigma folds like σ
    ("ＡＣＭＥ Ｔｒａｄｉｎｇ", [], "ａｃｍｅ ｔｒａｄｉｎｇ", True),  # full-width case folds...
    ("ＡＣＭＥ Ｔｒａｄｉｎｇ", [], "ACME Trading", False),  # ...but width is the parser's job
    ("华为技术有限公司", ["华为", "Huawei"], "华为", True),
    ("华为技术有限公司", ["华为", "Huawei"], "HUAWEI", True),
    ("华为技术有限公司", ["华为", "Huawei"], "华为技术", False),  # whole names only, no prefixes
    ("华为技术有限公司", [], "华为技术有限公司 ", False),  # spaces are the parser's job too
    ("Initech  Labs", [], "initech labs", False),
    ("Ｉｎｉｔｅｃｈ", ["ＩＮＩ"], "ｉｎｉ", True),  # a full-width alias, any case
]


@pytest.mark.parametrize(("name", "aliases", "asked", "found"), CUSTOMER_MATCHES)
def test_customer_matching_rules(new_uow: NewUow, world: World, name: str, aliases: list[str],
                                 asked: str, found: bool):
    with new_uow() as uow:
        stored = uow.customers.add(Customer(name=name, team_id=world.team, aliases=list(aliases))).id
        uow.commit()
    with new_uow() as uow:
        hit = uow.customers.by_name(world.team, asked)
        assert (hit.id if hit else None) == (stored if found else None)
        assert uow.customers.by_name(world.other_team, asked) is None  # never another team's


def test_a_name_wins_over_an_older_customers_alias(new_uow: NewUow, world: World):
    with new_uow() as uow:
        uow.customers.add(Customer(name="Initech Holdings", team_id=world.team, aliases=["Initech"]))
        initech = uow.customers.add(Customer(name="INITECH", team_id=world.team)).id
        uow.commit()
    with new_uow() as uow:
        assert uow.customers.by_name(world.team, "initech").id == initech


def test_customers_are_found_by_their_new_name_and_aliases_after_a_change(new_uow: NewUow, world: World):
    with new_uow() as uow:
        acme = uow.customers.get(world.acme)
        acme.name, acme.aliases = "Acme Group", ["艾克米"]
        uow.commit()
    with new_uow() as uow:
        uow.customers.get(world.acme).aliases.append("ACME Intl")  # changed in place
        uow.commit()
    with new_uow() as uow:
        for asked in ("acme group", "艾克米", "acme intl"):
            assert uow.customers.by_name(world.team, asked).id == world.acme
        for gone in ("Acme Corp", "ACME", "阿克米"):
            assert uow.customers.by_name(world.team, gone) is None


def test_deals_by_ref(new_uow: NewUow, world: World):
    with new_uow() as uow:
        imported = uow.deals.add(world.deal(ref="crm-42"))
        uow.deals.add(world.deal())
        uow.commit()
    with new_uow() as uow:
        assert uow.deals.by_ref("crm-42").id == imported.id
        assert uow.deals.by_ref("crm-43") is None


def test_deals_find_applies_every_filter_newest_first(new_uow: NewUow, world: World):
    with new_uow() as uow:
        a = uow.deals.add(world.deal()).id
        b = uow.deals.add(world.deal(stage="demo")).id
        c = uow.deals.add(world.deal(status=DealStatus.WON, stage="won")).id
        d = uow.deals.add(
            world.deal(team_id=world.other_team, owner_id=world.bob, customer_id=world.globex)
        ).id
        uow.commit()
    with new_uow() as uow:

        def ids(**filters) -> list[int]:
            return [deal.id for deal in uow.deals.find(**filters)]

        assert ids() == [d, c, b, a]
        assert ids(team_id=world.team) == [c, b, a]
        assert ids(owner_id=world.bob) == [d]
        assert ids(status=DealStatus.OPEN) == [d, b, a]
        assert ids(team_id=world.team, status=DealStatus.OPEN) == [b, a]
        assert ids(stage="demo") == [b]
        assert ids(team_id=world.other_team, stage="demo") == []


def test_tasks_find_earliest_due_first_undated_last(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal = uow.deals.add(world.deal()).id
        undated = uow.tasks.add(world.task()).id
        later = uow.tasks.add(world.task(due_at=T0 + timedelta(days=2), deal_id=deal)).id
        sooner = uow.tasks.add(world.task(due_at=T0 + timedelta(days=1))).id
        done = uow.tasks.add(world.task(due_at=T0, done_at=T0)).id
        bobs = uow.tasks.add(
            world.task(assignee_id=world.bob, team_id=world.other_team, due_at=T0)
        ).id
        uow.commit()
    with new_uow() as uow:

        def ids(**filters) -> list[int]:
            return [task.id for task in uow.tasks.find(**filters)]

        assert ids() == [bobs, sooner, later, undated]
        assert ids(open_only=False) == [done, bobs, sooner, later, undated]
        assert ids(team_id=world.team) == [sooner, later, undated]
        assert ids(assignee_id=world.bob) == [bobs]
        assert ids(deal_id=deal) == [later]


def test_stage_changes_oldest_first_and_delete_for_deal(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal = uow.deals.add(world.deal()).id
        other = uow.deals.add(world.deal()).id
        # Added out of order: for_deal sorts by time, then by id for equal times.
        second = uow.stage_changes.add(
            StageChange(deal, "lead", "demo", T0 + timedelta(hours=1), None)
        )
        first = uow.stage_changes.add(StageChange(deal, None, "lead", T0, world.alice))
        tie = uow.stage_changes.add(
            StageChange(deal, "demo", "quote", T0 + timedelta(hours=1), None)
        )
        kept = uow.stage_changes.add(StageChange(other, None, "lead", T0, world.alice))
        uow.commit()
    with new_uow() as uow:
        history = uow.stage_changes.for_deal(deal)
        assert [c.id for c in history] == [first.id, second.id, tie.id]
        assert [(c.from_stage, c.to_stage) for c in history][0] == (None, "lead")
        uow.stage_changes.delete_for_deal(deal)
        assert uow.stage_changes.for_deal(deal) == []
        uow.commit()
    with new_uow() as uow:
        assert uow.stage_changes.for_deal(deal) == []
        assert [c.id for c in uow.stage_changes.for_deal(other)] == [kept.id]


def test_interactions_for_deal_newest_first_with_limit(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal = uow.deals.add(world.deal()).id
        notes = [
            uow.interactions.add(
                world.interaction(deal_id=deal, text=f"n{i}", occurred_at=T0 + timedelta(minutes=i))
            ).id
            for i in range(7)
        ]
        uow.interactions.add(world.interaction(text="no deal"))
        uow.commit()
    with new_uow() as uow:
        assert [i.id for i in uow.interactions.for_deal(deal)] == notes[::-1][:5]
        assert [i.id for i in uow.interactions.for_deal(deal, limit=2)] == notes[::-1][:2]


def test_audit_for_entity_oldest_first(new_uow: NewUow, world: World):
    with new_uow() as uow:
        late = uow.audit.add(AuditEntry("move", "D-1", T0 + timedelta(hours=1), world.alice)).id
        early = uow.audit.add(AuditEntry("new", "D-1", T0, world.alice, after={"stage": "lead"})).id
        uow.audit.add(AuditEntry("new", "D-2", T0))
        uow.commit()
    with new_uow() as uow:
        entries = uow.audit.for_entity("D-1")
        assert [e.id for e in entries] == [early, late]
        assert entries[0].after == {"stage": "lead"} and entries[0].before is None


def test_audit_by_actor_since_oldest_first(new_uow: NewUow, world: World):
    with new_uow() as uow:
        late = uow.audit.add(AuditEntry("move", "D-1", T0 + timedelta(minutes=9), world.alice)).id
        early = uow.audit.add(AuditEntry("edit", "D-2", T0, world.alice)).id
        uow.audit.add(AuditEntry("edit", "D-2", T0 - timedelta(seconds=1), world.alice))  # before `since`
        uow.audit.add(AuditEntry("edit", "D-2", T0 + timedelta(minutes=1)))  # nobody's
        uow.commit()
    with new_uow() as uow:
        assert [e.id for e in uow.audit.by_actor_since(world.alice, T0)] == [early, late]


# --- the unit of work ----------------------------------------------------------------------------


def test_commit_persists_for_the_next_unit_of_work(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal_id = uow.deals.add(world.deal()).id
        uow.commit()
    with new_uow() as uow:
        deal = uow.deals.get(deal_id)
        deal.stage, deal.stage_entered_at = "demo", T0 + timedelta(days=1)
        uow.commit()
    with new_uow() as uow:
        assert uow.deals.get(deal_id).stage == "demo"
        assert uow.deals.get(deal_id).stage_entered_at == T0 + timedelta(days=1)


def test_leaving_without_commit_rolls_back(new_uow: NewUow, world: World):
    with new_uow() as uow:
        uow.teams.add(Team(name="Ghost team"))
        uow.teams.get(world.team).language = "zh"
    with new_uow() as uow:
        assert uow.teams.by_name("Ghost team") is None
        assert uow.teams.get(world.team).language == "en"


def test_an_exception_in_the_block_rolls_back(new_uow: NewUow, world: World):
    with pytest.raises(RuntimeError, match="boom"), new_uow() as uow:
        uow.deals.add(world.deal())
        raise RuntimeError("boom")
    with new_uow() as uow:
        assert uow.deals.find() == []


def test_work_after_a_commit_is_rolled_back_without_another(new_uow: NewUow, world: World):
    with new_uow() as uow:
        kept = uow.deals.add(world.deal(title="kept")).id
        uow.commit()
        uow.deals.add(world.deal(title="dropped"))
    with new_uow() as uow:
        assert [d.id for d in uow.deals.find()] == [kept]


def test_explicit_rollback_discards_and_the_block_goes_on(new_uow: NewUow, world: World):
    with new_uow() as uow:
        uow.deals.add(world.deal(title="dropped"))
        uow.rollback()
        kept = uow.deals.add(world.deal(title="kept")).id
        uow.commit()
    with new_uow() as uow:
        assert [d.title for d in uow.deals.find()] == ["kept"]
        assert uow.deals.get(kept) is not None


def test_objects_stay_readable_after_the_block(new_uow: NewUow, world: World):
    # Read-only commands (`show D-12`) render what they loaded after leaving the block.
    with new_uow() as uow:
        deal_id = uow.deals.add(world.deal(amount=Decimal("10.50"))).id
        uow.commit()
    with new_uow() as uow:
        deal = uow.deals.get(deal_id)
        committed = uow.tasks.add(world.task())
        uow.commit()
    with new_uow() as uow:
        read_only = uow.deals.get(deal_id)
    assert (deal.title, deal.amount, committed.title) == (
        "Acme rollout",
        Decimal("10.50"),
        "call back",
    )
    assert (read_only.title, read_only.stage, read_only.deliverables_done) == (
        "Acme rollout",
        "lead",
        [],
    )


def test_changes_to_an_object_after_its_block_are_not_stored(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal = uow.deals.add(world.deal())
        uow.commit()
    deal.title = "changed outside any unit of work"
    with new_uow() as uow:
        uow.commit()
    with new_uow() as uow:
        assert uow.deals.get(deal.id).title == "Acme rollout"


# --- values round-trip ---------------------------------------------------------------------------


def test_json_lists_and_dicts_persist_in_place_changes(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal_id = uow.deals.add(world.deal()).id
        uow.commit()
    with new_uow() as uow:
        # Appending through a temporary on purpose: nothing else holds the deal.
        uow.deals.get(deal_id).deliverables_done.append("lead:0")
        customer = uow.customers.get(world.acme)
        customer.aliases.append("Acme Inc")
        customer.contacts.append({"name": "Wile E.", "phone": "+1 555 0100"})
        uow.teams.get(world.team).pipeline = {"stages": [{"key": "lead", "sla_days": 3}]}
        uow.commit()
    with new_uow() as uow:
        uow.deals.get(deal_id).deliverables_done.append("lead:1")
        uow.commit()
    with new_uow() as uow:
        assert uow.deals.get(deal_id).deliverables_done == ["lead:0", "lead:1"]
        customer = uow.customers.get(world.acme)
        assert customer.aliases == ["ACME", "阿克米", "Acme Inc"]
        assert customer.contacts == [{"name": "Wile E.", "phone": "+1 555 0100"}]
        assert uow.customers.by_name(world.team, "acme inc").id == world.acme
        assert uow.teams.get(world.team).pipeline == {"stages": [{"key": "lead", "sla_days": 3}]}
        assert uow.teams.get(world.other_team).pipeline is None


@pytest.mark.parametrize(
    "amount", [Decimal("12345.67"), Decimal("0.01"), Decimal("50000"), Decimal("-3.5"), None]
)
def test_amounts_round_trip_exactly(new_uow: NewUow, world: World, amount: Decimal | None):
    with new_uow() as uow:
        deal_id = uow.deals.add(world.deal(amount=amount, currency="USD")).id
        uow.commit()
    with new_uow() as uow:
        stored = uow.deals.get(deal_id).amount
        assert stored == amount
        assert stored is None or isinstance(stored, Decimal)


def test_datetimes_come_back_aware_utc_and_equal(new_uow: NewUow, world: World):
    shanghai = timezone(timedelta(hours=8))
    close = datetime(2026, 4, 30, 18, 0, tzinfo=shanghai)
    with new_uow() as uow:
        deal_id = uow.deals.add(world.deal(expected_close=close, closed_at=None)).id
        uow.commit()
    with new_uow() as uow:
        deal = uow.deals.get(deal_id)
        assert deal.created_at == T0 and deal.created_at.utcoffset() == timedelta(0)
        assert deal.expected_close == close  # the same instant
        assert deal.closed_at is None
        assert uow.members.get(world.alice).created_at == T0


def test_enums_come_back_as_enum_members(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal_id = uow.deals.add(world.deal(status=DealStatus.LOST, lost_reason="price")).id
        task_id = uow.tasks.add(world.task(origin=TaskOrigin.CAPTURED)).id
        uow.commit()
    with new_uow() as uow:
        deal, task = uow.deals.get(deal_id), uow.tasks.get(task_id)
        bob = uow.members.get(world.bob)
        assert deal.status is DealStatus.LOST and not deal.is_open
        assert task.origin is TaskOrigin.CAPTURED
        assert bob.role is Role.MANAGER and bob.role == "manager"
        assert uow.members.get(world.alice).role is Role.REP  # the dataclass default


# --- values a database cannot store -------------------------------------------------------------

NAIVE = datetime(2026, 3, 4, 10, 0)


def _store_naive_created_at(uow: UnitOfWork, world: World) -> None:
    uow.deals.add(world.deal(created_at=NAIVE))


def _store_sub_cent_amount(uow: UnitOfWork, world: World) -> None:
    uow.deals.add(world.deal(amount=Decimal("9.999")))


def _store_non_json_audit(uow: UnitOfWork, world: World) -> None:
    uow.audit.add(AuditEntry("new", "D-1", T0, after={"amount": Decimal("1.00")}))


def _change_to_naive_after_add(uow: UnitOfWork, world: World) -> None:
    uow.tasks.add(world.task()).due_at = NAIVE


@pytest.mark.parametrize(
    "store",
    [
        _store_naive_created_at,
        _store_sub_cent_amount,
        _store_non_json_audit,
        _change_to_naive_after_add,
    ],
    ids=lambda f: f.__name__.removeprefix("_"),
)
def test_values_the_database_cannot_store_are_refused(
    new_uow: NewUow, world: World, backend: str, request: pytest.FixtureRequest, store
):
    """Naive datetimes, fractions of a cent and non-JSON values fail by commit() at the latest
    (SQL refuses them at flush), so core unit tests on the fakes catch them too."""
    with pytest.raises(Exception), new_uow() as uow:  # noqa: B017 (SQL wraps the ValueError)
        store(uow, world)
        uow.commit()
    with new_uow() as uow:
        assert uow.deals.find() == [] and uow.tasks.find(open_only=False) == []
        assert uow.audit.for_entity("D-1") == []


# --- captured messages ---------------------------------------------------------------------------


def test_the_same_platform_message_is_stored_once(
    new_uow: NewUow, world: World, backend: str, request: pytest.FixtureRequest
):
    message = dict(platform="slack", chat_id="C1", message_id="1700000000.000100")
    with new_uow() as uow:
        deal = uow.deals.add(world.deal()).id
        uow.interactions.add(world.interaction(deal_id=deal, **message))
        uow.commit()
    with new_uow() as uow:
        uow.audit.add(AuditEntry("capture", "chat:C1", T0))
        with pytest.raises(ValueError):
            uow.interactions.add(world.interaction(deal_id=deal, text="again", **message))
        # The rest of the unit of work survives the rejected duplicate and commits.
        later = message | {"message_id": "1700000000.000200"}
        uow.interactions.add(world.interaction(deal_id=deal, text="next", **later))
        uow.commit()
    with new_uow() as uow:
        assert len(uow.audit.for_entity("chat:C1")) == 1
        assert [i.text for i in uow.interactions.for_deal(deal)] == ["next", "hello"]


def test_interactions_without_message_id_never_collide(new_uow: NewUow, world: World):
    with new_uow() as uow:
        deal = uow.deals.add(world.deal()).id
        for text in ("note one", "note two"):
            uow.interactions.add(
                world.interaction(deal_id=deal, text=text, platform="slack", chat_id="C1")
            )
        uow.commit()
    with new_uow() as uow:
        assert len(uow.interactions.for_deal(deal)) == 2


def test_an_imports_new_customers_are_stored_in_bulk_and_found_like_any(new_uow: NewUow, world: World):
    """TransferStore.add_new_customers: ids in the order given, whatever order the database returns
    them in; each customer then found by name in any case, with no aliases or contacts."""
    names = [(world.team, f"Bulk {n}") for n in range(1500)] + [(world.other_team, "Bulk 7")]
    with new_uow() as uow:
        ids = uow.transfer.add_new_customers(names)
        uow.commit()
    assert len(set(ids)) == len(names)
    with new_uow() as uow:
        for (team_id, name), customer_id in zip(names[::250] + names[-1:], ids[::250] + ids[-1:], strict=True):
            found = uow.customers.by_name(team_id, name.upper())
            assert (found.id, found.name, found.team_id) == (customer_id, name, team_id)
            assert (found.aliases, found.contacts, found.lifecycle) == ([], [], Customer(name, team_id).lifecycle)
