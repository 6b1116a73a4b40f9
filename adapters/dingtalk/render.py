"""Replies out, as DingTalk markdown, or an ActionCard when the reply has buttons.

DingTalk markdown is a small subset: headings, bold, links, images, lists and quotes; no
tables, no HTML. Text from users (customer names, follow-up notes) is neutralised so it cannot
turn into markup: the characters that would start emphasis, code, a link or a tag become their
full-width look-alikes, and a line starting a heading or a quote gets a full-width `＃`/`＞`.

A button is a command. DingTalk's robot messages have no callback for a plain ActionCard
button, but a button's actionURL may be `dtmd://dingtalkclient/sendMessage?content=…`, which
makes the client send that text as the user's own message. The click thus comes back as an
ordinary message and runs through the same parser and permission checks as typed text.

A markdown text stays within LIMIT characters; the reply's lines that do not fit are replaced
by "… and N more".
"""

from __future__ import annotations

import json
from urllib.parse import quote, unquote

from core.chat.messages import Button, Reply

LIMIT = 5_000  # DingTalk cuts longer markdown texts; ours stay within it
LINE_LIMIT = 1_000  # one runaway line (a pasted e-mail) must not push out all the others
TITLE_LIMIT = 64  # the notification / conversation-list title
ROBOT_BUTTONS = 5  # the robot API's templates: sampleActionCard (1) … sampleActionCard5
PARAM_BYTES = 15_000  # the robot API's limit for msgParam (UTF-8): 5,000 CJK characters overflow it
_SEND_MESSAGE = "dtmd://dingtalkclient/sendMessage?content="
_NEUTRAL = str.maketrans({"*": "＊", "_": "＿", "`": "ˋ", "[": "［", "]": "］", "<": "＜", "~": "～",
                          "\\": "＼"})
_LINE_START = {"#": "＃", ">": "＞"}
_MORE = {"en": "… and {n} more", "zh": "…… 还有 {n} 条"}
_ALSO = {"en": "More: ", "zh": "更多："}


def escape(text: str) -> str:
    """User text made inert in DingTalk markdown, one line at a time."""
    out = []
    for line in text.translate(_NEUTRAL).split("\n"):
        body = line.lstrip()
        if body[:1] in _LINE_START:
            line = line[: len(line) - len(body)] + _LINE_START[body[0]] + body[1:]
        out.append(line)
    return "\n".join(out)


def button_url(command: str) -> str:
    """The actionURL that makes a click send `command` as the user's message."""
    return _SEND_MESSAGE + quote(command, safe="")


def command_of(url: str) -> str | None:
    """The command a button URL sends (for tests and logs); None for other URLs."""
    return unquote(url[len(_SEND_MESSAGE):]) if url.startswith(_SEND_MESSAGE) else None


def title_of(reply: Reply) -> str:
    title = reply.title or next((line for line in reply.lines if line.strip()), "") or "dealbot"
    title = " ".join(title.split())
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"


def markdown_text(reply: Reply, *, mention: str = "", extra: list[str] | None = None,
                  limit: int = LIMIT) -> str:
    """Title as a heading, fields as a bold-labelled list, then the lines, within `limit`.
    `mention`: a staff id to @ at the start (its at-list goes in the payload's `at`)."""
    heading = ("⚠️ " if reply.is_error else "") + escape(_one_line(reply.title)) if reply.title else ""
    head = [f"#### {heading}"] if heading else []
    if mention:
        head.insert(0, f"@{mention}")
    if reply.fields:
        head.append("\n".join(f"- **{escape(_one_line(f.label))}**: {escape(_one_line(f.value))}"
                              for f in reply.fields))
    tail = [escape(line) for line in extra or []]
    body = [escape(_cut(line.strip())) for line in reply.lines if line.strip()]
    return _fit(head, body, tail, limit, _MORE.get(reply.language, _MORE["en"]))


def session_message(reply: Reply, *, mention: str = "") -> dict:
    """The JSON body for a message's sessionWebhook: markdown, or an ActionCard with buttons.
    `mention` @s that staff id (used for errors in groups, where nothing is private)."""
    title = title_of(reply)
    if reply.buttons:
        return {"msgtype": "actionCard", "actionCard": {
            "title": title, "text": markdown_text(reply), "btnOrientation": "0",
            "btns": [{"title": _label(b), "actionURL": button_url(b.command)} for b in reply.buttons],
        }}
    message: dict = {"msgtype": "markdown",
                     "markdown": {"title": title, "text": markdown_text(reply, mention=mention)}}
    if mention:
        message["at"] = {"atUserIds": [mention], "isAtAll": False}
    return message


def robot_message(reply: Reply) -> tuple[str, dict]:
    """(msgKey, msgParam) for the robot OpenAPI. Its ActionCard templates hold at most five
    buttons; any further ones are listed as commands to type under the text. The text is
    shortened further when its JSON would pass the API's byte limit."""
    buttons, rest = reply.buttons[:ROBOT_BUTTONS], reply.buttons[ROBOT_BUTTONS:]
    extra = [_ALSO.get(reply.language, _ALSO["en"]) + " · ".join(f"{b.label}: {b.command}" for b in rest)] \
        if rest else None
    limit = LIMIT
    while True:
        msg_key, param = _robot_param(reply, buttons, markdown_text(reply, extra=extra, limit=limit))
        if len(json.dumps(param, ensure_ascii=False).encode()) <= PARAM_BYTES or limit < 500:
            return msg_key, param
        limit = limit * 4 // 5


def _robot_param(reply: Reply, buttons: list[Button], text: str) -> tuple[str, dict]:
    param: dict[str, str] = {"title": title_of(reply), "text": text}
    if not buttons:
        return "sampleMarkdown", param
    if len(buttons) == 1:
        param |= {"singleTitle": _label(buttons[0]), "singleURL": button_url(buttons[0].command)}
        return "sampleActionCard", param
    for n, button in enumerate(buttons, start=1):
        param |= {f"actionTitle{n}": _label(button), f"actionURL{n}": button_url(button.command)}
    return f"sampleActionCard{len(buttons)}", param


def _fit(head: list[str], body: list[str], tail: list[str], limit: int, more: str) -> str:
    sep = "\n\n"
    text = sep.join(head + body + tail)
    if len(text) <= limit:
        return text
    fixed = len(sep.join(head + tail)) + len(sep) + len(more.format(n=len(body))) + len(sep)
    kept: list[str] = []
    used = fixed
    for line in body:
        if used + len(line) + len(sep) > limit:
            break
        kept.append(line)
        used += len(line) + len(sep)
    text = sep.join(head + kept + [more.format(n=len(body) - len(kept))] + tail)
    return text if len(text) <= limit else text[: limit - 1] + "…"  # the head alone is too long


def _label(button: Button) -> str:
    return _one_line(button.label)[:30] or button.command[:30]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cut(line: str) -> str:
    return line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…"
