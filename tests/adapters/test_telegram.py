"""The Telegram adapter: the real python-telegram-bot Application against a fake Bot API on
127.0.0.1 (tests/platforms/telegram.py), the real core behind it (`async_handler`).
Assertions are on what the fake received and on the database."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer
from telegram import Message

from adapters.telegram import TelegramAdapter, TelegramConfig
from adapters.telegram.adapter import EXPIRED, SECRET_HEADER
from adapters.telegram.render import CallbackKeys, split_html
from adapters.telegram.translate import command_text, incoming_from_message
from bot.run import web_app
from core.chat.messages import Button, Field, Reply
from core.language.verbs import VERBS
from tests.access import let_in
from tests.adapters.held import HeldCore
from tests.platforms.telegram import (
    BOT_USER,
    FakeTelegram,
    HtmlCheck,
    callback_update,
    group_chat,
    message_update,
    private_chat,
    user,
)

TOKEN = "123456:TEST-token"
BOT_NAME = BOT_USER["username"]
OWNER, OTHER = user(1001, "alice"), user(1002, "bob")
GROUP = group_chat(-100123)
WEBHOOK_URL = "https://bot.example.com/telegram/webhook"
SECRET = "s3cret-Token_1-long-enough-to-resist-guessing"


@pytest.fixture
async def fake():
    server = await FakeTelegram(TOKEN).start()
    yield server
    await server.stop()


@pytest.fixture
async def start_adapter(fake, async_handler, wired):
    let_in(wired, "telegram", str(OWNER["id"]), "alice")  # Telegram has no self-service: an admin lets them in
    let_in(wired, "telegram", str(OTHER["id"]), "bob")
    started: list[TelegramAdapter] = []

    async def start(on_chat_message=None, **config) -> TelegramAdapter:
        adapter = TelegramAdapter(TelegramConfig(token=TOKEN, api_url=fake.url, poll_timeout=1, **config),
                                  async_handler, on_chat_message=on_chat_message)
        await adapter.start()
        started.append(adapter)
        return adapter

    yield start
    for adapter in started:
        await adapter.stop()


@pytest.fixture
async def polling(start_adapter):
    return await start_adapter()


async def say(fake: FakeTelegram, text: str, sender: dict = OWNER, chat: dict | None = None) -> dict:
    """Send a message to the bot; return the parameters of the sendMessage that answers it."""
    before = len(fake.sent())
    chat = chat or private_chat(sender["id"])
    await fake.push(message_update(fake.next_update_id(), sender, chat, text))
    return (await fake.wait_for("sendMessage", before + 1))[-1]


def stage_of(wired, deal_id: int = 1) -> str | None:
    with wired.uow() as uow:
        deal = uow.deals.get(deal_id)
        return None if deal is None else deal.stage


def callback_data(sent: dict) -> list[str]:
    return [b["callback_data"] for row in sent["reply_markup"]["inline_keyboard"] for b in row]


# --- commands by long polling -------------------------------------------------------------------


async def test_a_command_by_polling_creates_the_deal_and_answers_in_html(fake, polling, wired):
    sent = await say(fake, "/new Acme 50k")

    assert sent["chat_id"] == "1001" and sent["parse_mode"] == "HTML"
    assert "<b>Created D-1 for Acme.</b>" in sent["text"]
    assert "<b>Amount</b>: ¥50,000" in sent["text"]
    assert "move D-1 next" in callback_data(sent)
    assert stage_of(wired) == "lead"
    with wired.uow() as uow:
        assert uow.members.by_identity("telegram", "1001").handle == "alice"
    assert {"getMe", "deleteWebhook"} <= {c.method for c in fake.calls}


async def test_chinese_verbs_go_through_deal(fake, polling, wired):
    await say(fake, "/new Acme 50k")
    sent = await say(fake, "/deal 推进 D-1 报价")

    assert "D-1 已推进：线索 → 报价" in sent["text"]
    assert stage_of(wired) == "quote"


async def test_a_command_addressed_to_the_bot_in_a_group(fake, polling, wired):
    await say(fake, "/new Acme 50k")
    await fake.push(message_update(fake.next_update_id(), OWNER, GROUP,
                                   f"/move@{BOT_NAME} D-1 next", message_id=77))
    sent = (await fake.wait_for("sendMessage", 2))[-1]

    assert sent["chat_id"] == str(GROUP["id"])
    assert sent["reply_parameters"]["message_id"] == 77  # answers the message it is about
    assert stage_of(wired) == "contact"


async def test_group_talk_not_addressed_to_the_bot_is_ignored_and_reaches_the_hook(fake, start_adapter):
    heard = []

    async def hook(incoming):
        heard.append(incoming)

    await start_adapter(on_chat_message=hook)
    chatter = ["shall we call Acme at 3?", "/move@other_bot D-1 next", "/ping"]
    for text in chatter:
        await fake.push(message_update(fake.next_update_id(), OWNER, GROUP, text))
    # one chat's updates are handled in order: once this is answered, the chatter was handled
    sent = await say(fake, f"@{BOT_NAME} help", chat=GROUP)

    assert len(fake.sent()) == 1 and "What I can do" in sent["text"]
    assert [i.text for i in heard] == chatter
    assert {(e.chat_id, e.action, e.user_id) for e in heard} == {(str(GROUP["id"]), "new", "1001")}


async def test_a_repeated_update_id_is_handled_once(fake, polling, wired):
    update = message_update(fake.next_update_id(), OWNER, private_chat(1001), "/new Acme 50k")
    await fake.push(update, update)
    await fake.push(message_update(fake.next_update_id(), OWNER, private_chat(1001), "/deals"))
    await fake.wait_for("sendMessage", 2)

    assert [p["text"].count("Created D-1") for p in fake.sent()] == [1, 0]
    assert stage_of(wired, 2) is None


# --- buttons ------------------------------------------------------------------------------------


async def test_a_tap_runs_the_button_as_whoever_tapped(fake, polling, wired):
    await say(fake, "/new Acme 50k", chat=GROUP)
    card = fake.messages()[-1]
    move = "move D-1 next"
    assert move in callback_data(card)

    await fake.push(callback_update(fake.next_update_id(), OTHER, card, move))
    refused = (await fake.wait_for("sendMessage", 2))[-1]
    assert fake.sent("answerCallbackQuery")[0]["callback_query_id"].startswith("cq")
    assert "No permission" in refused["text"] and refused["disable_notification"] == "true"
    assert stage_of(wired) == "lead"

    await fake.push(callback_update(fake.next_update_id(), OWNER, card, move))
    moved = (await fake.wait_for("sendMessage", 3))[-1]
    assert len(fake.sent("answerCallbackQuery")) == 2
    assert moved["chat_id"] == str(GROUP["id"]) and "D-1" in moved["text"]
    assert "disable_notification" not in moved or moved["disable_notification"] == "false"
    assert stage_of(wired) == "contact"


async def test_long_button_commands_travel_as_keys_and_an_unknown_key_says_expired(fake, polling):
    keys = CallbackKeys(size=2)
    long = 'scorecard team:"' + "华南" * 20 + '"'
    data = keys.data_for(long)
    assert len(data.encode()) <= 64 and keys.command_for(data) == long
    assert keys.data_for("move D-1 next") == "move D-1 next"
    keys.data_for(long + "1"), keys.data_for(long + "2")
    assert keys.command_for(data) is None  # evicted: bounded memory

    card = {"message_id": 5, "date": 0, "chat": private_chat(1001), "text": "card"}
    await fake.push(callback_update(fake.next_update_id(), OWNER, card, "#0123456789abcdef"))
    answer = (await fake.wait_for("answerCallbackQuery"))[0]
    assert answer["text"] == EXPIRED and answer["show_alert"] == "true"
    assert fake.sent() == []


# --- rendering ----------------------------------------------------------------------------------


async def test_user_text_is_escaped_never_markup(fake, polling, wired):
    refused = await say(fake, "/won D-1 <b>x</b>")
    assert "<b>x</b>" not in refused["text"] and "&lt;b&gt;x&lt;/b&gt;" in refused["text"]
    assert refused["disable_notification"] == "true"  # an error: quiet
    assert stage_of(wired) is None

    await say(fake, "/new Acme 50k")
    await say(fake, "/log D-1 call: price < 5k & discount")
    card = await say(fake, "/show D-1")
    assert "price &lt; 5k &amp; discount" in card["text"]
    assert HtmlCheck.problems(card["text"]) == []

    named = await say(fake, "/new <i>Acme</i> & Sons")  # a name is any printable text, shown as typed
    assert "&lt;i&gt;Acme&lt;/i&gt; &amp; Sons" in named["text"] and HtmlCheck.problems(named["text"]) == []


async def test_a_long_reply_is_split_at_lines_into_valid_html_parts(fake, polling):
    lines = [f"D-{n} · Acme & Sons <Ltd> · lead · " + "x" * 40 for n in range(300)]
    reply = Reply(title="Open deals <all>", fields=[Field("Owner", "@alice & bob")], lines=lines,
                  buttons=[Button("Show D-1", "show D-1")])

    message_id = await polling.notifier.send("1001", reply)

    parts = fake.sent()
    assert len(parts) >= 3
    assert all(len(p["text"]) <= 4096 and HtmlCheck.problems(p["text"]) == [] for p in parts)
    assert [("reply_markup" in p) for p in parts] == [False] * (len(parts) - 1) + [True]
    visible = "\n".join(HtmlCheck.visible_text(p["text"]) for p in parts)
    assert visible == "\n".join(["Open deals <all>", "Owner: @alice & bob", "", *lines])
    assert message_id == str(fake.messages()[-1]["message_id"])


def test_a_line_longer_than_a_message_is_cut_between_words_with_its_tags_closed():
    line = "<b>" + "Acme &amp; Sons " * 600 + "</b> and more"
    parts = split_html(line, limit=1000)

    assert len(parts) > 5
    assert all(len(p) <= 1000 and HtmlCheck.problems(p) == [] for p in parts)
    assert all(p.startswith("<b>") for p in parts[:-1])
    words = " ".join(HtmlCheck.visible_text(p) for p in parts).split()
    assert words == ("Acme & Sons " * 600 + " and more").split()


async def test_start_is_one_short_welcome_and_help_comes_whole_in_parts(fake, polling):
    """/start used to send the whole help, longer than a message: two messages. It is a short
    welcome in one, with the way to the full help; `help` still lists every verb, in parts."""
    welcome = await say(fake, "/start")
    assert (await say(fake, "/me"))["text"].startswith("<b>You are @alice")  # in order: /start sent one
    assert len(fake.sent()) == 2
    assert welcome["text"].startswith("<b>Welcome to dealbot") and len(welcome["text"]) <= 4096
    assert "Everything I can do: help" in welcome["text"] and callback_data(welcome) == ["help"]

    before = len(fake.sent())
    await fake.push(message_update(fake.next_update_id(), OWNER, private_chat(OWNER["id"]), "help"))
    count = before + 1
    while "help &lt;verb&gt;" not in (sent := await fake.wait_for("sendMessage", count))[-1]["text"]:
        count += 1
    parts = [p["text"] for p in sent[before:]]
    assert len(parts) >= 2 and all(len(p) <= 4096 for p in parts)
    shown = "\n".join(parts)
    assert all(f"\n{verb.key} — " in shown for verb in VERBS)

    await say(fake, "me lang zh")
    zh = await say(fake, "/start")
    assert zh["text"].startswith("<b>欢迎使用 dealbot") and "全部功能：帮助" in zh["text"]


# PTB's own RetryAfter constructor reads its deprecated int `retry_after` (v22.2+)
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_rate_limited_send_waits_retry_after_and_is_delivered(fake, polling):
    fake.rate_limit("sendMessage", times=1, retry_after=1)

    sent = await say(fake, "/help")

    attempts = [c for c in fake.calls if c.method == "sendMessage"]
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0
    assert "What I can do" in sent["text"]


async def test_charts_go_as_photos(fake, polling, tmp_path):
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)

    await polling.notifier.send(str(GROUP["id"]), Reply(title="Scorecard <W10>", lines=["won 2"],
                                                        image_path=str(chart)))

    photo = (await fake.wait_for("sendPhoto"))[0]
    assert photo["chat_id"] == str(GROUP["id"]) and photo["caption"] == "Scorecard &lt;W10&gt;"
    assert photo["photo"]["size"] == 108
    assert fake.sent()[0]["text"].startswith("<b>Scorecard &lt;W10&gt;</b>")


# --- start-up and the webhook -------------------------------------------------------------------


async def test_the_command_menu_is_set_in_english_and_chinese(fake, polling):
    menus = {c.params.get("language_code"): c.params["commands"]
             for c in fake.calls if c.method == "setMyCommands" and c.status == 200}

    assert set(menus) == {None, "zh"}
    english, chinese = ({c["command"]: c["description"] for c in menus[k]} for k in (None, "zh"))
    assert set(english) == set(chinese) == {"deal"} | {v.key for v in VERBS}
    assert english["move"] == "move a deal to a stage"
    assert chinese["move"] == "推进 — 推进商机阶段"


async def test_webhook_mode_checks_the_secret_and_feeds_the_application(fake, start_adapter, wired):
    adapter = await start_adapter(webhook_url=WEBHOOK_URL, webhook_secret=SECRET)
    assert fake.webhook["url"] == WEBHOOK_URL and fake.webhook["secret_token"] == SECRET
    update = message_update(fake.next_update_id(), OWNER, private_chat(1001), "/new Acme 50k")

    async with TestClient(TestServer(web_app(adapter.routes(), lambda: True), host="127.0.0.1")) as client:
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}):
            response = await client.post("/telegram/webhook", json=update, headers=headers)
            assert response.status == 403
        assert stage_of(wired) is None and fake.sent() == []

        for _ in range(2):  # Telegram delivers again when unsure: handled once
            response = await client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET})
            assert response.status == 200
        await fake.wait_for("sendMessage")
        assert stage_of(wired) == "lead"

        second = message_update(fake.next_update_id(), OWNER, private_chat(1001), "/deals")
        await client.post("/telegram/webhook", json=second, headers={SECRET_HEADER: SECRET})
        await fake.wait_for("sendMessage", 2)
    assert stage_of(wired, 2) is None and len(fake.sent()) == 2
    assert fake.polls == 0


def test_webhook_mode_needs_a_valid_secret():
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
        TelegramConfig(token=TOKEN, webhook_url=WEBHOOK_URL)
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
        TelegramConfig(token=TOKEN, webhook_url=WEBHOOK_URL, webhook_secret="has spaces")


# --- translation --------------------------------------------------------------------------------


@pytest.mark.parametrize(("chat", "text", "expected"), [
    ("private", "new Acme 50k", "new Acme 50k"),
    ("private", "/new Acme 50k", "new Acme 50k"),
    ("private", "/start", "help start"),
    ("private", "/deal 推进 D-1 报价", "推进 D-1 报价"),
    ("private", "/deal", "help"),
    ("private", "/frobnicate D-1", "frobnicate D-1"),
    ("group", f"/move@{BOT_NAME} D-1 next", "move D-1 next"),
    ("group", "/Move@DealBot_Test_Bot D-1 next", "move D-1 next"),
    ("group", f"/deal@{BOT_NAME} 跟进 D-1 电话：下周三前发报价", "跟进 D-1 电话：下周三前发报价"),
    ("group", "/show D-1", "show D-1"),
    ("group", "/move@other_bot D-1 next", None),
    ("group", "/ping", None),
    ("group", f"/ping@{BOT_NAME}", "ping"),
    ("group", "shall we call Acme?", None),
    ("group", f"@{BOT_NAME} show D-1", "show D-1"),
    ("group", f"show D-1 @{BOT_NAME}", "show D-1"),
    ("group", f"👍 @{BOT_NAME} show D-1", "👍 show D-1"),  # entity offsets count UTF-16 units
    ("group", f"@{BOT_NAME}", "help"),
    ("group", "@someone_else show D-1", None),
])
def test_what_a_message_asks_the_bot(chat, text, expected):
    where = private_chat(1001) if chat == "private" else GROUP
    message = Message.de_json(message_update(1, OWNER, where, text)["message"], None)
    assert command_text(message, BOT_NAME) == expected


def test_the_sender_and_chat_of_an_incoming():
    no_username = message_update(1, user(7, first_name="Li"), GROUP, "/deals", 9)["message"]
    incoming = incoming_from_message(Message.de_json(no_username, None), "deals")
    assert (incoming.platform, incoming.user_id, incoming.user_name) == ("telegram", "7", "Li")
    assert (incoming.chat_id, incoming.message_id, incoming.is_direct) == ("-100123", "9", False)
    from_bot = message_update(1, {**user(8), "is_bot": True}, private_chat(8), "help")["message"]
    assert command_text(Message.de_json(from_bot, None), BOT_NAME) is None


# --- acknowledgement ----------------------------------------------------------------------------


async def test_an_update_is_confirmed_only_once_its_command_has_committed(fake, wired, async_handler):
    """The getUpdates offset must not move past a command still running: a crash then would
    lose it (Telegram forgets what an offset confirmed). Its answer is not waited for."""
    let_in(wired, "telegram", str(OWNER["id"]), "alice")
    core = HeldCore(async_handler)
    adapter = TelegramAdapter(TelegramConfig(token=TOKEN, api_url=fake.url, poll_timeout=1), core)
    await adapter.start()
    try:
        update = message_update(fake.next_update_id(), OWNER, private_chat(1001), "/new Acme 50k")
        await fake.push(update)
        await asyncio.wait_for(core.entered.wait(), 5)
        with pytest.raises(AssertionError, match="not confirmed"):
            await fake.wait_confirmed(update["update_id"], timeout=1.0)
        fake.rate_limit("sendMessage", times=1, retry_after=30)  # the answer is held up for long
        core.release.set()
        await fake.wait_confirmed(update["update_id"], timeout=5.0)
        assert stage_of(wired) == "lead" and fake.sent() == []  # committed, not answered yet
    finally:
        await adapter.stop(timeout=0.5)
