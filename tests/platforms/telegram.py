"""A local fake of the Telegram Bot API, for driving the real python-telegram-bot against it.

Requests arrive as POST /bot<token>/<method>, form-encoded (nested values as JSON strings) or
multipart for files, as the Bot API takes them. Every call is recorded in `calls`; tests push updates with
`push()` and wait for what the bot sent with `wait_for()`. Like Telegram, getUpdates returns
only updates at or after `offset` (at most `limit`, default 100; the ones before the offset are
confirmed and forgotten), and sendMessage / editMessageText refuse HTML that does not parse
(unbalanced or unknown tags), so a rendering bug fails the test here as it would there.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

from aiohttp import web

from tests.platforms.server import FakeServer

BOT_USER = {
    "id": 999, "is_bot": True, "first_name": "Dealbot", "username": "dealbot_test_bot",
    "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
}
PNG, JPEG = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"
LONG_POLL_CAP = 0.5  # seconds a getUpdates waits at most, so the bot stops quickly
TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                 "span", "tg-spoiler", "tg-emoji", "blockquote"}


@dataclass
class Call:
    method: str
    params: dict
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    result: object = None


class HtmlCheck(HTMLParser):
    """Telegram's rule for parse_mode=HTML: known tags only, every tag closed in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in TELEGRAM_TAGS:
            self.errors.append(f"unsupported tag <{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unexpected </{tag}>")

    def handle_data(self, data):
        self.text.append(data)

    @classmethod
    def problems(cls, html: str) -> list[str]:
        check = cls()
        check.feed(html)
        check.close()
        return check.errors + [f"<{tag}> not closed" for tag in check.stack]

    @classmethod
    def visible_text(cls, html: str) -> str:
        check = cls()
        check.feed(html)
        check.close()
        return "".join(check.text)


class FakeTelegram(FakeServer):
    name = "fake Telegram"

    def __init__(self, token: str):
        super().__init__()
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict] = []
        self.photos: list[bytes] = []  # what sendPhoto received, in order
        self.webhook: dict | None = None
        self.polls = 0  # getUpdates calls (only those that returned updates are in `calls`)
        self.offset = 0  # the highest offset a getUpdates named: updates before it are confirmed
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(500)
        self._changed = asyncio.Condition()
        self._rate_limits: dict[str, list[int]] = {}  # method -> [times left, retry_after]
        self._closing = False
        # BotFather's /setprivacy: with privacy mode on a bot gets only commands, replies to it
        # and service messages of groups where it is not an admin. Off here unless a test says.
        self.privacy_mode = False
        self.admin_in: set[int] = set()  # chats where the bot is an administrator

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._api)

    async def before_stop(self) -> None:
        async with self._changed:  # wake the long polls still waiting
            self._closing = True
            self._changed.notify_all()

    # --- test controls --------------------------------------------------------------------------

    def next_update_id(self) -> int:
        return next(self._ids)

    async def push(self, *updates: dict) -> None:
        """Queue updates for getUpdates, all in one batch."""
        async with self._changed:
            self.updates.extend(updates)
            self._changed.notify_all()

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls of `method` get 429 with `retry_after`."""
        self._rate_limits[method] = [times, retry_after]

    async def wait_confirmed(self, update_id: int, timeout: float = 5.0) -> None:
        """Wait until the bot confirmed every update up to `update_id` (a later getUpdates offset)."""
        async def confirmed():
            async with self._changed:
                await self._changed.wait_for(lambda: self.offset > update_id)

        try:
            await asyncio.wait_for(confirmed(), timeout)
        except TimeoutError:
            raise AssertionError(f"update {update_id} not confirmed after {timeout}s "
                                 f"(offset {self.offset})") from None

    def sent(self, method: str = "sendMessage") -> list[dict]:
        """Parameters of the successful calls of `method`."""
        return [c.params for c in self.calls if c.method == method and c.status == 200]

    def messages(self, method: str = "sendMessage") -> list[dict]:
        """The messages the successful calls of `method` created, as the fake answered them."""
        return [c.result for c in self.calls if c.method == method and c.status == 200]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[dict]:
        """Wait until `count` successful calls of `method` were made; return them all."""
        async def enough():
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.sent(method)) >= count)

        try:
            await asyncio.wait_for(enough(), timeout)
        except TimeoutError:
            raise AssertionError(f"{method}: {len(self.sent(method))} of {count} after {timeout}s; "
                                 f"calls: {[c.method for c in self.calls]}") from None
        return self.sent(method)

    # --- the API --------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        call = Call(method, params)
        limited = self._rate_limits.get(method)
        if limited and limited[0] > 0:
            limited[0] -= 1
            call.status = 429
            await self._record(call)
            return _error(429, f"Too Many Requests: retry after {limited[1]}",
                          parameters={"retry_after": limited[1]})
        if method == "getUpdates":  # recorded only when it returned something, to keep calls short
            return await self._get_updates(call)
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            call.status = 404
            await self._record(call)
            return _error(404, "Not Found: method not found")
        try:
            result = handler(params)
        except ValueError as exc:
            call.status = 400
            await self._record(call)
            return _error(400, f"Bad Request: {exc}")
        call.result = result
        await self._record(call)
        return web.json_response({"ok": True, "result": result})

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _get_updates(self, call: Call) -> web.Response:
        self.polls += 1
        offset = int(call.params.get("offset") or 0)
        wait = min(float(call.params.get("timeout") or 0), LONG_POLL_CAP)
        async with self._changed:
            if offset > self.offset:
                self.offset = offset
                self._changed.notify_all()
            self.updates = [u for u in self.updates if u["update_id"] >= offset]  # confirmed ones go
            if not self.updates and wait:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self.updates) or self._closing), wait)
            batch = self.updates[: int(call.params.get("limit") or 100)]  # Telegram's default and cap
        if batch:
            await self._record(call)
        return web.json_response({"ok": True, "result": batch})

    def _getMe(self, params):
        return BOT_USER | {"can_read_all_group_messages": not self.privacy_mode}

    def _getChatMember(self, params):
        if int(params["user_id"]) != BOT_USER["id"]:
            raise ValueError("the fake knows only the bot's own membership")
        status = "administrator" if int(params["chat_id"]) in self.admin_in else "member"
        member = {"status": status, "user": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")}}
        if status == "administrator":
            member |= {"can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                       "can_delete_messages": False, "can_manage_video_chats": False,
                       "can_restrict_members": False, "can_promote_members": False, "can_change_info": False,
                       "can_invite_users": True, "can_post_stories": False, "can_edit_stories": False,
                       "can_delete_stories": False}
        return member

    def _setMyCommands(self, params):
        for command in params["commands"]:
            name, description = command["command"], command["description"]
            if not (1 <= len(name) <= 32 and all(c.islower() or c.isdigit() or c == "_" for c in name)):
                raise ValueError(f"BOT_COMMAND_INVALID: {name!r}")
            if not 1 <= len(description) <= 256:
                raise ValueError(f"command description length: {name!r}")
        return True

    def _deleteWebhook(self, params):
        self.webhook = None
        return True

    def _setWebhook(self, params):
        self.webhook = params
        return True

    def _answerCallbackQuery(self, params):
        return True

    def _sendMessage(self, params):
        self._check_text(params["text"], params.get("parse_mode"), limit=4096)
        return self._message(params, text=params["text"])

    def _editMessageText(self, params):
        self._check_text(params["text"], params.get("parse_mode"), limit=4096)
        return self._message(params, text=params["text"], message_id=int(params["message_id"]))

    def _sendPhoto(self, params):
        """Like Telegram: the photo is an uploaded file (multipart) that is an image, or a file_id."""
        photo = params.get("photo")
        if isinstance(photo, dict):
            if not photo["content"].startswith((PNG, JPEG)):
                raise ValueError("IMAGE_PROCESS_FAILED")
            self.photos.append(photo["content"])
        elif not photo:
            raise ValueError("there is no photo in the request")
        if params.get("caption"):
            self._check_text(params["caption"], params.get("parse_mode"), limit=1024)
        photo = {"file_id": "photo-1", "file_unique_id": "p1", "width": 800, "height": 600}
        return self._message(params, photo=[photo], caption=params.get("caption", ""))

    @staticmethod
    def _check_text(text: str, parse_mode: str | None, limit: int) -> None:
        visible = text
        if parse_mode == "HTML":
            problems = HtmlCheck.problems(text)
            if problems:
                raise ValueError(f"can't parse entities: {problems[0]}")
            visible = HtmlCheck.visible_text(text)
        if not visible.strip():
            raise ValueError("message text is empty")
        if len(visible.encode("utf-16-le")) // 2 > limit:
            raise ValueError("message is too long")

    def _message(self, params, *, message_id: int | None = None, **content) -> dict:
        chat_id = int(params["chat_id"])
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if params.get("reply_markup"):
            content["reply_markup"] = params["reply_markup"]
        return {"message_id": message_id or next(self._message_ids), "date": int(time.time()),
                "chat": chat, "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
                **content}


async def _params(request: web.Request) -> dict:
    """Parameters as the bot meant them: form fields with JSON-encoded nested values."""
    if request.content_type == "application/json":
        return await request.json()
    params: dict = {}
    if request.content_type.startswith("multipart/"):
        async for part in await request.multipart():
            if part.filename:
                content = bytes(await part.read())
                params[part.name] = {"filename": part.filename, "size": len(content), "content": content}
            else:
                params[part.name] = await part.text()
    else:
        params.update(await request.post())
        params.update(request.query)
    for key in ("reply_markup", "commands", "allowed_updates", "reply_parameters",
                "link_preview_options"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


def _error(code: int, description: str, **extra) -> web.Response:
    return web.json_response({"ok": False, "error_code": code, "description": description, **extra},
                             status=code)


# --- update payloads, shaped like Telegram's --------------------------------------------------


def user(user_id: int, username: str | None = None, first_name: str = "Rep") -> dict:
    found = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        found["username"] = username
    return found


def private_chat(user_id: int) -> dict:
    return {"id": user_id, "type": "private", "first_name": "Rep"}


def group_chat(chat_id: int = -100123, title: str = "Acme deal room") -> dict:
    return {"id": chat_id, "type": "supergroup", "title": title}


# Telegram numbers a chat's messages; these start far from the ones tests give, and never repeat
# (dealbot takes a repeated message in a chat for a redelivery: core.app.dealbot).
_SENT_IDS = itertools.count(100_000)


def message_update(update_id: int, sender: dict, chat: dict, text: str, message_id: int | None = None) -> dict:
    message_id = next(_SENT_IDS) if message_id is None else message_id
    message = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": sender,
               "text": text}
    entities = []
    if text.startswith("/"):
        command = text.split()[0]
        entities.append({"type": "bot_command", "offset": 0, "length": _utf16_len(command)})
    for word in text.split():
        if word.startswith("@") and len(word) > 1:
            offset = _utf16_len(text[:text.index(word)])
            entities.append({"type": "mention", "offset": offset, "length": _utf16_len(word)})
    if entities:
        message["entities"] = entities
    return {"update_id": update_id, "message": message}


def reply_update(update_id: int, sender: dict, replied_to: dict, text: str) -> dict:
    """A message replying to `replied_to` (a message as the fake answered it, e.g. the bot's)."""
    update = message_update(update_id, sender, replied_to["chat"], text)
    update["message"]["reply_to_message"] = replied_to
    return update


def migrated_update(update_id: int, old_chat: dict, new_chat_id: int, sender: dict) -> dict:
    """The service message Telegram posts in a group that was upgraded to a supergroup."""
    return {"update_id": update_id, "message": {
        "message_id": next(_SENT_IDS), "date": int(time.time()), "chat": old_chat | {"type": "group"},
        "from": sender, "migrate_to_chat_id": new_chat_id}}


def callback_update(update_id: int, sender: dict, message: dict, data: str) -> dict:
    """A tap on a button of `message` (a message the bot sent, as the fake answered it)."""
    return {"update_id": update_id, "callback_query": {
        "id": f"cq{update_id}", "from": sender, "chat_instance": "ci1", "data": data,
        "message": message,
    }}


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def edited_update(update_id: int, sender: dict, chat: dict, text: str, message_id: int,
                  edit_date: int | None = None) -> dict:
    """An edited_message update: the message as it is now, with its edit time."""
    message = message_update(update_id, sender, chat, text, message_id)["message"]
    message["edit_date"] = edit_date or int(time.time())
    return {"update_id": update_id, "edited_message": message}


def photo_update(update_id: int, sender: dict, chat: dict, caption: str, message_id: int) -> dict:
    """A photo with a caption (no text), as Telegram sends it: several sizes of one picture."""
    sizes = [{"file_id": f"ph{n}", "file_unique_id": f"u{n}", "width": w, "height": w}
             for n, w in enumerate((90, 320, 800))]
    message = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": sender,
               "photo": sizes, "caption": caption}
    return {"update_id": update_id, "message": message}
