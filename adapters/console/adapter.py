"""The console transport: a prompt on a terminal, one message per line otherwise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TextIO

from adapters.console.render import render
from adapters.console.translate import incoming_from_line
from core.chat.messages import Incoming, Reply
from core.language.i18n import t

Handler = Callable[[Incoming], Reply]


class ConsoleAdapter:
    def __init__(self, handle: Handler, *, local_user: str):
        self.handle = handle
        self.local_user = local_user
        # The commands of each conversation's last reply's buttons, for "1", "2", …: a chat's
        # (`#room`) or a user's own (`@alice`, or the local user without a prefix), as on a platform
        # where everyone presses the buttons in front of them.
        self._buttons: dict[str, list[str]] = {}
        self._languages: dict[str, str] = {}  # each conversation's last reply's language
        self._count = 0

    def answer(self, line: str) -> str:
        """Run one line and return the rendered reply ('' for a blank line). A line that is a
        number after the optional `@user` and `#chat` presses that button of the conversation's
        last reply, as that user."""
        line = line.strip()
        if not line:
            return ""
        self._count += 1
        incoming = incoming_from_line(line, local_user=self.local_user, number=self._count)
        buttons = self._buttons.get(incoming.chat_id, [])
        number = incoming.text.strip()
        if number.isascii() and number.isdigit():
            if not 0 < int(number) <= len(buttons):
                return render(self._no_button(incoming, number, len(buttons)))
            incoming = replace(incoming, text=buttons[int(number) - 1])
        reply = self.handle(incoming)
        self._buttons[incoming.chat_id] = [b.command for b in reply.buttons]
        self._languages[incoming.chat_id] = reply.language
        return render(reply)

    def _no_button(self, incoming: Incoming, number: str, count: int) -> Reply:
        """A number that is no button of the conversation's last reply: say which ones are (a
        bare number is no command either)."""
        lang = self._languages.get(incoming.chat_id, "en")
        where = f"@{incoming.user_id}" if incoming.is_direct else f"#{incoming.chat_id}"
        key = "console.no_button" if count else "console.no_buttons"
        return Reply(title=t(key, lang, number=number[:12], where=where, count=count), is_error=True, language=lang)

    def run_lines(self, stdin: TextIO, stdout: TextIO) -> None:
        """Non-interactive: every input line is a message; each reply is followed by a blank line."""
        for line in stdin:
            out = self.answer(line)
            if out:
                stdout.write(out + "\n\n")
                stdout.flush()

    def run_interactive(self, stdin: TextIO, stdout: TextIO, greeting: str) -> None:
        stdout.write(greeting + "\n")
        while True:
            try:
                stdout.write("dealbot> ")
                stdout.flush()
                line = stdin.readline()
            except KeyboardInterrupt:
                stdout.write("\n")
                return
            if not line or line.strip() in ("quit", "exit", "退出"):
                return
            out = self.answer(line)
            if out:
                stdout.write(out + "\n")
