"""Slack events in: slash commands, mentions, direct messages and button clicks become Incoming.

Slack writes references in angle brackets (`<@U123|bob>`, `<#C1|sales>`, `<https://x|x>`,
`<!here>`) and escapes `&`, `<`, `>`; the core gets plain text with `@handle` mentions instead.
Looking up a mentioned person's name needs the Web API, so it happens in the adapter; the
functions here are pure and take the names as a mapping.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from core.chat.messages import Incoming
from core.conversations.capture import Action, Attachment, ChatEvent

PLATFORM = "slack"

_USER_REF = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL_REF = re.compile(r"<#[CG][A-Z0-9]+(?:\|([^>]*))?>")
_SPECIAL_REF = re.compile(r"<!(?:subteam\^[A-Z0-9]+|(here|channel|everyone))(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto|tel):[^|>]*)(?:\|([^>]*))?>")
_HANDLE_CHARS = re.compile(r"[^\w.\-]+")
# Message subtypes a person produces by typing; every other subtype (edits, joins, bots) is not a command.
_PERSON_SUBTYPES = {None, "file_share", "thread_broadcast"}


@dataclass(frozen=True)
class SlackUser:
    """What users.info tells us about a person. `name` is what people see in Slack."""

    id: str
    name: str
    username: str = ""
    timezone: str | None = None
    email: str | None = None
    is_bot: bool = False
    team: str = ""  # their home workspace (team id); empty when Slack did not say


def user_from_info(info: Mapping) -> SlackUser:
    """A users.info `user` object."""
    profile = info.get("profile") or {}
    name = (profile.get("display_name") or profile.get("real_name") or info.get("real_name")
            or info.get("name") or info.get("id", ""))
    return SlackUser(id=info.get("id", ""), name=name.strip(), username=info.get("name", ""),
                     timezone=info.get("tz") or None, email=profile.get("email") or None,
                     is_bot=bool(info.get("is_bot")), team=info.get("team_id") or "")


def as_handle(name: str) -> str:
    """The core's handle for a display name (core.services.people makes handles the same way)."""
    return _HANDLE_CHARS.sub("-", name.strip().lstrip("@")).strip("-").lower()[:40]


def mentioned_user_ids(text: str) -> list[tuple[str, str]]:
    """(user id, label or '') of every `<@U…>` in the text, in order, without repeats."""
    seen: dict[str, str] = {}
    for m in _USER_REF.finditer(text):
        seen.setdefault(m[1], m[2] or "")
    return list(seen.items())


def command_text(text: str, *, bot_user_id: str = "", handles: Mapping[str, str] | None = None) -> str:
    """Slack message text as the core reads it: the bot's own mention removed, people as
    `@handle`, channels as `#name`, links as their label, entities unescaped."""
    handles = handles or {}

    def person(m: re.Match) -> str:
        if m[1] == bot_user_id:
            return " "
        handle = handles.get(m[1]) or as_handle(m[2] or "") or m[1].lower()
        return f"@{handle}"

    text = _USER_REF.sub(person, text)
    text = _CHANNEL_REF.sub(lambda m: f"#{m[1]}" if m[1] else "#channel", text)
    text = _SPECIAL_REF.sub(lambda m: f"@{m[1]}" if m[1] else (m[2] or "@group"), text)
    text = _LINK.sub(lambda m: m[2] or m[1].removeprefix("mailto:").removeprefix("tel:"), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def mentions(text: str, user_id: str) -> bool:
    return bool(user_id) and any(uid == user_id for uid, _ in mentioned_user_ids(text))


def is_person_message(event: Mapping) -> bool:
    """A message a person typed: not a bot's, not an edit, join or other system subtype."""
    return not event.get("bot_id") and event.get("subtype") in _PERSON_SUBTYPES and bool(event.get("user"))


def is_direct_channel(channel_id: str, channel_name: str = "") -> bool:
    return channel_id.startswith("D") or channel_name == "directmessage"


def placed(incoming: Incoming, user: SlackUser, payload_team: str, own_team: str) -> Incoming:
    """The Incoming with where its sender belongs: their workspace (users.info's team_id, else the
    payload's), and whether it is another organisation's (a Slack Connect user). The core keeps
    such a sender away from the pipeline whatever they type."""
    org = user.team or payload_team
    external = (org != own_team) if org and own_team else None
    return dataclasses.replace(incoming, org=org, external=external)


def from_slash_command(command: Mapping, text: str, user: SlackUser) -> Incoming:
    channel = command.get("channel_id", "")
    return Incoming(platform=PLATFORM, user_id=command["user_id"], text=text, chat_id=channel,
                    message_id=command.get("trigger_id", ""), user_name=user.name,
                    is_direct=is_direct_channel(channel, command.get("channel_name", "")))


def from_message_event(event: Mapping, text: str, user: SlackUser) -> Incoming:
    """A `message` or `app_mention` event."""
    channel = event.get("channel", "")
    is_direct = event.get("channel_type") == "im" or (event.get("type") == "message" and channel.startswith("D"))
    return Incoming(platform=PLATFORM, user_id=event["user"], text=text, chat_id=channel,
                    message_id=event.get("ts", ""), user_name=user.name,
                    is_direct=is_direct)


def from_block_action(body: Mapping, action: Mapping, user: SlackUser) -> Incoming:
    """A button click: the button's value is the command, run as the person who clicked."""
    channel = clicked_channel(body)
    return Incoming(platform=PLATFORM, user_id=body["user"]["id"], text=action.get("value", ""),
                    chat_id=channel, message_id=action.get("action_ts", ""), user_name=user.name,
                    is_direct=is_direct_channel(channel))


def clicked_channel(body: Mapping) -> str:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")


# --- chat capture --------------------------------------------------------------------------------


def captured(event: Mapping) -> tuple[Action, Mapping] | None:
    """(action, the message it is about) when chat capture takes this `message` event: a person's
    message in a channel or group (not a DM with the bot), its edit (message_changed) or its
    deletion (message_deleted); None for everything else. A message that mentions the bot is a
    command (its app_mention event runs it), and so is not captured."""
    if event.get("channel_type") == "im" or is_direct_channel(event.get("channel", "")):
        return None
    subtype = event.get("subtype")
    if subtype == "message_changed":
        message = event.get("message") or {}
        return (Action.EDIT, message) if is_person_message(message) else None
    if subtype == "message_deleted":
        return Action.DELETE, event.get("previous_message") or {}
    return (Action.NEW, event) if is_person_message(event) else None


def chat_event(event: Mapping, action: Action, message: Mapping, *, text: str, user_name: str,
               own_team: str) -> ChatEvent:
    """The ChatEvent of a `captured` event; `text` is the message's text as the core reads it."""
    if action == Action.NEW:
        message_id, when = event.get("ts", ""), event.get("ts")
    elif action == Action.EDIT:
        message_id = message.get("ts", "")
        when = (message.get("edited") or {}).get("ts") or event.get("event_ts") or event.get("ts")
    else:
        message_id, when = event.get("deleted_ts", ""), event.get("event_ts") or event.get("ts")
    return ChatEvent(
        platform=PLATFORM, chat_id=event.get("channel", ""), message_id=message_id, action=action,
        user_id=message.get("user", ""), user_name=user_name, text=text, sent_at=slack_time(when),
        external=is_external(message, own_team), attachments=attachments(message),
        org=message.get("user_team") or message.get("team") or "",
    )


def is_external(message: Mapping, own_team: str) -> bool | None:
    """True for a sender from another organisation (Slack Connect): their team is not ours.
    None when the event names no team. (In an Enterprise Grid the workspaces of one org have
    different team ids too; such a colleague would count as external.)"""
    team = message.get("user_team") or message.get("team")
    if not team or not own_team:
        return None
    return team != own_team


def attachments(message: Mapping) -> tuple[Attachment, ...]:
    found = []
    for file in message.get("files") or ():
        if not isinstance(file, Mapping):
            continue
        kind = "image" if str(file.get("mimetype", "")).startswith("image/") else "file"
        found.append(Attachment(kind, str(file.get("name") or file.get("title") or "")))
    return tuple(found)


def slack_time(ts: object) -> datetime | None:
    """A Slack `ts` ("1772590000.000100": seconds since the epoch) as aware UTC."""
    try:
        return datetime.fromtimestamp(float(ts), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
