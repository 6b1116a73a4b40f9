"""The scheduler's scans: what has come due since the last scan becomes outbox rows.

Each scan looks at a time window (after, now] per team, where `after` is the scan's mark (how
far the last scan got, stored in the database with the rows it wrote, in one transaction) less
a small overlap, but never more than the catch-up window plus a week back. Every message has a
dedupe key naming its event and reader, so looking at an event twice (the overlap, a rerun, a
restart, a second scanner during a leader hand-over) stores it once. Nothing lives in memory:
a process that restarts picks up where the mark says.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.chat.context import Context, Defaults
from core.chat.messages import Reply
from core.domain.model import Member, Role, Team, people
from core.domain.pipeline import Pipeline, pipeline_of
from core.domain.worktime import WorkSettings
from core.leads.flow import expire_offers, return_untouched
from core.performance.standings import board_window
from core.ports.clock import Clock
from core.ports.unit_of_work import UnitOfWork
from core.reminders.outbox import Draft, Kind
from core.reminders.recipients import Destination, direct_destination
from core.reminders.rules import MANAGERS, OWNER, Event, deal_events, delivery, task_events
from core.reminders.waiting import waiting_drafts
from core.replies.notices import (
    DAILY_LIMIT,
    Section,
    daily_card,
    digest_card,
    escalation_card,
    is_over,
    sla_card,
    task_card,
)
from core.replies.points import digest_lines as points_digest_lines
from core.services.privacy import purge_expired

PURGE_EVERY = timedelta(days=1)  # the retention purge runs once a day
# How long a handled command's message is remembered (core.app.dealbot): past every platform's
# redelivery (Telegram keeps unconfirmed updates 24 hours; Slack retries within minutes).
HANDLED_KEPT = timedelta(days=7)
OVERLAP = timedelta(minutes=5)  # clocks of replicas differ a little; keys make re-reads free
LOOKBACK = timedelta(days=7)  # the longest a reminder can be held back (quiet hours, weekends)

# (uow, team, start, end, lang) -> (extra lines, chart image path), from the analytics module
DigestExtras = Callable[[UnitOfWork, Team, datetime, datetime, str], tuple[list[str], str | None]]


@dataclass
class ScanResult:
    name: str
    queued: int = 0  # rows written
    events: int = 0  # messages considered (one per event and reader)
    known: int = 0  # already in the outbox
    folded: int = 0  # missed by more than the catch-up window: the daily card shows them
    unreachable: int = 0  # the reader has no account on a platform that can push here
    windows: dict[int, tuple[datetime, datetime]] = field(default_factory=dict)


@dataclass
class _Candidate:
    event: Event
    member_id: int
    key: str


class Scans:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], clock: Clock, *,
                 platforms: Collection[str] | None = None, defaults: Defaults | None = None,
                 digest_extras: DigestExtras | None = None):
        self.uow_factory = uow_factory
        self.clock = clock
        self.platforms = platforms  # where messages can go from here; None: every pushable one
        self.defaults = defaults or Defaults()
        self.digest_extras = digest_extras

    # -- the three scans -----------------------------------------------------------------------
    def reminders(self) -> ScanResult:
        return self._scan({"reminders": self._team_reminders})[0]

    def daily(self) -> ScanResult:
        return self._scan({"daily": self._team_daily})[0]

    def digests(self) -> ScanResult:
        return self._scan({"digests": self._team_digests})[0]

    def waiting(self) -> ScanResult:
        """Customers waiting too long for an answer in linked chats (core.reminders.waiting)."""
        return self._scan({"waiting": self._team_waiting})[0]

    def leads(self) -> ScanResult:
        """Lead offers past their first-contact limit go to the next rep; leads held longer than
        the team's `pool_days` without being accepted go back to its pool (core.leads.flow). A
        lead's state is the mark: a moved lead is not due again, so a rerun moves nothing twice."""
        now, result = self.clock.now(), ScanResult("leads")
        with self.uow_factory() as uow:
            result.events = expire_offers(uow, now, self.platforms)
            for team in uow.teams.list():
                result.events += return_untouched(uow, team, now, self.platforms)
            uow.commit()
        return result

    def purge(self) -> ScanResult:
        """Captured text past each team's retention, erased once a day (core.services.privacy),
        and the records of handled commands past any redelivery (core.app.dealbot)."""
        now, result = self.clock.now(), ScanResult("purge")
        with self.uow_factory() as uow:
            last = uow.reminders.mark("purge")
            if last is not None and now - last < PURGE_EVERY:
                return result
            result.events = sum(purge_expired(uow, team, now) for team in uow.teams.list())
            uow.handled.forget_before(now - HANDLED_KEPT)
            uow.reminders.set_mark("purge", now)
            uow.commit()
        return result

    def run_all(self) -> list[ScanResult]:
        """All three in one transaction."""
        return self._scan({"reminders": self._team_reminders, "daily": self._team_daily,
                           "digests": self._team_digests})

    def _scan(self, scans: dict[str, Callable[[_Run, datetime], None]]) -> list[ScanResult]:
        """Each scan (its name, the mark it keeps, and what it does for one team) over every team."""
        now = self.clock.now()
        results = [(ScanResult(name), per_team) for name, per_team in scans.items()]
        drafts: list[tuple[ScanResult, Draft]] = []
        with self.uow_factory() as uow:
            teams = [(team, WorkSettings.of(team.timezone, team.settings)) for team in uow.teams.list()]
            for result, per_team in results:
                mark = uow.reminders.mark(result.name)
                for team, settings in teams:
                    after = now - settings.catch_up - LOOKBACK
                    if mark is not None:
                        after = max(after, mark - OVERLAP)
                    result.windows[team.saved_id] = (after, now)
                    per_team(_Run(uow, team, settings, now, self, result, drafts), after)
            # Reads first, writes last: on SQLite the write lock is held only this long.
            for result, draft in drafts:
                result.queued += uow.outbox.add(draft.to_message(now))
            for result, _ in results:
                uow.reminders.set_mark(result.name, now)
            uow.commit()
        return [result for result, _ in results]

    # -- deal and task reminders ---------------------------------------------------------------
    def _team_reminders(self, run: _Run, after: datetime) -> None:
        uow, team, settings, now = run.uow, run.team, run.settings, run.now
        events: dict[str, tuple[Event, int | None]] = {}

        def take(new: Iterable[Event], owner_id: int | None) -> None:
            for event in new:
                events.setdefault(f"{event.key}|{event.to}", (event, owner_id))

        limits = {s.key: s.sla_days for s in run.pipeline.open_stages if s.sla_days is not None}
        # Breaches in the window, and escalations: breaches `escalation_days` working days back.
        days = settings.escalation_days
        escalated = (settings.sub_working_days(after, days), settings.sub_working_days(now, days))
        windows = []
        for stage, sla_days in limits.items():
            sla = timedelta(days=sla_days + 1)
            windows += [(stage, after - sla, now - sla), (stage, escalated[0] - sla, escalated[1] - sla)]
        stamps = [*uow.reminders.deals_entered(team.saved_id, windows),
                  *uow.reminders.deals_snoozed(team.saved_id, after, now)]
        for deal in stamps:
            if deal.stage in limits:
                take(deal_events(deal, limits[deal.stage], settings, after, now), deal.owner_id)
        tasks = [*uow.reminders.tasks_due(team.saved_id, after, now + settings.task_lead),
                 *uow.reminders.tasks_snoozed(team.saved_id, after, now)]
        for task in tasks:
            take(task_events(task, settings, after, now), None)
        candidates = []
        for event, owner_id in events.values():
            for member_id in run.readers(event, owner_id):
                candidates.append(_Candidate(event, member_id, f"{event.key}:m{member_id}"))
        run.queue(candidates, self._reminder_draft)

    def _reminder_draft(self, run: _Run, candidate: _Candidate, member: Member,
                        destination: Destination) -> Draft | None:
        event = candidate.event
        reader = run.settings.in_zone(member.timezone)
        moment = delivery(event, reader, run.now)
        if moment is None:
            run.result.folded += 1
            return None
        ctx = run.context(member)
        if event.kind == Kind.TASK:
            task = run.uow.tasks.get(event.guard["task"])
            if task is None:
                return None
            reply = task_card(ctx, task, lead=bool(event.guard.get("lead")), again="snooze" in event.guard)
        else:
            deal = run.uow.deals.get(event.guard["deal"])
            if deal is None:
                return None
            builder = sla_card if event.kind == Kind.SLA else escalation_card
            reply = builder(run.context(member, at=max(moment, run.now)), deal)
        return Draft(event.kind, candidate.key, destination.platform, destination.chat_id, reply, moment,
                     subject=event.subject, guard=event.guard, recipient_id=member.id)

    # -- customers waiting for an answer -------------------------------------------------------
    def _team_waiting(self, run: _Run, after: datetime) -> None:
        drafts = [d for d in waiting_drafts(run.uow, run.team, run.settings, after, run.now)
                  if run.reaches(d.platform)]
        known = run.uow.outbox.existing_keys([d.key for d in drafts]) if drafts else set()
        run.result.events += len(drafts)
        run.result.known += len(known)
        for draft in drafts:
            if draft.key not in known:
                run.keep(draft)

    # -- the daily progress card ---------------------------------------------------------------
    def _team_daily(self, run: _Run, after: datetime) -> None:
        moments = [m for m in run.settings.end_of_days(after, run.now) if m >= run.now - run.settings.catch_up]
        for moment in moments[-1:]:  # after a long stop, one card (the latest), not one per day
            day = run.settings.local(moment).date()
            owners = run.uow.reminders.people_with_work(run.team.saved_id, run.now)
            candidates = [_Candidate(Event(Kind.DAILY, f"daily:{day.isoformat()}", moment, pid, "", {}, False),
                                     pid, f"daily:{day.isoformat()}:m{pid}") for pid in owners]
            run.queue(candidates, self._daily_draft)

    def _daily_draft(self, run: _Run, candidate: _Candidate, member: Member,
                     destination: Destination) -> Draft | None:
        moment = run.settings.in_zone(member.timezone).next_allowed(max(candidate.event.at, run.now))
        day_start = run.settings.at(run.settings.local(candidate.event.at).date(), datetime.min.time())
        uow, now = run.uow, run.now
        stamps = uow.reminders.open_deals(run.team.saved_id, member.saved_id)
        limits = {s.key: s.sla_days for s in run.pipeline.open_stages}
        over = sorted((d for d in stamps if is_over(d, limits.get(d.stage), now)),
                      key=lambda d: d.stage_entered_at)
        late = {d.id for d in over}
        untouched = sorted((d for d in stamps if d.id not in late
                            and d.last_touched is not None and d.last_touched < day_start),
                           key=lambda d: d.last_touched or day_start)
        overdue = uow.reminders.overdue_tasks(run.team.saved_id, member.saved_id, now)

        def section(items: list[Any], load: Callable[..., Any]) -> Section:
            return Section([load(item.id) for item in items[:DAILY_LIMIT]], len(items))

        reply = daily_card(run.context(member), section(over, uow.deals.get),
                           section(untouched, uow.deals.get), section(list(overdue), uow.tasks.get))
        if reply is None:
            return None
        return Draft(Kind.DAILY, candidate.key, destination.platform, destination.chat_id, reply, moment,
                     recipient_id=member.id)

    # -- scorecards for subscribed chats -------------------------------------------------------
    def _team_digests(self, run: _Run, after: datetime) -> None:
        subscriptions = run.uow.digests.for_team(run.team.saved_id)
        if not subscriptions:
            return
        settings, catch_up = run.settings, run.now - run.settings.catch_up
        due = [("weekly", m) for m in settings.weekly_digests(after, run.now)[-1:] if m >= catch_up]
        due += [("daily", m) for m in settings.end_of_days(after, run.now)[-1:] if m >= catch_up]
        for frequency, moment in due:
            chats = [s for s in subscriptions if s.frequency == frequency and run.reaches(s.platform)]
            if not chats:
                continue
            start, end, period = _digest_period(settings, frequency, moment)
            keys = {f"digest:t{run.team.id}:{period}:{s.platform}:{s.chat_id}": s for s in chats}
            known = run.uow.outbox.existing_keys(keys)
            run.result.events += len(keys)
            run.result.known += len(known)
            fresh = {k: s for k, s in keys.items() if k not in known}
            if fresh:
                reply = self._digest_reply(run, start, end, period, weekly=frequency == "weekly")
                for key, sub in fresh.items():
                    draft = Draft(Kind.DIGEST, key, sub.platform, sub.chat_id, reply, moment, subject=period)
                    run.keep(draft)

    def _digest_reply(self, run: _Run, start: datetime, end: datetime, period: str, *, weekly: bool) -> Reply:
        lang = run.team.language
        stale_before = {s.key: run.now - timedelta(days=s.sla_days + 1)
                        for s in run.pipeline.open_stages if s.sla_days is not None}
        figures = run.uow.reminders.figures(run.team.saved_id, start, end, stale_before)
        extra, image = None, None
        if self.digest_extras is not None:
            extra, image = self.digest_extras(run.uow, run.team, start, end, lang)
        reader = Member(handle="scheduler", team_id=run.team.saved_id, language=lang)
        reply = digest_card(run.context(reader), figures, weekly=weekly, period=period,
                            extra_lines=extra, image_path=image)
        if weekly:  # the week's top three and most improved (core.performance.standings)
            board = board_window(run.uow, run.team, start, end, start - (end - start))
            names = {m.saved_id: f"@{m.handle}" for m in run.uow.members.in_team(run.team.saved_id)}
            reply.lines += points_digest_lines(board, names, lang)
        return reply


def _digest_period(settings: WorkSettings, frequency: str, moment: datetime) -> tuple[datetime, datetime, str]:
    """The window a scorecard covers: last week (Monday to Monday) or the day so far."""
    day = settings.local(moment).date()
    if frequency == "weekly":
        start_day = day - timedelta(days=7 + day.weekday())
        year, week, _ = start_day.isocalendar()
        start = settings.at(start_day, datetime.min.time())
        return start, settings.at(start_day + timedelta(days=7), datetime.min.time()), f"{year}-W{week:02d}"
    return settings.at(day, datetime.min.time()), moment, day.isoformat()


class _Run:
    """One team in one scan: its settings and the helpers every kind of message needs."""

    def __init__(self, uow: UnitOfWork, team: Team, settings: WorkSettings, now: datetime,
                 scans: Scans, result: ScanResult, drafts: list[Any]):
        self.uow, self.team, self.settings, self.now = uow, team, settings, now
        self.scans, self.result, self.drafts = scans, result, drafts
        self.pipeline: Pipeline = pipeline_of(team.pipeline)
        self._managers: list[int] | None = None

    def keep(self, draft: Draft) -> None:
        self.drafts.append((self.result, draft))

    def reaches(self, platform: str) -> bool:
        return self.scans.platforms is None or platform in self.scans.platforms

    def readers(self, event: Event, owner_id: int | None) -> list[int]:
        if event.to == OWNER:
            return [owner_id] if owner_id is not None else []
        if event.to == MANAGERS:
            return [m for m in self.managers() if m != owner_id]
        return [int(event.to)]

    def managers(self) -> list[int]:
        """The team's managers; a team without one escalates to its admins."""
        if self._managers is None:
            members = people(self.uow.members.in_team(self.team.saved_id))
            chosen = [m.saved_id for m in members if m.role == Role.MANAGER]
            self._managers = chosen or [m.saved_id for m in members if m.role == Role.ADMIN]
        return self._managers

    def context(self, member: Member, at: datetime | None = None) -> Context:
        lang = member.language or self.team.language
        return Context(uow=self.uow, actor=member, team=self.team, pipeline=self.pipeline,
                       now=at or self.now, lang=lang, tz=member.timezone or self.team.timezone,
                       source="scheduler:", defaults=self.scans.defaults)

    def queue(self, candidates: list[_Candidate], draft: Callable[..., Any]) -> None:
        """Write the candidates not already in the outbox, each built by `draft`."""
        self.result.events += len(candidates)
        known = self.uow.outbox.existing_keys([c.key for c in candidates]) if candidates else set()
        self.result.known += len(known)
        for candidate in candidates:
            if candidate.key in known:
                continue
            member = self.uow.members.get(candidate.member_id)
            if member is not None and not member.is_person:
                continue  # an integration (an API token's member): nobody to tell, nothing missed
            if member is not None and not member.is_active:
                member = None  # removed: no more reminders or daily cards
            destination = direct_destination(self.uow.members.identities(member.saved_id),
                                             self.scans.platforms) if member else None
            if destination is None:
                self.result.unreachable += 1
                continue
            made = draft(self, candidate, member, destination)
            if made is not None:
                self.keep(made)

