"""`notify` (通知) in the console: a real `dealbot console` process on the demo's team. The console
cannot be posted to, so subscribing is refused there with one clear sentence (the channel side is
tests/adapters/test_notify_slack.py); asking, help, a rep's refusal and bad words, in both languages."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # starts dealbot processes

NOW = "2026-03-04T10:00:00+08:00"


def test_notify_in_the_console(run_dealbot_forked):
    assert run_dealbot_forked(["demo"], now=NOW).returncode == 0
    console = run_dealbot_forked(["console"], now=NOW, stdin="\n".join([
        "notify",  # boss, an admin
        "notify here won min:100k",
        "@liuyang 通知 本群 赢单",  # the manager, in Chinese
        "@liwei notify here won",  # a rep may not
        "notify here bananas",
        "通知 那里",
        "help notify",
    ]) + "\n")
    assert console.returncode == 0, console.stderr
    assert "Traceback" not in console.stdout + console.stderr
    asked, boss, manager, rep, bad_event, bad_place, helped = console.stdout.split("\n\n")[:7]
    assert asked.startswith("This chat gets no deal news. A manager subscribes it: notify here won,lost min:100k")
    assert boss.startswith("✗ I can't post here on my own: deal news goes to Slack, Telegram or DingTalk chats.")
    assert manager.startswith("✗ 无法主动向此会话推送：商机动态只能发送到 Slack、Telegram 或钉钉会话。")
    assert rep.startswith("✗ No permission: managers and admins choose which chats get the team's deal news.")
    assert bad_event.startswith("✗ “bananas” is not a deal event; the events are won, lost, new, moved, assigned.")
    assert bad_place.startswith("✗ “那里”：订阅本群请写 通知 本群 <事件>，停止请写 通知 关闭。")
    assert "notify [here won,lost,new,moved,assigned [min:100k]] | notify off" in helped
    assert "several at once arrive as one message" in helped
