"""`approve` (申请审批 / 批准), `reject` (驳回), `ask` (提问), `approvals` (审批): approval flows in chat.

Asking (`approve D-12 discount:15% "reason"`) stores an approval A-n with the steps the deal's
team policy needs (core.approvals.policy), audited on the deal, and queues a card in a direct
message to everyone who may decide its first step: [Approve] [Reject] [Ask a question], each
button naming the step. With the card go a reminder a working day later and an escalation to
the admins after the team's escalation days; the dispatcher drops both once the step is decided
(core.reminders.rules.obsolete_reason: the guard `approval`/`step`). Deciding runs the state
machine (core.approvals.machine) and stores the decision only if nobody decided that step first;
the requester is told of every step, and the next step's approvers get their cards.

A move into a stage the policy gates (`gate_move`, called by every stage change of a chat
command) is refused while the deal's approval is pending or rejected, naming it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from core.access import audit, permissions
from core.approvals.machine import Approval, Decision, Refusal, State, Verdict, can_decide, decide
from core.approvals.policy import ADMIN, AMOUNT, MANAGER, may_decide, policy_of
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.domain.amounts import format_money
from core.domain.model import Deal, Member, Role, Team
from core.domain.model import people as persons
from core.domain.pipeline import pipeline_of
from core.domain.worktime import WorkSettings
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.reminders.outbox import Draft, Kind, stamp
from core.reminders.recipients import direct_destination
from core.replies import cards
from core.services.approval_gate import what
from core.services.deals import load_deal

LISTED = 10  # lines of each part of `approvals`
REMIND_AFTER_DAYS = 1.0  # working days before the approvers' reminder


# -- words -------------------------------------------------------------------------------------------

def who_words(approvers: Iterable[str], lang: str) -> str:
    names = [t("approval.who_manager", lang) if a == MANAGER else t("approval.who_admin", lang) if a == ADMIN
             else a for a in approvers]
    return t("approval.or", lang).join(names)


def state_word(approval: Approval, lang: str) -> str:
    return t(f"approval.state_{approval.state}", lang)


def _refused(refusal: Refusal, lang: str) -> UserError:
    params = dict(refusal.params)
    if "state" in params:
        params["state"] = t(f"approval.state_{params['state']}", lang)
    return UserError(refusal.key, **params)


# -- approve D-12 discount:15% -----------------------------------------------------------------------

def request_approval(cmd: c.RequestApproval, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=True)
    if not deal.is_open:
        raise UserError("approval.closed_deal", deal=deal.code)
    team = _team_of(ctx, deal)
    if cmd.kind == AMOUNT:
        if cmd.amount is not None:  # `approve D-12 amount:2m`: an amount the deal is to have
            value, currency = cmd.amount.amount, cmd.amount.currency
        elif deal.amount is None:
            raise UserError("approval.no_amount", deal=deal.code)
        else:
            value, currency = deal.amount, deal.currency
    else:
        assert cmd.value is not None  # the reader gives a discount its value
        value, currency = cmd.value, ""
    approval = Approval(deal_id=deal.saved_id, team_id=deal.team_id, requester_id=ctx.actor.saved_id,
                        kind=cmd.kind, value=value, currency=currency, reason=cmd.reason, steps=[],
                        created_at=ctx.now)
    steps = policy_of(team.settings).steps_for(cmd.kind, value)
    if not steps:
        raise UserError("approval.not_needed", deal=deal.code, what=what(approval, ctx.lang))
    for other in ctx.uow.approvals.of_deal(deal.saved_id):
        if other.kind == cmd.kind and other.is_pending:
            raise UserError("approval.already_pending", approval=other.code, deal=deal.code,
                            who=who_words(other.waiting_for(), ctx.lang))
    approval.steps = [list(step) for step in steps]
    ctx.uow.approvals.add(approval)
    audit.record(ctx.uow, action="approval.request", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id,
                 source=ctx.source, after={"approval": approval.code, "kind": approval.kind,
                                           "value": str(approval.value), "currency": approval.currency,
                                           "reason": approval.reason, "steps": approval.steps})
    reached = _send_cards(ctx, approval, deal, team)
    reply = Reply(title=t("approval.asked", ctx.lang, approval=approval.code, what=what(approval, ctx.lang),
                          deal=deal.code), language=ctx.lang)
    reply.lines.append(_step_line(approval, ctx.lang))
    if not reached:
        reply.lines.append(t("approval.nobody", ctx.lang))
    reply.buttons = [Button(t("button.approvals", ctx.lang), "审批" if ctx.lang == "zh" else "approvals")]
    return reply


def _team_of(ctx: Context, deal: Deal) -> Team:
    if deal.team_id == ctx.team.id:
        return ctx.team
    team = ctx.uow.teams.get(deal.team_id)
    assert team is not None  # a deal's team exists (a foreign key)
    return team


def _step_line(approval: Approval, lang: str) -> str:
    return t("approval.step_line", lang, step=approval.step + 1, steps=len(approval.steps),
             who=who_words(approval.waiting_for(), lang))


# -- the approvers' cards ----------------------------------------------------------------------------

def deciders(ctx: Context, approval: Approval) -> list[Member]:
    """Everyone who may decide the approval's current step now, oldest member first."""
    decisions = ctx.uow.approvals.decisions(approval.saved_id)
    done = {d.member_id for d in decisions if d.verdict == Verdict.APPROVE}
    candidates: dict[int, Member] = {}
    for approver in approval.waiting_for():
        if approver.startswith("@"):
            found = ctx.uow.members.by_handle(approver[1:].lower())
            people: Iterable[Member] = [found] if found else []
        elif approver == MANAGER:
            people = [*persons(ctx.uow.members.in_team(approval.team_id)), *_admins(ctx)]
        else:
            people = _admins(ctx)
        for member in people:
            candidates.setdefault(member.saved_id, member)
    return [m for _, m in sorted(candidates.items())
            if m.id != approval.requester_id and m.id not in done
            and any(may_decide(a, m, approval.team_id) for a in approval.waiting_for())]


def _admins(ctx: Context) -> list[Member]:
    return [m for team in ctx.uow.teams.list() for m in persons(ctx.uow.members.in_team(team.saved_id))
            if m.role == Role.ADMIN]


def card(ctx: Context, approval: Approval, deal: Deal, lang: str, *, buttons: bool = True) -> Reply:
    """The approver's card: what is asked, by whom and why, the deal, and the step's buttons."""
    customer = ctx.uow.customers.get(deal.customer_id)
    pipeline = pipeline_of(_team_of(ctx, deal).pipeline)
    requester = ctx.uow.members.get(approval.requester_id)
    asker = requester.ref() if requester else "—"
    reply = Reply(title=t("approval.card_title", lang, approval=approval.code, deal=deal.code,
                          customer=customer.name if customer else "", what=what(approval, lang)), language=lang)
    reply.lines.append(t("approval.card_asker", lang, who=asker, reason=approval.reason) if approval.reason
                       else t("approval.card_asker_bare", lang, who=asker))
    reply.lines.append(t("approval.card_deal", lang, stage=pipeline.get(deal.stage).name(lang),
                         amount=format_money(deal.amount, deal.currency, lang)))
    reply.lines.append(_step_line(approval, lang))
    if buttons and approval.is_pending:
        reply.buttons = step_buttons(approval, lang)
    return reply


def step_buttons(approval: Approval, lang: str) -> list[Button]:
    step = approval.step + 1
    if lang == "zh":
        commands = (f"批准 {approval.code} 步骤:{step}", f"驳回 {approval.code} 步骤:{step}",
                    f"提问 {approval.code} 步骤:{step}")
    else:
        commands = (f"approve {approval.code} step:{step}", f"reject {approval.code} step:{step}",
                    f"ask {approval.code} step:{step}")
    return [Button(t("button.approve", lang), commands[0]), Button(t("button.reject", lang), commands[1]),
            Button(t("button.ask", lang), commands[2])]


def _send_cards(ctx: Context, approval: Approval, deal: Deal, team: Team) -> bool:
    """The current step's cards, reminders and escalation into the outbox; False when none of its
    approvers can be reached by a direct message."""
    settings = WorkSettings.of(team.timezone, team.settings)
    guard = {"approval": approval.saved_id, "step": approval.step}
    key = f"approval:{approval.code}:step{approval.step + 1}"
    remind_at = settings.next_allowed(settings.add_working_days(ctx.now, REMIND_AFTER_DAYS))
    escalate_at = settings.next_allowed(settings.add_working_days(ctx.now, settings.escalation_days))
    reached = False
    people = deciders(ctx, approval)
    for member in people:
        lang = member.language or team.language
        first = card(ctx, approval, deal, lang)
        reminder = card(ctx, approval, deal, lang)
        reminder.lines.insert(0, t("approval.reminder", lang, approval=approval.code))
        for kind, suffix, message, at in ((Kind.APPROVAL, "card", first, ctx.now),
                                          (Kind.APPROVAL, "remind", reminder, remind_at)):
            reached = _queue(ctx, member, message, at, f"{key}:{suffix}:m{member.id}", kind, guard,
                             deal.code) or reached
    if any(a != ADMIN for a in approval.waiting_for()):  # the admins hear of a step left waiting
        for admin in _admins(ctx):
            if admin.id == approval.requester_id:
                continue
            lang = admin.language or team.language
            may = admin in people
            escalation = card(ctx, approval, deal, lang, buttons=may)
            escalation.lines.insert(0, t("approval.escalated", lang, approval=approval.code,
                                         since=_when(ctx, approval.created_at, lang),
                                         who=who_words(approval.waiting_for(), lang)))
            _queue(ctx, admin, escalation, escalate_at, f"{key}:esc:m{admin.id}", Kind.APPROVAL, guard, deal.code)
    return reached


def _when(ctx: Context, moment: datetime, lang: str) -> str:
    return cards.when(replace(ctx, lang=lang), moment)


def _queue(ctx: Context, member: Member, reply: Reply, at: datetime, key: str, kind: Kind,
           guard: dict[str, int] | None, subject: str) -> bool:
    destination = direct_destination(ctx.uow.members.identities(member.saved_id))
    if destination is None:
        return False
    ctx.uow.outbox.add(Draft(kind=kind, key=key, platform=destination.platform, chat_id=destination.chat_id,
                             reply=reply, not_before=at, subject=subject, guard=guard,
                             recipient_id=member.id).to_message(ctx.now))
    return True


def _tell_requester(ctx: Context, approval: Approval, deal: Deal, key: str, **params: str) -> None:
    requester = ctx.uow.members.get(approval.requester_id)
    if requester is None or not requester.is_active:
        return
    lang = requester.language or _team_of(ctx, deal).language
    words = {"approval": approval.code, "deal": deal.code, "who": ctx.actor.ref(), **params}
    if key == "approval.tell_approved":
        words["what"] = what(approval, lang)
    reply = Reply(title=t(key, lang, **words), language=lang)
    if approval.is_pending:
        reply.lines.append(_step_line(approval, lang))
    reply.buttons = [Button(t("button.approvals", lang), "审批" if lang == "zh" else "approvals")]
    suffix = f"{approval.code}:{key.rsplit('.', 1)[1]}:{stamp(ctx.now)}:s{approval.step}:m{ctx.actor.id}"
    _queue(ctx, requester, reply, ctx.now, f"approval:{suffix}", Kind.APPROVAL, None, deal.code)


# -- approve A-3, reject A-3 <reason>, ask A-3 <question> ----------------------------------------------

def decide_approval(cmd: c.DecideApproval, ctx: Context) -> Reply:
    approval = ctx.uow.approvals.get(cmd.approval_id)
    ref = f"A-{cmd.approval_id}"
    deal = ctx.uow.deals.get(approval.deal_id) if approval else None
    if approval is None or deal is None:
        raise UserError("err.approval_not_found", ref=ref)
    involved = ctx.actor.id == approval.requester_id or any(
        may_decide(a, ctx.actor, approval.team_id) for step in approval.steps for a in step)
    if not involved:  # nobody else learns even what state it is in
        raise UserError("approval.not_yours", approval=approval.code)
    decisions = ctx.uow.approvals.decisions(approval.saved_id)
    step = None if cmd.step is None else cmd.step - 1
    from_step = approval.step
    try:
        decision = decide(approval, decisions, ctx.actor, Verdict(cmd.verdict), cmd.note, ctx.now, step)
    except Refusal as refusal:
        if refusal.key in ("approval.reason_needed", "approval.question_needed"):  # the card's button too
            raise UserError(refusal.key, verb=str(cmd.verdict), **refusal.params) from None
        raise _refused(refusal, ctx.lang) from None
    if not ctx.uow.approvals.decide(approval, decision, from_step):
        raise UserError("approval.stale", approval=approval.code)
    audit.record(ctx.uow, action=f"approval.{decision.verdict}", entity=deal.code, at=ctx.now,
                 actor_id=ctx.actor.id, source=ctx.source,
                 before={"approval": approval.code, "state": str(State.PENDING), "step": from_step + 1},
                 after={"approval": approval.code, "state": str(approval.state), "step": approval.step + 1,
                        "note": decision.note})
    return _after(ctx, approval, decision, deal)


def _after(ctx: Context, approval: Approval, decision: Decision, deal: Deal) -> Reply:
    lang, code = ctx.lang, approval.code
    if decision.verdict == Verdict.ASK:
        requester = ctx.uow.members.get(approval.requester_id)
        _tell_requester(ctx, approval, deal, "approval.tell_question", question=decision.note)
        return Reply(title=t("approval.done_asked", lang, approval=code, who=requester.ref() if requester else "—"),
                     language=lang)
    if decision.verdict == Verdict.REJECT:
        _tell_requester(ctx, approval, deal, "approval.tell_rejected", reason=decision.note)
        return Reply(title=t("approval.done_rejected", lang, approval=code, reason=decision.note), language=lang)
    if approval.state == State.APPROVED:
        _tell_requester(ctx, approval, deal, "approval.tell_approved")
        return Reply(title=t("approval.done_approved", lang, approval=code, what=what(approval, lang),
                             deal=deal.code), language=lang)
    requester = ctx.uow.members.get(approval.requester_id)
    next_words = who_words(approval.waiting_for(), requester.language or ctx.team.language if requester else lang)
    _tell_requester(ctx, approval, deal, "approval.tell_step", step=str(decision.step + 1), next=next_words)
    _send_cards(ctx, approval, deal, _team_of(ctx, deal))
    return Reply(title=t("approval.done_step", lang, approval=code, step=decision.step + 1,
                         who=who_words(approval.waiting_for(), lang)), language=lang)


# -- approvals ---------------------------------------------------------------------------------------

def list_approvals(cmd: c.ListApprovals, ctx: Context) -> Reply:
    lang = ctx.lang
    team_id = None if permissions.is_admin(ctx.actor) else ctx.actor.team_id
    pending: Sequence[Approval] = ctx.uow.approvals.pending(team_id)
    if team_id is not None:  # someone named by handle in another team's policy
        pending = [*pending, *(a for a in ctx.uow.approvals.pending() if a.team_id != team_id
                               and any(w.startswith("@") for w in a.waiting_for()))]
    waiting = [a for a in pending if a.id is not None
               and _can_decide(ctx, a)]
    reply = Reply(title=t("approvals.title", lang), language=lang)
    reply.lines.append(t("approvals.waiting", lang))
    if not waiting:
        reply.lines.append(t("approvals.none_waiting", lang))
    for approval in waiting[:LISTED]:
        reply.lines.append(_line(ctx, approval))
        reply.buttons += step_buttons(approval, lang)[:1] if len(reply.buttons) < 6 else []
    mine = list(ctx.uow.approvals.asked_by(ctx.actor.saved_id, LISTED))
    reply.lines.append(t("approvals.mine", lang))
    if not mine:
        reply.lines.append(t("approvals.none_mine", lang))
    reply.lines += [_line(ctx, approval) for approval in mine]
    return reply


def _can_decide(ctx: Context, approval: Approval) -> bool:
    return can_decide(approval, ctx.uow.approvals.decisions(approval.saved_id), ctx.actor)


def _line(ctx: Context, approval: Approval) -> str:
    deal = ctx.uow.deals.get(approval.deal_id)
    code = deal.code if deal else f"D-{approval.deal_id}"
    if approval.is_pending:
        return t("approvals.line_step", ctx.lang, approval=approval.code, deal=code, what=what(approval, ctx.lang),
                 step=approval.step + 1, steps=len(approval.steps), who=who_words(approval.waiting_for(), ctx.lang))
    return t("approvals.line", ctx.lang, approval=approval.code, deal=code, what=what(approval, ctx.lang),
             state=state_word(approval, ctx.lang))
