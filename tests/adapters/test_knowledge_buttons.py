"""The knowledge buttons through the real platform SDK adapters against the local fake platforms:
a manager's playbook line for Demo and FAQ entry (typed in the console); a rep moves a deal into
Demo and the reply's [More] button, tapped on the platform, shows the stage's playbook; the rep
asks the FAQ and taps [Not helpful] on the answer, which puts the question among `faq gaps`.
On DingTalk, asked in Chinese: the buttons carry Chinese labels, and the commands they send into
the chat work."""

from __future__ import annotations

import json

from core.chat.messages import Incoming
from tests.access import let_in, trust
from tests.adapters.on_fakes import (
    block_buttons,
    dingtalk_on_fake,
    inline_buttons,
    slack_on_fake,
    telegram_on_fake,
)
from tests.platforms.telegram import user

LINE = "Show the dashboard first"


def prepare(wired) -> None:
    """boss (an admin, in the console) writes the Demo playbook line and the FAQ entry."""
    for text in ("me", f'playbook demo add "{LINE}"',
                 'faq add "How long is delivery?" "Two weeks after the PO." tags:delivery'):
        reply = wired.bot.handle(Incoming("console", "boss", text, user_name="boss"))
        assert not reply.is_error, reply.title


def gaps_text(wired) -> str:
    return wired.bot.handle(Incoming("console", "boss", "faq gaps", user_name="boss")).text()


async def test_telegram(wired, async_handler):
    prepare(wired)
    let_in(wired, "telegram", "1001", "alice")
    alice = user(1001, "alice")
    async with telegram_on_fake(async_handler) as telegram:
        fake = telegram.fake
        await telegram.say(alice, "/new Acme 50k")
        moved = await telegram.say(alice, "/move D-1 demo")
        assert "playbook demo" in inline_buttons(moved)
        shown = await telegram.tap(alice, fake.messages()[-1], "playbook demo")
        assert "Playbook · Demo" in shown["text"] and LINE in shown["text"]

        answer = await telegram.say(alice, "/faq delivery")
        assert "Two weeks after the PO." in answer["text"]
        [unhelpful] = inline_buttons(answer)
        assert unhelpful.startswith("faq unhelpful ")
        assert "delivery" not in gaps_text(wired).split("\n", 1)[-1]
        thanked = await telegram.tap(alice, fake.messages()[-1], unhelpful)
        assert "faq gaps" in thanked["text"]
        assert "delivery" in gaps_text(wired)


async def test_slack(wired, async_handler):
    prepare(wired)
    trust(wired, "slack", "T1")  # the fake workspace lets itself in
    async with slack_on_fake(async_handler, {"U1": "Alice"}) as slack:
        await slack.command("new Acme 50k", "U1")
        moved = await slack.command("move D-1 demo", "U1")
        assert "playbook demo" in block_buttons(moved)
        shown = await slack.click("playbook demo", "U1", "DU1", "more")
        assert LINE in shown.all_text()

        answer = await slack.command("faq delivery", "U1")
        [unhelpful] = block_buttons(answer)
        thanked = await slack.click(unhelpful, "U1", "DU1", "no")
        assert "faq gaps" in thanked.text and "delivery" in gaps_text(wired)


async def test_dingtalk_in_chinese(wired, async_handler):
    prepare(wired)
    trust(wired, "dingtalk", "dingcorp")
    from adapters.dingtalk.render import command_of

    def text_of(reply: dict | None) -> str:
        assert reply is not None
        return json.dumps(reply, ensure_ascii=False)

    def buttons(reply: dict | None) -> dict[str, str]:
        """label -> the command the button sends into the chat"""
        assert reply is not None
        return {b["title"]: command_of(b["actionURL"]) for b in reply.get("actionCard", {}).get("btns", [])}

    async with dingtalk_on_fake(async_handler) as dingtalk:
        say = dingtalk.say
        assert await say("新建 Acme 5万") is not None
        moved = await say("推进 D-1 方案演示")
        more = buttons(moved)["更多"]
        shown = await say(more)  # the [More] button sends its command into the chat as alice
        assert LINE in text_of(shown)
        answer = await say("问答 delivery")
        assert "Two weeks after the PO." in text_of(answer)
        thanked = await say(buttons(answer)["没帮助"])
        assert "faq gaps" in text_of(thanked) and "delivery" in gaps_text(wired)
