"""Chat capture: what an adapter hands over for a group message that was not addressed to the bot.

An adapter turns a platform's new message, edit or deletion into one ChatEvent; the core decides
whether the chat is linked (core.services.capture) and stores it. Files and images become named
placeholders in the text (a symbol and the file name, the same in every language), so the
timeline says something was shared without dealbot keeping the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.chat.messages import NUL, without_nul


class Action(StrEnum):
    NEW = "new"
    EDIT = "edit"
    DELETE = "delete"


class AuthorKind(StrEnum):
    MEMBER = "member"  # a team member (a Member row)
    CONTACT = "contact"  # someone outside the team: the customer's people


class Outcome(StrEnum):
    """What became of one event; the adapter may acknowledge the delivery whatever it is."""

    STORED = "stored"
    DUPLICATE = "duplicate"  # the same message seen before: stored once
    EDITED = "edited"
    DELETED = "deleted"
    UNKNOWN = "unknown"  # an edit or deletion of a message that was never captured
    UNBOUND = "unbound"  # the chat is not linked: nothing stored
    PAUSED = "paused"  # linked, but `capture off`


CAPTURED_KIND = "message"  # Interaction.kind of captured chat messages

_SYMBOLS = {"image": "🖼", "file": "📎", "video": "🎞", "audio": "🎤", "sticker": "💬", "location": "📍"}


@dataclass(frozen=True)
class CaptureTarget:
    """Where a linked chat's messages go: what the capture path needs of its ChatBinding, with
    the customer of a deal binding filled in, and of its team what decides how text is stored
    (plain values, read in one query per batch; team_timezone None: no such team)."""

    team_id: int
    deal_id: int | None
    customer_id: int | None
    capturing: bool
    team_timezone: str | None = None
    team_settings: dict[str, Any] | None = None


@dataclass(eq=False)
class CapturedMessage:
    """A captured message as it is stored: the fields of its row in `interactions` (read back,
    it is an Interaction). A plain dataclass rather than the ORM-mapped Interaction, so a batch
    of thousands costs microseconds to build; capture hooks get these."""

    team_id: int
    text: str
    occurred_at: datetime
    platform: str
    chat_id: str
    message_id: str
    deal_id: int | None = None
    customer_id: int | None = None
    author_id: int | None = None
    author_kind: str = "member"
    author_ref: str | None = None
    author_name: str | None = None
    kind: str = "message"
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    id: int | None = None  # set when stored


@dataclass(frozen=True)
class Attachment:
    kind: str  # image | file | video | audio | sticker | location
    name: str = ""

    def __post_init__(self) -> None:
        if NUL in self.name:
            object.__setattr__(self, "name", without_nul(self.name))

    def placeholder(self) -> str:
        symbol = _SYMBOLS.get(self.kind, _SYMBOLS["file"])
        return f"[{symbol} {self.name}]" if self.name else f"[{symbol}]"


@dataclass(frozen=True)
class ChatEvent:
    """One message event in a group chat, with the platform's envelope stripped.

    `sent_at` is the platform's time of the event (the message, the edit, the deletion), aware
    UTC; None when the platform did not say. `external` is what the platform says of the sender:
    True outside the workspace / corp (a Slack Connect user, a DingTalk user of another corp),
    False inside it, None when the platform cannot tell (Telegram: then only a known member is one).
    """

    platform: str
    chat_id: str
    message_id: str
    action: Action = Action.NEW
    user_id: str = ""
    user_name: str = ""
    text: str = ""
    sent_at: datetime | None = None
    external: bool | None = None
    attachments: tuple[Attachment, ...] = ()
    org: str = ""  # the sender's workspace / corp id, when the platform names it

    def __post_init__(self) -> None:  # NUL: see core.chat.messages.without_nul
        if NUL in self.text or NUL in self.user_name:
            object.__setattr__(self, "text", without_nul(self.text))
            object.__setattr__(self, "user_name", without_nul(self.user_name))

    @property
    def key(self) -> tuple[str, str, str]:
        return self.platform, self.chat_id, self.message_id

    def full_text(self) -> str:
        """The text as stored: the words, then a placeholder per attachment."""
        words = self.text.strip()
        if not self.attachments:  # most messages (this runs for every one)
            return words
        parts = [words] if words else []
        parts += [a.placeholder() for a in self.attachments]
        return " ".join(parts)
