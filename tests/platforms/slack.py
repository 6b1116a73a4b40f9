"""A local fake of the Slack platform for the real slack_bolt / slack_sdk: the Web API
(`/api/<method>`), response_url endpoints (`/respond/<name>`), file uploads and the Socket Mode
websocket (`/link/`), on 127.0.0.1 with a free port. It records what it received.

Shapes follow the Web API as the SDK sends it: parameters come in the query string (auth.test, users.info, files.*,
apps.connections.open) or the body (JSON for chat.postMessage; form or multipart otherwise).

Events over Socket Mode (`deliver_events`) are retried as Slack retries an Events API delivery
that was not acknowledged: the same event (same event_id) in a new envelope with
`retry_attempt` counting up, at most 3 retries. Slack retries after 3 s without an ack and then
after about 1 and 5 minutes; the fake retries what was not acknowledged on a connection when
that connection closes, on the next connection (a killed app acknowledges nothing more), so a
test need not wait minutes. Slash commands and button clicks are never retried by Slack (the
user sees an error instead), so `send_envelope` does not retry them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

from tests.platforms.server import FakeServer

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
class SharedFile:
    """A file completed into a channel (files.completeUploadExternal), with the uploaded bytes."""

    file_id: str
    channel: str
    title: str
    content: bytes


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


class FakeSlack(FakeServer):
    name = "fake Slack"

    def __init__(self):
        super().__init__()
        self.calls: list[ApiCall] = []
        self.posted: list[Posted] = []
        self.uploads: dict[str, bytes] = {}
        self.upload_urls: dict[str, dict] = {}  # file_id -> the getUploadURLExternal parameters
        self.shared: list[SharedFile] = []
        self.acks: dict[str, dict] = {}
        self.views: list[dict] = []  # the modals views.open opened, with the id Slack gave each
        self.users: dict[str, dict] = {}
        # conversations.info of channels a test describes; any other channel is a public one the
        # bot is in. A private channel the bot is not in is invisible to it (channel_not_found).
        self.channels: dict[str, dict] = {}
        self._rate_limits: dict[str, list[int]] = {}
        self.revoked: set[str] = set()  # bot tokens Slack no longer accepts: every call gets invalid_auth
        self._ts = itertools.count(1)
        self._ack_waiters: dict[str, asyncio.Future] = {}
        self.envelopes: dict[str, dict] = {}  # every envelope sent, by envelope_id
        self._unacked: dict[web.WebSocketResponse, dict[str, dict]] = {}  # retried events, per socket
        self._retry: list[dict] = []  # events to deliver again on the next connection
        # Slack gives up on an event after 3 retries. A kill test may close more connections than
        # that while an event waits (its kills, plus a reconnect when a loaded machine misses the
        # SDK's heartbeat); it raises the limit, as its question is what was acknowledged.
        self.max_retries = 3
        self.dropped: list[dict] = []  # events given up on after max_retries
        self._envelope_ids = itertools.count(1)

    # --- lifecycle ------------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link/", self._socket)

    @property
    def base(self) -> str:
        return self.url

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

    def describe(self) -> str:
        return f"posted={self.posted!r}"

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

    async def deliver_events(self, bodies: list[dict]) -> None:
        """Send event_callback bodies as events_api envelopes to the connected client without
        waiting for acks; what is not acknowledged is retried (see the module docstring)."""
        await self.wait_until(lambda: self._sockets, 60)
        for body in bodies:
            await self._send_event(self._sockets[-1], body, attempt=0)

    def outstanding(self) -> int:
        """Events sent and not acknowledged yet, or waiting to be retried."""
        return sum(len(envelopes) for envelopes in self._unacked.values()) + len(self._retry)

    def acknowledged_events(self) -> list[dict]:
        """The event_callback bodies whose envelope the client acknowledged."""
        return [self.envelopes[envelope_id]["payload"] for envelope_id in self.acks
                if envelope_id in self.envelopes]

    async def _send_event(self, ws: web.WebSocketResponse, body: dict, attempt: int) -> None:
        envelope = {"envelope_id": f"ev-{next(self._envelope_ids)}", "type": "events_api", "payload": body,
                    "accepts_response_payload": False, "retry_attempt": attempt,
                    "retry_reason": "timeout" if attempt else ""}
        self.envelopes[envelope["envelope_id"]] = envelope
        self._unacked.setdefault(ws, {})[envelope["envelope_id"]] = envelope
        with contextlib.suppress(ConnectionError, RuntimeError):  # a closing socket: unacknowledged, retried
            await ws.send_json(envelope)

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
        if request.headers.get("Authorization", "").removeprefix("Bearer ") in self.revoked:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response(handler(params))

    def _m_auth_test(self, params: dict) -> dict:
        return {"ok": True, "url": "https://fake.slack.com/", "team": "Fake", "user": "dealbot",
                "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _m_views_open(self, params: dict) -> dict:
        view = json.loads(params["view"]) if isinstance(params.get("view"), str) else params.get("view") or {}
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        opened = {"id": f"V{len(self.calls_to('views.open'))}", "hash": "h1", **view}
        self.views.append(opened)
        return {"ok": True, "view": opened}

    def _m_users_info(self, params: dict) -> dict:
        user = self.users.get(params.get("user", ""))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _m_conversations_info(self, params: dict) -> dict:
        channel = self.channels.get(params["channel"], {"is_private": False, "is_member": True})
        if channel.get("is_private") and not channel.get("is_member"):
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": params["channel"], "is_channel": True, **channel}}

    def _m_conversations_join(self, params: dict) -> dict:
        channel = self.channels.setdefault(params["channel"], {"is_private": False})
        if channel.get("is_private"):
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        channel["is_member"] = True
        return {"ok": True, "channel": {"id": params["channel"], **channel}}

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
        """Like Slack: `filename` and a positive `length` are required."""
        if not params.get("filename") or int(params.get("length") or 0) <= 0:
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{len(self.upload_urls) + 1}"
        self.upload_urls[file_id] = params
        return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, params: dict) -> dict:
        """Like Slack: every file must have been uploaded (its announced length), and it is shared
        into `channel_id` when one is given."""
        files = params["files"] if isinstance(params["files"], list) else json.loads(params["files"])
        for f in files:
            content = self.uploads.get(f["id"])
            announced = int(self.upload_urls.get(f["id"], {}).get("length") or -1)
            if content is None or len(content) != announced:
                return {"ok": False, "error": "file_not_found"}
        channel = params.get("channel_id") or ""
        for f in files:
            if channel:
                self.shared.append(SharedFile(f["id"], channel, f.get("title") or "", self.uploads[f["id"]]))
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    # --- response_url, uploads, Socket Mode -----------------------------------------------------

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.posted.append(Posted("response_url", request.match_info["name"], body.get("text", ""),
                                  body.get("blocks") or [], ephemeral=body.get("response_type") == "ephemeral",
                                  raw=body))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """The raw POST of the file to its upload_url (the SDK sends the bytes as the body)."""
        file_id = request.match_info["file_id"]
        if file_id not in self.upload_urls:
            return web.Response(status=404, text="unknown upload")
        self.uploads[file_id] = await request.read()
        return web.Response(text=f"OK - {len(self.uploads[file_id])}")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                            "connection_info": {"app_id": "A1"}})
        self._unacked[ws] = {}
        retry, self._retry = self._retry, []
        for envelope in retry:
            await self._send_event(ws, envelope["payload"], envelope["retry_attempt"] + 1)
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                ack = json.loads(message.data)
                envelope_id = ack.get("envelope_id", "")
                self.acks[envelope_id] = ack
                self._unacked[ws].pop(envelope_id, None)
                waiter = self._ack_waiters.pop(envelope_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(ack)
        finally:
            self._sockets.remove(ws)
            lost = self._unacked.pop(ws, {}).values()
            for envelope in lost:
                kept = envelope["retry_attempt"] < self.max_retries
                (self._retry if kept else self.dropped).append(envelope)
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


def view_submission(view: dict, values: dict[str, str], *, user_id: str) -> dict:
    """A person pressed the submit button of an opened modal (`view`, as views.open returned it)
    having typed `values` ({block id: text}) into its plain-text inputs."""
    state = {block["block_id"]: {"value": {"type": "plain_text_input", "value": values.get(block["block_id"])}}
             for block in view.get("blocks", []) if block.get("type") == "input"}
    return {
        "type": "view_submission", "team": {"id": TEAM_ID, "domain": "fake"}, "api_app_id": "A1", "token": "legacy",
        "user": {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": TEAM_ID},
        "trigger_id": f"trig-view-{user_id}",
        "view": {**view, "state": {"values": state}},
    }
