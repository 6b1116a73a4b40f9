"""What crosses the boundary between an adapter and the core, in both directions.

Adapters translate a platform event into an Incoming and render the core's Reply; neither side
sees the other's types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ChatAccess(StrEnum):
    """What the bot can read of a group chat, as its adapter found out just before a `link`
    (the platform decides, not us). UNKNOWN: not checked (the console, tests of the core)."""

    UNKNOWN = ""
    ALL = "all"  # every message reaches the bot
    JOINED = "joined"  # Slack: the bot joined this public channel just now, and reads it all
    SHARED = "shared"  # Slack Connect: members of other organisations write here too
    MENTIONS_ONLY = "mentions_only"  # DingTalk: the robot receives only messages that @ it
    NOT_IN_CHANNEL = "not_in_channel"  # Slack: a private channel the bot was not invited to
    GROUP_DM = "group_dm"  # Slack: a group DM, which dealbot does not record
    PRIVACY_MODE = "privacy_mode"  # Telegram: privacy mode on and the bot is not an admin


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
    chat_access: ChatAccess = ChatAccess.UNKNOWN  # checked by the adapter for `link` only
    # What the platform says of the sender: True outside our workspace / organisation (a Slack
    # Connect user, a DingTalk user of another corp), False inside it, None when it cannot tell
    # (Telegram, the console). `org` is the sender's workspace or corp id when the platform names
    # it; a trusted one (DEALBOT_SELF_SERVICE) lets its people in without an admin.
    external: bool | None = None
    org: str = ""

    def __post_init__(self) -> None:
        for name in ("text", "user_name"):
            if NUL in getattr(self, name):
                object.__setattr__(self, name, without_nul(getattr(self, name)))


# Platforms pass NUL through in text and names; PostgreSQL's text cannot hold it (SQLite's can),
# and it carries nothing, so everything arriving from a chat drops it at the boundary.
NUL = "\x00"


def without_nul(text: str) -> str:
    return text.replace(NUL, "")


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
    # A chart still to draw (core.services.analytics.PendingChart): drawn into image_path once the
    # command's transaction has ended, so a second of matplotlib never holds the database.
    pending_chart: object | None = field(default=None, repr=False, compare=False)

    def text(self) -> str:
        """Plain text of the reply, for logs, tests and the simplest renderers."""
        parts = [self.title] if self.title else []
        parts += [f"{f.label}: {f.value}" for f in self.fields]
        parts += self.lines
        return "\n".join(parts)
