"""The core end to end on fakes: commands change state, replies say so, bad input changes nothing."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.domain.model import DealStatus, Role
from tests.fakes import ChatHarness


@pytest.fixture
def chat():
    return _team(ChatHarness())


@pytest.fixture
def racing_chat():
    """Conflict (below) is what a lost race with another writer raises."""
    return _team(ChatHarness(is_transient=lambda error: isinstance(error, Conflict)))


def _team(h: ChatHarness) -> ChatHarness:
    h.say("boss", "me")  # the admin exists first
    h.say("alice", "me")
    h.say("bob", "me")
    return h


def test_new_deal_is_stored_with_history_and_audit(chat):
    reply = chat.say("alice", "new Acme 50k stage:demo")
    assert reply.title == "Created D-1 for Acme."
    deal = chat.uow.deals.get(1)
    assert (deal.stage, deal.amount, deal.currency) == ("demo", Decimal("50000.00"), "CNY")
    assert [(s.from_stage, s.to_stage) for s in chat.uow.stage_changes.for_deal(1)] == [(None, "demo")]
    assert [e.action for e in chat.uow.audit.for_entity("D-1")] == ["deal.create"]
    assert any(b.command == "move D-1 next" for b in reply.buttons)


def test_chinese_message_gets_chinese_reply(chat):
    reply = chat.say("alice", "新建 华为 5万")
    assert reply.title == "已新建商机 D-1（华为）。"
    assert reply.fields[0].label == "阶段"
    assert reply.fields[1].value == "¥5万"


def test_skipping_stages_is_one_change_and_warns(chat):
    chat.say("alice", "new Acme")
    chat.say("alice", "check D-1 1")
    reply = chat.say("alice", "move D-1 quote")
    assert reply.title == "D-1 moved: Lead → Quote."
    assert "⚠ Left Lead with 1 deliverable(s) unchecked: Decision maker identified." in reply.lines
    assert "Skipped: First contact, Demo." in reply.lines
    changes = chat.uow.stage_changes.for_deal(1)
    assert [(s.from_stage, s.to_stage) for s in changes] == [(None, "lead"), ("lead", "quote")]


def test_card_shows_days_against_sla(chat):
    chat.say("alice", "new Acme stage:quote")
    chat.clock.advance(days=9)
    reply = chat.say("alice", "show D-1")
    assert reply.fields[0].value == "Quote · 9 days, 2 over the 7-day limit"


def test_won_and_lost_close_deals(chat):
    chat.say("alice", "new Acme 10k")
    chat.say("alice", "new Beta 20k")
    chat.say("alice", "won D-1 12k")
    chat.say("alice", "lost D-2 price too high")
    won, lost = chat.uow.deals.get(1), chat.uow.deals.get(2)
    assert (won.status, won.stage, won.amount, won.closed_at) == (DealStatus.WON, "won", Decimal("12000.00"), chat.clock.now())
    assert (lost.status, lost.stage, lost.lost_reason) == (DealStatus.LOST, "lost", "price too high")
    again = chat.say("alice", "won D-1")
    assert again.is_error and again.title == "D-1 is already won."


def test_log_with_dated_next_step_creates_task(chat):
    chat.say("alice", "new Acme")
    reply = chat.say("alice", "跟进 D-1 客户要求下周三前发报价")
    assert reply.lines == ["下一步已生成任务 T-1，截止 3月11日 周三 17:00"]
    task = chat.uow.tasks.get(1)
    assert task.due_at == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    assert len(chat.uow.interactions.rows) == 1


def test_rep_cannot_change_another_reps_deal(chat):
    chat.say("alice", "new Acme")
    before = chat.counts()
    reply = chat.say("bob", "move D-1 demo")
    assert reply.is_error
    assert reply.title.startswith("No permission: D-1 belongs to @alice.")
    assert chat.counts() == before
    assert chat.uow.deals.get(1).stage == "lead"


def test_manager_changes_team_deals_and_reads_history(chat):
    chat.say("alice", "new Acme")
    assert chat.say("bob", "history D-1").is_error
    chat.say("boss", "member @bob role:manager")
    assert chat.uow.members.by_handle("bob").role == Role.MANAGER
    assert not chat.say("bob", "move D-1 demo").is_error
    history = chat.say("bob", "history D-1")
    assert len(history.lines) == 2


def test_only_admins_use_admin_verbs(chat):
    reply = chat.say("alice", "team new East")
    assert reply.is_error and reply.title == "No permission: team new is for admins."
    assert not chat.say("boss", "team new East tz:Asia/Shanghai").is_error


def test_task_done_and_overdue(chat):
    chat.say("alice", "task call Acme tomorrow")
    chat.say("alice", "task send deck in 3 days")
    chat.clock.advance(days=2)
    overdue = chat.say("alice", "tasks overdue")
    assert overdue.title == "Your overdue tasks (1)"
    chat.say("alice", "done T-1")
    assert chat.uow.tasks.get(1).done_at == chat.clock.now()
    assert chat.say("bob", "done T-2").title.startswith("No permission")


@pytest.mark.parametrize(
    "text",
    ["mvoe D-1 demo", "move D-1 qoute", "move D-9 demo", "won D-1 lots", "lost D-9 price",
     "new Neg -5k", "log D-1 " + "y" * 5000, "DROP TABLE deals;", "推进 D-1 报价😀", "done T-99"],
)
def test_bad_input_changes_nothing(chat, text):
    chat.say("alice", "new Acme")
    before = chat.counts()
    reply = chat.say("alice", text)
    assert reply.is_error
    assert chat.counts() == before
    assert "Traceback" not in reply.text()


def test_lost_without_a_reason_offers_reasons_and_changes_nothing(chat):
    chat.say("alice", "new Acme")
    before = chat.counts()
    ask = chat.say("alice", "lost D-1")  # what the reminder's [Mark lost] button sends
    assert not ask.is_error and ask.title.startswith("Why was D-1 lost?")
    assert ask.buttons[0].command == "lost D-1 price too high"
    assert chat.counts() == before and chat.uow.deals.get(1).is_open
    assert chat.say("alice", ask.buttons[1].command).title == "D-1 lost: went with a competitor"
    assert chat.uow.deals.get(1).lost_reason == "went with a competitor"


def test_log_without_text_says_how_and_changes_nothing(chat):
    chat.say("alice", "new Acme")
    before = chat.counts()
    ask = chat.say("alice", "跟进 D-1")  # what the reminder's [Log follow-up] button sends
    assert not ask.is_error and ask.title.startswith("D-1 有什么进展？")
    assert chat.counts() == before
    assert chat.say("bob", "log D-1").title.startswith("No permission")


def test_unknown_verb_suggests_and_shows_nothing_else(chat):
    reply = chat.say("alice", "mvoe D-1 demo")
    assert reply.title == "I don't know the command “mvoe”."
    assert reply.lines == ["Did you mean “move”?"]


def test_misspelt_stage_suggests_in_member_language(chat):
    chat.say("alice", "new Acme")
    reply = chat.say("alice", "推进 D-1 报介")
    assert reply.title == "没有“报介”这个阶段。"
    assert reply.lines[0] == "您是不是想用“报价”？"


def test_unexpected_error_is_an_apology_and_rolls_back(chat, monkeypatch):
    from core.app import dealbot as app
    from core.language.commands import ShowDeal

    def boom(cmd, ctx):
        ctx.uow.deals.get(1)
        raise RuntimeError("database on fire")

    monkeypatch.setitem(app.HANDLERS, ShowDeal, boom)
    before = chat.counts()
    reply = chat.say("alice", "show D-1")
    assert reply.is_error and "something went wrong" in reply.title
    assert chat.counts() == before


class Conflict(Exception):
    """Stands for a storage error core.app.dealbot is told is transient (storage.db.is_transient)."""


def _failing_first(monkeypatch, failures: int, error: Exception) -> list[int]:
    """ShowDeal fails `failures` times with `error` after changing something, then works."""
    from core.app import dealbot as app
    from core.language.commands import ShowDeal

    calls = []
    show = app.HANDLERS[ShowDeal]

    def flaky(cmd, ctx):
        calls.append(1)
        ctx.uow.deals.get(1).title = "changed by a failed attempt"
        if len(calls) <= failures:
            raise error
        ctx.uow.deals.get(1).title = "Acme"
        return show(cmd, ctx)

    monkeypatch.setitem(app.HANDLERS, ShowDeal, flaky)
    return calls


def test_a_command_that_meets_a_concurrent_write_runs_again(racing_chat, monkeypatch):
    chat = racing_chat
    chat.say("alice", "new Acme")
    calls = _failing_first(monkeypatch, 2, Conflict())
    reply = chat.say("alice", "show D-1")
    assert not reply.is_error and "D-1" in reply.title
    assert len(calls) == 3


def test_a_conflict_that_persists_is_an_apology_after_the_last_attempt(racing_chat, monkeypatch):
    chat = racing_chat
    chat.say("alice", "new Acme")
    calls = _failing_first(monkeypatch, 5, Conflict())
    before = chat.counts()
    reply = chat.say("alice", "show D-1")
    assert reply.is_error and "something went wrong" in reply.title
    assert len(calls) == chat.bot.attempts == 3
    assert chat.counts() == before and chat.uow.deals.get(1).title == "Acme"  # every attempt rolled back


def test_other_errors_are_not_run_again(racing_chat, monkeypatch):
    chat = racing_chat
    chat.say("alice", "new Acme")
    calls = _failing_first(monkeypatch, 1, RuntimeError("a bug"))
    reply = chat.say("alice", "查看 D-1")
    assert reply.is_error and reply.title == "抱歉，系统出错了，本次操作没有生效，请稍后重试。"
    assert len(calls) == 1


def test_now_is_the_clock(chat):
    chat.say("alice", "new Acme")
    assert chat.uow.deals.get(1).created_at == datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
    chat.clock.advance(days=1)
    chat.say("alice", "move D-1 next")
    assert chat.uow.deals.get(1).stage_entered_at == datetime(2026, 3, 4, 2, 0, tzinfo=UTC) + timedelta(days=1)


# -- a platform delivering the same message again -------------------------------------------------

@pytest.fixture
def on_platforms(chat):
    """Carol let in on Telegram and U7 on Slack: each asked, and boss approved."""
    chat.admit("7001", "telegram", name="carol")
    chat.admit("U7", "slack")


def _deliver(chat, text: str, message_id: str, *, platform: str = "telegram", user: str = "7001"):
    from core.chat.messages import Incoming

    return chat.bot.handle(Incoming(platform=platform, user_id=user, user_name="carol", text=text,
                                    chat_id="-100", message_id=message_id, is_direct=False))


def test_a_redelivered_command_is_not_run_twice(chat, on_platforms):
    first = _deliver(chat, "new Acme 50k", "41")
    again = _deliver(chat, "new Acme 50k", "41")
    assert first.title == "Created D-1 for Acme."
    assert again.title.startswith("Already done: this message reached me a second time")
    assert not again.is_error
    assert len(chat.uow.deals.all()) == 1
    assert _deliver(chat, "new Acme 50k", "42").title == "Created D-2 for Acme."  # a new message runs


def test_the_redelivery_note_is_in_the_members_language(chat, on_platforms):
    _deliver(chat, "新建 华为 5万", "51")
    assert _deliver(chat, "新建 华为 5万", "51").title.startswith("该指令此前已执行")


def test_the_same_message_id_in_another_chat_or_platform_is_another_message(chat, on_platforms):
    from core.chat.messages import Incoming

    _deliver(chat, "new Acme", "61")
    other_chat = chat.bot.handle(Incoming(platform="telegram", user_id="7001", text="new Beta", chat_id="-200",
                                          message_id="61", is_direct=False))
    other_platform = _deliver(chat, "new Gamma", "61", platform="slack", user="U7")
    assert (other_chat.title, other_platform.title) == ("Created D-2 for Beta.", "Created D-3 for Gamma.")


def test_a_command_that_was_refused_runs_again_when_redelivered(chat, on_platforms):
    assert _deliver(chat, "move D-1 quote", "71").is_error  # no D-1 yet: rolled back, no record
    _deliver(chat, "new Acme", "72")
    assert _deliver(chat, "move D-1 quote", "71").title == "D-1 moved: Lead → Quote."


def test_a_command_that_only_reads_is_answered_again_and_stays_read_only(chat, on_platforms):
    _deliver(chat, "new Acme", "73")
    first, again = _deliver(chat, "show D-1", "74"), _deliver(chat, "show D-1", "74")
    assert first.title == again.title and first.title.startswith("D-1")
    assert set(chat.uow.handled.rows) == {("telegram", "-100", "73")}


def test_console_lines_are_never_taken_for_redeliveries(chat):
    chat.say("alice", "new Acme")
    chat._count -= 1  # a new console session numbers its lines from 1 again
    assert chat.say("alice", "new Beta").title == "Created D-2 for Beta."


def test_the_daily_purge_forgets_handled_messages_after_a_week(chat, on_platforms):
    from core.reminders.scans import HANDLED_KEPT, Scans

    _deliver(chat, "new Acme", "81")
    chat.clock.advance(days=HANDLED_KEPT.days, hours=1)
    _deliver(chat, "new Beta", "82")
    Scans(lambda: chat.uow, chat.clock).purge()
    assert set(chat.uow.handled.rows) == {("telegram", "-100", "82")}


READ_ONLY_TEXTS = {
    "Help": "help", "ShowDeal": "show D-1", "ShowHistory": "history D-1", "ListDeals": "deals",
    "ListTasks": "tasks", "ShowMe": "me", "ListTeams": "teams", "ListMembers": "members",
    "ShowDigests": "digest", "ShowScorecard": "scorecard", "ShowFunnel": "funnel",
    "ShowForecast": "forecast", "ShowCapture": "capture status", "ShowCustomer": "customer Acme",
    "ListContacts": "contacts Acme", "ListTargets": "targets", "ShowNotify": "notify",
    "ListLeads": "lead", "ShowLead": "lead L-1", "ListPool": "pool",
    "ListApprovals": "approvals",
    "ShowPoints": "points", "ShowPointRules": "points rules", "ShowLeaderboard": "leaderboard",
    "StartReview": "review",
    "ShowSummary": "summary D-1", "ShowPlaybook": "playbook quote", "PlaybookHistory": "playbook quote history",
    "FaqGaps": "faq gaps", "FindCases": "cases", "ShowOnboarding": "onboard",
    "ShowHealth": "health", "ShowQuality": "quality", "ListComplaints": "complaints all",
    "Find": "find acme",
}


def _state(uow) -> dict:
    """Every row's fields (not SQLAlchemy's state, which objects carry once other tests mapped them)."""
    def fields(row) -> str:
        return repr({key: value for key, value in vars(row).items() if not key.startswith("_sa_")})

    return {name: sorted(map(fields, getattr(uow, name).all())) for name in uow._REPOS}


def test_the_commands_that_say_they_only_read_change_nothing(chat):
    from core.language.commands import Command

    read_only = {cls.__name__ for cls in Command.__subclasses__() if not cls.writes}
    assert read_only == set(READ_ONLY_TEXTS)
    chat.say("alice", "new Acme 50k")
    chat.say("alice", "task send quote D-1 tomorrow")
    assert not chat.say("boss", "lead Beta pool").is_error  # L-1
    for name, text in READ_ONLY_TEXTS.items():
        before = _state(chat.uow)
        reply = chat.say("boss", text)
        assert _state(chat.uow) == before, (name, reply.text())


def test_ticking_a_ticked_deliverable_says_so_and_changes_nothing(chat):
    """The new-user trial: `check D-1 1` twice answered “D-1: ☑ Need confirmed” both times."""
    chat.say("alice", "new Acme")
    assert chat.say("alice", "check D-1 1").title == "D-1: ☑ Need confirmed"
    again = chat.say("alice", "check D-1 1")
    assert again.title == "D-1: ☑ Need confirmed was ticked already." and not again.is_error
    assert chat.say("alice", "勾选 D-1 1").title == "D-1：☑ 确认客户需求 已经勾选过了。"
    assert [e.action for e in chat.uow.audit.for_entity("D-1")] == ["deal.create", "deal.check"]


def test_a_card_names_the_customer_once_when_the_title_is_its_name(chat):
    """The new-user trial: every `new Acme 50k` card read “D-1 · Acme — Acme”."""
    chat.say("alice", "new Acme 50k")
    chat.say("alice", 'new Acme 20k title:"Phase 2"')
    assert chat.say("alice", "show D-1").title == "D-1 · Acme"
    assert chat.say("alice", "show D-2").title == "D-1 · Acme — Phase 2".replace("D-1", "D-2")
    assert chat.say("alice", "summary D-1").title == "Summary of D-1 · Acme"
