"""Commands: what a message asks for, as plain values the services understand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from core.domain.amounts import Money
from core.domain.model import Role
from core.language.dates.text import DateMatch
from core.language.periods import Period


class Command:
    """Base of every command; core.language.verbs names the commands each verb reads to.

    `writes` is False for the commands that only read: running one of those twice is harmless,
    so a platform's redelivery of it is not guarded against (core.app.dealbot), which keeps
    them read-only. `who` is the least role that may use the command at all; the handler
    refuses anyone below it, and decides by the objects (own deal, own team) above it
    (tests/storage/test_permission_matrix.py holds the two to agree)."""

    writes: ClassVar[bool] = True
    who: ClassVar[Role] = Role.REP


@dataclass(frozen=True)
class Help(Command):
    topic: str | None = None
    writes = False


@dataclass(frozen=True)
class NewDeal(Command):
    customer: str
    amount: Money | None = None
    stage: str | None = None
    close: datetime | None = None
    owner: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class ShowDeal(Command):
    deal_id: int
    writes = False


@dataclass(frozen=True)
class ShowHistory(Command):
    deal_id: int
    writes = False
    who = Role.MANAGER


@dataclass(frozen=True)
class ListDeals(Command):
    scope: str = "team"  # mine | team | all
    stage: str | None = None
    stale: bool = False
    # The filters of issue 17 (core.services.deal_lists): `won last quarter`, `closing this month`,
    # `owner:@bob`, `customer:Acme`, `amount>100k`, `sort:amount`.
    status: str = "open"  # open | won | lost
    closed_in: Period | None = None  # won or lost within the period
    closing_in: Period | None = None  # expected to close within the period
    owner: str | None = None
    customer: str | None = None
    amount: tuple[str, Money] | None = None  # (">", 100k): the comparison and the amount
    sort: str | None = None  # close | amount; None: the newest first
    writes = False


@dataclass(frozen=True)
class MoveDeal(Command):
    deal_id: int
    stage: str  # a stage key, or NEXT


NEXT = "next"


@dataclass(frozen=True)
class CheckDeliverable(Command):
    deal_id: int
    item: int  # 1-based, as shown on the card


@dataclass(frozen=True)
class WinDeal(Command):
    deal_id: int
    amount: Money | None = None


@dataclass(frozen=True)
class LoseDeal(Command):
    deal_id: int
    reason: str  # empty: ask for one (the [Mark lost] button on reminders sends no reason)


@dataclass(frozen=True)
class LogFollowUp(Command):
    deal_id: int
    text: str  # empty: ask what happened (the [Log follow-up] button sends no text)
    kind: str = "note"
    next_step: DateMatch | None = None


@dataclass(frozen=True)
class AddTask(Command):
    title: str
    deal_id: int | None = None
    due: datetime | None = None
    assignee: str | None = None


@dataclass(frozen=True)
class ListTasks(Command):
    scope: str = "mine"  # mine | overdue | team | overdue_team (managers)
    deal_id: int | None = None
    writes = False


@dataclass(frozen=True)
class CompleteTask(Command):
    task_id: int


@dataclass(frozen=True)
class ShowMe(Command):
    writes = False


@dataclass(frozen=True)
class SetLanguage(Command):
    language: str


@dataclass(frozen=True)
class SetTimezone(Command):
    timezone: str


@dataclass(frozen=True)
class StartLink(Command):
    """`me link`: make a one-time code to link another platform account."""



@dataclass(frozen=True)
class LinkAccount(Command):
    """`me link <code>`: this account asks to join the member the code was made for."""

    code: str


@dataclass(frozen=True)
class ConfirmLink(Command):
    """`me link confirm [n]`: the member who asked for the code lets the account join."""

    request_id: int | None = None


@dataclass(frozen=True)
class CancelLink(Command):
    """`me link cancel [n]`: either side drops a request; nothing is merged."""

    request_id: int | None = None


@dataclass(frozen=True)
class ListTeams(Command):
    writes = False


@dataclass(frozen=True)
class CreateTeam(Command):
    name: str
    timezone: str | None = None
    language: str | None = None
    who = Role.ADMIN


@dataclass(frozen=True)
class ListMembers(Command):
    writes = False


@dataclass(frozen=True)
class UpdateMember(Command):
    handle: str
    role: str | None = None
    team: str | None = None
    heir: str | None = None  # moving to another team: who takes over their open deals and tasks
    who = Role.ADMIN


@dataclass(frozen=True)
class DecideAccess(Command):
    """`member approve R-3 [role:…] [team:…]` / `member ignore R-3` (admins): the buttons of the
    notice about someone the bot has not met."""

    request_id: int
    approve: bool
    role: str | None = None
    team: str | None = None
    who = Role.ADMIN


@dataclass(frozen=True)
class RemoveMember(Command):
    """`member @x remove [to:@y]`: no more access; open deals and tasks go to @y."""

    handle: str
    heir: str | None = None
    who = Role.ADMIN


@dataclass(frozen=True)
class RestoreMember(Command):
    handle: str
    who = Role.ADMIN


@dataclass(frozen=True)
class CreateInvite(Command):
    """`invite [team:east] [role:rep]`: a one-time code for `join`."""

    team: str | None = None
    role: str | None = None
    who = Role.MANAGER


@dataclass(frozen=True)
class Join(Command):
    """`join <code>`: someone the bot has not met comes in with an invite."""

    code: str


@dataclass(frozen=True)
class Snooze(Command):
    """`snooze D-12 2d` / `snooze T-7 1d`: no reminders about it until `until`."""

    target: str  # deal | task
    ref_id: int
    until: datetime


@dataclass(frozen=True)
class ShowDigests(Command):
    writes = False


@dataclass(frozen=True)
class SubscribeDigest(Command):
    frequency: str = "weekly"  # weekly | daily
    who = Role.MANAGER


@dataclass(frozen=True)
class StopDigests(Command):
    who = Role.MANAGER


@dataclass(frozen=True)
class ShowScorecard(Command):
    """`scorecard [team] [week]`: the week's figures (default: last week)."""

    team: str | None = None
    period: Period | None = None
    writes = False


@dataclass(frozen=True)
class ShowFunnel(Command):
    """`funnel [team] [period] [by:industry|source|tag]`: the cohort funnel (default: this
    quarter), and per kind of customer when `by` is given."""

    team: str | None = None
    period: Period | None = None
    writes = False
    by: str | None = None


@dataclass(frozen=True)
class ShowForecast(Command):
    """`forecast [team] [period]`: expected wins of the open deals (default: this month)."""

    team: str | None = None
    period: Period | None = None
    writes = False


@dataclass(frozen=True)
class LinkChat(Command):
    """`link D-12` / `link customer:<name>`: exactly one of the two is set."""

    deal_id: int | None = None
    customer: str | None = None


@dataclass(frozen=True)
class UnlinkChat(Command):
    """`unlink`: stop recording this group chat."""


@dataclass(frozen=True)
class SetCapture(Command):
    on: bool


@dataclass(frozen=True)
class ShowCapture(Command):
    writes = False


@dataclass(frozen=True)
class KeepSuggestion(Command):
    """`keep S-3`: a next step found in a captured chat becomes a task (origin captured)."""

    suggestion_id: int


@dataclass(frozen=True)
class DismissSuggestion(Command):
    suggestion_id: int


@dataclass(frozen=True)
class Forget(Command):
    """`forget @alice` / `forget contact:telegram:123` (admins): erase a person's captured data."""

    name: str = ""  # a member handle or a contact's name, as typed (without the @)
    platform: str | None = None  # with user_id: one contact named exactly
    user_id: str | None = None
    who = Role.ADMIN


# -- customers (issue 17) ------------------------------------------------------------------------
@dataclass(frozen=True)
class ShowCustomer(Command):
    """`customer Acme`: the customer's card."""

    name: str
    writes = False


@dataclass(frozen=True)
class SetCustomer(Command):
    """`customer Acme industry:能源 tag:重点 name:"Acme Group"`: the fields given, and only those.
    A field set to "" is cleared (`industry:-`)."""

    name: str
    new_name: str | None = None
    industry: str | None = None
    source: str | None = None
    owner: str | None = None
    lifecycle: str | None = None
    tags_added: tuple[str, ...] = ()
    tags_removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetContact(Command):
    """`contact Acme "王经理" role:采购 phone:… email:…`: adds the contact, or changes the fields
    given of the one of that name; `remove` takes it off. A field set to "" is cleared."""

    customer: str
    name: str
    role: str | None = None
    phone: str | None = None
    email: str | None = None
    remove: bool = False


@dataclass(frozen=True)
class ListContacts(Command):
    """`contacts Acme`: typed contacts and the people who wrote in its linked chats."""

    customer: str
    writes = False


@dataclass(frozen=True)
class MergeCustomers(Command):
    """`merge customer "Acme Inc" into Acme`: one customer, recorded twice, becomes one."""

    source: str
    target: str
    who = Role.MANAGER
# -- keeping deals true: edit, assign, reopen (issue 17) ------------------------------------------

@dataclass(frozen=True)
class EditDeal(Command):
    """`edit D-12 amount:60k close:next month title:"Phase 2"`: any subset of the three; none at
    all (the card's [Edit] button) asks what to change and changes nothing."""

    deal_id: int
    amount: Money | None = None
    close: datetime | None = None
    title: str | None = None

    @property
    def changes_nothing(self) -> bool:
        return self.amount is None and self.close is None and self.title is None


@dataclass(frozen=True)
class AssignDeal(Command):
    """`assign D-12 @bob`: the owner (or a manager) hands the deal over, its open tasks with it."""

    deal_id: int
    handle: str


@dataclass(frozen=True)
class ReopenDeal(Command):
    """`reopen D-12 [stage]`: a closed deal returns to a stage (by default the one it closed from);
    a lost deal by its owner or a manager, a won one by a manager only."""

    deal_id: int
    stage: str | None = None


@dataclass(frozen=True)
class Undo(Command):
    """`undo`: take back your own last change (core.services.undo), within ten minutes."""
# -- team performance (issue 19): targets ------------------------------------------------------------

@dataclass(frozen=True)
class SetTarget(Command):
    """`target @alice 500k 2026-Q1`, `target east 2m this month`: a goal for a member (handle) or a
    team (team; None with no handle: the actor's team) in a period (None: this month); a value of
    zero removes it. `metric` is one of core.performance.targets.METRICS."""

    value: Money
    metric: str = "won_amount"
    handle: str | None = None
    team: str | None = None
    period: Period | None = None
    who = Role.MANAGER


@dataclass(frozen=True)
class ListTargets(Command):
    """`targets [team] [period]`: the targets of a period (default: those in force today) with their pace."""

    team: str | None = None
    period: Period | None = None
    writes = False


# -- deal news (issue 17): core.notify ------------------------------------------------------------
@dataclass(frozen=True)
class ShowNotify(Command):
    """`notify`: which deal events this chat gets."""

    writes = False


@dataclass(frozen=True)
class SubscribeNotify(Command):
    """`notify here won,lost min:100k`: this chat gets the team's deal events (managers, admins)."""

    events: tuple[str, ...] = ("won", "lost", "new", "moved", "assigned")
    minimum: Money | None = None
    who = Role.MANAGER


@dataclass(frozen=True)
class StopNotify(Command):
    """`notify off`: no more deal news here (managers and admins; anyone hears when a chat gets
    none, so the least role is a rep's, and the matrix row of a subscribed chat asks a manager)."""


# -- the daily update by reply (core/services/daily_updates.py) ------------------------------------
@dataclass(frozen=True)
class ConfirmUpdate(Command):
    """`confirm U-3` (the [Confirm all] button): write what the answer to the daily card proposed,
    all but the skipped items. Only its author may."""

    update_id: int


@dataclass(frozen=True)
class SkipUpdateItem(Command):
    """`skip U-3 2` (a [Skip] button): leave item 2 of the proposal out."""

    update_id: int
    item: int


# -- leads (issue 18) --------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewLead(Command):
    """`lead Acme 王经理 13800138000 source:展会`: a lead, checked against the team's customers and
    offered by the team's rules (core.leads); `pool` puts it straight into the team's pool."""

    company: str
    person: str = ""
    phone: str | None = None
    email: str | None = None
    source: str | None = None
    territory: str | None = None
    industry: str | None = None
    note: str | None = None
    team: str | None = None  # admins: another team's
    pool: bool = False


@dataclass(frozen=True)
class ListLeads(Command):
    """`lead` alone: the leads offered or assigned to me, waiting for my answer."""

    writes = False


@dataclass(frozen=True)
class ShowLead(Command):
    lead_id: int
    writes = False


@dataclass(frozen=True)
class AcceptLead(Command):
    """`lead L-7 accept` (the [Accept] button): the lead becomes a customer and a deal at the first stage."""

    lead_id: int


@dataclass(frozen=True)
class PassLead(Command):
    """`lead L-7 pass` (the [Pass] button): offered to the next rep."""

    lead_id: int


@dataclass(frozen=True)
class ListPool(Command):
    """`pool` (公海): the team's claimable leads."""

    team: str | None = None
    writes = False


@dataclass(frozen=True)
class ClaimLead(Command):
    """`claim L-7` (领取): a lead of the pool, taken as accepting it."""

    lead_id: int


@dataclass(frozen=True)
class AssignLead(Command):
    """`assign L-7 @bob`: a manager gives a lead to a rep of its team."""

    lead_id: int
    handle: str
    who = Role.MANAGER


@dataclass(frozen=True)
class SetAway(Command):
    """`me away until next friday` (我 请假 到 …): no leads offered until then; `me away off`: back."""

    until: datetime | None


# -- approvals (issue 20) -----------------------------------------------------------------------------

@dataclass(frozen=True)
class RequestApproval(Command):
    """`approve D-12 discount:15% "reason"` / `approve D-12 amount "reason"`: ask for the approvals
    the team's policy (core.approvals.policy) needs; `value` is the discount in percent (None for
    the amount: `amount` when given, else the deal's own)."""

    deal_id: int
    kind: str  # discount | amount
    value: Decimal | None = None
    reason: str = ""
    amount: Money | None = None  # `approve D-12 amount:2m`: the amount the deal is to have


@dataclass(frozen=True)
class DecideApproval(Command):
    """`approve A-3`, `reject A-3 <reason>`, `ask A-3 <question>` (and the cards' buttons, which
    name the step they were sent for: `approve A-3 step:2`). Anyone the step names may decide it,
    a rep named by handle too (core.approvals.machine)."""

    approval_id: int
    verdict: str  # approve | reject | ask
    note: str = ""
    step: int | None = None  # 1-based, as the buttons say; None: the current one


@dataclass(frozen=True)
class ListApprovals(Command):
    """`approvals`: what waits for my decision, and what I asked for."""

    writes = False


# -- team performance (issue 19): points, leaderboard, pipeline review -------------------------------

@dataclass(frozen=True)
class ShowPoints(Command):
    """`points [@user] [period]`: a member's points (default: the asker's) by rule (default: this week)."""

    handle: str | None = None
    period: Period | None = None
    writes = False


@dataclass(frozen=True)
class ShowPointRules(Command):
    """`points rules`: the team's rules, their points and daily caps."""

    writes = False


@dataclass(frozen=True)
class AwardPoints(Command):
    """`points award @alice 5 "closed the Acme deal"`: a manager's award (negative takes points
    back), with its reason; audited."""

    handle: str
    points: int
    reason: str
    who = Role.MANAGER


@dataclass(frozen=True)
class SetPointRule(Command):
    """`points rule follow-up 2 cap:5`: one rule's points and (optionally) daily cap for the team."""

    rule: str
    points: int
    cap: int | None = None
    who = Role.MANAGER


@dataclass(frozen=True)
class SwitchPoints(Command):
    """`points off` / `points on`: the team's points stop (and hide) or start again."""

    on: bool
    who = Role.MANAGER


@dataclass(frozen=True)
class ShowLeaderboard(Command):
    """`leaderboard [team] [period]`: every member's points, most first, and the most improved."""

    team: str | None = None
    period: Period | None = None
    writes = False


@dataclass(frozen=True)
class StartReview(Command):
    """`review [team] [closing]`: the first card of a pipeline review (largest open deals first;
    `closing`: those expected to close this month)."""

    team: str | None = None
    closing: bool = False
    writes = False
    who = Role.MANAGER


@dataclass(frozen=True)
class CallDeal(Command):
    """`review D-12 commit|best|pipeline|lost|skip`, `review D-12 slip <date>`: the answer on one
    card (core.performance.forecast_calls.ANSWERS); then the next card."""

    deal_id: int
    answer: str
    close: datetime | None = None
    closing: bool = False
    who = Role.MANAGER


# -- knowledge (issue 20): summary, playbook, faq, retro, cases ------------------------------------

@dataclass(frozen=True)
class ShowSummary(Command):
    """`summary D-12`: the deal's stage path, commitments, open tasks, what it waits on."""

    deal_id: int
    writes = False


PLAYBOOK_SECTIONS = ("talk", "objection", "checklist", "template")


@dataclass(frozen=True)
class ShowPlaybook(Command):
    """`playbook [stage]`: one stage's playbook in full, or (no stage) what each stage has."""

    stage: str | None = None
    writes = False


@dataclass(frozen=True)
class EditPlaybook(Command):
    """`playbook quote [objection] add "…"`, `playbook quote remove 3` (managers): a line added to
    a section of the stage's playbook (PLAYBOOK_SECTIONS), or line `number` taken out."""

    stage: str
    action: str  # add | remove
    section: str = "talk"
    text: str = ""
    number: int = 0
    who = Role.MANAGER


@dataclass(frozen=True)
class PlaybookHistory(Command):
    """`playbook quote history`: who added or removed which line of the stage's playbook, when."""

    stage: str
    writes = False


@dataclass(frozen=True)
class AddFaq(Command):
    """`faq add "question" "answer" tags:a,b` (managers)."""

    question: str
    answer: str
    tags: tuple[str, ...] = ()
    who = Role.MANAGER


@dataclass(frozen=True)
class RemoveFaq(Command):
    """`faq remove F-3` (managers)."""

    faq_id: int
    who = Role.MANAGER


@dataclass(frozen=True)
class AskFaq(Command):
    """`faq <words>`: the best answers, best first; the question asked is kept for `faq gaps`."""

    words: str


@dataclass(frozen=True)
class FaqFeedback(Command):
    """`faq unhelpful A-7` (the [Not helpful] button): the answer to ask A-7 did not help."""

    ask_id: int


@dataclass(frozen=True)
class FaqGaps(Command):
    """`faq gaps` (managers): questions asked that found no good answer, or whose answer did not help."""

    writes = False
    who = Role.MANAGER


@dataclass(frozen=True)
class AddRetro(Command):
    """`retro D-12 "…"`: the closed deal's retrospective; no text: the prompts and the retro so far."""

    deal_id: int
    text: str = ""


@dataclass(frozen=True)
class FindCases(Command):
    """`cases [words] [industry:…] [tag:…] [source:…]`: closed deals of the team like these;
    `cases D-12`: those like deal 12 (core.knowledge.similar), with why."""

    words: str = ""
    industry: str | None = None
    tag: str | None = None
    source: str | None = None
    like: int | None = None
    writes = False


@dataclass(frozen=True)
class StartOnboarding(Command):
    """`onboard @newrep` (managers): queue the stage playbooks and top FAQ, a little each working
    day of the rep's first two weeks; an onboarding already made: how far they got."""

    handle: str
    who = Role.MANAGER


@dataclass(frozen=True)
class ShowOnboarding(Command):
    """`onboard`: a manager's team's onboardings and how far each got; a rep's own."""

    writes = False


@dataclass(frozen=True)
class OnboardingDone(Command):
    """`onboard done 3` (the lesson's [Got it] button): the rep has read lesson 3."""

    lesson: int


# -- the health board (issue 19): satisfaction, complaints, health, data quality ---------------------

@dataclass(frozen=True)
class RecordSatisfaction(Command):
    """`csat D-12 4 "quick delivery"`: the customer's 1–5 score for a deal; no score: ask for one;
    `csat D-12 send`: the question to the deal's linked chat, where the customer's answer is recorded."""

    deal_id: int
    score: int | None = None
    comment: str = ""
    send: bool = False


@dataclass(frozen=True)
class LogComplaint(Command):
    """`complaint Acme "late delivery"` or `complaint D-12 "…"`: a customer's complaint."""

    text: str
    customer: str | None = None
    deal_id: int | None = None


@dataclass(frozen=True)
class ResolveComplaint(Command):
    """`resolve C-3 [how]`: the complaint is settled."""

    complaint_id: int
    note: str = ""


@dataclass(frozen=True)
class ListComplaints(Command):
    """`complaints [all]`: the team's open complaints (all: resolved ones too)."""

    everything: bool = False
    writes = False


@dataclass(frozen=True)
class ShowHealth(Command):
    """`health [team] [week]`: the health board (default: last week; no team: one's own, an
    admin's every team side by side)."""

    team: str | None = None
    period: Period | None = None
    writes = False


@dataclass(frozen=True)
class ShowQuality(Command):
    """`quality [team]`: what the records miss, with the command that fixes each."""

    team: str | None = None
    writes = False


@dataclass(frozen=True)
class Find(Command):
    """`find <words>` (搜索): deals, customers, contacts, follow-ups and captured messages the
    asker may see, in one ranked list (core.services.search)."""

    text: str
    writes = False
