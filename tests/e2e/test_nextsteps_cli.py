"""`dealbot nextsteps export`: dismissed (and kept) suggestions as labelled examples for review.

The world is built through chat on the test database (SQLite, or PostgreSQL in that run): the
admin owns D-1, links a Telegram group to it, the customer makes two commitments there; the admin
dismisses one and keeps the other. Then the real `dealbot` process exports them.
"""

from __future__ import annotations

import pytest

from core.chat.messages import Incoming
from core.conversations.capture import ChatEvent
from core.services.capture import store_captured
from tests.nextsteps_labelled import LANGUAGES

pytestmark = pytest.mark.slow

GROUP = "-4001"


def _say(wired, text: str, *, chat: str = "", n: list[int] = [0]) -> str:  # noqa: B006
    n[0] += 1
    reply = wired.bot.handle(Incoming(platform="telegram", user_id="1000", user_name="boss", text=text,
                                      chat_id=chat or "1000", message_id=f"b{n[0]}", is_direct=not chat))
    return reply.text() if hasattr(reply, "text") else str(reply)


def _capture(wired, *texts: str) -> None:
    bot = wired.bot
    events = [ChatEvent("telegram", GROUP, f"c{i}", user_id="2001", user_name="Wang", text=text)
              for i, text in enumerate(texts)]
    with bot.writing_uow_factory() as uow:
        store_captured(uow, events, bot.clock.now(), bot.defaults, bot.capture_hooks)
        uow.commit()


def test_export_writes_the_dismissed_suggestions_with_their_reasons(wired, run_dealbot_forked, tmp_path):
    _say(wired, "me")
    _say(wired, "new Acme 50k")
    _say(wired, "link D-1", chat=GROUP)
    _capture(wired, "报价单我明早发您", "I'll call you Friday to go through it.")
    _say(wired, "dismiss S-1")
    _say(wired, "keep S-2")

    dismissed = run_dealbot_forked(["nextsteps", "export", "-"])
    assert dismissed.returncode == 0, dismissed.stderr
    header, *rows = dismissed.stdout.splitlines()
    assert header.split("\t")[:5] == ["# lang", "speaker", "kind", "due", "text"]
    assert [row.split("\t") for row in rows] == [[
        "zh", "customer", "dismissed", "-", "报价单我明早发您", "2026-03-04 10:00", "Asia/Shanghai",
        "2026-03-05 09:00", "zh.ours", "我明早发 + 报价单", "明早", "S-1"]]
    assert rows[0].split("\t")[0] in LANGUAGES

    target = tmp_path / "examples.tsv"
    every = run_dealbot_forked(["nextsteps", "export", str(target), "--status", "all", "--team", "sales"])
    assert every.returncode == 0, every.stderr
    assert every.stdout.strip() == f"exported 2 suggestions (all) to {target}"
    kept = target.read_text(encoding="utf-8").splitlines()[2].split("\t")
    assert kept[:5] == ["en", "customer", "kept", "2026-03-06 17:00", "I'll call you Friday to go through it."]

    unknown = run_dealbot_forked(["nextsteps", "export", "-", "--team", "nosuch"])
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert unknown.stderr.strip() == "dealbot nextsteps: no team named 'nosuch'; teams: sales"
