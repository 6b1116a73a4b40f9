"""Replies out, as Block Kit: a header, field sections, line sections and buttons.

Slack refuses a whole message when one block breaks a limit, so every limit is enforced here
rather than hoped for: at most 50 blocks, 3,000 characters of section text, 10 fields per
section (2,000 characters each), 150 characters of header, 25 buttons per actions block and 75
characters of button text. Lines that do not fit end with "… and N more".

Text goes out as mrkdwn, escaped (`&`, `<`, `>`), so a customer called "A&B <x>" cannot turn into a
broken link or an @channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.chat.messages import Button, Field, Reply

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER = 150
MAX_BUTTONS_PER_ACTIONS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_FALLBACK_TEXT = 3000
# Blocks the header, the fields and the buttons may take; the rest is for lines (at least 35).
MAX_FIELD_SECTIONS = 10
MAX_ACTIONS_BLOCKS = 4
ACTION_ID_PREFIX = "cmd:"
WARNING = "⚠️"

_MORE = {
    "en": ("… and {count} more", "… and {count} more — narrow `{command}` to see the rest"),
    "zh": ("…… 还有 {count} 条", "…… 还有 {count} 条，请缩小 `{command}` 的范围查看其余"),
}


@dataclass
class SlackMessage:
    """What chat.postMessage, chat.postEphemeral and a response_url take: fallback text and blocks."""

    text: str
    blocks: list[dict] = field(default_factory=list)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(reply: Reply, *, command: str = "") -> SlackMessage:
    """`command`: the command that produced the reply, named in the "… and N more" line."""
    blocks = _title_blocks(reply)
    fields = _field_blocks(reply.fields)
    actions = _actions_blocks(reply.buttons)
    room = MAX_BLOCKS - len(blocks) - len(fields) - len(actions)
    blocks += fields + _line_blocks(reply.lines, room, reply.language, command) + actions
    text = fallback_text(reply)
    return SlackMessage(text=text, blocks=blocks or [_section(text)])


def fallback_text(reply: Reply) -> str:
    """The notification and screen-reader text every message carries next to its blocks."""
    text = reply.text() or "…"
    if reply.is_error:
        text = f"{WARNING} {text}"
    return cut(escape(text), MAX_FALLBACK_TEXT)


def _title_blocks(reply: Reply) -> list[dict]:
    if not reply.title:
        return []
    if reply.is_error:
        return [_section(cut(f"{WARNING} *{escape(reply.title)}*", MAX_SECTION_TEXT))]
    if len(reply.title) <= MAX_HEADER:
        return [{"type": "header", "text": {"type": "plain_text", "text": reply.title, "emoji": True}}]
    return [_section(cut(f"*{escape(reply.title)}*", MAX_SECTION_TEXT))]


def _field_blocks(fields: list[Field]) -> list[dict]:
    texts = [cut(f"*{escape(f.label)}*\n{escape(f.value) or '—'}", MAX_FIELD_TEXT) for f in fields]
    groups = [texts[i:i + MAX_FIELDS] for i in range(0, len(texts), MAX_FIELDS)][:MAX_FIELD_SECTIONS]
    return [{"type": "section", "fields": [{"type": "mrkdwn", "text": t} for t in group]}
            for group in groups]


def _actions_blocks(buttons: list[Button]) -> list[dict]:
    elements = [
        {"type": "button", "action_id": f"{ACTION_ID_PREFIX}{n}",
         "text": {"type": "plain_text", "text": cut(b.label, MAX_BUTTON_TEXT) or "…", "emoji": True},
         "value": b.command[:MAX_BUTTON_VALUE]}
        for n, b in enumerate(buttons)
    ]
    groups = [elements[i:i + MAX_BUTTONS_PER_ACTIONS]
              for i in range(0, len(elements), MAX_BUTTONS_PER_ACTIONS)][:MAX_ACTIONS_BLOCKS]
    return [{"type": "actions", "elements": group} for group in groups]


def _line_blocks(lines: list[str], room: int, language: str, command: str) -> list[dict]:
    """Lines packed into as few sections as fit; when they overflow `room` sections, as many as
    fit followed by the "… and N more" line."""
    texts = [cut(escape(line), MAX_SECTION_TEXT) or " " for line in lines]
    chunks = _pack(texts)
    if len(chunks) > room:
        reserve = len(_more_line(len(texts), language, command)) + 1
        kept = _fitting(texts, room, reserve)
        chunks = _pack(texts[:kept])
        extra = _more_line(len(texts) - kept, language, command)
        if chunks and len(chunks[-1]) + 1 + len(extra) <= MAX_SECTION_TEXT:
            chunks[-1] += "\n" + extra
        else:
            chunks.append(extra)
    return [_section(chunk) for chunk in chunks]


def _pack(texts: list[str]) -> list[str]:
    chunks: list[str] = []
    for text in texts:
        if chunks and len(chunks[-1]) + 1 + len(text) <= MAX_SECTION_TEXT:
            chunks[-1] += "\n" + text
        else:
            chunks.append(text)
    return chunks


def _fitting(texts: list[str], room: int, reserve: int) -> int:
    """How many leading texts `_pack` fits in `room` sections with `reserve` characters to spare
    at the end of the last one."""
    used, length = 0, 0  # sections used so far; length of the last one
    for n, text in enumerate(texts):
        if used and length + 1 + len(text) <= MAX_SECTION_TEXT:
            length += 1 + len(text)
        else:
            used, length = used + 1, len(text)
        if used > room or (used == room and length + reserve > MAX_SECTION_TEXT):
            return n
    return len(texts)


def _more_line(count: int, language: str, command: str) -> str:
    short, long = _MORE.get(language, _MORE["en"])
    if command:
        return cut(long.format(count=count, command=escape(cut(command, 100))), MAX_SECTION_TEXT)
    return short.format(count=count)


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}
