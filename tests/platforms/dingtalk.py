"""A local DingTalk for adapter tests: the Stream gateway and websocket, session webhooks, the
OAuth token endpoint and the robot OpenAPI, on 127.0.0.1 (a free port).

Payload shapes follow DingTalk's documented ones:
- POST /v1.0/gateway/connections/open {clientId, clientSecret, subscriptions, ua, localIp}
  -> {"endpoint": "ws://…/connect", "ticket": …}; the client opens endpoint?ticket=….
- Frames to the client: {"specVersion", "type": "CALLBACK"|"SYSTEM", "headers": {messageId,
  topic, contentType, …}, "data": "<JSON string>"}; the client answers each with an ack
  {"code", "headers": {"messageId", …}, "message", "data"}.
- POST <sessionWebhook> {"msgtype": "markdown"|"actionCard"|…} -> {"errcode": 0, "errmsg": "ok"}.
- POST /v1.0/oauth2/accessToken {appKey, appSecret} -> {"accessToken", "expireIn"}.
- POST /v1.0/robot/oToMessages/batchSend {robotCode, userIds, msgKey, msgParam} and
  /v1.0/robot/groupMessages/send {robotCode, openConversationId, msgKey, msgParam}, header
  x-acs-dingtalk-access-token -> {"processQueryKey", …}; 401 for an unknown token.
- POST /media/upload?access_token=…&type=image, multipart field `media` (the older API, which
  takes the same token) -> {"errcode": 0, "errmsg": "ok", "media_id": "@lA…", "type": "image",
  "created_at": …}; errcode 40014 for an unknown token, 40004/40005 for a missing or unknown
  media type, always with HTTP 200 as DingTalk does. A robot message `sampleImageMsg` must name
  in its `photoURL` a media id uploaded here (or an http URL); otherwise 400.

`fail(path, status, times)` makes the next calls to a path answer an error (429 with
Retry-After, 5xx, …), so retry behaviour can be tested against what was received.

Acknowledgement: DingTalk's Stream protocol notes say robot messages are pushed fire-and-forget:
a robot message is not pushed again when its ack is missing (only event subscriptions are, after
a timeout). So the fake never sends a frame again by itself; a CALLBACK frame sent on a
connection that closed before its ack is recorded in `dropped`, as DingTalk would drop it.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from tests.platforms.server import FakeServer

BOT_TOPIC = "/v1.0/im/bot/messages/get"


@dataclass
class RobotCall:
    path: str
    token: str
    body: dict

    @property
    def param(self) -> dict:
        return json.loads(self.body["msgParam"])


@dataclass
class FakeDingTalk(FakeServer):
    client_id: str = "ding-app"
    client_secret: str = "ding-secret"
    expire_in: int = 7200
    open_requests: list[dict] = field(default_factory=list)
    frames_sent: list[dict] = field(default_factory=list)
    acks: list[dict] = field(default_factory=list)
    replies: list[dict] = field(default_factory=list)  # session webhook bodies, with "_session"
    token_requests: list[dict] = field(default_factory=list)
    robot_calls: list[RobotCall] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)  # media_id -> the uploaded picture
    session_errcode: int = 0

    name = "fake DingTalk"

    def __post_init__(self):
        super().__init__()  # the server's state (a dataclass does not call it)
        self._ids = itertools.count(1)
        self._tokens: set[str] = set()
        self._failures: dict[str, deque] = defaultdict(deque)
        self._unacked: dict[web.WebSocketResponse, set[str]] = {}  # CALLBACK frame ids, per socket
        self.dropped: list[str] = []  # frames whose connection closed before their ack

    # -- lifecycle -------------------------------------------------------------------------------
    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1.0/gateway/connections/open", self._open)
        app.router.add_get("/connect", self._connect)
        app.router.add_post("/robot/sendBySession", self._session)
        app.router.add_post("/v1.0/oauth2/accessToken", self._token)
        app.router.add_post("/v1.0/robot/oToMessages/batchSend", self._robot)
        app.router.add_post("/v1.0/robot/groupMessages/send", self._robot)
        app.router.add_post("/media/upload", self._media_upload)

    # -- what tests do ---------------------------------------------------------------------------
    def message(self, text: str, *, user: str = "boss", nick: str = "", group: str = "",
                at_bot: bool | None = None, msg_id: str = "", expires_in_ms: int = 3_600_000,
                corp: str = "dingcorp") -> dict:
        """A robot message as DingTalk delivers it: one-to-one, or in `group` (a conversationId)."""
        n = next(self._ids)
        conversation = group or f"cid-dm-{user}"
        data = {
            "conversationId": conversation,
            "chatbotCorpId": "dingcorp",
            "chatbotUserId": "$:LWCP_v1:$robot",
            "msgId": msg_id or f"msg{n:06d}",
            "senderNick": nick or user.title(),
            "isAdmin": False,
            "senderStaffId": user if corp == "dingcorp" else "",  # outsiders have no staff id
            "sessionWebhookExpiredTime": int(time.time() * 1000) + expires_in_ms,
            "createAt": int(time.time() * 1000),
            "senderCorpId": corp,  # another corp's: an external contact in a customer group
            "conversationType": "2" if group else "1",
            "senderId": f"$:LWCP_v1:${user}",
            "sessionWebhook": f"{self.url}/robot/sendBySession?session={conversation}",
            "text": {"content": text},
            "robotCode": self.client_id,
            "msgtype": "text",
        }
        if group:
            data |= {"conversationTitle": "Acme deal", "isInAtList": bool(at_bot),
                     "atUsers": [{"dingtalkId": "$:LWCP_v1:$robot"}] if at_bot else []}
        return data

    async def send_callback(self, data: dict, *, frame_id: str = "", topic: str = BOT_TOPIC) -> str:
        frame_id = frame_id or f"frame-{next(self._ids)}"
        frame = {"specVersion": "1.0", "type": "CALLBACK",
                 "headers": {"appId": "app", "connectionId": "conn-1", "contentType": "application/json",
                             "messageId": frame_id, "time": str(int(time.time() * 1000)), "topic": topic},
                 "data": json.dumps(data, ensure_ascii=False)}
        await self._send(frame)
        return frame_id

    async def send_ping(self) -> str:
        frame_id = f"ping-{next(self._ids)}"
        await self._send({"specVersion": "1.0", "type": "SYSTEM",
                          "headers": {"contentType": "application/json", "messageId": frame_id,
                                      "time": str(int(time.time() * 1000)), "topic": "ping"},
                          "data": json.dumps({"opaque": frame_id})})
        return frame_id

    async def drop_connections(self) -> None:
        for ws in list(self._sockets):
            await ws.close()

    def fail(self, path: str, status: int, *, times: int = 1, headers: dict | None = None,
             body: dict | None = None) -> None:
        for _ in range(times):
            self._failures[path].append((status, headers or {}, body or {"code": "Fake", "message": "fake"}))

    def revoke_tokens(self) -> None:
        self._tokens.clear()

    def pictures(self) -> list[tuple[RobotCall, bytes]]:
        """The picture messages the robot sent, each with the bytes of the picture it named."""
        return [(call, self.media[call.param["photoURL"]]) for call in self.robot_calls
                if call.body.get("msgKey") == "sampleImageMsg" and call.param.get("photoURL") in self.media]

    def ack_for(self, frame_id: str) -> dict | None:
        return next((a for a in self.acks if a.get("headers", {}).get("messageId") == frame_id), None)

    def unacked(self) -> list[str]:
        sent = [f["headers"]["messageId"] for f in self.frames_sent if f["type"] == "CALLBACK"]
        return [frame_id for frame_id in sent if self.ack_for(frame_id) is None]

    def outstanding(self) -> int:
        """CALLBACK frames sent on a live connection and not acked yet."""
        return sum(len(frames) for frames in self._unacked.values())

    @property
    def connected(self) -> bool:
        return any(not ws.closed for ws in self._sockets)

    async def wait_for(self, predicate, timeout: float = 5.0) -> None:
        await self.wait_until(predicate, timeout)

    # -- handlers --------------------------------------------------------------------------------
    async def _send(self, frame: dict) -> None:
        await self.wait_for(lambda: self.connected, timeout=60)  # a restarting client reconnects
        self.frames_sent.append(frame)
        ws = next(ws for ws in reversed(self._sockets) if not ws.closed)
        if frame["type"] == "CALLBACK":
            self._unacked.setdefault(ws, set()).add(frame["headers"]["messageId"])
        await ws.send_str(json.dumps(frame))

    async def _open(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.open_requests.append(body)
        if body.get("clientId") != self.client_id or body.get("clientSecret") != self.client_secret:
            return web.json_response({"code": "InvalidAuthentication"}, status=401)
        ticket = f"ticket-{next(self._ids)}"
        return web.json_response({"endpoint": f"ws://127.0.0.1:{request.url.port}/connect", "ticket": ticket})

    async def _connect(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        self._unacked[ws] = set()
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    ack = json.loads(msg.data)
                    self.acks.append(ack)
                    self._unacked[ws].discard(ack.get("headers", {}).get("messageId", ""))
        finally:
            self.dropped += sorted(self._unacked.pop(ws, set()))  # fire-and-forget: not pushed again
        return ws

    async def _session(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.replies.append(body | {"_session": request.query.get("session", "")})
        if self.session_errcode:
            return web.json_response({"errcode": self.session_errcode, "errmsg": "fake failure"})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _token(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.token_requests.append(body)
        if body.get("appKey") != self.client_id or body.get("appSecret") != self.client_secret:
            return web.json_response({"code": "invalidClientIdOrSecret"}, status=400)
        token = f"tok-{len(self.token_requests)}"
        self._tokens.add(token)
        return web.json_response({"accessToken": token, "expireIn": self.expire_in})

    async def _media_upload(self, request: web.Request) -> web.Response:
        if request.query.get("access_token", "") not in self._tokens:
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        if request.query.get("type") not in ("image", "voice", "video", "file"):
            return web.json_response({"errcode": 40004, "errmsg": "不合法的媒体文件类型"})
        content = b""
        if request.content_type.startswith("multipart/"):
            async for part in await request.multipart():
                if part.name == "media" and part.filename:
                    content = bytes(await part.read())
        if not content:
            return web.json_response({"errcode": 40006, "errmsg": "不合法的文件大小"})
        media_id = f"@lAD{len(self.media) + 1:04d}"
        self.media[media_id] = content
        return web.json_response({"errcode": 0, "errmsg": "ok", "media_id": media_id, "type": "image",
                                  "created_at": int(time.time() * 1000)})

    async def _robot(self, request: web.Request) -> web.Response:
        token = request.headers.get("x-acs-dingtalk-access-token", "")
        self.robot_calls.append(RobotCall(request.path, token, await request.json()))
        if token not in self._tokens:
            return web.json_response({"code": "InvalidAuthentication", "message": "bad token"}, status=401)
        if self._failures[request.path]:
            status, headers, body = self._failures[request.path].popleft()
            return web.json_response(body, status=status, headers=headers)
        body = self.robot_calls[-1].body
        if body.get("msgKey") == "sampleImageMsg":
            photo = str(json.loads(body.get("msgParam") or "{}").get("photoURL") or "")
            if photo not in self.media and not photo.startswith(("http://", "https://")):
                return web.json_response({"code": "param.photoURL.invalid", "message": "photoURL"}, status=400)
        answer = {"processQueryKey": f"pqk-{len(self.robot_calls)}"}
        if request.path.endswith("batchSend"):
            answer |= {"invalidStaffIdList": [], "flowControlledStaffIdList": []}
        return web.json_response(answer)
