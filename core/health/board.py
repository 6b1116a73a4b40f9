"""The health board (销售健康度): a team's week in eight figures, each beside the four weeks before it.

- conversion: deals won ÷ deals closed (won or lost) in the week;
- average cycle: days from creation to win, over the week's wins;
- output per rep: the week's won amount (reporting currency) ÷ the team's active reps;
- target attainment: won so far in the team's won-amount target period (up to the week's end)
  ÷ the target in force on the week's last day; none without such a target;
- update discipline: of the deals open at the week's end in a stage with a time limit, the share
  touched (a stage change, a follow-up logged or a message captured) within that limit;
- first response: the median working time from a customer's message in a linked chat to the team's
  next answer (core.conversations.response_times);
- satisfaction: the mean of the 1–5 scores recorded in the week (`csat`);
- complaint rate: the customers served by the week's end (with a won deal) who complained in the
  week, each once, ÷ those customers served (so never over 100%).

The counts come exact from the ports (Analytics.totals, HealthData), are rounded once here
(core.analytics.rounding), and core.health.reference is the definition the SQL is tested against.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from core.analytics import rounding
from core.conversations.response_times import response_times
from core.domain.model import Role, Team, people
from core.domain.pipeline import Pipeline
from core.domain.worktime import WorkSettings
from core.language.periods import Period, week_of
from core.performance.targets import WON_AMOUNT, Target
from core.ports.health import Touch
from core.ports.unit_of_work import UnitOfWork

WEEKS = 5  # the week asked for and the four before it
METRICS = ("conversion", "cycle", "output", "attainment", "discipline", "first_response", "csat", "complaints")
# Whether a higher figure is better (the arrows of the trend say "better" or "worse")
HIGHER_IS_BETTER = {"conversion": True, "cycle": False, "output": True, "attainment": True, "discipline": True,
                    "first_response": False, "csat": True, "complaints": False}
_CENTS = Decimal("0.01")


@dataclass(frozen=True)
class WeekHealth:
    """One week of one team, exact; the figures are the properties."""

    period: Period
    won: int = 0
    lost: int = 0
    cycle_seconds: int = 0
    won_amount: Decimal = Decimal(0)  # reporting currency
    reps: int = 0
    target: Decimal | None = None  # the team's won-amount target in force on the week's last day
    target_done: Decimal = Decimal(0)  # won in that target's period up to the week's end
    open_deals: int = 0  # open at the week's end, in a stage with a time limit
    touched: int = 0  # … of them touched within the limit
    first_response_minutes: float | None = None
    score_sum: int = 0
    scores: int = 0
    complaints: int = 0
    served: int = 0  # customers with a won deal before the week's end

    @property
    def conversion(self) -> float | None:
        return rounding.rate(self.won, self.won + self.lost)

    @property
    def cycle(self) -> float | None:
        return rounding.days(self.cycle_seconds, self.won)

    @property
    def output(self) -> float | None:
        if not self.reps:
            return None
        return float((self.won_amount / self.reps).quantize(_CENTS, ROUND_HALF_UP))

    @property
    def attainment(self) -> float | None:
        if not self.target:
            return None
        return float((self.target_done / self.target).quantize(Decimal("0.0001"), ROUND_HALF_UP))

    @property
    def discipline(self) -> float | None:
        return rounding.rate(self.touched, self.open_deals)

    @property
    def first_response(self) -> float | None:
        return self.first_response_minutes

    @property
    def csat(self) -> float | None:
        if not self.scores:
            return None
        return float((Decimal(self.score_sum) / self.scores).quantize(_CENTS, ROUND_HALF_UP))

    @property
    def complaint_rate(self) -> float | None:
        return rounding.rate(self.complaints, self.served)


@dataclass
class TeamHealth:
    team: Team
    currency: str
    weeks: list[WeekHealth] = field(default_factory=list)  # oldest first; the last is the week asked for

    @property
    def week(self) -> WeekHealth:
        return self.weeks[-1]

    def trend(self, metric: str) -> list[float | None]:
        return [value_of(w, metric) for w in self.weeks]

    def to_json(self) -> dict[str, object]:
        return {"team": self.team.name, "currency": self.currency,
                "weeks": [w.period.label for w in self.weeks],
                **{metric: self.trend(metric) for metric in METRICS}}


_FIGURES: dict[str, Callable[[WeekHealth], float | None]] = {
    "conversion": lambda w: w.conversion, "cycle": lambda w: w.cycle, "output": lambda w: w.output,
    "attainment": lambda w: w.attainment, "discipline": lambda w: w.discipline,
    "first_response": lambda w: w.first_response, "csat": lambda w: w.csat,
    "complaints": lambda w: w.complaint_rate,
}


def value_of(week: WeekHealth, metric: str) -> float | None:
    return _FIGURES[metric](week)


def weeks_of(period: Period) -> list[Period]:
    """The week asked for (a longer period: its last whole week) and the four before it, oldest first."""
    last = period if period.kind == "week" else week_of(period.end - timedelta(days=1))
    if last.end > period.end and last.start > period.start:  # the week runs past the month's end
        last = last.previous()
    return [last.previous(i) for i in reversed(range(WEEKS))]


def discipline(touches: list[Touch], pipeline: Pipeline, at: datetime) -> tuple[int, int]:
    """(open deals in a stage with a limit, those touched within it): a touch at or after
    `at` − the stage's limit in days counts."""
    limits = {s.key: s.sla_days for s in pipeline.open_stages if s.sla_days is not None}
    counted = touched = 0
    for touch in touches:
        days = limits.get(touch.stage)
        if days is None:
            continue
        counted += 1
        last = max(touch.changed_at, touch.followed_up_at or touch.changed_at)
        touched += last >= at - timedelta(days=days)
    return counted, touched


def _target(uow: UnitOfWork, team: Team, week: Period, currency: str) -> Target | None:
    day = week.end - timedelta(days=1)
    found = [t for t in uow.targets.of_team(team.saved_id, day)
             if t.member_id is None and t.metric == WON_AMOUNT and t.currency in ("", currency)]
    return found[-1] if found else None


def build_health(uow: UnitOfWork, team: Team, pipeline: Pipeline, period: Period, currency: str,
                 now: datetime | None = None) -> TeamHealth:
    """The board of the period's week and the four before; a week not over at `now` is measured
    for discipline as of `now` (its end is yet to come)."""
    weeks = weeks_of(period)
    tz = team.timezone
    bounds = [w.bounds(tz)[0] for w in weeks] + [weeks[-1].bounds(tz)[1]]
    ends = bounds[1:]
    team_id = team.saved_id
    totals = uow.analytics.totals(team_id, bounds)
    scores = uow.health.scores(team_id, bounds)
    complaints = uow.health.complaints(team_id, bounds)
    served = uow.health.served(team_id, ends)
    reps = sum(1 for m in people(uow.members.in_team(team_id)) if m.role == Role.REP and m.is_active)
    settings = WorkSettings.of(tz, team.settings)
    health = TeamHealth(team, currency)
    for i, week in enumerate(weeks):
        start, end = bounds[i], bounds[i + 1]
        target = _target(uow, team, week, currency)
        done = Decimal(0)
        if target is not None:
            since = datetime.combine(target.period_start, time(0), tzinfo=ZoneInfo(tz))
            if since < end:
                done = uow.analytics.totals(team_id, [since, end])[0].won_amount.get(currency, Decimal(0))
        moment = end if now is None else min(end, now)
        counted, touched = discipline(uow.health.touches(team_id, moment), pipeline, moment)
        answered = response_times(uow.conversations.response_pairs(team_id, start, end), settings).team_median
        health.weeks.append(WeekHealth(
            period=week, won=totals[i].won, lost=totals[i].lost, cycle_seconds=totals[i].cycle_seconds,
            won_amount=totals[i].won_amount.get(currency, Decimal(0)), reps=reps,
            target=target.value if target is not None else None, target_done=done,
            open_deals=counted, touched=touched,
            first_response_minutes=None if answered is None else round(answered * 60, 1),
            score_sum=scores[i][0], scores=scores[i][1], complaints=complaints[i], served=served[i]))
    return health
