"""Approvals (issue 20) on the fakes: the policy, the state machine (with a hypothesis property:
no sequence of clicks, repeats or stale clicks approves what the policy does not allow), the verbs
end to end through Dealbot.handle in both languages, the cards and the requester's notices in
the outbox, the gate on stage changes, the reminders dropped once a step is decided."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.approvals.machine import Approval, Decision, Refusal, State, Verdict, decide, gate
from core.approvals.policy import DEFAULT_POLICY, Policy, PolicyError, Rule, may_decide, policy_of
from core.domain.model import Deal, Identity, Member, Role, Team
from core.domain.pipeline import DEFAULT_PIPELINE
from core.language import commands as c
from core.language.errors import ParseError
from core.language.parser import ParseContext
from core.language.verbs import parse
from core.reminders.rules import obsolete_reason
from tests.fakes import ChatHarness, FakeUnitOfWork, FixedClock

NOW = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Shanghai
CTX = ParseContext(NOW, "Asia/Shanghai", DEFAULT_PIPELINE, "CNY")


# -- reading the verbs --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "command"), [
    ('approve D-12 discount:15% "big order"', c.RequestApproval(12, "discount", Decimal(15), "big order")),
    ("approve D-12 discount:12.5", c.RequestApproval(12, "discount", Decimal("12.5"), "")),
    ("申请审批 D-12 折扣:15% 大单", c.RequestApproval(12, "discount", Decimal(15), "大单")),
    ("申请审批 D-12 折扣:8折", c.RequestApproval(12, "discount", Decimal(20), "")),
    ("approve D-3 amount the customer insists", c.RequestApproval(3, "amount", None, "the customer insists")),
    ("申请审批 D-3 金额", c.RequestApproval(3, "amount", None, "")),
    ("approve A-3", c.DecideApproval(3, "approve")),
    ("approve A-3 step:2", c.DecideApproval(3, "approve", "", 2)),
    ("批准 A-3 步骤:1", c.DecideApproval(3, "approve", "", 1)),
    ("reject A-3 step:1 margin too thin", c.DecideApproval(3, "reject", "margin too thin", 1)),
    ("驳回 A-3 利润太低", c.DecideApproval(3, "reject", "利润太低", None)),
    ("ask A-3 what do they commit to?", c.DecideApproval(3, "ask", "what do they commit to?", None)),
    ("提问 A-3 步骤:1", c.DecideApproval(3, "ask", "", 1)),
    ("approvals", c.ListApprovals()),
    ("审批", c.ListApprovals()),
])
def test_reading(text, command):
    assert parse(text, CTX) == command


@pytest.mark.parametrize(("text", "key"), [
    ("approve", "err.missing_arg"),
    ("approve D-12", "err.missing_arg"),
    ("approve D-12 discount:150%", "err.bad_discount"),
    ("approve D-12 discount:0", "err.bad_discount"),
    ("approve D-12 discount:lots", "err.bad_discount"),
    ("approve Acme", "err.bad_approval_subject"),
    ("reject D-12 no", "err.bad_approval_ref"),
    ("approve A-3 step:0", "err.count_range"),
    ("approvals mine", "err.extra_args"),
])
def test_bad_words(text, key):
    with pytest.raises(ParseError) as err:
        parse(text, CTX)
    assert err.value.key == key


# -- the policy ---------------------------------------------------------------------------------------

def test_default_policy_needs_a_manager_over_10_and_an_admin_too_over_25():
    assert DEFAULT_POLICY.steps_for("discount", Decimal(10)) == ()
    assert DEFAULT_POLICY.steps_for("discount", Decimal("10.5")) == (("manager",),)
    assert DEFAULT_POLICY.steps_for("discount", Decimal(30)) == (("manager",), ("admin",))
    assert DEFAULT_POLICY.steps_for("amount", Decimal(10**9)) == ()


def test_rules_read_from_the_file_form():
    policy = Policy.from_list([
        {"when": "amount", "over": "500000", "approvers": ["manager", "@Wang"], "mode": "any",
         "stages": ["quote", "won"]},
        {"when": "discount", "over": 20, "approvers": ["manager", "admin"]},
    ], DEFAULT_PIPELINE.keys)
    assert policy.steps_for("amount", Decimal(600000)) == (("manager", "@Wang"),)
    assert policy.steps_for("discount", Decimal(21)) == (("manager",), ("admin",))
    assert [r.kind for r in policy.gating("quote")] == ["amount"]
    assert Policy.from_list(policy.to_list()) == policy


@pytest.mark.parametrize(("rules", "says"), [
    ({"when": "price"}, "when"), ({"when": "discount", "over": "x", "approvers": ["manager"]}, "over"),
    ({"when": "discount", "over": 120, "approvers": ["manager"]}, "under 100"),
    ({"when": "discount", "over": 10, "approvers": []}, "approvers"),
    ({"when": "discount", "over": 10, "approvers": ["boss man"]}, "approver"),
    ({"when": "discount", "over": 10, "approvers": ["manager"], "mode": "all"}, "mode"),
    ({"when": "amount", "over": 10, "approvers": ["manager"], "stages": ["moon"]}, "moon"),
    ({"when": "amount", "over": 10, "approvers": ["manager"], "colour": 1}, "colour"),
])
def test_bad_rules_say_why(rules, says):
    with pytest.raises(PolicyError, match=says):
        Policy.from_list([rules], DEFAULT_PIPELINE.keys)


def test_a_stored_policy_that_cannot_be_read_is_the_default():
    assert policy_of(None) == DEFAULT_POLICY
    assert policy_of({"approvals": [{"when": "nonsense"}]}) == DEFAULT_POLICY
    assert policy_of({"approvals": []}) == Policy(())


# -- the state machine: who may decide, and the property ----------------------------------------------

TEAM = 1
PEOPLE = [
    Member("req", TEAM, Role.REP, id=1),  # the requester
    Member("rep", TEAM, Role.REP, id=2),
    Member("mgr", TEAM, Role.MANAGER, id=3),
    Member("mgr2", TEAM, Role.MANAGER, id=4),
    Member("other_mgr", 2, Role.MANAGER, id=5),
    Member("admin", 2, Role.ADMIN, id=6),
    Member("admin2", TEAM, Role.ADMIN, id=7),
    Member("wang", 2, Role.REP, id=8),  # named by handle
    Member("gone", TEAM, Role.MANAGER, id=9, removed_at=NOW),
]
STEPS = st.lists(st.lists(st.sampled_from(["manager", "admin", "@wang", "@mgr"]), min_size=1, max_size=2,
                          unique=True), min_size=1, max_size=3)
CLICK = st.tuples(st.sampled_from(range(len(PEOPLE))), st.sampled_from(list(Verdict)),
                  st.sampled_from(["", "because"]), st.one_of(st.none(), st.integers(0, 3)))


def _approval(steps, requester=PEOPLE[0]):
    return Approval(deal_id=1, team_id=TEAM, requester_id=requester.id, kind="discount", value=Decimal(30),
                    currency="", reason="", steps=steps, created_at=NOW, id=1)


@settings(max_examples=300, deadline=None)
@given(steps=STEPS, clicks=st.lists(CLICK, max_size=14), requester=st.sampled_from(range(len(PEOPLE))))
def test_no_sequence_of_clicks_approves_what_the_policy_does_not_allow(steps, clicks, requester):
    approval = _approval(steps, PEOPLE[requester])
    decisions: list[Decision] = []
    for who, verdict, note, step in clicks:
        member = PEOPLE[who]
        before = copy.deepcopy(approval)
        try:
            decisions.append(decide(approval, decisions, member, verdict, note, NOW, step))
        except Refusal:
            assert vars(approval) == vars(before)  # a refused click changes nothing
            continue
        made = decisions[-1]
        assert member.id != approval.requester_id  # never one's own request
        assert member.is_active
        assert any(may_decide(w, member, TEAM) for w in approval.steps[made.step])  # a rep of no step: never
        assert step is None or step == made.step  # a stale card's button: never
        assert before.state == State.PENDING  # nothing decides a closed approval
        if verdict != Verdict.APPROVE:
            assert made.note  # a reason to reject, a question to ask
    approvals = [d for d in decisions if d.verdict == Verdict.APPROVE]
    if approval.state == State.APPROVED:
        # one approval per step, in order, each by someone that step names, nobody twice
        assert [d.step for d in approvals] == list(range(len(steps)))
        assert len({d.member_id for d in approvals}) == len(steps)
        for d in approvals:
            member = next(m for m in PEOPLE if m.id == d.member_id)
            assert any(may_decide(w, member, TEAM) for w in steps[d.step])
            assert member.id != approval.requester_id
    else:
        assert len(approvals) == approval.step < len(steps) or approval.state == State.REJECTED


def test_a_rep_cannot_decide_a_manager_step_nor_anyone_their_own():
    approval = _approval([["manager"]])
    for member, key in ((PEOPLE[1], "approval.not_yours"), (PEOPLE[4], "approval.not_yours"),
                        (PEOPLE[8], "approval.not_yours")):
        with pytest.raises(Refusal) as err:
            decide(approval, [], member, Verdict.APPROVE, "", NOW)
        assert err.value.key == key
    own = _approval([["manager"]], requester=PEOPLE[2])
    with pytest.raises(Refusal) as err:
        decide(own, [], PEOPLE[2], Verdict.APPROVE, "", NOW)
    assert err.value.key == "approval.own"


def test_two_steps_need_two_people_and_a_rejection_a_reason():
    approval = _approval([["manager"], ["admin"]])
    first = decide(approval, [], PEOPLE[6], Verdict.APPROVE, "", NOW)  # an admin may decide a manager step
    with pytest.raises(Refusal) as err:
        decide(approval, [first], PEOPLE[6], Verdict.APPROVE, "", NOW)
    assert err.value.key == "approval.twice"
    with pytest.raises(Refusal) as err:
        decide(approval, [first], PEOPLE[5], Verdict.REJECT, "  ", NOW)
    assert err.value.key == "approval.reason_needed"
    with pytest.raises(Refusal) as err:
        decide(approval, [first], PEOPLE[5], Verdict.APPROVE, "", NOW, step=0)  # the first card, clicked late
    assert err.value.key == "approval.stale"
    decide(approval, [first], PEOPLE[5], Verdict.APPROVE, "", NOW, step=1)
    assert approval.state == State.APPROVED and approval.decided_at == NOW
    with pytest.raises(Refusal) as err:
        decide(approval, [first], PEOPLE[3], Verdict.REJECT, "late", NOW)
    assert err.value.key == "approval.closed"


def test_the_gate():
    policy = Policy((Rule("amount", Decimal(100000), ("manager",), stages=("quote", "won")),
                     Rule("discount", Decimal(10), ("manager",), stages=("won",))))
    assert gate(policy, "demo", Decimal(500000), []) is None  # not a gated stage
    assert gate(policy, "quote", Decimal(50000), []) is None  # under the amount
    needed = gate(policy, "quote", Decimal(500000), [])
    assert needed is not None and needed.approval is None and needed.over == Decimal(100000)
    pending = _approval([["manager"]])
    pending.kind, pending.value = "amount", Decimal(500000)
    assert gate(policy, "quote", Decimal(500000), [pending]).approval is pending
    pending.state = State.APPROVED
    assert gate(policy, "quote", Decimal(500000), [pending]) is None
    assert gate(policy, "quote", Decimal(600000), [pending]).over == Decimal(100000)  # the amount grew
    discount = _approval([["manager"]])
    discount.id, discount.state = 2, State.REJECTED
    assert gate(policy, "won", Decimal(500000), [pending, discount]).approval is discount
    assert gate(policy, "quote", Decimal(500000), [pending, discount]) is None


# -- end to end on the fakes --------------------------------------------------------------------------

SH = "Asia/Shanghai"


@pytest.fixture
def chat():
    return _world()


def _world(settings: dict | None = None) -> ChatHarness:
    uow = FakeUnitOfWork()
    uow.teams.add(Team("sales", timezone=SH, id=1))
    uow.teams.add(Team("east", timezone=SH, id=2))
    for member_id, (handle, role, team) in enumerate((("ann", Role.REP, 1), ("bo", Role.REP, 1),
                                                      ("max", Role.MANAGER, 1), ("erin", Role.REP, 2),
                                                      ("boss", Role.ADMIN, 1), ("eve", Role.MANAGER, 2),
                                                      ("zhang", Role.MANAGER, 1)), start=1):
        uow.members.add(Member(handle, team, role, id=member_id, language="zh" if handle == "zhang" else None))
        uow.members.add_identity(Identity("console", handle, member_id))
        uow.members.add_identity(Identity("telegram", str(1000 + member_id), member_id))
    uow.customers.add(__import__("core.domain.model", fromlist=["Customer"]).Customer("Acme", 1, id=1))
    uow.deals.add(Deal("Acme", 1, 1, 1, "demo", NOW, NOW, id=1, amount=Decimal(800000)))
    if settings is not None:
        uow.teams.get(1).settings = settings
    uow.commit()
    return ChatHarness(uow=uow, clock=FixedClock(NOW), admins=())


def _outbox(chat, since=0):
    return [(row.chat_id, row.reply.title, [b.command for b in row.reply.buttons], row.not_before)
            for row in chat.uow.outbox.all()[since:]]


def test_a_discount_asked_decided_in_two_steps_and_told_at_each(chat):
    asked = chat.say("ann", 'approve D-1 discount:30% "a three-year deal"')
    assert not asked.is_error, asked.text()
    assert asked.title == "A-1: a discount of 30% on D-1 asked for approval."
    assert asked.lines[0] == "Step 1 of 2: waiting for a manager."
    sent = _outbox(chat)
    now_cards = {chat_id: (title, buttons) for chat_id, title, buttons, at in sent if at == NOW}
    # max and zhang (sales managers) and boss (an admin may decide a manager step); not ann, not eve (east)
    assert set(now_cards) == {"1003", "1005", "1007"}
    assert now_cards["1003"] == ("Approval A-1 · D-1 Acme: a discount of 30%",
                                 ["approve A-1 step:1", "reject A-1 step:1", "ask A-1 step:1"])
    assert now_cards["1007"][1] == ["批准 A-1 步骤:1", "驳回 A-1 步骤:1", "提问 A-1 步骤:1"]  # zhang reads Chinese
    later = [at for _, _, _, at in sent if at > NOW]
    assert later and all(at > NOW + timedelta(hours=12) for at in later)  # reminders, escalation

    assert chat.say("bo", "approve A-1").title == "A-1 is not waiting for your decision."
    assert chat.say("ann", "approve A-1").title == "A-1 is your own request; someone else must decide it."
    assert chat.say("eve", "approve A-1").title == "A-1 is not waiting for your decision."
    no_reason = chat.say("max", "reject A-1 step:1")  # the card's [Reject]: an error, with the usage
    assert no_reason.is_error and no_reason.title == "A reason is required to reject A-1; nothing changed."
    assert no_reason.lines == ["Usage: reject A-3 <reason>"]
    assert chat.uow.approvals.get(1).is_pending and not chat.uow.approvals.decisions(1)

    before = len(chat.uow.outbox.all())
    step = chat.say("max", "approve A-1 step:1")
    assert step.title == "A-1: you approved step 1; it now waits for an admin."
    told = _outbox(chat, before)
    assert ("1001", "A-1 (D-1): @max approved step 1; next: an admin.") in [(i, t) for i, t, _, _ in told]
    assert {i for i, _, b, at in told if "approve A-1 step:2" in b and at == NOW} == {"1005"}  # step 2: the admin
    # the first step's cards and reminders are obsolete now; the second's are not
    with chat.uow as uow:
        guards = {row.dedupe_key: obsolete_reason(uow, row.guard, NOW) for row in uow.outbox.all() if row.guard}
    assert all(reason == "already decided" for key, reason in guards.items() if "step1" in key)
    assert all(reason is None for key, reason in guards.items() if "step2" in key)

    assert chat.say("max", "approve A-1 step:1").title == "That step of A-1 is already decided; see approvals."
    assert chat.say("zhang", "批准 A-1 步骤:2").title == "A-1 不在等待您的审批。"
    done = chat.say("boss", "approve A-1 step:2")
    assert done.title == "A-1 is approved: a discount of 30% on D-1."
    assert _outbox(chat)[-1][:2] == ("1001", "A-1 (D-1) is approved by @boss: a discount of 30%.")
    assert chat.say("boss", "reject A-1 too late").title == "A-1 is already approved; nothing changed."

    history = chat.say("boss", "history D-1")
    text = history.text()
    for said in ("@ann asked for approval A-1: a discount of 30%", "@max approved step 1 of A-1",
                 "@boss approved A-1; it is approved"):
        assert said in text
    actions = [e.action for e in chat.uow.audit.all()]
    assert actions.count("approval.request") == 1 and actions.count("approval.approve") == 2


def test_rejecting_and_asking_in_chinese(chat):
    chat.say("ann", "申请审批 D-1 折扣:15% 客户要求")
    question = chat.say("zhang", "提问 A-1 客户承诺了什么？")
    assert question.title == "您对 A-1 的提问已发给 @ann。"
    assert _outbox(chat)[-1][:2] == ("1001", "@zhang asks about A-1 (D-1): 客户承诺了什么？")
    no_reason = chat.say("zhang", "驳回 A-1")
    assert no_reason.is_error and no_reason.title == "驳回 A-1 须写明原因，未做更改。"
    assert no_reason.lines == ["用法：驳回 A-3 <原因>"]
    no_question = chat.say("zhang", "提问 A-1")
    assert no_question.is_error and no_question.lines == ["用法：提问 A-3 <问题>"]
    rejected = chat.say("zhang", "驳回 A-1 利润太低")
    assert rejected.title == "A-1 已驳回：利润太低"
    assert chat.uow.approvals.get(1).state == State.REJECTED
    listed = chat.say("ann", "审批")
    assert "A-1 · D-1 · 折扣 15% · 状态：已驳回" in listed.lines
    assert chat.say("zhang", "驳回 A-1 太贵").title == "A-1 已驳回，未做更改。"  # one 已, not 已已


def test_what_needs_no_approval_and_what_is_already_asked(chat):
    assert chat.say("ann", "approve D-1 discount:5%").title == \
        "D-1: a discount of 5% needs no approval under your team's policy."
    assert chat.say("bo", "approve D-1 discount:15%").title.startswith("No permission")  # not bo's deal
    assert chat.say("ann", "approve D-9 discount:15%").title == "There is no deal D-9."
    chat.say("ann", "approve D-1 discount:15%")
    assert chat.say("ann", "approve D-1 discount:20%").title == \
        "A-1 already asks for this on D-1; it waits for a manager."
    assert chat.say("max", "approve A-7").title == "There is no approval A-7."
    assert chat.say("ann", "approve D-1 amount").title == \
        "D-1: the amount ¥800,000 needs no approval under your team's policy."


def test_approvals_lists_what_waits_for_me_and_what_i_asked(chat):
    chat.say("ann", "approve D-1 discount:15% please")
    mine = chat.say("ann", "approvals")
    assert mine.lines == ["Waiting for you:", "Nothing waits for your decision.", "You asked:",
                          "A-1 · D-1 · a discount of 15% · step 1/1: a manager"]
    theirs = chat.say("max", "approvals")
    assert theirs.lines[:2] == ["Waiting for you:", "A-1 · D-1 · a discount of 15% · step 1/1: a manager"]
    assert [b.command for b in theirs.buttons] == ["approve A-1 step:1"]
    assert chat.say("eve", "approvals").lines[1] == "Nothing waits for your decision."


def test_a_gated_stage_is_refused_while_pending_or_rejected(chat):
    with chat.uow as uow:
        team = uow.teams.get(1)
        team.settings = {"approvals": [{"when": "amount", "over": "500000", "approvers": ["manager"],
                                        "stages": ["quote", "won"]}]}
        uow.commit()
    refused = chat.say("ann", "move D-1 quote")
    assert refused.title == ("D-1 cannot enter Quote without approval: its amount is over ¥500,000. "
                             "Ask: approve D-1 amount")
    chat.say("ann", "approve D-1 amount big one")
    assert chat.say("ann", "move D-1 quote").title == \
        "D-1 cannot enter Quote while A-1 (the amount ¥800,000) is pending."
    assert chat.say("ann", "won D-1").title == "D-1 cannot enter Signed while A-1 (the amount ¥800,000) is pending."
    assert chat.say("ann", "move D-1 negotiation").title == \
        "D-1 cannot enter Negotiation while A-1 (the amount ¥800,000) is pending."  # skipping Quote: gated too
    assert chat.say("ann", "move D-1 contact").is_error is False  # back: not gated
    chat.say("ann", "move D-1 demo")
    chat.say("max", "reject A-1 too big for this quarter")
    assert chat.say("ann", "推进 D-1 报价").title == "D-1 不能进入报价：A-1（金额 ¥80万）已被驳回。"
    chat.say("ann", "approve D-1 amount second try")
    chat.say("max", "approve A-2")
    assert not chat.say("ann", "move D-1 quote").is_error
    assert chat.uow.deals.get(1).stage == "quote"


def test_reopening_into_a_gated_stage_waits_too(chat):
    with chat.uow as uow:
        uow.teams.get(1).settings = {"approvals": [{"when": "amount", "over": "100k", "approvers": ["manager"],
                                                    "stages": ["quote"]}]}
        uow.commit()
    assert not chat.say("ann", "lost D-1 price").is_error
    assert chat.say("ann", "reopen D-1 quote").title.startswith("D-1 cannot enter Quote without approval")
    assert chat.uow.deals.get(1).stage == "lost"
    assert not chat.say("ann", "reopen D-1 demo").is_error


def test_reminders_and_escalation_wait_in_the_outbox_until_their_working_day(chat):
    chat.say("ann", "approve D-1 discount:15% please")  # Wednesday 10:00 in Shanghai
    rows = {row.dedupe_key: row for row in chat.uow.outbox.all()}
    thursday, friday = NOW + timedelta(days=1), NOW + timedelta(days=2)  # a working day; the team's 2 days
    assert {k: (r.chat_id, r.not_before) for k, r in rows.items() if ":remind:" in k} == {
        "approval:A-1:step1:remind:m3": ("1003", thursday), "approval:A-1:step1:remind:m5": ("1005", thursday),
        "approval:A-1:step1:remind:m7": ("1007", thursday)}
    escalation = rows["approval:A-1:step1:esc:m5"]  # to the admin, who may decide a manager's step
    assert (escalation.chat_id, escalation.not_before) == ("1005", friday)
    assert escalation.reply.lines[0].startswith("Escalated: A-1 has waited since")
    assert [b.command for b in escalation.reply.buttons][0] == "approve A-1 step:1"
    assert rows["approval:A-1:step1:remind:m3"].reply.lines[0] == "Reminder: A-1 still waits for your decision."
    with chat.uow as uow:
        assert all(obsolete_reason(uow, r.guard, friday) is None for r in rows.values())
    chat.say("max", "approve A-1")
    with chat.uow as uow:  # decided: the dispatcher skips every reminder and the escalation
        assert {obsolete_reason(uow, r.guard, friday) for r in rows.values()} == {"already decided"}


# -- an amount raised in or past a gated stage (the trial: edit down, move in, edit up) ----------------

GATED = {"approvals": [{"when": "amount", "over": "200k", "approvers": ["manager"],
                        "stages": ["negotiation", "won"]}]}


def _said(chat, who, text):
    """The reply, and whether the deal and the audit trail stayed as they were."""
    def state(uow):  # the deal's fields (not SQLAlchemy's state, there once storage's mapping is loaded)
        fields = {k: v for k, v in vars(copy.copy(uow.deals.get(1))).items() if not k.startswith("_sa_")}
        return fields, len(uow.audit.all())

    with chat.uow as uow:
        before = state(uow)
    reply = chat.say(who, text)
    with chat.uow as uow:
        after = state(uow)
    return reply, before == after


def test_an_amount_cannot_be_raised_past_the_gate_without_its_approval():
    chat = _world(GATED)
    assert not chat.say("ann", "edit D-1 amount:150k").is_error
    assert not chat.say("ann", "move D-1 negotiation").is_error  # under the rule's amount: no approval
    refused, unchanged = _said(chat, "ann", "edit D-1 amount:2m")
    assert refused.is_error and unchanged
    assert refused.title == ("D-1 is in or past Negotiation, where an amount over ¥200,000 needs approval; "
                             "¥2,000,000 has none. Ask first: approve D-1 amount:2000000")
    asked = chat.say("ann", "approve D-1 amount:500k the first phase")  # an amount the deal is to have
    assert asked.title == "A-1: the amount ¥500,000 on D-1 asked for approval."
    pending, unchanged = _said(chat, "ann", "edit D-1 amount:400k")
    assert unchanged and pending.title == ("D-1 is in or past Negotiation: ¥400,000 needs an approval, and A-1 "
                                           "(the amount ¥500,000) is still pending. Wait for it, then edit.")
    chat.say("max", "approve A-1")
    lower, unchanged = _said(chat, "ann", "edit D-1 amount:900k")
    assert unchanged and lower.title == ("D-1 is in or past Negotiation: A-1 approved ¥500,000, and ¥900,000 is "
                                         "more. Ask first: approve D-1 amount:900000")
    zh, unchanged = _said(chat, "ann", "修改 D-1 金额:300万")
    assert unchanged and zh.title == ("D-1 已到谈判或之后：A-1 批准的是 ¥50万，¥300万 超出了。"
                                      "请先申请：申请审批 D-1 金额:3000000")
    assert chat.say("ann", "edit D-1 amount:500k").lines[0] == "Amount: ¥150,000 → ¥500,000"  # approved
    assert not chat.say("ann", "edit D-1 amount:100k").is_error  # lowering never needs one
    assert not chat.say("ann", "undo").is_error  # back to ¥500,000: approved
    won, unchanged = _said(chat, "ann", "won D-1 900k")  # the win's amount is gated as well
    assert unchanged and won.title == ("D-1 cannot enter Signed: A-1 approved ¥500,000, not ¥900,000. "
                                       "Ask again: approve D-1 amount:900000")
    chat.say("ann", "approve D-1 amount:900000")
    chat.say("max", "reject A-2 not this quarter")
    rejected, unchanged = _said(chat, "ann", "edit D-1 amount:900k")
    assert unchanged and rejected.title.endswith("A-2 (the amount ¥900,000) was rejected. "
                                                 "Ask again: approve D-1 amount:900000")
    chat.say("ann", "approve D-1 amount:900000 second try")
    chat.say("max", "approve A-3")
    assert not chat.say("ann", "won D-1 900k").is_error
    assert chat.uow.deals.get(1).amount == Decimal(900000)


def test_a_move_says_what_was_approved_when_the_amount_is_more():
    chat = _world(GATED)  # D-1: ¥800,000 in Demo
    chat.say("ann", "approve D-1 amount:500k")
    chat.say("max", "approve A-1")
    refused, unchanged = _said(chat, "ann", "move D-1 negotiation")
    assert unchanged and refused.title == ("D-1 cannot enter Negotiation: A-1 approved ¥500,000, not ¥800,000. "
                                           "Ask again: approve D-1 amount")
    skipped, unchanged = _said(chat, "ann", "won D-1")  # skipping Negotiation is no way round
    assert unchanged and skipped.title.startswith("D-1 cannot enter Signed: A-1 approved ¥500,000")


def test_past_a_gated_stage_counts_and_a_lost_deal_is_free():
    chat = _world({"approvals": [{"when": "amount", "over": "1m", "approvers": ["manager"], "stages": ["quote"]}]})
    assert not chat.say("ann", "move D-1 negotiation").is_error  # ¥800,000, past Quote
    refused, unchanged = _said(chat, "ann", "edit D-1 amount:2m")
    assert unchanged and refused.title.startswith("D-1 is in or past Quote, where an amount over ¥1,000,000")
    assert not chat.say("ann", "move D-1 demo").is_error
    assert not chat.say("ann", "edit D-1 amount:2m").is_error  # before Quote: the move will ask
    assert not chat.say("ann", "lost D-1 budget").is_error
    assert not chat.say("ann", "edit D-1 amount:3m").is_error
    assert chat.say("ann", "reopen D-1 negotiation").title.startswith("D-1 cannot enter Negotiation without")


# the property: no sequence of edits, moves, wins, losses, reopenings, undos, requests and decisions
# leaves the deal in or past a gated stage over the rule's amount without an approval of at least it
AMOUNTS = ["50k", "150k", "300k", "900k", "2m"]
ACTION = st.one_of(
    st.tuples(st.just("ann"), st.sampled_from(AMOUNTS).map(lambda a: f"edit D-1 amount:{a}")),
    st.tuples(st.just("ann"), st.sampled_from(["lead", "contact", "demo", "quote", "negotiation", "next"])
              .map(lambda s: f"move D-1 {s}")),
    st.tuples(st.just("ann"), st.sampled_from(["", *AMOUNTS]).map(lambda a: f"won D-1 {a}".strip())),
    st.tuples(st.just("ann"), st.just("lost D-1 price")),
    st.tuples(st.just("max"), st.sampled_from(["demo", "negotiation"]).map(lambda s: f"reopen D-1 {s}")),
    st.tuples(st.just("ann"), st.just("undo")),
    st.tuples(st.just("ann"), st.sampled_from(["", *AMOUNTS]).map(lambda a: f"approve D-1 amount{':' if a else ''}{a}")),
    st.tuples(st.just("max"), st.sampled_from(["approve", "reject"]).map(lambda v: f"{v} A-LATEST no")),
)


@settings(max_examples=200, deadline=None)
@given(actions=st.lists(ACTION, max_size=10))
def test_no_sequence_of_edits_and_moves_dodges_the_amount_gate(actions):
    chat = _world({"approvals": [
        {"when": "amount", "over": "200k", "approvers": ["manager"], "stages": ["quote"]},
        {"when": "amount", "over": "1m", "approvers": ["manager"], "stages": ["won"]}]})
    funnel = DEFAULT_PIPELINE.funnel
    for who, text in [("ann", "edit D-1 amount:150k"), *actions]:  # under both rules' amounts to start
        approvals = chat.uow.approvals.of_deal(1)
        text = text.replace("A-LATEST", f"A-{max((a.id for a in approvals), default=1)}")
        if text.startswith("approve A-"):
            text = text.removesuffix(" no")
        reply = chat.say(who, text)
        assert "Traceback" not in reply.text()
        deal = chat.uow.deals.get(1)
        if deal.status == "lost" or deal.amount is None:
            continue
        reached = funnel[: funnel.index(deal.stage) + 1]
        over = [rule for rule in policy_of(chat.uow.teams.get(1).settings).rules
                if deal.amount > rule.over and any(stage in rule.stages for stage in reached)]
        approved = [a.value for a in chat.uow.approvals.of_deal(1) if a.state == State.APPROVED]
        assert not over or any(value >= deal.amount for value in approved), (text, deal.stage, deal.amount, approved)
