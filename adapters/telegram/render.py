"""Replies out, as Telegram HTML with an inline keyboard.

Everything that came from a person or the core is escaped; the only markup is ours: the title
in bold and each field as `<b>label</b>: value`. A message holds at most 4,096 characters, so a
long reply is split at line boundaries into parts that are each valid HTML; the buttons go on
the last part.

Buttons: callback_data holds at most 64 bytes. A command that fits (nearly all: `move D-12 next`,
`check D-12 2`) travels as itself, so it keeps working after a restart and on any replica. A
longer one (say, a scorecard button naming a long team name) travels as a short key that
`CallbackKeys` maps back in memory: that map is bounded, so such a button stops working once
enough newer long buttons were sent or after a restart, and then the tap says so.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.chat.messages import Reply

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
BUTTONS_PER_ROW = 2
_KEY_PREFIX = "#"  # commands never start with it
_TOKEN = re.compile(r"<(/?)([a-z-]+)[^>]*>|&[#\w]+;|[^<&]", re.S)


@dataclass(frozen=True)
class Rendered:
    parts: list[str]  # HTML, each within MESSAGE_LIMIT
    keyboard: InlineKeyboardMarkup | None  # for the last part


class CallbackKeys:
    """Button commands <-> callback_data of at most 64 bytes (see the module's docstring)."""

    def __init__(self, size: int = 5000):
        self.size = size
        self._commands: OrderedDict[str, str] = OrderedDict()

    def data_for(self, command: str) -> str:
        if len(command.encode()) <= CALLBACK_DATA_LIMIT and not command.startswith(_KEY_PREFIX):
            return command
        key = _KEY_PREFIX + hashlib.blake2b(command.encode(), digest_size=12).hexdigest()
        self._commands[key] = command
        self._commands.move_to_end(key)
        while len(self._commands) > self.size:
            self._commands.popitem(last=False)
        return key

    def command_for(self, data: str) -> str | None:
        """The command a tap on `data` runs; None when the key is no longer known."""
        if not data.startswith(_KEY_PREFIX):
            return data
        command = self._commands.get(data)
        if command is not None:
            self._commands.move_to_end(data)
        return command


def render(reply: Reply, keys: CallbackKeys) -> Rendered:
    return Rendered(split_html(to_html(reply)), keyboard(reply, keys))


def to_html(reply: Reply) -> str:
    lines = []
    if reply.title:
        lines.append(("⚠️ " if reply.is_error else "") + f"<b>{_esc(reply.title)}</b>")
    lines += [f"<b>{_esc(f.label)}</b>: {_esc(f.value)}" for f in reply.fields]
    if reply.fields and reply.lines:
        lines.append("")  # the facts, then the lists
    lines += [_esc(line) for line in reply.lines]
    return "\n".join(lines) or "…"


def caption_html(text: str) -> str:
    """A photo caption: plain text cut to the caption limit, then escaped."""
    return _esc(text[:CAPTION_LIMIT])


def keyboard(reply: Reply, keys: CallbackKeys) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    buttons = [InlineKeyboardButton(b.label, callback_data=keys.data_for(b.command)) for b in reply.buttons]
    rows = [buttons[i:i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows)


def split_html(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Parts of at most `limit` characters, cut between lines; a line longer than that is cut
    between characters, closing the tags open at the cut and opening them again after it."""
    parts: list[str] = []
    current = ""
    for line in html.split("\n"):
        for piece in [line] if _size(line) <= limit else _split_line(line, limit):
            joined = f"{current}\n{piece}" if current else piece
            if _size(joined) <= limit:
                current = joined
            else:
                parts.append(current)
                current = piece
    parts.append(current)
    return [part for part in parts if part.strip()] or ["…"]


def _split_line(line: str, limit: int) -> list[str]:
    pieces: list[str] = []
    piece = ""
    opened: list[str] = []  # opening tags in effect at the end of `piece`
    space: tuple[int, list[str]] | None = None  # the last space in `piece`, with the tags there
    for match in _TOKEN.finditer(line):
        token, closing, name = match.group(0), match.group(1), match.group(2)
        while piece and _size(piece) + _size(token) + _closers_size(opened) > limit:
            if space is not None and space[0] > len(piece) // 2:  # prefer a cut between words
                cut, tags = space
                head, tail = piece[:cut], piece[cut + 1:]
            else:
                head, tail, tags = piece, "", opened
            pieces.append(head + _closers(tags))
            piece, space = "".join(tags) + tail, None
            if not tail:
                break
        if token == " ":
            space = (len(piece), list(opened))
        piece += token
        if name and closing:
            opened.pop()
        elif name:
            opened.append(token)
    pieces.append(piece)
    return pieces


def _closers(tags: list[str]) -> str:
    return "".join(f"</{_TOKEN.match(tag).group(2)}>" for tag in reversed(tags))


def _closers_size(tags: list[str]) -> int:
    return _size(_closers(tags))


def _size(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _esc(text: str) -> str:
    return escape(text, quote=False)
