"""Telegram updates in: a message or a button tap becomes an Incoming, with the envelope
(`/deal`, `/move@dealbot`, an @mention of the bot) stripped.

Telegram command names are limited to [a-z0-9_], so every English verb is also a command
(`/move D-12 next`); `/deal <anything>` runs any command text, Chinese verbs included
(`/deal 推进 D-12 报价`). In a private chat plain text is a command too; in a group only a
command, a message mentioning the bot, or a reply to one of the bot's messages is.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from telegram import CallbackQuery, Message, MessageEntity, Update

from core.chat.messages import Incoming
from core.conversations.capture import Action, Attachment, ChatEvent
from core.language.verbs import VERBS

PLATFORM = "telegram"
RUN_ANY = "deal"  # `/deal <command text>`
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
VERB_COMMANDS = frozenset(v.key for v in VERBS if _COMMAND_NAME.fullmatch(v.key))
_ALIASES = {"start": "help start"}  # what Telegram sends when someone opens the bot: the short welcome
_RUN_ANY_SUMMARY = {
    "en": "run any command, e.g. /deal move D-12 next",
    "zh": "执行任意命令，中文也可以，如 /deal 推进 D-12 报价",
}


def command_menu(lang: str) -> list[tuple[str, str]]:
    """(command, description) pairs for setMyCommands, in `lang`."""
    menu = [(RUN_ANY, _RUN_ANY_SUMMARY[lang])]
    for verb in VERBS:
        if verb.key in VERB_COMMANDS:
            summary = f"{verb.zh} — {verb.summary_zh}" if lang == "zh" else verb.summary_en
            menu.append((verb.key, summary[:256]))
    return menu


def command_text(message: Message, bot_username: str) -> str | None:
    """The command text `message` asks this bot to run, or None when it is not addressed to it."""
    text = message.text
    if not text or message.sender_chat is not None or _from_bot(message):
        return None  # no text, an anonymous admin or channel (no person to act as), another bot
    private = message.chat.type == "private"
    entities = message.parse_entities()
    first = next((e for e in entities if e.offset == 0 and e.type == MessageEntity.BOT_COMMAND), None)
    if first is not None:
        name, _, addressee = entities[first][1:].partition("@")
        if addressee and addressee.casefold() != bot_username.casefold():
            return None  # /cmd@another_bot
        rest = _without(text, first).strip()
        name = _ALIASES.get(name.casefold(), name.casefold())
        if name == RUN_ANY:
            return rest or "help"
        if name in VERB_COMMANDS or private or addressee:
            return f"{name} {rest}".strip()  # an unknown verb gets the core's "did you mean"
        return None  # a bare /cmd in a group that is not ours may be for another bot
    mentions = [e for e, value in entities.items()
                if e.type == MessageEntity.MENTION and value[1:].casefold() == bot_username.casefold()]
    if mentions:
        for entity in sorted(mentions, key=lambda e: e.offset, reverse=True):
            text = _without(text, entity)
        return " ".join(text.split()) or "help"
    if private:
        return text.strip()
    if _replies_to(message, bot_username):  # privacy mode delivers these too: they are for us
        return " ".join(text.split()) or "help"
    return None


def _replies_to(message: Message, bot_username: str) -> bool:
    replied = message.reply_to_message
    author = replied.from_user if replied is not None else None
    return author is not None and author.is_bot and (author.username or "").casefold() == bot_username.casefold()


def incoming_from_message(message: Message, text: str) -> Incoming:
    sender = message.from_user
    return Incoming(
        platform=PLATFORM, user_id=str(sender.id) if sender else "", text=text,
        chat_id=str(message.chat.id), message_id=str(message.message_id),
        user_name=_name(sender), is_direct=message.chat.type == "private",
    )


def incoming_from_tap(query: CallbackQuery, command: str) -> Incoming:
    """A button tap runs the button's command as the person who tapped, in the card's chat."""
    chat = query.message.chat if query.message is not None else None
    return Incoming(
        platform=PLATFORM, user_id=str(query.from_user.id), text=command,
        chat_id=str(chat.id) if chat else str(query.from_user.id), message_id=f"cb:{query.id}",
        user_name=_name(query.from_user), is_direct=chat is None or chat.type == "private",
    )


def _name(user) -> str:
    if user is None:
        return ""
    return user.username or user.first_name or str(user.id)


def _from_bot(message: Message) -> bool:
    return message.from_user is None or message.from_user.is_bot


def _without(text: str, entity: MessageEntity) -> str:
    """`text` with the entity's span cut out (entity offsets count UTF-16 code units)."""
    units = text.encode("utf-16-le")
    start, end = entity.offset * 2, (entity.offset + entity.length) * 2
    return (units[:start] + units[end:]).decode("utf-16-le")


# --- chat capture --------------------------------------------------------------------------------


def chat_event(update: Update, bot_username: str) -> ChatEvent | None:
    """The ChatEvent of a group message or edit that is not addressed to the bot; None for
    commands, private chats, bots, service messages (joins, pins) and anything else.

    Telegram's Bot API tells the bot about edits (edited_message) but never about deletions.
    It cannot say whether a sender belongs to the team either: `external` stays None, and only
    a known member counts as one.
    """
    message, action = update.message, Action.NEW
    if message is None and update.edited_message is not None:
        message, action = update.edited_message, Action.EDIT
    if message is None or message.chat.type == "private" or _from_bot(message):
        return None
    if action == Action.NEW and command_text(message, bot_username) is not None:
        return None  # a command, even in a linked chat
    attachments = _attachments(message)
    text = message.text or message.caption or ""
    if not text.strip() and not attachments:
        return None
    when = message.edit_date if action == Action.EDIT and message.edit_date else message.date
    sender = message.from_user
    return ChatEvent(
        platform=PLATFORM, chat_id=str(message.chat.id), message_id=str(message.message_id),
        action=action, user_id=str(sender.id), user_name=_full_name(sender), text=text,
        sent_at=_utc(when), attachments=attachments,
    )


def _attachments(message: Message) -> tuple[Attachment, ...]:
    found = []
    if message.photo:
        found.append(Attachment("image"))
    if message.document is not None:
        found.append(Attachment("file", message.document.file_name or ""))
    if message.video is not None or message.animation is not None or message.video_note is not None:
        found.append(Attachment("video", getattr(message.video, "file_name", None) or ""))
    if message.voice is not None or message.audio is not None:
        found.append(Attachment("audio", getattr(message.audio, "file_name", None) or ""))
    if message.sticker is not None:
        found.append(Attachment("sticker", message.sticker.emoji or ""))
    if message.location is not None:
        found.append(Attachment("location"))
    return tuple(found)


def _full_name(user) -> str:
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return name or user.username or str(user.id)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
