"""Import and export of deals (docs/design-notes.md), over one unit of work that the caller commits.

The whole file is read and validated (core.files.deal_rows.parse_rows) before the first write, then
planned: every row is matched to what is stored, and only then is anything written, in a few bulk
statements (core.ports.files.TransferStore). A bad row stores nothing even if the caller forgot to roll
back.

Which row changes which deal (README.md, "CSV columns", says the same for users):
- A row carrying a deal's `uid` is that deal: unchanged if equal; otherwise updated only when the
  caller asks (`update=True`, `dealbot import --update`), else left alone and listed.
- A row without ref or uid that equals a deal here (its customer, title, owner, amount, times and
  stages) is that deal, unchanged: a file typed by hand imported again adds nothing.
- Any other row is a new deal, unless its ref names a deal here (D-<n>: the deal numbered n;
  other text: the deal imported with that source ref). Then, if the row equals that deal it is
  unchanged (the same file imported again); if it carries a uid (another install's deal) and its
  D-<n> is taken, it is created under a new number; otherwise the file is refused with the line:
  nothing tells whether it is the same deal.
- A new deal keeps the number of its D-<n> ref when that is free, so D-178 stays D-178 in chat;
  other new deals get numbers above every one ever used.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import count
from types import SimpleNamespace
from typing import Any, Protocol

from core.access.audit import deal_snapshot, record
from core.approvals.words import trail_text
from core.domain.model import (
    Customer,
    Deal,
    DealStatus,
    Member,
    Role,
    Team,
    customer_key,
    customers_by_key,
)
from core.domain.pipeline import DEFAULT_PIPELINE, Pipeline, pipeline_of
from core.files.deal_rows import (
    DealRow,
    Problem,
    TeamContext,
    TransferError,
    deal_row,
    format_rows,
    parse_rows,
    stage_columns,
)
from core.files.sheets import Sheet, csv_sheet
from core.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    left_alone: int = 0  # rows of deals that differ, not applied without update=True
    notes: tuple[Problem, ...] = field(default=(), compare=False)  # what happened to which line


def read_deals(uow: UnitOfWork, file: Sheet | str, *, default_timezone: str) -> list[DealRow]:
    """Every row of the file, validated against the teams as stored (TransferError if any is bad).

    Reads only: the CLI runs it before the write transaction, so the database is not locked while
    a large file is checked.
    """
    sheet = csv_sheet(file) if isinstance(file, str) else file
    teams = {t.name.casefold(): _context(t) for t in uow.teams.list()}
    return parse_rows(sheet, teams, TeamContext(DEFAULT_PIPELINE, default_timezone))


def import_deals(uow: UnitOfWork, file: Sheet | str, *, default_timezone: str, **options: Any) -> ImportResult:
    """Reads, plans and (unless dry_run) applies a file; `options` as apply_rows; does not commit."""
    rows = read_deals(uow, file, default_timezone=default_timezone)
    return apply_rows(uow, rows, default_timezone=default_timezone, **options)


def apply_rows(uow: UnitOfWork, rows: Sequence[DealRow], *, dry_run: bool = False, **options: Any) -> ImportResult:
    """Plans validated rows against what is stored and, unless dry_run, writes the plan in the
    same unit of work; `options` as plan_rows."""
    planned = plan_rows(uow, rows, **options)
    return planned.result() if dry_run else write_plan(uow, planned)


def plan_rows(uow: UnitOfWork, rows: Sequence[DealRow], *, now: datetime, default_timezone: str,
              default_language: str, source: str = "csv", update: bool = False) -> PlannedImport:
    """What importing the rows would do (reads only): the CLI plans in a read-only transaction,
    so the write lock is held only while write_plan writes."""
    importer = _Importer(uow, now, f"import:{source}", default_timezone, default_language)
    return PlannedImport(importer, rows, update, importer.plan(rows, update))


def write_plan(uow: UnitOfWork, planned: PlannedImport) -> ImportResult:
    """Writes a plan in one transaction; does not commit. If another writer took one of its
    numbers or stored one of its deals since it was made, it is made again here first."""
    planned = planned.fresh(uow)
    planned.importer.write(planned.plan, uow)
    return planned.result()


BATCH = 1000  # new deals per write transaction when nothing else sizes them (Pacer)


class Pacer(Protocol):
    """How many new deals an import's next write transaction adds, and what surrounds each one.
    bot/import_pacing.py sizes them by how long they hold the write lock and leaves it free
    between them; core reads no clock, so that lives outside."""

    def size(self) -> int: ...
    def transaction(self, deals: int) -> AbstractContextManager[object]:
        """Around one write transaction that adds `deals` new deals (0: the first, which adds
        the customers and reserves the numbers)."""
        ...


@dataclass(frozen=True)
class FixedBatches:
    """`batch` deals per transaction, back to back."""

    batch: int = BATCH

    def size(self) -> int:
        return self.batch

    def transaction(self, deals: int) -> AbstractContextManager[object]:
        return nullcontext()


def write_plan_in_batches(uow_factory: Callable[[], UnitOfWork], planned: PlannedImport,
                          batch: int = BATCH, pacer: Pacer | None = None) -> ImportResult:
    """Writes a plan in short transactions, each committed, so a running bot's commands wait for
    one batch at most instead of the whole file (SQLite has one write lock per database).

    All or nothing still holds: the first transaction reserves every deal number (no deal made
    meanwhile can take one) and adds the customers, teams and members the file needs; each next
    one adds a batch of new deals with their history and audit entries, whose values are built
    just before it, outside the lock (and only a batch's at a time in memory); the last one also
    applies the updates, so nothing that cannot be taken back is committed before the end. If a
    transaction fails, the deals the earlier ones committed are deleted again (their history and
    follow-ups with them) and so are the customers added for them that nothing else uses; then
    the error goes on. Meanwhile other readers may see part of the import: a report run then
    counts it.
    """
    pacer = pacer or FixedBatches(batch)
    with pacer.transaction(0), uow_factory() as uow:
        planned = planned.fresh(uow)
        importer, plan = planned.importer, planned.plan
        importer.prepare(plan, uow)
        uow.commit()
    written: list[int] = []
    try:
        start = 0
        while True:
            rows = plan.create[start : start + max(1, pacer.size())]
            start += len(rows)
            deals, changes, audit = importer.new_deal_values(plan, rows)
            with pacer.transaction(len(deals)), uow_factory() as uow:
                uow.transfer.add_deals(deals, changes, audit)
                if start >= len(plan.create):
                    importer.update(plan, uow)
                uow.commit()
            written += [d["id"] for d in deals]
            if start >= len(plan.create):
                break
    except BaseException:
        with uow_factory() as uow:
            uow.transfer.remove_import(written, importer.added_customer_ids)
            uow.commit()
        raise
    return planned.result()


@dataclass
class PlannedImport:
    importer: _Importer
    rows: Sequence[DealRow]
    update: bool
    plan: _Plan

    def result(self) -> ImportResult:
        plan = self.plan
        return ImportResult(len(plan.create), len(plan.update), plan.unchanged, plan.left_alone,
                            tuple(sorted(plan.notes, key=lambda note: note.line)))

    def fresh(self, uow: UnitOfWork) -> PlannedImport:
        """This plan, or the plan made again if it went stale."""
        if not self.stale(uow):
            return self
        old = self.importer
        return plan_rows(uow, self.rows, now=old.now, default_timezone=old.timezone,
                         default_language=old.language, source=old.source.removeprefix("import:"),
                         update=self.update)

    def stale(self, uow: UnitOfWork) -> bool:
        create, plan = self.plan.create, self.plan
        kept = [r.number for r in create if r.number is not None and r.line not in plan.renumber]
        return bool(uow.transfer.deals_by_number(kept) or uow.transfer.deals_by_uid([r.uid for r in create if r.uid]))


def export_deals(uow: UnitOfWork, *, team_name: str | None = None) -> str:
    """Every deal (or one team's), oldest id first, in the format import_deals reads."""
    team = uow.teams.by_name(team_name) if team_name is not None else None
    if team_name is not None and team is None:
        raise TransferError([Problem(0, "import.no_team", {"name": team_name})])
    teams = {t.id: t for t in uow.teams.list()}
    deals = sorted(uow.deals.find(team_id=team.id if team else None), key=lambda d: d.saved_id)
    pipelines = {t.id: pipeline_of(t.pipeline) for t in teams.values()}
    used = [pipelines[d.team_id] for d in deals] or [pipelines[team.id] if team else DEFAULT_PIPELINE]
    rows = _Rows(uow).of(deals)
    _approval_trails(uow, rows)
    return format_rows(rows, stage_columns(used), {t.name: t.timezone for t in teams.values()})


def _approval_trails(uow: UnitOfWork, rows: Sequence[DealRow]) -> None:
    """Each row's approvals in words (issue 20): the trail goes out with the deal."""
    trails = uow.approvals.trails([row.number for row in rows if row.number is not None])
    ids = {d.member_id for found in trails.values() for trail in found for d in trail.decisions}
    handles = {i: m.handle for i in ids if (m := uow.members.get(i)) is not None}
    for row in rows:
        if row.number in trails:
            row.approvals = trail_text(trails[row.number], handles)


def _context(team: Team) -> TeamContext:
    return TeamContext(pipeline_of(team.pipeline), team.timezone)


class _Rows:
    """Stored deals as DealRows, with each team's customers and the members read once."""

    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.teams = {t.id: t for t in uow.teams.list()}
        self.customers: dict[int, Customer] = {}
        self.members: dict[int, Member] = {}
        self.loaded: set[int] = set()

    def of(self, deals: Sequence[Deal]) -> list[DealRow]:
        changes = self.uow.transfer.stage_changes_of([d.saved_id for d in deals])
        return [self.one(d, changes.get(d.saved_id, [])) for d in deals]

    def one(self, deal: Deal, changes: Iterable[tuple[str, datetime]]) -> DealRow:
        if deal.team_id not in self.loaded:
            self.loaded.add(deal.team_id)
            self.customers.update((c.saved_id, c) for c in self.uow.transfer.customers_of(deal.team_id))
        if deal.owner_id not in self.members:
            owner = self.uow.members.get(deal.owner_id)
            assert owner is not None  # a deal's owner exists (a foreign key)
            self.members[deal.owner_id] = owner
        customer = self.customers.get(deal.customer_id) or self.uow.customers.get(deal.customer_id)
        assert customer is not None  # a deal's customer exists (a foreign key)
        return deal_row(deal, changes, team=self.teams[deal.team_id].name,
                        owner=self.members[deal.owner_id].handle, customer=customer.name)


@dataclass
class _Plan:
    create: list[DealRow] = field(default_factory=list)
    renumber: set[int] = field(default_factory=set)  # lines whose D-<n> is another deal here
    update: list[tuple[DealRow, Deal, DealRow]] = field(default_factory=list)  # row, deal, its row now
    unchanged: int = 0
    left_alone: int = 0
    notes: list[Problem] = field(default_factory=list)


class _Importer:
    """Matches validated rows to what is stored, then writes the new and the updated deals."""

    def __init__(self, uow: UnitOfWork, now: datetime, source: str, timezone: str, language: str):
        self.uow, self.now, self.source = uow, now, source
        self.timezone, self.language = timezone, language  # for teams the file creates
        self.teams = {t.name.casefold(): t for t in uow.teams.list()}
        self.members: dict[str, Member | None] = {}
        self.customers: dict[int, dict[str, Customer]] = {}  # team id -> casefolded name/alias
        self.pipelines: dict[int, Pipeline] = {}
        self.numbers: dict[int, int] = {}  # by prepare: line -> the number its new deal gets
        self.customer_ids: dict[tuple[int, str], int] = {}  # by prepare: (team id, key) of new customers
        self.added_customer_ids: list[int] = []  # by prepare: what a failed import removes
        self.uids = _ordered_uids(now)

    # -- planning (reads only) ------------------------------------------------------------------
    def plan(self, rows: Sequence[DealRow], update: bool) -> _Plan:
        store, plan, conflicts = self.uow.transfer, _Plan(), []
        by_uid = store.deals_by_uid([r.uid for r in rows if r.uid])
        by_number = store.deals_by_number([r.number for r in rows if r.number is not None])
        by_source = store.deals_by_source_ref([r.source_ref for r in rows if r.source_ref])
        matched = {r.line: by_uid.get(r.uid) if r.uid else None for r in rows}
        named = {r.line: self._named(r, by_number, by_source) for r in rows if matched[r.line] is None}
        stored = {d.id: d for d in [*matched.values(), *named.values()] if d is not None}
        old = dict(zip(stored, _Rows(self.uow).of(list(stored.values())), strict=True))
        twins = self._twins([r for r in rows if matched[r.line] is None and named.get(r.line) is None])
        for row in rows:
            row = self._canonical(row)
            writes = len(plan.create) + len(plan.update)
            if (deal := matched[row.line]) is not None:
                self._plan_match(plan, row, deal, old[deal.id], update)
            elif row.line in twins:
                plan.unchanged += 1
            elif (deal := named.get(row.line)) is None:
                plan.create.append(row)
            elif row.uid is None and _same(old[deal.id], row):
                plan.unchanged += 1
            elif row.uid is not None and row.number == deal.id and not self._source_taken(row, by_source):
                plan.create.append(row)
                plan.renumber.add(row.line)
            else:
                conflicts.append(Problem(row.line, "import.ref_taken", {"ref": row.ref, "deal": deal.code}))
            if len(plan.create) + len(plan.update) > writes:
                conflicts += self._owner_problems(row)
        if conflicts:
            raise TransferError(conflicts)
        return plan

    def _twins(self, rows: Sequence[DealRow]) -> set[int]:
        """The lines, among rows that name no deal (no ref, no uid), equal to a deal here: a file
        typed by hand imported again. Each stored deal answers one row, so two equal rows stay
        two deals."""
        bare = [r for r in rows if not (r.ref or r.uid or r.source_ref)]
        deals = self.uow.transfer.deals_created_at({r.created_at for r in bare}) if bare else []
        if not deals:
            return set()
        by_time: dict[datetime, list[tuple[Deal, DealRow]]] = {}
        for deal, old in zip(deals, _Rows(self.uow).of(deals), strict=True):
            by_time.setdefault(deal.created_at, []).append((deal, old))
        lines, taken = set(), set()
        for row in map(self._canonical, bare):
            twin = next((d for d, old in by_time.get(row.created_at, []) if d.id not in taken and _same(old, row)), None)
            if twin is not None:
                lines.add(row.line)
                taken.add(twin.id)
        return lines

    def _owner_problems(self, row: DealRow) -> list[Problem]:
        """An open deal never goes to a removed member (`member @x remove`): nobody would see to it.
        Closed deals may name one: history keeps its people."""
        owner = self._member(row.owner)
        if owner is None or owner.is_active or row.status != DealStatus.OPEN:
            return []
        return [Problem(row.line, "import.owner_removed", {"owner": owner.handle}, "owner")]

    @staticmethod
    def _named(row: DealRow, by_number: dict[int, Deal], by_source: dict[str, Deal]) -> Deal | None:
        if row.number is not None and row.number in by_number:
            return by_number[row.number]
        return by_source.get(row.source_ref.casefold()) if row.source_ref else None

    @staticmethod
    def _source_taken(row: DealRow, by_source: dict[str, Deal]) -> bool:
        return row.source_ref is not None and bool(row.source_ref) and row.source_ref.casefold() in by_source

    def _plan_match(self, plan: _Plan, row: DealRow, deal: Deal, old: DealRow, update: bool) -> None:
        if _same(old, row):
            plan.unchanged += 1
        elif update:
            plan.update.append((row, deal, old))
            plan.notes.append(Problem(row.line, "import.note_updated", {"deal": deal.code}))
        else:
            plan.left_alone += 1
            plan.notes.append(Problem(row.line, "import.note_left_alone", {"deal": deal.code}))

    def _canonical(self, row: DealRow) -> DealRow:
        """The row with the stored spelling of its team, owner and customer, where they exist."""
        team = self.teams.get(row.team.casefold())
        owner = self._member(row.owner)
        customer = self._customers(team).get(customer_key(row.customer)) if team else None
        spelled = (team.name if team else row.team, owner.handle if owner else row.owner,
                   customer.name if customer else row.customer)
        if spelled == (row.team, row.owner, row.customer):
            return row  # as stored already (or new): most rows of a file
        return replace(row, team=spelled[0], owner=spelled[1], customer=spelled[2])

    def _member(self, handle: str) -> Member | None:
        key = handle.casefold()
        if key not in self.members:
            self.members[key] = self.uow.members.by_handle(handle)
        return self.members[key]

    def _customers(self, team: Team) -> dict[str, Customer]:
        if team.id not in self.customers:  # one read per team: a file names many customers
            self.customers[team.saved_id] = customers_by_key(list(self.uow.transfer.customers_of(team.saved_id)))
        return self.customers[team.saved_id]

    # -- writing --------------------------------------------------------------------------------
    def write(self, plan: _Plan, uow: UnitOfWork) -> None:
        """In `uow`, which may be another transaction than the plan's: what the plan read is
        used by id only, and the deals to update are read again here."""
        self.update(plan, uow)
        self.prepare(plan, uow)
        uow.transfer.add_deals(*self.new_deal_values(plan, plan.create))

    def update(self, plan: _Plan, uow: UnitOfWork) -> None:
        self.uow = uow
        for row, deal, old in plan.update:
            again = uow.deals.get(deal.saved_id)
            assert again is not None, f"D-{deal.saved_id} is gone since the import was planned"
            self._update(row, again, old)

    def prepare(self, plan: _Plan, uow: UnitOfWork) -> None:
        """Reserves the new deals' numbers and stores the teams, owners and customers they need,
        in `uow`: after this, new_deal_values reads and writes nothing."""
        self.uow = uow
        if not plan.create:
            return
        # Oldest first, numbered in that order: most of the deals' and history's indexes lead with
        # a time (or a team, then a time), so a batch of deals made about the same time writes a
        # few pages of each index instead of one per deal, wherever the file's order puts them.
        plan.create.sort(key=lambda r: r.created_at)
        kept = {r.line: r.number for r in plan.create if r.number is not None and r.line not in plan.renumber}
        fresh = iter(self.uow.transfer.reserve_numbers(len(plan.create) - len(kept), list(kept.values())))
        self.numbers = {r.line: kept[r.line] if r.line in kept else next(fresh) for r in plan.create}
        self._add_missing_customers(plan.create)

    def new_deal_values(self, plan: _Plan, rows: Sequence[DealRow]
                        ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        """These new deals of the plan, their history and audit entries as plain field values
        (core.ports.files.TransferStore.add_deals says why); pure, after prepare."""
        deals, changes, audit = [], [], []
        for row in rows:
            team = self.teams[row.team.casefold()]
            owner, number = self._owner(row.owner, team), self.numbers[row.line]
            customer_id = self.customer_ids.get((team.saved_id, customer_key(row.customer)))
            if customer_id is None:
                customer_id = self._customers(team)[customer_key(row.customer)].saved_id
            if row.line in plan.renumber or row.number is None:
                plan.notes.append(Problem(row.line, "import.note_numbered", {"ref": row.ref, "deal": f"D-{number}"})
                                  if row.ref else Problem(row.line, "import.note_new", {"deal": f"D-{number}"}))
            history, furthest = _history_values(number, owner.saved_id, row, self._pipeline(team))
            deal = _deal_values(row, number, team.saved_id, owner.saved_id, customer_id, furthest,
                                row.uid or next(self.uids))
            deals.append(deal)
            changes += history
            audit.append({"action": "import.create", "entity": f"D-{number}", "at": self.now, "actor_id": None,
                          "source": self.source, "before": None, "after": deal_snapshot(SimpleNamespace(**deal))})
        return deals, changes, audit

    def _pipeline(self, team: Team) -> Pipeline:
        if team.id not in self.pipelines:
            self.pipelines[team.saved_id] = pipeline_of(team.pipeline)
        return self.pipelines[team.saved_id]

    def _add_missing_customers(self, rows: Sequence[DealRow]) -> None:
        missing: dict[tuple[int, str], str] = {}
        for row in rows:
            team = self._team(row.team)
            self._owner(row.owner, team)  # stored now, with the customers: not while values are built
            key = customer_key(row.customer)
            if key not in self._customers(team):
                missing.setdefault((team.saved_id, key), row.customer)
        ids = self.uow.transfer.add_new_customers([(team_id, name) for (team_id, _), name in missing.items()])
        self.customer_ids = dict(zip(missing, ids, strict=True))
        self.added_customer_ids = list(ids)

    def _team(self, name: str) -> Team:
        team = self.teams.get(name.casefold())
        if team is None:
            team = self.uow.teams.add(Team(name, timezone=self.timezone, language=self.language))
            self.teams[name.casefold()] = team
        return team

    def _owner(self, handle: str, team: Team) -> Member:
        member = self._member(handle)
        if member is None:
            member = self.uow.members.add(Member(handle, team_id=team.saved_id, role=Role.REP, created_at=self.now))
            self.members[handle.casefold()] = member
        return member

    def _update(self, row: DealRow, deal: Deal, old: DealRow) -> None:
        team = self._team(row.team)
        owner = self._owner(row.owner, team)
        customer = self.uow.customers.named(team.saved_id, row.customer)
        before = deal_snapshot(deal)
        if (old.stage, old.entered) != (row.stage, row.entered):  # else the history typed in chat stays
            self.uow.stage_changes.delete_for_deal(deal.saved_id)
            deal.owner_id = owner.saved_id  # whose deal each change was
            pipeline = self._pipeline(team)
            for change in deal.replay(row.history(pipeline), None, pipeline):
                self.uow.stage_changes.add(change)
        _assign(deal, row, team, owner, customer)  # what the row says of the deal now wins over the replay
        deal.last_activity_at = max(filter(None, [deal.last_activity_at, row.last_event_at]))
        record(self.uow, action="import.update", entity=deal.code, at=self.now, actor_id=None,
               source=self.source, before=before, after=deal_snapshot(deal))


def _same(old: DealRow, row: DealRow) -> bool:
    """Equal as far as the file can say: the number a deal is known by here does not count."""
    return old == replace(row, ref=old.ref, source_ref=row.source_ref or old.source_ref)


def _ordered_uids(now: datetime) -> Iterator[str]:
    """Identities for the new deals of one import (core.domain.model.Deal.uid: 32 hex digits): the time
    in milliseconds, a counter, 56 random bits. Each import's uids come in order, so the unique
    index on them grows at its end instead of at random places (a page written per deal)."""
    prefix = f"{int(now.timestamp() * 1000) & 0xFFFFFFFFFFFF:012x}"
    return (f"{prefix}{n & 0xFFFFFF:06x}{secrets.token_hex(7)}" for n in count())


def _deal_values(row: DealRow, number: int, team_id: int, owner_id: int, customer_id: int,
                 furthest: str | None, uid: str) -> dict[str, Any]:
    """A new deal's fields (core.domain.model.Deal), as the row says."""
    return {
        "id": number, "uid": uid, "ref": row.source_ref, "title": row.title,
        "customer_id": customer_id, "owner_id": owner_id, "team_id": team_id, "stage": row.stage,
        "stage_entered_at": row.stage_entered_at, "created_at": row.created_at, "amount": row.amount,
        "currency": row.currency, "expected_close": row.expected_close, "status": DealStatus(row.status),
        "lost_reason": row.lost_reason, "closed_at": row.closed_at, "last_activity_at": row.last_event_at,
        "deliverables_done": [], "snoozed_until": None, "furthest_stage": furthest,
    }


def _assign(deal: Deal, row: DealRow, team: Team, owner: Member, customer: Customer) -> None:
    """Everything a row says about a deal; its number and uid stay as they are."""
    deal.title, deal.team_id = row.title, team.saved_id
    deal.owner_id, deal.customer_id = owner.saved_id, customer.saved_id
    deal.amount, deal.currency = row.amount, row.currency
    deal.status, deal.stage = DealStatus(row.status), row.stage
    deal.created_at, deal.stage_entered_at = row.created_at, row.stage_entered_at
    deal.closed_at, deal.lost_reason = row.closed_at, row.lost_reason
    deal.expected_close = row.expected_close
    deal.ref = row.source_ref or deal.ref


def _history_values(number: int, owner_id: int, row: DealRow, pipeline: Pipeline) -> tuple[list[dict[str, Any]], str | None]:
    """The history of a new deal as field values (core.domain.model.StageChange), and the furthest
    stage it reaches: what Deal.replay makes, by the same rule (Pipeline.step), without a mapped
    object per change."""
    changes, previous, furthest = [], None, None
    for stage, at in row.history(pipeline):
        advance, furthest = pipeline.step(furthest, previous, stage)
        changes.append({"deal_id": number, "from_stage": previous, "to_stage": stage, "at": at, "by_id": None,
                        "owner_id": owner_id, "advance": advance})
        previous = stage
    return changes, furthest
