"""What crosses the boundary between an adapter and the core, in both directions.

Adapters translate a platform event into an Incoming and render the core's Reply; neither side
sees the other's types.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Incoming:
    """A message addressed to the bot, with the platform envelope already stripped."""

    platform: str  # "console" | "slack" | "telegram" | "dingtalk"
    user_id: str  # the platform's stable id for the sender
    text: str
    chat_id: str = ""
    message_id: str = ""
    user_name: str = ""  # a display name or username the platform offers, used on first contact
    is_direct: bool = True  # a one-to-one chat with the bot


@dataclass(frozen=True)
class Button:
    """A button is a command: a click runs `command` as the clicking user."""

    label: str
    command: str


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass
class Reply:
    """A platform-neutral answer. Renderers decide how each part looks."""

    title: str = ""
    lines: list[str] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    image_path: str | None = None
    is_error: bool = False
    language: str = "en"

    def text(self) -> str:
        """Plain text of the reply, for logs, tests and the simplest renderers."""
        parts = [self.title] if self.title else []
        parts += [f"{f.label}: {f.value}" for f in self.fields]
        parts += self.lines
        return "\n".join(parts)
