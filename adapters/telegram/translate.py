"""Telegram updates in: a message or a button tap becomes an Incoming, with the envelope
(`/deal`, `/move@dealbot`, an @mention of the bot) stripped.

Telegram command names are limited to [a-z0-9_], so every English verb is also a command
(`/move D-12 next`); `/deal <anything>` runs any command text, Chinese verbs included
(`/deal 推进 D-12 报价`). In a private chat plain text is a command too; in a group only a
command or a message mentioning the bot is.
"""

from __future__ import annotations

import re

from telegram import CallbackQuery, Message, MessageEntity

from core.messages import Incoming
from core.verbs import VERBS

PLATFORM = "telegram"
RUN_ANY = "deal"  # `/deal <command text>`
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
VERB_COMMANDS = frozenset(v.key for v in VERBS if _COMMAND_NAME.fullmatch(v.key))
_ALIASES = {"start": "help"}  # what Telegram sends when someone opens the bot
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
    return text.strip() if private else None


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
