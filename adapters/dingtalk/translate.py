"""DingTalk robot messages in: the `data` of a Stream CALLBACK frame becomes an Incoming.

The frame's data (topic /v1.0/im/bot/messages/get) carries `conversationType` ("1" one-to-one,
"2" group), `conversationId`, `msgId`, `senderStaffId` / `senderId`, `senderNick`, `isInAtList`,
`msgtype` with `text.content` (or `content.richText` for text mixed with pictures), and the
`sessionWebhook` a reply is posted to until `sessionWebhookExpiredTime` (epoch ms).

In a group the robot is addressed by an @mention. DingTalk delivers only those to a robot, but
the text may still start with the `@name` the user typed; it is stripped here so the core sees
the command alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from core.chat.messages import ChatAccess, Incoming
from core.conversations.capture import Attachment, ChatEvent

PLATFORM = "dingtalk"
DIRECT, GROUP = "1", "2"
_LEADING_MENTION = re.compile(r"^\s*@\S+\s*")


@dataclass(frozen=True)
class BotMessage:
    """What the adapter needs of one robot message: the Incoming and where to answer it."""

    incoming: Incoming
    addressed: bool  # one-to-one, or an @mention of the robot in a group
    session_webhook: str
    webhook_expires_ms: int  # epoch milliseconds; 0 when the frame did not say
    staff_id: str  # empty for senders from outside the organisation

    @property
    def push_chat_id(self) -> str:
        """The notifier's chat id for this conversation ('' when it cannot be pushed to)."""
        if self.incoming.is_direct:
            return f"user:{self.staff_id}" if self.staff_id else ""
        return f"group:{self.incoming.chat_id}" if self.incoming.chat_id else ""


def bot_message(data: dict, *, robot_name: str = "") -> BotMessage | None:
    """The message in a robot CALLBACK's data, or None when it holds no text (a picture, a file)."""
    raw = _text_of(data)
    if raw is None:
        return None
    is_direct = str(data.get("conversationType", DIRECT)) == DIRECT
    addressed = is_direct or data.get("isInAtList") is True
    staff_id = str(data.get("senderStaffId") or "")
    sender_corp, own_corp = str(data.get("senderCorpId") or ""), str(data.get("chatbotCorpId") or "")
    incoming = Incoming(
        platform=PLATFORM,
        user_id=staff_id or str(data.get("senderId") or ""),
        user_name=str(data.get("senderNick") or ""),
        # a leading @name is the robot's only when the robot was @-ed in a group
        text=command_text(raw, robot_name=robot_name, any_mention=addressed and not is_direct),
        chat_id=str(data.get("conversationId") or ""),
        message_id=str(data.get("msgId") or ""),
        is_direct=is_direct,
        # An internal app's robot receives only the group messages that @ it (commands), so a
        # linked group records nothing else: `link` says so (core.services.chats).
        chat_access=ChatAccess.UNKNOWN if is_direct else ChatAccess.MENTIONS_ONLY,
        # A sender of another organisation (a customer in a shared group) is external.
        external=(sender_corp != own_corp) if sender_corp and own_corp else None,
        org=sender_corp,
    )
    return BotMessage(
        incoming=incoming,
        addressed=addressed,
        session_webhook=str(data.get("sessionWebhook") or ""),
        webhook_expires_ms=_int(data.get("sessionWebhookExpiredTime")),
        staff_id=staff_id,
    )


def command_text(text: str, *, robot_name: str = "", any_mention: bool = True) -> str:
    """`@dealbot 推进 D-1 报价` -> `推进 D-1 报价`. Only the first, leading mention is the robot's:
    a later `@alice` belongs to the command. A configured robot name may contain spaces; in a
    one-to-one chat (any_mention=False) only that name is stripped."""
    stripped = text.strip()
    if robot_name:
        named = re.match(rf"@{re.escape(robot_name)}(?:\s+|$)", stripped)
        if named:
            return stripped[named.end():].strip()
    return _LEADING_MENTION.sub("", stripped, count=1).strip() if any_mention else stripped


def _text_of(data: dict) -> str | None:
    kind = data.get("msgtype")
    if kind == "text":
        text = (data.get("text") or {}).get("content")
        return text if isinstance(text, str) else None
    if kind == "richText":
        parts = ((data.get("content") or {}).get("richText")) or []
        texts = [p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)]
        return "".join(texts) if texts else None
    return None


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


# --- chat capture --------------------------------------------------------------------------------


def chat_event(data: dict) -> ChatEvent | None:
    """The ChatEvent of a group message not addressed to the robot; None otherwise.

    DingTalk's robot callback normally delivers only the group messages that @ the robot; any
    group message it delivers without the @ is captured. The robot callback has no edit or
    recall (delete) event. A sender from another organisation
    (an external contact in a customer group) has a senderCorpId other than the robot's corp.
    """
    if str(data.get("conversationType", DIRECT)) == DIRECT or data.get("isInAtList") is True:
        return None
    text, attachments = _text_of(data) or "", _attachments(data)
    if not text.strip() and not attachments:
        return None
    sender_corp, own_corp = data.get("senderCorpId"), data.get("chatbotCorpId")
    return ChatEvent(
        platform=PLATFORM, chat_id=str(data.get("conversationId") or ""),
        message_id=str(data.get("msgId") or ""),
        user_id=str(data.get("senderStaffId") or data.get("senderId") or ""),
        user_name=str(data.get("senderNick") or ""), text=text,
        sent_at=_epoch_ms(data.get("createAt")),
        external=(sender_corp != own_corp) if sender_corp and own_corp else None,
        attachments=attachments, org=str(sender_corp or ""),
    )


def _attachments(data: dict) -> tuple[Attachment, ...]:
    kind, content = data.get("msgtype"), data.get("content") or {}
    if not isinstance(content, dict):
        return ()
    if kind == "picture":
        return (Attachment("image"),)
    if kind in ("file", "video", "audio"):
        return (Attachment(kind, str(content.get("fileName") or "")),)
    if kind == "richText":
        parts = content.get("richText") or []
        return tuple(Attachment("image") for p in parts if isinstance(p, dict) and p.get("type") == "picture")
    return ()


def _epoch_ms(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return None
