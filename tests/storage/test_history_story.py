"""`history D-n` tells the deal's story in words on the test database: names, stages, amounts,
for deals made in chat, loaded by the demo (no audit entries per move) and imported from CSV."""

from __future__ import annotations

import itertools

from core.chat.messages import Incoming
from core.services.demo import default_teams, load_demo
from core.services.transfer import import_deals

MESSAGE_IDS = itertools.count(1)


def say(wired, text: str, user: str = "boss") -> str:
    """Said in the console by its local admin (DEALBOT_ADMINS: console:boss)."""
    reply = wired.bot.handle(Incoming(platform="console", user_id=user, user_name=user, text=text,
                                      message_id=str(next(MESSAGE_IDS))))
    return reply.text()


def test_a_chat_deals_history_names_people_stages_and_amounts(wired):
    say(wired, "new Acme 50k")
    say(wired, "check D-1 1")
    say(wired, "move D-1 quote")
    say(wired, "log D-1 call: they want a revised quote")
    say(wired, "won D-1 60k")

    story = say(wired, "history D-1").splitlines()
    assert story[0] == "History of D-1"
    assert [line.split(" · ", 1)[1] for line in story[1:]] == [
        "@boss created it in Lead, ¥50,000",
        "@boss ticked “Need confirmed”",
        "@boss moved it from Lead to Quote",
        "@boss logged call: they want a revised quote",
        "@boss marked it won, ¥50,000 → ¥60,000",
    ]
    chinese = say(wired, "历史 D-1")
    assert "@boss 从“线索”推进到“报价”" in chinese and "标记赢单，金额 ¥5万 → ¥6万" in chinese
    assert "deal.move" not in chinese and "stage:" not in chinese  # words, not the audit's field names


def test_a_demo_deal_has_a_story_although_the_demo_writes_no_audit_entries(wired):
    settings = wired.settings
    with wired.uow() as uow:
        load_demo(uow, wired.bot.clock.now(), default_teams(settings.team, settings.timezone, settings.language))
        uow.commit()
        changes = uow.stage_changes.for_deal(12)
        owner = uow.members.get(uow.deals.get(12).owner_id).handle

    story = say(wired, "history D-12").splitlines()[1:]
    assert len(story) >= len(changes) >= 2  # every stage change is told (and the follow-ups)
    assert f"@{owner} created it in Lead, ¥" in story[0]
    assert any(f"@{owner} moved it from Lead to First contact" in line for line in story)


def test_an_imported_deals_history_comes_from_its_stage_times(wired):
    csv = ("ref,title,customer,owner,team,amount,currency,status,created_at,closed_at,lost_reason,"
           "expected_close,entered_lead,entered_contact,entered_demo,entered_quote,entered_negotiation,"
           "entered_won,entered_lost\n"
           "D-7,Beta,Beta,boss,sales,80000.00,CNY,open,2026-02-02T09:00:00,,,,2026-02-02T09:00:00,"
           "2026-02-10T09:00:00,,2026-02-20T09:00:00,,,\n")
    say(wired, "me")  # the team exists
    with wired.uow() as uow:
        import_deals(uow, csv, now=wired.bot.clock.now(), default_timezone="Asia/Shanghai", default_language="en")
        uow.commit()
        deal = next(iter(uow.deals.find(team_id=None)))

    story = say(wired, f"history D-{deal.id}")
    assert "the import created it in Lead, ¥80,000" in story
    assert "Tue 10 Feb 09:00 · the import moved it from Lead to First contact" in story
    assert "Fri 20 Feb 09:00 · the import moved it from First contact to Quote" in story


def test_a_long_story_keeps_its_beginning_and_says_how_much_it_skips(wired):
    say(wired, "new Acme 50k")
    for n in range(1, 26):
        say(wired, f"log D-1 note {n}")

    story = say(wired, "history D-1").splitlines()[1:]
    assert len(story) == 21  # the creation, the count of those skipped, the latest 19
    assert story[0].endswith("@boss created it in Lead, ¥50,000")
    assert story[1] == "… 6 more events in between"
    assert story[2].endswith("@boss logged note 7") and story[-1].endswith("@boss logged note 25")


def test_every_change_of_a_deal_is_told_in_words_not_the_audits_action(wired):
    """The new-user trial: `history D-1` after `snooze D-1 2d` said “@boss: deal.snooze”."""
    say(wired, "new Acme 50k")
    say(wired, "snooze D-1 2d")
    say(wired, "csat D-1 4")
    say(wired, "won D-1")
    say(wired, 'retro D-1 "the pilot won it"')
    for lang, verb in (("en", "history D-1"), ("zh", "历史 D-1")):
        story = say(wired, verb).splitlines()[1:]
        raw = [line for line in story if any(f"{kind}." in line for kind in ("deal", "csat", "complaint"))]
        assert raw == [], (lang, story)
    english = say(wired, "history D-1")
    assert "@boss snoozed its reminders" in english and "@boss recorded satisfaction 4/5" in english
    assert "@boss wrote its retro" in english


def test_a_demo_deal_is_titled_after_its_own_customer(wired):
    """The new-user trial: `show D-152` in the demo read “D-152 · 恒通能源 — Vandelay Group”: the
    title named another customer of the demo than the deal's."""
    settings = wired.settings
    with wired.uow() as uow:
        load_demo(uow, wired.bot.clock.now(), default_teams(settings.team, settings.timezone, settings.language))
        uow.commit()
        deals = [deal for n in range(1, 1000) if (deal := uow.deals.get(n)) is not None]  # the demo's 360
        pairs = [(d.title, uow.customers.get(d.customer_id).name) for d in deals]
    assert pairs and all(title == customer for title, customer in pairs)
