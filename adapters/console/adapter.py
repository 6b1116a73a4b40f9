"""The console transport: a prompt on a terminal, one message per line otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from adapters.console.render import render
from adapters.console.translate import incoming_from_line
from core.chat.messages import Incoming, Reply

Handler = Callable[[Incoming], Reply]


class ConsoleAdapter:
    def __init__(self, handle: Handler, *, local_user: str):
        self.handle = handle
        self.local_user = local_user
        self._buttons: list[str] = []  # commands of the last reply's buttons, for "1", "2", …
        self._count = 0

    def answer(self, line: str) -> str:
        """Run one line and return the rendered reply ('' for a blank line)."""
        line = line.strip()
        if not line:
            return ""
        self._count += 1
        if line.isdigit() and 0 < int(line) <= len(self._buttons):
            line = self._buttons[int(line) - 1]  # a typed number clicks that button
        reply = self.handle(incoming_from_line(line, local_user=self.local_user, number=self._count))
        self._buttons = [b.command for b in reply.buttons]
        return render(reply)

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
