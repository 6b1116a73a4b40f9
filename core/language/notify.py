"""The words of `notify` (通知): `notify here won,lost,new,moved,assigned [min:100k]`, `notify off`,
`notify` (what this chat gets).

Events are separated by commas, spaces or 、, in either language (赢单, 丢单, 新建, 推进, 转交);
none at all means every event. `min:` (最低:) takes an amount as elsewhere (`100k`, `10万`,
`USD 5000` written `min:USD5000`), in the team's currency unless it names one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from core.language import commands as c
from core.language.parser import Args

EVENTS = ("won", "lost", "new", "moved", "assigned")
EVENT_WORDS: Mapping[str, str] = {
    "won": "won", "win": "won", "wins": "won", "赢单": "won", "成交": "won", "签约": "won",
    "lost": "lost", "lose": "lost", "丢单": "lost", "输单": "lost",
    "new": "new", "created": "new", "新建": "new", "新增": "new", "新商机": "new",
    "moved": "moved", "move": "moved", "moves": "moved", "推进": "moved",
    "assigned": "assigned", "assign": "assigned", "handover": "assigned", "转交": "assigned",
    "移交": "assigned", "分配": "assigned",
    "all": "*", "全部": "*", "所有": "*",
}
_PLACES = {"here": "here", "这里": "here", "本群": "here", "此群": "here", "这个群": "here", "本会话": "here",
           "off": "off", "stop": "off", "none": "off", "关闭": "off", "取消": "off", "停止": "off"}
_MIN = re.compile(r"^(min|minimum|最低|最少|至少)[:：](.*)$")
_SEPARATORS = re.compile(r"[,，、;；]+")


def read_notify(a: Args) -> c.Command:
    if not a.tokens:
        return c.ShowNotify()
    place = _PLACES.get(a.tokens[0].text)
    if place == "off":
        if len(a.tokens) > 1:
            raise a.error("err.extra_args", text=a.rest_after(1)[:40])
        return c.StopNotify()
    if place != "here":
        raise a.error("err.notify_where", value=a.tokens[0].text[:40])
    chosen: list[str] = []
    minimum = None
    tokens = a.tokens[1:]
    i = 0
    while i < len(tokens):
        word, i = tokens[i].text, i + 1
        if m := _MIN.match(word):
            if minimum is not None:
                raise a.error("err.extra_args", text=word[:40])
            value = m[2]
            if not value and i < len(tokens):  # `min: 100k`
                value, i = tokens[i].text, i + 1
            if not value:
                raise a.missing("notify_min")
            minimum = a.amount(value)
            continue
        for part in _SEPARATORS.split(word):
            if not part:
                continue
            event = EVENT_WORDS.get(part)
            if event is None:
                raise a.error("err.notify_event", value=part[:40])
            chosen.append(event)
    events = EVENTS if not chosen or "*" in chosen else tuple(e for e in EVENTS if e in chosen)
    return c.SubscribeNotify(events=events, minimum=minimum)
