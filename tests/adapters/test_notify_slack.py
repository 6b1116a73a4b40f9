"""Deal news through the real Slack SDK (slack_bolt against the local fake Slack, the real core
and test database behind it): a manager subscribes #sales with `/deal notify here won`, a rep's
win is posted there by the dispatcher through the Slack notifier — several at once as one
message — a rep may not subscribe a channel, and a task made for a rep reaches them in a DM."""

from __future__ import annotations

from adapters.slack import SlackNotifier
from adapters.slack.notifier import make_client
from bot.dispatcher import Dispatcher
from bot.pacing import Pacer
from tests.adapters.test_slack import fake, slack  # noqa: F401  (fixtures)

SALES = "C100"


async def test_a_win_reaches_the_subscribed_channel(slack):  # noqa: F811  (the fixture imported above)
    await slack.slash("me", user="UBOSS")  # the admin (DEALBOT_ADMINS)
    await slack.slash("notify here won", user="U1", channel_id=SALES)  # alice is a rep
    refused = slack.fake.posted[-1]
    assert refused.ephemeral and "No permission: managers and admins choose" in refused.text

    await slack.slash("notify here won min:10k", user="UBOSS", channel_id=SALES)
    assert "This chat now gets" in slack.fake.posted[-1].text and "won (deals of ¥10,000 or more)" in \
        slack.fake.posted[-1].text
    await slack.slash("new Acme 50k", user="U1")
    await slack.slash("new Beta 5k", user="U1")
    await slack.slash("won D-1", user="U1")
    await slack.slash("won D-2", user="U1")  # under the minimum: not news here

    notifier = SlackNotifier(make_client("xoxb-test", slack.fake.api_url))
    dispatcher = Dispatcher(slack.wired.bot.uow_factory, slack.wired.bot.clock, {"slack": notifier},
                            pacer=Pacer({}))
    await dispatcher.run_once()
    in_sales = [p for p in slack.fake.posted if p.channel == SALES and p.via == "chat.postMessage"]
    assert len(in_sales) == 1
    assert "🏆 D-1 won · Acme · ¥50,000 · @alice" in in_sales[0].text
    assert "show D-1" in str(in_sales[0].blocks)  # its button opens the deal, run as whoever clicks

    await slack.slash("new Gamma 80k", user="U1")
    await slack.slash("new Delta 90k", user="U1")
    await slack.slash("won D-3", user="U1")
    await slack.slash("won D-4", user="U1")
    await dispatcher.run_once()
    in_sales = [p for p in slack.fake.posted if p.channel == SALES and p.via == "chat.postMessage"]
    assert len(in_sales) == 2  # the two wins of one round: one message
    grouped = in_sales[-1].all_text()
    assert "Deal news: 2 updates" in grouped and "D-3 won" in grouped and "D-4 won" in grouped
    assert await dispatcher.run_once() == 0  # nothing sent twice

    await slack.slash("notify", user="U1", channel_id=SALES)  # anyone may ask what the channel gets
    assert "This chat gets" in slack.fake.posted[-1].text


async def test_a_task_made_for_a_rep_reaches_them_in_a_dm(slack):  # noqa: F811
    await slack.slash("me", user="UBOSS")
    await slack.slash("me", user="U1")
    await slack.slash("task call the buyer @alice", user="UBOSS")
    notifier = SlackNotifier(make_client("xoxb-test", slack.fake.api_url))
    dispatcher = Dispatcher(slack.wired.bot.uow_factory, slack.wired.bot.clock, {"slack": notifier},
                            pacer=Pacer({}))
    await dispatcher.run_once()
    assert slack.fake.calls_to("conversations.open")[-1].params["users"] == "U1"
    dm = slack.fake.posted[-1]
    assert dm.channel == "DU1" and "@boss gave you T-1: call the buyer" in dm.text
    assert "done T-1" in str(dm.blocks)
