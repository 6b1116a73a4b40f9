"""`onboard @newrep` through the outbox and the dispatcher, on the test database with a fake
clock: a lesson each working day at the start of working hours (today's at once), none at the
weekend, each sent once; [Got it] counts; the manager sees the progress, hears when the rep has
read every lesson and gets the note the working day after the last one."""

from __future__ import annotations

import pytest

from core.reminders.outbox import OutboxStatus
from tests.access import let_in
from tests.reminders.sim import CHATS, PEOPLE, Sim, local


@pytest.fixture
def sim(wired):
    for handle, (platform, user_id) in PEOPLE.items():
        if platform != "console":
            let_in(wired, platform, user_id, handle, role="manager" if handle == "mia" else "rep")
    sim = Sim(wired)
    sim.clock.set(local(4, 10))  # Wednesday 4 March, 10:00 Shanghai
    return sim


async def test_two_weeks_of_lessons_one_each_working_day(sim):
    sim.say("mia", 'faq add "报价可以打折吗？" "超过 10 万可申请 5% 折扣"')
    sim.say("mia", 'faq add "Can we invoice monthly?" "Yes, over 50k a year"')
    sim.say("mia", 'faq add "合同模板在哪里" "共享盘 /合同/模板"')
    sim.say("mia", 'faq add "How long is the trial?" "30 days"')
    sim.say("mia", 'playbook demo add "Show the dashboard first"')
    sim.say("bob", "faq trial")  # F-4 answered a question: it comes first
    started = sim.say("mia", "onboard @bob")
    assert started.title.startswith("Onboarding @bob: 7 lessons, one each working day, Wed 4 Mar 10:00 to ")
    assert started.lines[:7] == ["1. the Lead stage", "2. the First contact stage", "3. the Demo stage",
                                 "4. the Quote stage", "5. the Negotiation stage",
                                 "6. questions the team often gets", "7. questions the team often gets"]
    assert sim.say("mia", "onboard @bob").title.startswith("@bob has been onboarding since")  # not twice

    await sim.run(local(13, 12))
    got = [(when, CHATS[chat], reply.title) for when, _, chat, reply in sim.received]
    lessons = [(when, title) for when, who, title in got if who == "bob"]
    assert lessons == [
        ("Wed 04 10:00", "Onboarding · day 1 of 7: the Lead stage"),
        ("Thu 05 09:00", "Onboarding · day 2 of 7: the First contact stage"),
        ("Fri 06 09:00", "Onboarding · day 3 of 7: the Demo stage"),
        ("Mon 09 09:00", "Onboarding · day 4 of 7: the Quote stage"),  # not at the weekend
        ("Tue 10 09:00", "Onboarding · day 5 of 7: the Negotiation stage"),
        ("Wed 11 09:00", "Onboarding · day 6 of 7: questions the team often gets"),
        ("Thu 12 09:00", "Onboarding · day 7 of 7: questions the team often gets"),
    ]
    demo = sim.last_message("bob", "day 3")
    assert demo.lines == ["Time limit: 10 days in this stage.",
                          "Deliverables: Demo delivered, Solution document sent",
                          "Talking points:", "• Show the dashboard first"]
    assert sim.last_message("bob", "day 6").lines[0] == "F-4 · How long is the trial?"
    assert ("Fri 13 09:00", "mia", "The onboarding of @bob has ended. How far they got: onboard") in got

    for n in (1, 2, 3):
        sim.click("bob", f"day {n} of", "onboard done")
    assert sim.say("bob", "onboard done 3").title == "Lesson 3 is marked read already."
    progress = sim.say("mia", "onboard")
    assert progress.lines[0].startswith("@bob · since Wed 4 Mar 10:00 · sent 7 of 7 · read 3 (1, 2, 3)")
    assert sim.say("bob", "onboard").lines == progress.lines  # the rep sees their own
    for n in (4, 5, 6, 7):
        sim.say("bob", f"onboard done {n}")
    await sim.run(local(13, 12, 30))
    assert sim.last_message("mia", "@bob").title == "@bob has read all 7 onboarding lessons."
    with sim.uow_factory() as uow:
        rows = [m for m in uow.outbox.list(limit=500) if m.kind == "onboard"]
    assert len(rows) == 9 and {m.status for m in rows} == {OutboxStatus.SENT}  # 7 lessons, 2 notes, once each


async def test_onboarding_refuses_once_and_changes_nothing(sim):
    for who, text, title in [
        ("bob", "onboard @alice", "No permission: onboarding is started by managers."),
        ("mia", "onboard @nobody", "I don't know @nobody yet"),
        ("mia", "onboard @boss", "I can't reach @boss directly"),
        ("alice", "onboard done 1", "You have no onboarding lessons."),
    ]:
        reply = sim.bot.handle(_incoming(who, text))
        assert reply.is_error and reply.title.startswith(title), reply.title
    with sim.uow_factory() as uow:
        assert not [m for m in uow.outbox.list(limit=500) if m.kind == "onboard"]


def _incoming(who: str, text: str):
    from core.chat.messages import Incoming

    platform, user = PEOPLE[who]
    return Incoming(platform=platform, user_id=user, user_name=who, text=text, chat_id=user, message_id=f"x-{text}")
