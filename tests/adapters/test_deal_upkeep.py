"""Keeping a deal true through the real Slack SDK (slack_bolt against the local fake Slack, the
real core and test database behind it): the card's [Edit] button opens a modal (a refusal shows
on it, a save posts old → new), `edit` typed shows old → new,
`assign` hands the deal over and the new owner's DM goes out through the outbox and the Slack
notifier, `reopen` brings a lost deal back and `undo` takes that back; bad input is one ephemeral message and changes nothing."""

from __future__ import annotations

import json

from slack_sdk.models.views import View

from adapters.slack import SlackNotifier
from adapters.slack.notifier import make_client
from bot.dispatcher import Dispatcher
from bot.pacing import Pacer
from tests.adapters.test_slack import button_values, fake, slack  # noqa: F401  (fixtures)
from tests.platforms.slack import form_body, view_submission


def _deal(wired):
    with wired.uow() as uow:
        deal = uow.deals.get(1)
        return deal.title, str(deal.amount), deal.status.value, deal.stage, uow.members.get(deal.owner_id).handle


async def test_edit_assign_and_reopen_on_slack(slack):  # noqa: F811  (the fixture imported above)
    await slack.slash("me", user="U2")  # bob-smith is a member
    await slack.slash("new Acme 50k stage:demo", user="U1")
    card = slack.fake.posted[-1]
    assert "edit D-1" in button_values(card)

    await slack.slash("edit D-1", user="U1")  # typed without the fields: it says how
    asked = slack.fake.posted[-1]
    assert not asked.ephemeral and "What should change on D-1?" in asked.text
    assert _deal(slack.wired) == ("Acme", "50000.00", "open", "demo", "alice")

    await slack.slash('edit D-1 amount:60k title:"Phase 2"', user="U1")
    edited = slack.fake.posted[-1]
    assert "D-1 edited." in edited.text
    assert "¥50,000 → ¥60,000" in edited.all_text() and "Acme → Phase 2" in edited.all_text()

    await slack.slash("edit D-1 amount:lots title:Other", user="U1")
    refused = slack.fake.posted[-1]
    assert refused.ephemeral and "“lots” is not an amount" in refused.text
    assert _deal(slack.wired) == ("Phase 2", "60000.00", "open", "demo", "alice")

    await slack.slash("assign D-1 @bob-smith", user="U1")
    handed = slack.fake.posted[-1]
    assert "D-1 handed over: @alice → @bob-smith." in handed.text
    assert "@bob-smith gets the card in a direct message." in handed.all_text()

    await slack.slash("deals owner:@bob-smith sort:close", user="U3")
    listed = slack.fake.posted[-1]
    assert "Open deals (1)" in listed.text and "Total ¥60,000 · weighted ¥15,000" in listed.all_text()

    notifier = SlackNotifier(make_client("xoxb-test", slack.fake.api_url))
    dispatcher = Dispatcher(slack.wired.bot.uow_factory, slack.wired.bot.clock, {"slack": notifier},
                            pacer=Pacer({}))
    assert await dispatcher.run_once() == 1
    dm = slack.fake.posted[-1]
    assert slack.fake.calls_to("conversations.open")[-1].params["users"] == "U2"
    assert dm.channel == "DU2" and "@alice handed D-1 over to you." in dm.all_text()
    assert "D-1 · Acme — Phase 2" in dm.text

    await slack.slash("lost D-1 went with a competitor", user="U2")
    await slack.slash("reopen D-1", user="U2")
    reopened = slack.fake.posted[-1]
    assert "D-1 reopened (lost before) in Demo." in reopened.text
    assert _deal(slack.wired) == ("Phase 2", "60000.00", "open", "demo", "bob-smith")

    await slack.slash("undo", user="U2")
    assert "Undone: reopening D-1." in slack.fake.posted[-1].text
    assert _deal(slack.wired) == ("Phase 2", "60000.00", "lost", "lost", "bob-smith")


async def _submit(harness, view: dict, values: dict[str, str], user: str):
    payload = view_submission(view, values, user_id=user)
    return await harness.post(form_body({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")


async def test_the_edit_button_opens_a_modal_whose_refusal_stays_on_it(slack):  # noqa: F811
    await slack.slash("new Acme 50k", user="U1")
    await slack.click("edit D-1", user="U1")
    [opened] = slack.fake.views
    assert slack.fake.calls_to("views.open")[0].params["trigger_id"] == "trig-click-U1"
    assert [b["block_id"] for b in opened["blocks"]] == ["amount", "close", "title"]
    View(**opened).validate_json()  # slack_sdk's own model of a modal accepts it
    posted = len(slack.fake.posted)

    refused = await _submit(slack, opened, {"amount": "70k", "close": "someday"}, user="U1")
    answer = await refused.json()
    assert answer["response_action"] == "errors" and "someday" in answer["errors"]["close"]
    assert len(slack.fake.posted) == posted and _deal(slack.wired)[:2] == ("Acme", "50000.00")

    foreign = await _submit(slack, opened, {"amount": "1k"}, user="U2")  # not bob-smith's deal
    assert "No permission" in (await foreign.json())["errors"]["amount"]

    saved = await _submit(slack, opened, {"amount": "70k", "title": 'The "big" one'}, user="U1")
    assert saved.status == 200 and not (await saved.text()).strip()  # closes the modal
    await slack.fake.wait_until(lambda: len(slack.fake.posted) > posted, 5)
    edited = slack.fake.posted[-1]
    assert edited.channel == "C1" and "D-1 edited." in edited.text
    assert "¥50,000 → ¥70,000" in edited.all_text()
    assert _deal(slack.wired)[:2] == ('The "big" one', "70000.00")
