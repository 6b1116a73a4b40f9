"""`dealbot run` as a separate process with Slack (Socket Mode), Telegram (long polling) and
DingTalk (Stream mode) all pointed at local fake platforms: one deal driven through its stages
from the three, by one person linked across Slack and Telegram, then a clean SIGTERM stop."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
from pathlib import Path

import pytest

from bot.bootstrap import build
from bot.config import Settings
from tests.e2e.conftest import DEALBOT, dealbot_env
from tests.platforms.dingtalk import FakeDingTalk
from tests.platforms.slack import FakeSlack, slash_command
from tests.platforms.telegram import FakeTelegram, message_update, private_chat, user

pytestmark = pytest.mark.slow

TELEGRAM_TOKEN = "123456:E2E-token"
ALICE_TG, BOB_TG = user(1001, "alice"), user(1002, "bob")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Platforms:
    """The three fakes plus one helper per platform: say something, get the reply's text."""

    def __init__(self, slack: FakeSlack, telegram: FakeTelegram, dingtalk: FakeDingTalk):
        self.slack, self.telegram, self.dingtalk = slack, telegram, dingtalk
        self._slack_envelopes = 0

    async def on_slack(self, text: str, user_id: str = "U1", *, direct: bool = False) -> str:
        self._slack_envelopes += 1
        before = len(self.slack.posted)
        where = {"channel_id": "D1", "channel_name": "directmessage"} if direct else {}
        command = slash_command(text, user_id=user_id, response_url=self.slack.response_url(), **where)
        await self.slack.send_envelope("slash_commands", command,
                                       envelope_id=f"env-{self._slack_envelopes}", timeout=20)
        await self.slack.wait_until(lambda: len(self.slack.posted) > before, timeout=20)
        return self.slack.posted[-1].all_text()

    async def on_telegram(self, text: str, sender: dict = ALICE_TG) -> str:
        before = len(self.telegram.sent())
        update = message_update(self.telegram.next_update_id(), sender, private_chat(sender["id"]), text)
        await self.telegram.push(update)
        sent = await self.telegram.wait_for("sendMessage", before + 1, timeout=20)
        return sent[-1]["text"]

    async def on_dingtalk(self, text: str, staff_id: str = "boss") -> str:
        before = len(self.dingtalk.replies)
        await self.dingtalk.send_callback(self.dingtalk.message(text, user=staff_id))
        await self.dingtalk.wait_for(lambda: len(self.dingtalk.replies) > before, timeout=20)
        return json.dumps(self.dingtalk.replies[-1], ensure_ascii=False)


async def wait_for_line(stream: asyncio.StreamReader, needle: str, seen: list[str], timeout: float) -> None:
    async def read():
        while True:
            line = (await stream.readline()).decode()
            if not line:
                raise AssertionError(f"dealbot exited before printing {needle!r}: {seen}")
            seen.append(line)
            if needle in line:
                return

    await asyncio.wait_for(read(), timeout)


def stage_history(database_url: str) -> list[tuple[str, str]]:
    """(to_stage, platform of the message that moved it) for deal D-1, oldest first."""
    wired = build(Settings(_env_file=None, database_url=database_url), migrate=False)
    try:
        with wired.uow() as uow:
            return [(entry.after["stage"], entry.source.split(":")[0])
                    for entry in uow.audit.for_entity("D-1")
                    if entry.after and "stage" in entry.after]
    finally:
        wired.engine.dispose()


def members_and_identities(database_url: str) -> dict[str, set[str]]:
    wired = build(Settings(_env_file=None, database_url=database_url), migrate=False)
    try:
        with wired.uow() as uow:
            team = uow.teams.list()[0]
            return {m.handle: {f"{i.platform}:{i.user_id}" for i in uow.members.identities(m.id)}
                    for m in uow.members.in_team(team.id)}
    finally:
        wired.engine.dispose()


async def start_dealbot_run(platforms: Platforms, database_url: str, tmp_path: Path, **env: str):
    """`dealbot run` on the test database with the three platforms pointed at their fakes."""
    env = dealbot_env(database_url, tmp_path, **{
        "DEALBOT_HTTP_PORT": str(free_port()),
        "SLACK_BOT_TOKEN": "xoxb-e2e", "SLACK_APP_TOKEN": "xapp-e2e", "SLACK_API_URL": platforms.slack.api_url,
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_API_URL": platforms.telegram.url,
        "DINGTALK_CLIENT_ID": platforms.dingtalk.client_id,
        "DINGTALK_CLIENT_SECRET": platforms.dingtalk.client_secret,
        "DINGTALK_API_URL": platforms.dingtalk.url, "DINGTALK_OAPI_URL": platforms.dingtalk.url,
    }, **env)
    if database_url.startswith("sqlite"):
        build(Settings(_env_file=None, database_url=database_url)).engine.dispose()
    return await asyncio.create_subprocess_exec(
        str(DEALBOT), "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


@pytest.fixture
async def platforms():
    slack = await FakeSlack().start()
    slack.add_user("U1", "Alice")
    telegram = await FakeTelegram(TELEGRAM_TOKEN).start()
    dingtalk = FakeDingTalk()
    await dingtalk.start()
    yield Platforms(slack, telegram, dingtalk)
    await slack.close()
    await telegram.stop()
    await dingtalk.close()


async def test_one_deal_moved_from_slack_telegram_and_dingtalk(platforms, database_url, tmp_path: Path):
    process = await start_dealbot_run(platforms, database_url, tmp_path, DEALBOT_ADMINS="dingtalk:boss",
                                      DEALBOT_SELF_SERVICE="slack:T1")  # the fake workspace: Alice lets herself in
    output: list[str] = []
    try:
        await wait_for_line(process.stdout, "dealbot running: slack, telegram, dingtalk", output, 60)

        created = await platforms.on_slack("new Acme Robotics 50k")
        assert "D-1" in created and "Acme Robotics" in created

        refused = await platforms.on_slack("me link")  # in a channel: no code for all to see
        assert "only in a direct chat" in refused and not re.search(r"\b\d{8}\b", refused)
        code = re.search(r"\b(\d{8})\b", await platforms.on_slack("me link", direct=True)).group(1)
        asked = await platforms.on_telegram(f"/me link {code}")
        assert "confirm on your slack account" in asked and code not in asked
        await platforms.slack.wait_until(  # the dispatcher's DM to Alice's Slack: [Confirm] [Cancel]
            lambda: any("telegram:1001" in p.all_text() for p in platforms.slack.posted), timeout=20)
        linked = await platforms.on_slack("me link confirm", direct=True)
        assert "Linked: your telegram account is now" in linked

        moved = await platforms.on_telegram("/move D-1 contact")  # Alice's deal, from her Telegram
        assert "D-1" in moved and "contact" in moved.lower()

        refused = await platforms.on_telegram("/move D-1 won", sender=BOB_TG)  # a stranger on Telegram
        assert "not one yet" in refused and "Acme" not in refused

        moved = await platforms.on_dingtalk("推进 D-1 方案演示")  # the admin, in Chinese
        assert "D-1" in moved and "方案演示" in moved

        moved = await platforms.on_slack("move D-1 quote")
        assert "D-1" in moved and "quote" in moved.lower()
        await platforms.on_telegram("/move D-1 negotiation")
        await platforms.on_dingtalk("赢单 D-1")

        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
        output += (await process.stdout.read()).decode().splitlines(keepends=True)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert "dealbot stopped" in "".join(output)
    log = (tmp_path / "dealbot.log").read_text(encoding="utf-8")
    assert "Traceback" not in log and TELEGRAM_TOKEN not in log  # no secrets in the log

    assert stage_history(database_url) == [
        ("lead", "slack"), ("contact", "telegram"), ("demo", "dingtalk"), ("quote", "slack"),
        ("negotiation", "telegram"), ("won", "dingtalk"),
    ]
    people = members_and_identities(database_url)
    alice = next(ids for ids in people.values() if "slack:U1" in ids)
    assert alice == {"slack:U1", "telegram:1001"}  # one member across the two platforms
    assert any(ids == {"dingtalk:boss"} for ids in people.values())
    assert len(people) == 2  # Bob, a stranger, is no member: his command only asked for access


PNG = b"\x89PNG\r\n\x1a\n"


async def chart_on_every_platform(platforms: Platforms, database_url: str, tmp_path: Path, prepare,
                                  commands: tuple[str, str, str]) -> None:
    """`dealbot run` at a fixed moment, `prepare(platforms)` through Telegram (a deal, a target…),
    then a command whose reply carries a chart, on Telegram, Slack and DingTalk in that order
    (`commands`): each platform must receive a PNG, and the bot must stop cleanly."""
    process = await start_dealbot_run(platforms, database_url, tmp_path,
                                      DEALBOT_FIXED_NOW="2026-03-10T10:00:00+08:00",
                                      DEALBOT_ADMINS="slack:U1,telegram:1001,dingtalk:boss")
    output: list[str] = []
    slack, telegram, dingtalk = platforms.slack, platforms.telegram, platforms.dingtalk
    on_telegram, on_slack, on_dingtalk = commands
    try:
        await wait_for_line(process.stdout, "dealbot running: slack, telegram, dingtalk", output, 60)
        await prepare(platforms)
        await platforms.on_telegram(on_telegram)
        await telegram.wait_for("sendPhoto", 1, timeout=30)
        await platforms.on_slack(on_slack)
        await slack.wait_until(lambda: len(slack.shared) >= 1, timeout=30)
        await platforms.on_dingtalk(on_dingtalk)
        await dingtalk.wait_for(lambda: len(dingtalk.pictures()) >= 1, timeout=30)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert telegram.photos[0].startswith(PNG) and slack.shared[0].content.startswith(PNG)
    assert dingtalk.pictures()[0][1].startswith(PNG)


async def test_scorecard_funnel_and_forecast_arrive_as_pictures_on_every_platform(platforms, database_url,
                                                                                   tmp_path: Path):
    """Each figure asked in chat comes with its chart as a real picture upload: Slack's files
    upload v2 into the channel, Telegram's sendPhoto, DingTalk's media upload + sampleImageMsg."""
    process = await start_dealbot_run(platforms, database_url, tmp_path,
                                      DEALBOT_FIXED_NOW="2026-03-10T10:00:00+08:00",
                                      DEALBOT_ADMINS="slack:U1,telegram:1001,dingtalk:boss")
    output: list[str] = []
    slack, telegram, dingtalk = platforms.slack, platforms.telegram, platforms.dingtalk
    try:
        await wait_for_line(process.stdout, "dealbot running: slack, telegram, dingtalk", output, 60)
        assert "D-1" in await platforms.on_slack("new Acme Robotics 50k close:2026-03-31")
        assert "D-2" in await platforms.on_telegram("/new Beta Labs 80k close:2026-03-20")

        for number, figure in enumerate(("scorecard this week", "funnel", "forecast"), start=1):
            await platforms.on_slack(figure)
            await slack.wait_until(lambda n=number: len(slack.shared) >= n, timeout=30)
            await platforms.on_telegram(f"/{figure}")
            await telegram.wait_for("sendPhoto", number, timeout=30)
            await platforms.on_dingtalk(figure)
            await dingtalk.wait_for(lambda n=number: len(dingtalk.pictures()) >= n, timeout=30)

        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    assert [shared.channel for shared in slack.shared] == ["C1"] * 3
    assert all(shared.content.startswith(PNG) for shared in slack.shared)
    assert len(telegram.photos) == 3 and all(photo.startswith(PNG) for photo in telegram.photos)
    pictures = dingtalk.pictures()
    assert [call.body["userIds"] for call, _ in pictures] == [["boss"]] * 3
    assert all(content.startswith(PNG) for _, content in pictures)
    # three different charts on each platform: the scorecard's, the funnel's, the forecast's
    assert len({shared.content for shared in slack.shared}) == 3
    log = (tmp_path / "dealbot.log").read_text(encoding="utf-8")
    complaints = [line for line in log.splitlines() if " WARNING " in line or " ERROR " in line]
    assert not [line for line in complaints if any(word in line for word in ("picture", "uploading", "chart"))]
