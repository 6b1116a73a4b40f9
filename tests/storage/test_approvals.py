"""Approvals on the test database (SQLite, or PostgreSQL in that run): the repository, concurrent
clicks on one step (exactly one decides it), a gated stage, the trail in the CSV export, and the
pipeline file's [[approvals]] taken by the team."""

from __future__ import annotations

import csv
import io
import threading
from datetime import UTC, datetime
from decimal import Decimal

from core.approvals.machine import Approval, Decision, State, Verdict
from core.chat.messages import Incoming
from tests.access import let_in

_IDS = iter(range(1, 10**6))


def say(wired, user: str, text: str, platform: str = "telegram"):
    return wired.bot.handle(Incoming(platform=platform, user_id=user, user_name=user, text=text,
                                     message_id=f"m{next(_IDS)}"))


def team_of_four(wired):
    """alice (rep, 11), mia and max (managers, 13 and 17) of sales; boss is the admin (telegram 1000)."""
    let_in(wired, "telegram", "11", "alice")
    let_in(wired, "telegram", "13", "mia", role="manager")
    let_in(wired, "telegram", "17", "max", role="manager")
    assert not say(wired, "1000", "me").is_error
    assert not say(wired, "11", "new Acme 800k").is_error  # D-1


def test_the_repository_round_trip(wired):
    team_of_four(wired)
    now = datetime(2026, 3, 4, 2, tzinfo=UTC)
    with wired.uow() as uow:
        alice = uow.members.by_handle("alice")
        approval = Approval(deal_id=1, team_id=alice.team_id, requester_id=alice.id, kind="discount",
                            value=Decimal("12.5"), currency="", reason="三年合同", steps=[["manager"], ["@max"]],
                            created_at=now)
        uow.approvals.add(approval)
        uow.commit()
    with wired.uow() as uow:
        stored = uow.approvals.get(approval.id)
        assert (stored.value, stored.reason, stored.steps, stored.state, stored.step, stored.created_at) == \
            (Decimal("12.5"), "三年合同", [["manager"], ["@max"]], State.PENDING, 0, now)
        assert [a.id for a in uow.approvals.of_deal(1)] == [approval.id]
        assert [a.id for a in uow.approvals.pending(alice.team_id)] == [approval.id]
        assert uow.approvals.pending(alice.team_id + 99) == []
        assert [a.id for a in uow.approvals.asked_by(alice.id)] == [approval.id]
        mia = uow.members.by_handle("mia")
        stored.step = 1
        assert uow.approvals.decide(stored, Decision(approval.id, 0, mia.id, Verdict.APPROVE, "", now), 0)
        again = uow.approvals.get(approval.id)
        again.step = 2
        assert not uow.approvals.decide(again, Decision(approval.id, 0, mia.id, Verdict.APPROVE, "", now), 0)
        uow.commit()
    with wired.uow() as uow:
        assert uow.approvals.get(approval.id).step == 1
        assert [(d.step, d.verdict) for d in uow.approvals.decisions(approval.id)] == [(0, Verdict.APPROVE)]


def test_two_managers_clicking_one_step_at_once_decide_it_once(wired):
    team_of_four(wired)
    assert not say(wired, "11", "approve D-1 discount:30% three years").is_error  # manager, then admin
    barrier = threading.Barrier(2)
    replies = {}

    def click(user):
        barrier.wait()
        replies[user] = say(wired, user, "approve A-1 step:1")

    threads = [threading.Thread(target=click, args=(user,)) for user in ("13", "17")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    won = [user for user, reply in replies.items() if not reply.is_error]
    assert len(won) == 1, {u: r.title for u, r in replies.items()}
    [lost] = [reply for reply in replies.values() if reply.is_error]
    assert lost.title == "That step of A-1 is already decided; see approvals."
    with wired.uow() as uow:
        approval = uow.approvals.get(1)
        assert (approval.state, approval.step) == (State.PENDING, 1)
        assert len(uow.approvals.decisions(1)) == 1
    # the admin decides the last step; the other manager may not (the step is the admin's)
    assert say(wired, "17", "approve A-1").is_error
    assert say(wired, "1000", "approve A-1").title == "A-1 is approved: a discount of 30% on D-1."


def test_a_gated_stage_waits_and_the_trail_is_exported(wired, tmp_path):
    team_of_four(wired)
    with wired.uow() as uow:
        team = uow.teams.by_name("sales")
        team.settings = {**(team.settings or {}), "approvals": [
            {"when": "amount", "over": "500000", "approvers": ["manager"], "stages": ["quote"]},
            {"when": "discount", "over": "10", "approvers": ["manager"]}]}
        uow.commit()
    assert say(wired, "11", "move D-1 quote").title.startswith("D-1 cannot enter Quote without approval")
    say(wired, "11", "approve D-1 amount")
    assert say(wired, "11", "move D-1 quote").title == "D-1 cannot enter Quote while A-1 (the amount ¥800,000) is pending."
    assert say(wired, "13", "approve A-1").title == "A-1 is approved: the amount ¥800,000 on D-1."
    assert not say(wired, "11", "move D-1 quote").is_error
    say(wired, "11", "approve D-1 discount:15% 三年合同")
    say(wired, "17", "reject A-2 too deep")

    from core.services.transfer import export_deals

    with wired.uow() as uow:
        text = export_deals(uow)
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["approvals"] == ("A-1 the amount ¥800,000: approved by @mia; "
                                "A-2 a discount of 15%: rejected by @max (too deep)")
    from core.services.transfer import ImportResult, import_deals

    with wired.uow() as uow:  # the column is written, never read back: the export imports unchanged
        result = import_deals(uow, text, now=datetime(2026, 3, 4, 2, tzinfo=UTC), default_timezone="UTC",
                              default_language="en", update=True)
    assert result == ImportResult(unchanged=1)
    history = say(wired, "1000", "history D-1")
    assert "@max rejected A-2: too deep" in history.text()


def test_the_pipeline_file_gives_the_team_its_policy(wired):
    from core.files.pipeline_toml import adopt_pipeline_teams, read_pipeline_file

    team_of_four(wired)
    text = (
        '[[stages]]\nkey = "lead"\nen = "Lead"\nzh = "线索"\nsla_days = 3\n'
        '[[stages]]\nkey = "quote"\nen = "Quote"\nzh = "报价"\nsla_days = 7\n'
        '[[stages]]\nkey = "won"\nen = "Signed"\nzh = "签约"\n'
        '[[stages]]\nkey = "lost"\nen = "Lost"\nzh = "丢单"\n'
        '[map]\ncontact = "lead"\ndemo = "lead"\nnegotiation = "quote"\n'
        '[[approvals]]\nwhen = "amount"\nover = "100k"\napprovers = ["manager", "admin"]\nmode = "any"\n'
        'stages = ["quote", "won"]\n'
    )
    file = read_pipeline_file(text)
    with wired.uow() as uow:
        adopt_pipeline_teams(uow, file, "sales", datetime(2026, 3, 4, 2, tzinfo=UTC))
        uow.commit()
    with wired.uow() as uow:
        assert uow.teams.by_name("sales").settings["approvals"][0]["stages"] == ["quote", "won"]
    assert "without approval" in say(wired, "11", "move D-1 quote").title
    reply = say(wired, "11", "approve D-1 amount")
    assert reply.lines[0] == "Step 1 of 1: waiting for a manager or an admin."


def test_forgetting_a_person_takes_their_name_out_of_approvals(wired):
    team_of_four(wired)
    let_in(wired, "telegram", "19", "wang")
    assert not say(wired, "11", "approve D-1 discount:15% wang promised the order").is_error
    assert not say(wired, "13", "ask A-1 did wang sign?").is_error
    assert not say(wired, "1000", "forget @wang").is_error
    with wired.uow() as uow:
        approval = uow.approvals.get(1)
        [question] = uow.approvals.decisions(1)
    assert "wang" not in approval.reason.lower() and "wang" not in question.note.lower()
    assert approval.reason.endswith("promised the order") and question.note.startswith("did ")


def test_team_settings_sets_the_policy_and_keeps_it(wired):
    from bot.outbox_cli import team_settings

    team_of_four(wired)
    rules = '[{"when": "amount", "over": "500k", "approvers": ["@mia", "admin"], "stages": ["quote"]}]'
    out, err = io.StringIO(), io.StringIO()
    assert team_settings(wired, "sales", [f"approvals={rules}"], out, err) == 0, err.getvalue()
    assert '  approvals = [{"when": "amount", "over": "500000.00", "approvers": ["@mia", "admin"]' in out.getvalue()
    assert team_settings(wired, "sales", ["quiet_hours=22:00-07:00"], io.StringIO(), io.StringIO()) == 0
    reply = say(wired, "11", "approve D-1 amount")  # the policy survived the other change
    assert reply.lines[0] == "Step 1 of 2: waiting for @mia."
    for bad, says in (("approvals=[{", "approvals: not JSON"), ('approvals=[{"when": "x"}]', "approvals: when"),
                      ('approvals=[{"when": "amount", "over": 1, "approvers": ["manager"], "stages": ["moon"]}]',
                       "approvals: stages: 'moon'")):
        err = io.StringIO()
        assert team_settings(wired, "sales", [bad], io.StringIO(), err) == 2
        assert err.getvalue().startswith(says), err.getvalue()
    assert team_settings(wired, "sales", ["approvals=default"], out, io.StringIO()) == 0
    with wired.uow() as uow:
        assert "approvals" not in uow.teams.by_name("sales").settings


def test_an_amount_raised_past_the_gate_waits_for_its_approval(wired):
    """The trial's dodge on the real database: edit down, move in, edit up is refused and nothing is
    written; an approval of the amount lets the same edit through; undo is gated alike."""
    team_of_four(wired)
    with wired.uow() as uow:
        team = uow.teams.by_name("sales")
        team.settings = {**(team.settings or {}), "approvals": [
            {"when": "amount", "over": "200k", "approvers": ["manager", "@mia"], "mode": "any",
             "stages": ["negotiation", "won"]}]}
        uow.commit()
    assert not say(wired, "11", "edit D-1 amount:150k").is_error
    assert not say(wired, "11", "move D-1 negotiation").is_error
    with wired.uow() as uow:
        audited = len(uow.audit.for_entity("D-1"))
    refused = say(wired, "11", "edit D-1 amount:2m")
    assert refused.is_error and refused.title.startswith("D-1 is in or past Negotiation, where an amount over ¥200,000")
    with wired.uow() as uow:
        assert uow.deals.get(1).amount == Decimal(150000) and len(uow.audit.for_entity("D-1")) == audited
    assert not say(wired, "11", "approve D-1 amount:500k").is_error
    assert not say(wired, "13", "approve A-1").is_error
    lower = say(wired, "11", "修改 D-1 金额:90万")
    assert lower.title == "D-1 已到谈判或之后：A-1 批准的是 ¥50万，¥90万 超出了。请先申请：申请审批 D-1 金额:900000"
    assert not say(wired, "11", "edit D-1 amount:500k").is_error
    assert not say(wired, "11", "edit D-1 amount:100k").is_error
    assert not say(wired, "11", "undo").is_error  # back to the approved ¥500,000
    with wired.uow() as uow:
        assert uow.deals.get(1).amount == Decimal(500000)
