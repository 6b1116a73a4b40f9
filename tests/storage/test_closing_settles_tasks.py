"""Closing a deal settles its open tasks on the test database: cancelled, not done (so what was
really done stays countable), listed in the reply, and no reminder about them goes out."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from core.chat.messages import Incoming
from core.reminders.rules import obsolete_reason
from core.reminders.scans import Scans
from tests.fakes import FixedClock

AFTER_DUE = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)  # Fri 6 March 18:00 Shanghai: both tasks due


MESSAGE_IDS = itertools.count(1)  # Telegram numbers a chat's messages; one never comes twice


def say(wired, text: str):
    """The team's admin (telegram:1000, in DEALBOT_ADMINS) says it on Telegram, where reminders go."""
    return wired.bot.handle(Incoming(platform="telegram", user_id="1000", user_name="boss", text=text,
                                     chat_id="1000", is_direct=True, message_id=str(next(MESSAGE_IDS))))


@pytest.fixture
def deal_with_tasks(wired):
    say(wired, "new Acme 50k")
    say(wired, "task send the quote D-1 due:2026-03-06")  # T-1
    say(wired, "task book the demo room D-1 due:2026-03-06")  # T-2
    say(wired, "task call the CFO D-1 due:2026-03-05")  # T-3, done before the close
    say(wired, "done T-3")
    return wired


@pytest.mark.parametrize("close", ["won D-1 48k", "lost D-1 budget cut"])
def test_closing_a_deal_cancels_its_open_tasks_and_says_so(deal_with_tasks, close):
    wired = deal_with_tasks
    reply = say(wired, close)

    text = reply.text()
    assert not reply.is_error
    assert "2 open tasks of D-1 are cancelled (not done)" in text
    assert "T-1 send the quote" in text and "T-2 book the demo room" in text and "T-3" not in text
    with wired.uow() as uow:
        cancelled, also, done = (uow.tasks.get(n) for n in (1, 2, 3))
        assert cancelled.cancelled_at is not None and also.cancelled_at is not None
        assert not cancelled.is_done and not also.is_done
        assert done.is_done and done.cancelled_at is None  # a task done before stays done
        assert uow.tasks.find(deal_id=1) == []  # nothing open on the closed deal
        assert [e.action for e in uow.audit.for_entity("T-1")][-1] == "task.cancel"


def test_a_cancelled_task_cannot_be_done_and_shows_as_cancelled(deal_with_tasks):
    wired = deal_with_tasks
    say(wired, "won D-1")

    refused = say(wired, "done T-1")
    assert refused.is_error and refused.title == "T-1 was cancelled when D-1 was closed."
    chinese = say(wired, "完成 T-2")
    assert chinese.is_error and chinese.title == "T-2 已在 D-1 关闭时取消。"


def test_no_reminder_goes_out_for_the_tasks_of_a_closed_deal(deal_with_tasks):
    wired = deal_with_tasks
    say(wired, "lost D-1 went with a competitor")

    scans = Scans(wired.bot.uow_factory, FixedClock(AFTER_DUE), platforms=frozenset({"telegram"}))
    scans.reminders()
    with wired.uow() as uow:
        assert [row for row in uow.outbox.list() if row.kind == "task"] == []


def test_a_reminder_queued_before_the_close_is_skipped(deal_with_tasks):
    wired = deal_with_tasks
    scans = Scans(wired.bot.uow_factory, FixedClock(AFTER_DUE), platforms=frozenset({"telegram"}))
    scans.reminders()
    with wired.uow() as uow:
        queued = [row for row in uow.outbox.list() if row.kind == "task"]
    assert {row.subject for row in queued} == {"T-1", "T-2"}

    say(wired, "won D-1")

    with wired.uow() as uow:
        reasons = {row.subject: obsolete_reason(uow, row.guard, AFTER_DUE) for row in queued}
    assert reasons == {"T-1": "the task was cancelled with its deal", "T-2": "the task was cancelled with its deal"}


def test_the_demo_closes_its_deals_the_same_way(wired):
    from core.domain.model import DealStatus
    from core.services.demo import default_teams, load_demo

    settings = wired.settings
    with wired.uow() as uow:
        load_demo(uow, wired.bot.clock.now(), default_teams(settings.team, settings.timezone, settings.language))
        uow.commit()
        closed = [d for d in uow.deals.find(team_id=None, status=None) if d.status != DealStatus.OPEN]
        tasks = [task for deal in closed for task in uow.tasks.find(deal_id=deal.id, open_only=False)]
    by_deal = {deal.id: deal for deal in closed}
    assert tasks and all(task.done_at is not None for task in tasks)  # nothing left open on a closed deal
    for task in tasks:
        closed_at = by_deal[task.deal_id].closed_at
        assert (task.cancelled_at is not None) == (task.due_at > closed_at)  # due after the close: cancelled
    assert any(task.cancelled_at for task in tasks)


def test_one_cancelled_task_is_told_in_the_singular(deal_with_tasks):
    """The new-user trial: “1 open tasks of D-1 are cancelled”."""
    say(deal_with_tasks, "done T-2")
    text = say(deal_with_tasks, "won D-1").text()
    assert "1 open task of D-1 is cancelled (not done); its reminders stop:" in text
