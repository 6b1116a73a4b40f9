"""Commands: what a message asks for, as plain values the services understand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.amounts import Money
from core.dates import DateMatch
from core.periods import Period


class Command:
    """Base of every command; `verb` names the verb for usage hints. `writes` is False for the
    commands that only read: running one of those twice is harmless, so a platform's
    redelivery of it is not guarded against (core.app), which keeps them read-only."""

    verb = "help"
    writes = True


@dataclass(frozen=True)
class Help(Command):
    topic: str | None = None
    verb = "help"
    writes = False


@dataclass(frozen=True)
class NewDeal(Command):
    customer: str
    amount: Money | None = None
    stage: str | None = None
    close: datetime | None = None
    owner: str | None = None
    title: str | None = None
    verb = "new"


@dataclass(frozen=True)
class ShowDeal(Command):
    deal_id: int
    verb = "show"
    writes = False


@dataclass(frozen=True)
class ShowHistory(Command):
    deal_id: int
    verb = "history"
    writes = False


@dataclass(frozen=True)
class ListDeals(Command):
    scope: str = "team"  # mine | team | all
    stage: str | None = None
    stale: bool = False
    verb = "deals"
    writes = False


@dataclass(frozen=True)
class MoveDeal(Command):
    deal_id: int
    stage: str  # a stage key, or NEXT
    verb = "move"


NEXT = "next"


@dataclass(frozen=True)
class CheckDeliverable(Command):
    deal_id: int
    item: int  # 1-based, as shown on the card
    verb = "check"


@dataclass(frozen=True)
class WinDeal(Command):
    deal_id: int
    amount: Money | None = None
    verb = "won"


@dataclass(frozen=True)
class LoseDeal(Command):
    deal_id: int
    reason: str  # empty: ask for one (the [Mark lost] button on reminders sends no reason)
    verb = "lost"


@dataclass(frozen=True)
class LogFollowUp(Command):
    deal_id: int
    text: str  # empty: ask what happened (the [Log follow-up] button sends no text)
    kind: str = "note"
    next_step: DateMatch | None = None
    verb = "log"


@dataclass(frozen=True)
class AddTask(Command):
    title: str
    deal_id: int | None = None
    due: datetime | None = None
    assignee: str | None = None
    verb = "task"


@dataclass(frozen=True)
class ListTasks(Command):
    scope: str = "mine"  # mine | overdue | team
    deal_id: int | None = None
    verb = "tasks"
    writes = False


@dataclass(frozen=True)
class CompleteTask(Command):
    task_id: int
    verb = "done"


@dataclass(frozen=True)
class ShowMe(Command):
    verb = "me"
    writes = False


@dataclass(frozen=True)
class SetLanguage(Command):
    language: str
    verb = "me"


@dataclass(frozen=True)
class SetTimezone(Command):
    timezone: str
    verb = "me"


@dataclass(frozen=True)
class StartLink(Command):
    """`me link`: make a one-time code to link another platform account."""

    verb = "me"


@dataclass(frozen=True)
class LinkAccount(Command):
    """`me link <code>`: this account joins the member the code was made for."""

    code: str
    verb = "me"


@dataclass(frozen=True)
class ListTeams(Command):
    verb = "team"
    writes = False


@dataclass(frozen=True)
class CreateTeam(Command):
    name: str
    timezone: str | None = None
    language: str | None = None
    verb = "team"


@dataclass(frozen=True)
class ListMembers(Command):
    verb = "member"
    writes = False


@dataclass(frozen=True)
class UpdateMember(Command):
    handle: str
    role: str | None = None
    team: str | None = None
    verb = "member"


@dataclass(frozen=True)
class Snooze(Command):
    """`snooze D-12 2d` / `snooze T-7 1d`: no reminders about it until `until`."""

    target: str  # deal | task
    ref_id: int
    until: datetime
    verb = "snooze"


@dataclass(frozen=True)
class ShowDigests(Command):
    verb = "digest"
    writes = False


@dataclass(frozen=True)
class SubscribeDigest(Command):
    frequency: str = "weekly"  # weekly | daily
    verb = "digest"


@dataclass(frozen=True)
class StopDigests(Command):
    verb = "digest"


@dataclass(frozen=True)
class ShowScorecard(Command):
    """`scorecard [team] [week]`: the week's figures (default: last week)."""

    team: str | None = None
    period: Period | None = None
    verb = "scorecard"
    writes = False


@dataclass(frozen=True)
class ShowFunnel(Command):
    """`funnel [team] [period]`: the cohort funnel (default: this quarter)."""

    team: str | None = None
    period: Period | None = None
    verb = "funnel"
    writes = False


@dataclass(frozen=True)
class ShowForecast(Command):
    """`forecast [team] [period]`: expected wins of the open deals (default: this month)."""

    team: str | None = None
    period: Period | None = None
    verb = "forecast"
    writes = False


@dataclass(frozen=True)
class LinkChat(Command):
    """`link D-12` / `link customer:<name>`: exactly one of the two is set."""

    deal_id: int | None = None
    customer: str | None = None
    verb = "link"


@dataclass(frozen=True)
class UnlinkChat(Command):
    verb = "unlink"


@dataclass(frozen=True)
class SetCapture(Command):
    on: bool
    verb = "capture"


@dataclass(frozen=True)
class ShowCapture(Command):
    verb = "capture"
    writes = False


@dataclass(frozen=True)
class KeepSuggestion(Command):
    """`keep S-3`: a next step found in a captured chat becomes a task (origin captured)."""

    suggestion_id: int
    verb = "keep"


@dataclass(frozen=True)
class DismissSuggestion(Command):
    suggestion_id: int
    verb = "dismiss"


@dataclass(frozen=True)
class Forget(Command):
    """`forget @alice` / `forget contact:telegram:123` (admins): erase a person's captured data."""

    name: str = ""  # a member handle or a contact's name, as typed (without the @)
    platform: str | None = None  # with user_id: one contact named exactly
    user_id: str | None = None
    verb = "forget"
