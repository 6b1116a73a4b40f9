"""An approval's card, through the real platform SDK adapters against the local fake platforms:
alice (a rep) asks for a discount; the dispatcher sends the card to mia (a manager) as a direct
message through the adapter's own notifier, with [Approve] [Reject] [Ask a question]; alice
and bob (another rep) forge a click on mia's [Approve] (the button's command sent as themselves) and
are refused, nothing changing; mia's [Reject] without words asks for the reason; mia's [Approve] approves, and alice is
told. In Chinese on DingTalk (mia reads Chinese): the buttons carry Chinese commands."""

from __future__ import annotations

from bot.dispatcher import Dispatcher
from bot.pacing import Pacer
from core.approvals.machine import State
from core.domain.model import Role
from tests.access import let_in, trust
from tests.adapters.on_fakes import (
    block_buttons,
    dingtalk_on_fake,
    inline_buttons,
    slack_on_fake,
    telegram_on_fake,
)
from tests.platforms.telegram import user

ASK = "approve D-1 discount:15% three-year deal"
BUTTONS = ["approve A-1 step:1", "reject A-1 step:1", "ask A-1 step:1"]
NOT_YOURS = "A-1 is not waiting for your decision."
OWN = "A-1 is your own request; someone else must decide it."


def approval(wired):
    with wired.uow() as uow:
        found = uow.approvals.get(1)
        return found.state, found.step, len(uow.approvals.decisions(1))


def make_manager(wired, platform: str, user_id: str, language: str | None = None) -> None:
    with wired.uow() as uow:
        member = uow.members.by_identity(platform, user_id)
        member.role, member.language = Role.MANAGER, language
        uow.commit()


async def dispatch(wired, platform: str, notifier) -> list:
    dispatcher = Dispatcher(wired.bot.uow_factory, wired.bot.clock, {platform: notifier}, pacer=Pacer({}))
    await dispatcher.run_once()
    with wired.uow() as uow:
        return [r for r in uow.outbox.list() if r.kind == "approval" and r.status == "sent"]


async def test_telegram(wired, async_handler):
    let_in(wired, "telegram", "1001", "alice")
    let_in(wired, "telegram", "1002", "mia", role="manager")
    let_in(wired, "telegram", "1003", "bob")
    async with telegram_on_fake(async_handler) as telegram:
        fake = telegram.fake
        alice, mia, bob = user(1001, "alice"), user(1002, "mia"), user(1003, "bob")
        await telegram.say(alice, "/new Acme 50k")
        asked = await telegram.say(alice, f"/{ASK}")
        assert "A-1: a discount of 15% on D-1 asked for approval." in asked["text"]

        [sent] = await dispatch(wired, "telegram", telegram.adapter.notifier)
        assert sent.chat_id == "1002"
        card, sent_card = fake.messages()[-1], fake.sent()[-1]
        assert "Approval A-1 · D-1 Acme: a discount of 15%" in sent_card["text"]
        assert inline_buttons(sent_card) == BUTTONS

        forged = await telegram.tap(bob, card, BUTTONS[0])  # forged by a rep
        assert NOT_YOURS in forged["text"] and approval(wired) == (State.PENDING, 0, 0)
        forged = await telegram.tap(alice, card, BUTTONS[0])  # by the requester
        assert OWN in forged["text"] and approval(wired) == (State.PENDING, 0, 0)

        asks = await telegram.tap(mia, card, BUTTONS[1])  # [Reject]: the reason?
        assert "A reason is required to reject A-1; nothing changed.</b>\nUsage: reject A-3 &lt;reason&gt;" \
            in asks["text"]  # an error with the usage, HTML-escaped
        assert approval(wired) == (State.PENDING, 0, 0)

        done = await telegram.tap(mia, card, BUTTONS[0])
        assert "A-1 is approved: a discount of 15% on D-1." in done["text"]
        assert approval(wired) == (State.APPROVED, 1, 1)

        again = await telegram.tap(mia, card, BUTTONS[0])  # a second click
        assert "A-1 is already approved; nothing changed." in again["text"]
        assert approval(wired) == (State.APPROVED, 1, 1)

        told = await dispatch(wired, "telegram", telegram.adapter.notifier)
        assert [r.chat_id for r in told].count("1001") == 1  # alice is told
        assert "A-1 (D-1) is approved by @mia: a discount of 15%." in fake.sent()[-1]["text"]


async def test_slack(wired, async_handler):
    trust(wired, "slack", "T1")  # the fake workspace lets itself in
    async with slack_on_fake(async_handler, {"U1": "Alice", "U2": "Mia", "U3": "Bob"}) as slack:
        await slack.command("me", "U2")
        make_manager(wired, "slack", "U2")
        await slack.command("new Acme 50k", "U1")
        asked = await slack.command(ASK, "U1")
        assert "A-1: a discount of 15% on D-1 asked for approval." in asked.text

        [sent] = await dispatch(wired, "slack", slack.adapter.notifier)
        card = slack.fake.posted[-1]
        assert card.via == "chat.postMessage" and card.channel == "DU2"  # the DM with mia
        assert block_buttons(card) == BUTTONS

        await slack.command("me", "U3")
        for forger, said in (("U3", NOT_YOURS), ("U1", OWN)):
            forged = await slack.click(BUTTONS[0], forger, "DU2", "forged")
            assert said in forged.text and approval(wired) == (State.PENDING, 0, 0)

        approved = await slack.click(BUTTONS[0], "U2", "DU2")
        assert "A-1 is approved" in approved.text and approval(wired) == (State.APPROVED, 1, 1)


async def test_dingtalk_in_chinese(wired, async_handler):
    trust(wired, "dingtalk", "dingcorp")

    def text_of(reply: dict | None) -> str:
        assert reply is not None
        return reply[reply["msgtype"]]["text"]

    async with dingtalk_on_fake(async_handler) as dingtalk:
        say = dingtalk.say
        await say("我", "mia")
        await say("我", "bob")
        make_manager(wired, "dingtalk", "mia", language="zh")
        await say("新建 Acme 5万", "alice")
        asked = await say("申请审批 D-1 折扣:15% 三年合同", "alice")
        assert "A-1：已提交审批（D-1，折扣 15%）。" in text_of(asked)

        await dispatch(wired, "dingtalk", dingtalk.adapter.notifier)
        recipients, commands = dingtalk.sent_commands()
        assert recipients == ["mia"]
        assert commands == ["批准 A-1 步骤:1", "驳回 A-1 步骤:1", "提问 A-1 步骤:1"]

        forged = await say(commands[0], "bob")  # the button's command, sent by a rep
        assert "A-1 不在等待您的审批。" in text_of(forged) and approval(wired) == (State.PENDING, 0, 0)
        forged = await say(commands[0], "alice")  # … and by the requester
        assert "A-1 是您自己提交的申请，须由他人审批。" in text_of(forged) and approval(wired) == (State.PENDING, 0, 0)
        asked_why = await say(commands[2], "mia")
        assert "⚠️ 请写出对 A-1 的问题，未做更改。\n\n用法：提问 A-3 ＜问题>" in text_of(asked_why)  # no bare <
        done = await say(commands[0], "mia")  # the button sends its command into the chat as mia
        assert "A-1 已批准：D-1，折扣 15%。" in text_of(done) and approval(wired) == (State.APPROVED, 1, 1)
