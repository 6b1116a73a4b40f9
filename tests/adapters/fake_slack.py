"""A local fake of the Slack platform for the real slack_bolt / slack_sdk: the Web API
(`/api/<method>`), response_url endpoints (`/respond/<name>`), file uploads and the Socket Mode
websocket (`/link/`), on 127.0.0.1 with a free port. It records what it received.

Shapes follow TESTING.md: parameters come in the query string (auth.test, users.info, files.*,
apps.connections.open) or the body (JSON for chat.postMessage; form or multipart otherwise).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

BOT_USER_ID = "UBOT"
_TRIGGERS = itertools.count(1)
BOT_ID = "BBOT"
TEAM_ID = "T1"


@dataclass
class ApiCall:
    method: str
    params: dict
    status: int = 200


@dataclass
class Posted:
    """A message the bot put in front of people, however it was sent."""

    via: str  # "chat.postMessage" | "chat.postEphemeral" | "response_url"
    channel: str
    text: str
    blocks: list = field(default_factory=list)
    ephemeral: bool = False
    raw: dict = field(default_factory=dict)

    def all_text(self) -> str:
        """The fallback text and every text in the blocks, for assertions."""
        return self.text + "\n" + json.dumps(self.blocks, ensure_ascii=False)


class FakeSlack:
    def __init__(self):
        self.calls: list[ApiCall] = []
        self.posted: list[Posted] = []
        self.uploads: dict[str, bytes] = {}
        self.acks: dict[str, dict] = {}
        self.users: dict[str, dict] = {}
        self._rate_limits: dict[str, list[int]] = {}
        self._ts = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._ack_waiters: dict[str, asyncio.Future] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link/", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base}/respond/{name}"

    # --- test controls --------------------------------------------------------------------------

    def add_user(self, user_id: str, display_name: str, *, username: str = "", tz: str = "Asia/Shanghai",
                 email: str = "") -> None:
        username = username or display_name.split()[0].lower()
        self.users[user_id] = {
            "id": user_id, "team_id": TEAM_ID, "name": username, "real_name": display_name, "tz": tz,
            "is_bot": False, "profile": {"display_name": display_name, "real_name": display_name,
                                         "email": email or f"{username}@example.com"},
        }

    def rate_limit(self, method: str, retry_after: int = 1) -> None:
        """Answer the next call of `method` with a 429 and this Retry-After."""
        self._rate_limits.setdefault(method, []).append(retry_after)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    async def wait_until(self, condition, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; posted={self.posted!r}")
            await asyncio.sleep(0.01)

    async def send_envelope(self, kind: str, payload: dict, envelope_id: str = "env-1",
                            timeout: float = 5.0) -> dict:
        """Push a Socket Mode envelope to the connected client; return its ack."""
        await self.wait_until(lambda: self._sockets, timeout)
        waiter = asyncio.get_running_loop().create_future()
        self._ack_waiters[envelope_id] = waiter
        await self._sockets[-1].send_json({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                           "accepts_response_payload": kind != "events_api",
                                           "retry_attempt": 0, "retry_reason": ""})
        return await asyncio.wait_for(waiter, timeout)

    # --- the Web API ----------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = dict(request.query)
        params.update(await _body_params(request))
        if self._rate_limits.get(method):
            retry_after = self._rate_limits[method].pop(0)
            self.calls.append(ApiCall(method, params, 429))
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": str(retry_after)})
        self.calls.append(ApiCall(method, params))
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response(handler(params))

    def _m_auth_test(self, params: dict) -> dict:
        return {"ok": True, "url": "https://fake.slack.com/", "team": "Fake", "user": "dealbot",
                "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _m_users_info(self, params: dict) -> dict:
        user = self.users.get(params.get("user", ""))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _m_conversations_open(self, params: dict) -> dict:
        return {"ok": True, "channel": {"id": "D" + params["users"].split(",")[0]}}

    def _m_chat_postMessage(self, params: dict) -> dict:
        ts = f"1772590000.{next(self._ts):06d}"
        self.posted.append(Posted("chat.postMessage", params["channel"], params.get("text", ""),
                                  _blocks(params), raw=params))
        return {"ok": True, "channel": params["channel"], "ts": ts, "message": {"text": params.get("text", "")}}

    def _m_chat_postEphemeral(self, params: dict) -> dict:
        self.posted.append(Posted("chat.postEphemeral", params["channel"], params.get("text", ""),
                                  _blocks(params), ephemeral=True, raw=params))
        return {"ok": True, "message_ts": f"1772590000.{next(self._ts):06d}"}

    def _m_apps_connections_open(self, params: dict) -> dict:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link/?ticket=t"}

    def _m_files_getUploadURLExternal(self, params: dict) -> dict:
        file_id = f"F{len(self.uploads) + 1}"
        return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, params: dict) -> dict:
        files = params["files"] if isinstance(params["files"], list) else json.loads(params["files"])
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    # --- response_url, uploads, Socket Mode -----------------------------------------------------

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.posted.append(Posted("response_url", request.match_info["name"], body.get("text", ""),
                                  body.get("blocks") or [], ephemeral=body.get("response_type") == "ephemeral",
                                  raw=body))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK - 1")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                            "connection_info": {"app_id": "A1"}})
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                ack = json.loads(message.data)
                envelope_id = ack.get("envelope_id", "")
                self.acks[envelope_id] = ack
                waiter = self._ack_waiters.pop(envelope_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(ack)
        finally:
            self._sockets.remove(ws)
        return ws


async def _body_params(request: web.Request) -> dict:
    if not request.can_read_body:
        return {}
    if request.content_type == "application/json":
        return await request.json()
    form = await request.post()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _blocks(params: dict) -> list:
    blocks = params.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


# --- what Slack sends us ------------------------------------------------------------------------


def signed_headers(body: str, secret: str, *, timestamp: int | None = None,
                   content_type: str = "application/json") -> dict:
    """Headers Slack puts on a request: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature,
            "Content-Type": content_type}


def slash_command(text: str, *, user_id: str, user_name: str = "", channel_id: str = "C1",
                  channel_name: str = "sales", response_url: str, command: str = "/deal") -> dict:
    return {"token": "legacy", "team_id": TEAM_ID, "team_domain": "fake", "channel_id": channel_id,
            "channel_name": channel_name, "user_id": user_id, "user_name": user_name or user_id.lower(),
            "command": command, "text": text, "api_app_id": "A1", "response_url": response_url,
            "trigger_id": f"trig-{next(_TRIGGERS)}"}


def form_body(fields: dict) -> str:
    return urlencode(fields)


def event_callback(event: dict, *, event_id: str) -> dict:
    return {"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A1", "event": event, "type": "event_callback",
            "event_id": event_id, "event_time": 1772590000,
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}


def message_event(text: str, *, user: str, channel: str, channel_type: str, ts: str = "1772590000.000100",
                  kind: str = "message", **extra) -> dict:
    event = {"type": kind, "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts,
             "team": TEAM_ID}
    if kind == "message":
        event["channel_type"] = channel_type
    event.update(extra)
    return event


def block_actions(value: str, *, user_id: str, channel: str = "C1", response_url: str,
                  action_id: str = "cmd:0") -> dict:
    return {
        "type": "block_actions", "team": {"id": TEAM_ID, "domain": "fake"}, "api_app_id": "A1", "token": "legacy",
        "user": {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": TEAM_ID},
        "container": {"type": "message", "message_ts": "1772590000.000001", "channel_id": channel,
                      "is_ephemeral": False},
        "trigger_id": f"trig-click-{user_id}", "channel": {"id": channel, "name": "sales"},
        "message": {"type": "message", "ts": "1772590000.000001", "bot_id": BOT_ID, "text": "card"},
        "response_url": response_url,
        "actions": [{"action_id": action_id, "block_id": "b1", "type": "button", "value": value,
                     "text": {"type": "plain_text", "text": value}, "action_ts": f"{time.time():.6f}"}],
    }
