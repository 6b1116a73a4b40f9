"""The pipeline review (core.services.review) and the forecast's categories on the test database
(SQLite, or PostgreSQL in that run), through Dealbot.handle as console users: the walk's order,
the calls kept with their history, the owner's tasks in the owner's language, slips, double taps,
the closing-this-month walk, and commit / best case / weighted pipeline against the target."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.chat.messages import Incoming


class Chat:
    def __init__(self, wired):
        self.wired, self.n = wired, 0

    def __call__(self, who: str, text: str):
        self.n += 1
        return self.wired.bot.handle(Incoming(platform="console", user_id=who, user_name=who, text=text,
                                              message_id=f"r{self.n}"))


@pytest.fixture
def say(wired):
    chat = Chat(wired)
    for who in ("boss", "alice", "bob", "mia"):
        chat(who, "me")
    chat("boss", "member @mia role:manager")
    assert not chat("bob", "me lang zh").is_error
    for who, text in (("alice", "new Acme 50k close:2026-03-20"), ("bob", "new Beta 80k close:2026-03-25"),
                      ("alice", "new Gamma 20k close:2026-05-10"), ("bob", "new Delta 5k")):
        assert not chat(who, text).is_error
    return chat


def _calls(wired, deal_id: int) -> list[str]:
    with wired.uow() as uow:
        return [c.category for c in uow.forecast_calls.for_deal(deal_id)]


def test_the_review_walks_largest_first_and_keeps_every_call(wired, say):
    first = say("mia", "review")
    assert first.title == "Pipeline review of sales: 4 open deals"
    assert "Deal 1 of 4:" in first.lines and first.lines[1].startswith("D-2 Beta")
    assert [b.command for b in first.buttons][:3] == ["review D-2 commit", "review D-2 best", "review D-2 pipeline"]

    called = say("mia", "review D-2 best")
    assert called.title == "D-2: Best case." and "Deal 2 of 4:" in called.lines
    assert any(line.startswith("Task T-1 for @bob: 最佳情况：D-2（Beta）还差什么") for line in called.lines)  # bob reads Chinese
    again = say("mia", "review D-2 best")  # a double tap
    assert again.title == "D-2 is Best case already: nothing changed." and _calls(wired, 2) == ["best_case"]
    say("mia", "review D-2 commit")
    assert _calls(wired, 2) == ["best_case", "commit"]  # the history stays
    history = say("mia", "history D-2").text()
    assert "@mia called it Best case in a pipeline review" in history and "called it Commit" in history

    slipped = say("mia", "过单 D-1 延期 2026-04-15")
    assert slipped.title.startswith("D-1 延期至 ") and slipped.title.endswith("，回到管道。")
    with wired.uow() as uow:
        deal = uow.deals.get(1)
        assert deal.expected_close.astimezone(UTC).date() == datetime(2026, 4, 15).date()
        call = uow.forecast_calls.for_deal(1)[-1]
        assert (call.category, call.close_after) == ("pipeline", deal.expected_close)
        assert call.close_before is not None and call.close_before.day == 20
    assert say("mia", "review D-1 slip 2026-03-01").title.startswith("A slip moves D-1's close date later")
    assert say("mia", "review D-1 slip 2026-04-15").title.startswith("D-1 is expected to close")  # a double tap
    assert _calls(wired, 1) == ["pipeline"]
    end = say("mia", "review D-4 skip")  # D-3 was never shown, D-4 skipped: neither is called
    assert end.lines[-1] == "End of the review of sales; not called yet: D-3, D-4."
    assert _calls(wired, 4) == []


def test_answering_out_of_order_does_not_claim_every_deal_called(wired, say):
    say("mia", "review")  # D-2 first, then D-1, D-3, D-4
    say("mia", "review D-1 commit")
    say("mia", "review D-3 best")
    slipped = say("mia", "review D-4 slip 2027-01-31")
    assert slipped.title.startswith("D-4 slipped to ") and slipped.title.endswith(": back to Pipeline.")
    assert "31 Jan" in slipped.title
    assert slipped.lines[-1] == "End of the review of sales; not called yet: D-2."
    assert "forecast category: Commit" in say("mia", "review D-2 commit").lines[-1]  # D-1's card next
    assert say("mia", "review D-4 skip").lines[-1] == "Review of sales done: every deal called."


def test_reps_do_not_review_and_a_closed_deal_is_not_called(wired, say):
    before = _calls(wired, 1)
    assert say("alice", "review D-1 commit").title.startswith("No permission: pipeline reviews are for managers")
    assert say("alice", "过单").title.startswith("无权限：过单由主管进行")
    say("alice", "won D-1")
    assert say("mia", "review D-1 commit").title == "D-1 is closed already: only open deals are reviewed."
    assert _calls(wired, 1) == before == []
    assert say("mia", "review D-9 commit").is_error


def test_closing_walks_only_this_months_deals_and_forecast_sets_them_against_the_target(wired, say):
    walk = say("mia", "review closing")
    assert walk.title == "Pipeline review of sales: 2 open deals"  # D-2 and D-1 close in March
    assert all(b.command.endswith(" closing") for b in walk.buttons)
    say("mia", "review D-2 commit closing")
    say("mia", "review D-1 best closing")
    say("mia", "target 200k this month")
    forecast = say("mia", "forecast")
    assert "Commit ¥80,000 · best case ¥130,000 · weighted pipeline ¥6,500 · won ¥0" in forecast.lines
    assert "Target ¥200,000: won + commit 40% · won + best case 65% · won + weighted 3%" in forecast.lines
    assert any(b.command == "review sales closing" for b in forecast.buttons)
    assert not any(b.command.startswith("review") for b in say("alice", "forecast").buttons)  # reps: no button
    zh = say("bob", "预测")
    assert "承诺 ¥8万 · 最佳情况 ¥13万 · 加权管道 ¥6,500 · 已赢单 ¥0" in zh.lines
    assert "目标 ¥20万：已赢单+承诺 40% · 已赢单+最佳 65% · 已赢单+加权 3%" in zh.lines


def test_undo_takes_a_call_back_with_its_task_and_its_slip(wired, say):
    say("mia", "review D-1 commit")
    say("mia", "review D-1 slip 2026-04-15")
    undone = say("mia", "undo")
    assert undone.title == "Undone: the review's call on D-1."
    assert _calls(wired, 1) == ["commit"]
    with wired.uow() as uow:
        assert uow.deals.get(1).expected_close.astimezone(UTC).day == 20  # back to 20 March
        tasks = sorted(uow.tasks.find(deal_id=1, open_only=False), key=lambda t: t.id)
        assert [t.cancelled_at is not None for t in tasks] == [False, True]  # the slip's task is gone
    assert say("mia", "撤销").title == "您最近的修改（D-1 的过单结论）已经撤销过了。"  # one step back only
    assert _calls(wired, 1) == ["commit"]
