# ruff: noqa: F811  (the fixtures of test_slack.py, imported, are the arguments of these tests)
"""What a live Slack workspace does that a test channel did not (issue 23), on the fake Slack:
`link` in a channel the bot is not in joins it when it is public and otherwise asks to be
invited (never announcing recording it cannot do), a Slack Connect channel says what is kept of
people from other organisations, group DMs are refused, and the slash command's name is a setting."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from adapters.slack import SlackAdapter, SlackConfig
from bot.run import web_app
from tests.access import trust
from tests.adapters.test_slack import SECRET, Harness, fake, slack  # noqa: F401
from tests.platforms import slack as fake_slack


async def a_deal_for_alice(slack) -> None:
    await slack.slash("member @alice role:rep team:sales", user="UBOSS")
    await slack.slash("new Acme 50k", user="U1")
    assert slack.deals() == [("D-1", "lead", "alice")]


async def link_in(slack, channel: str) -> str:
    before = len(slack.fake.posted)
    await slack.slash("link D-1", user="U1", channel_id=channel)
    [answer] = slack.fake.posted[before:]
    return answer


def binding(slack, channel: str):
    with slack.wired.uow() as uow:
        return uow.chat_bindings.for_chat("slack", channel)


async def test_a_private_channel_the_bot_is_not_in_asks_for_an_invitation(slack):
    slack.fake.channels["G9"] = {"is_private": True, "is_member": False}
    await a_deal_for_alice(slack)
    answer = await link_in(slack, "G9")
    assert answer.ephemeral and "/invite @dealbot" in answer.text and "recorded into" not in answer.text
    assert binding(slack, "G9") is None
    assert slack.fake.calls_to("conversations.join") == []


async def test_a_public_channel_the_bot_is_not_in_is_joined_then_linked(slack):
    slack.fake.channels["C5"] = {"is_private": False, "is_member": False}
    await a_deal_for_alice(slack)
    answer = await link_in(slack, "C5")
    assert "recorded into D-1" in answer.text and "I joined this public channel" in answer.all_text()
    assert [c.params["channel"] for c in slack.fake.calls_to("conversations.join")] == ["C5"]
    assert binding(slack, "C5").deal_id == 1


async def test_a_slack_connect_channel_says_what_is_kept_of_other_organisations(slack):
    slack.fake.channels["C6"] = {"is_private": False, "is_member": True, "is_ext_shared": True}
    await a_deal_for_alice(slack)
    answer = await link_in(slack, "C6")
    assert "recorded into D-1" in answer.text
    assert "people from other organisations are recorded too" in answer.all_text()


async def test_a_group_dm_is_not_recorded(slack):
    slack.fake.channels["G7"] = {"is_private": True, "is_member": True, "is_mpim": True}
    await a_deal_for_alice(slack)
    answer = await link_in(slack, "G7")
    assert answer.ephemeral and "Group DMs are not recorded" in answer.text
    assert binding(slack, "G7") is None


async def test_the_slash_command_name_is_a_setting(fake, wired, async_handler):
    trust(wired, "slack", fake_slack.TEAM_ID)
    config = SlackConfig(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url,
                         process_before_response=True, command="/crm")
    adapter = SlackAdapter(config, async_handler)
    await adapter.start()
    async with TestClient(TestServer(web_app(adapter.routes(), lambda: True), host="127.0.0.1")) as http:
        harness = Harness(fake, adapter, http, wired, [])
        await harness.slash("new Acme 50k", user="U1", command="/crm")
        assert harness.deals() == [("D-1", "lead", "alice")]
    await adapter.stop()


def test_the_manifest_asks_for_what_the_page_explains_and_the_code_listens_to():
    """Least privilege (issue 23): every bot scope of docs/slack-app-manifest.yaml has its reason
    in docs/slack.md's table and the other way round; its events are those the adapter handles."""
    import re
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs"
    manifest = (docs / "slack-app-manifest.yaml").read_text(encoding="utf-8")
    scopes_block = manifest.split("    bot:\n", 1)[1].split("settings:", 1)[0]
    manifest_scopes = set(re.findall(r"^\s+- ([a-z_.:]+)", scopes_block, re.M))
    events_block = manifest.split("bot_events:\n", 1)[1].split("  interactivity:", 1)[0]
    manifest_events = set(re.findall(r"^\s+- ([a-z_.]+)", events_block, re.M))
    page = (docs / "slack.md").read_text(encoding="utf-8")
    table = page.split("### The scopes and why", 1)[1].split("\n\n", 2)[2].split("\n\n", 1)[0]
    page_scopes = {scope for row in table.splitlines()[2:]
                   for scope in re.findall(r"`([a-z_.:]+)`", row.split("|")[1])}

    assert {"commands", "chat:write", "channels:join"} <= manifest_scopes
    assert manifest_scopes == page_scopes
    assert not manifest_scopes & {"im:read", "users:read.email"}  # never used (issue 23)
    assert manifest_events == {"app_mention", "message.im", "message.channels", "message.groups"}
    assert "- command: " + SlackConfig("xoxb", "secret").command in manifest
