"""Proactive DingTalk messages (reminders, digests) through the robot OpenAPI.

Chat ids: `user:<staffId>` is a one-to-one robot message (POST /v1.0/robot/oToMessages/batchSend
with `userIds`); `group:<openConversationId>` is a group message (POST
/v1.0/robot/groupMessages/send). A bare id is taken as a group's openConversationId, because that
is what a robot message's `conversationId` is, and so what `digest here` stores for a group.

Every call carries the app's access token (POST /v1.0/oauth2/accessToken, header
`x-acs-dingtalk-access-token`), fetched once and refreshed shortly before its `expireIn`.
dingtalk-stream has no retry of its own: 429, DingTalk's 403 QPS-limit answers and 5xx are
retried here with backoff (honouring Retry-After). A wait longer than `max_wait`, or the last
failure, is raised as DingTalkSendError with `status` and `headers`, which the dispatcher reads
to reschedule the message.

Pictures (Reply.image_path, a chart) follow the text: the PNG is uploaded to the older API
(POST <oapi>/media/upload?access_token=…&type=image, multipart field `media`; the same access
token), which answers a `media_id`, and the robot sends that as a `sampleImageMsg` whose
`photoURL` is the media id. A picture that fails is logged, never raised: the text went out.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from adapters.dingtalk.render import robot_message
from core.chat.messages import Reply

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.dingtalk.com"
DEFAULT_OAPI_URL = "https://oapi.dingtalk.com"
MEDIA_UPLOAD_PATH = "/media/upload"
TOKEN_PATH = "/v1.0/oauth2/accessToken"
ONE_TO_ONE_PATH = "/v1.0/robot/oToMessages/batchSend"
GROUP_PATH = "/v1.0/robot/groupMessages/send"
TOKEN_HEADER = "x-acs-dingtalk-access-token"


class DingTalkSendError(Exception):
    """A call the OpenAPI refused. `status` 429 means "slow down" (also for DingTalk's 403
    QPS-limit codes and flow-controlled users), 5xx "try again", anything else "give up"."""

    def __init__(self, message: str, *, status: int, headers: dict | None = None, code: str = ""):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}
        self.code = code

    @property
    def retryable(self) -> bool:
        return self.status == 429 or self.status >= 500 or self.status == 408

    @property
    def retry_after(self) -> float | None:
        value = self.headers.get("Retry-After") or self.headers.get("retry-after")
        try:
            return max(0.0, float(value)) if value is not None else None
        except ValueError:
            return None


class AccessToken:
    """The app's OpenAPI access token, reused until shortly before it expires."""

    def __init__(self, http: httpx.AsyncClient, url: str, client_id: str, client_secret: str,
                 clock: Callable[[], float]):
        self._http, self._url, self._clock = http, url, clock
        self._credentials = {"appKey": client_id, "appSecret": client_secret}
        self._token = ""
        self._refresh_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        async with self._lock:  # concurrent sends share one fetch
            if not self._token or self._clock() >= self._refresh_at:
                await self._fetch()
            return self._token

    def invalidate(self, token: str) -> None:
        """The API said 401 for `token`: fetch a new one next time (unless already done)."""
        if token == self._token:
            self._token = ""

    async def _fetch(self) -> None:
        response = await self._http.post(self._url, json=self._credentials)
        if not response.is_success:
            raise _error(response, "access token")
        body = response.json()
        expires_in = float(body.get("expireIn") or 7200)
        self._token = str(body["accessToken"])
        # Refresh ahead of expiry (5 minutes for DingTalk's usual 2 hours), so no call carries a
        # token that lapses on the way.
        self._refresh_at = self._clock() + expires_in - min(300.0, expires_in / 10)


class DingTalkNotifier:
    platform = "dingtalk"

    def __init__(self, client_id: str, client_secret: str, *, api_url: str = DEFAULT_API_URL,
                 oapi_url: str = DEFAULT_OAPI_URL, robot_code: str = "", http: httpx.AsyncClient | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 attempts: int = 4, backoff: float = 1.0, max_wait: float = 30.0):
        """`robot_code`: the robot's code; an internal app's robot has its Client ID as code."""
        self.api_url = api_url.rstrip("/")
        self.oapi_url = oapi_url.rstrip("/")
        self.robot_code = robot_code or client_id
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=10.0)
        self.token = AccessToken(self._http, self.api_url + TOKEN_PATH, client_id, client_secret, clock)
        self.sleep = sleep
        self.attempts, self.backoff, self.max_wait = attempts, backoff, max_wait

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Deliver `reply` to `user:<staffId>` or `group:<openConversationId>`; returns the
        processQueryKey DingTalk gives the message."""
        key = await self._send(chat_id, *robot_message(reply))
        if reply.image_path and not reply.is_error:
            await self.send_image_quietly(chat_id, reply.image_path)
        return key

    async def send_image(self, chat_id: str, path: str) -> str:
        """Upload a picture (a chart) and send it to the chat; returns its processQueryKey."""
        media_id = await self._upload(path)
        return await self._send(chat_id, "sampleImageMsg", {"photoURL": media_id})

    async def send_image_quietly(self, chat_id: str, path: str) -> None:
        """After the text went out a failed picture is logged, not raised: raising would make
        the outbox send the text a second time."""
        try:
            await self.send_image(chat_id, path)
        except (DingTalkSendError, httpx.HTTPError, OSError, ValueError) as exc:
            log.warning("dingtalk: picture %s to %s not sent: %s", path, chat_id, exc)

    async def _send(self, chat_id: str, msg_key: str, msg_param: dict) -> str:
        path, target = _target(chat_id)
        body = {"robotCode": self.robot_code, "msgKey": msg_key,
                "msgParam": json.dumps(msg_param, ensure_ascii=False), **target}
        answer = await self._post(path, body, user=target.get("userIds", [None])[0])
        return str(answer.get("processQueryKey") or "")

    async def _upload(self, path: str) -> str:
        """The picture's media id. The older API answers HTTP 200 with an `errcode` on failure."""
        content = await asyncio.to_thread(Path(path).read_bytes)
        token = await self.token.get()
        response = await self._http.post(
            self.oapi_url + MEDIA_UPLOAD_PATH, params={"access_token": token, "type": "image"},
            files={"media": (Path(path).name, content, "image/png")})
        if not response.is_success:
            raise _error(response, "media upload")
        answer = response.json()
        if answer.get("errcode") or not answer.get("media_id"):
            raise DingTalkSendError(f"DingTalk media upload: {answer.get('errcode')} {answer.get('errmsg')}",
                                    status=400, code=str(answer.get("errcode") or ""))
        return str(answer["media_id"])

    async def close(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def _post(self, path: str, body: dict, *, user: str | None) -> dict:
        delay, attempt = self.backoff, 0
        while True:
            attempt += 1
            try:
                token = await self.token.get()
                response = await self._http.post(self.api_url + path, json=body,
                                                 headers={TOKEN_HEADER: token})
                if response.status_code == 401 and attempt < self.attempts:
                    self.token.invalidate(token)  # revoked or rotated: one more try, new token
                    continue
                if not response.is_success:
                    raise _error(response, path)
                answer = response.json()
                _check_recipient(answer, user)
                return answer
            except (DingTalkSendError, httpx.TransportError) as exc:
                error = exc if isinstance(exc, DingTalkSendError) else None
                if attempt == self.attempts or (error is not None and not error.retryable):
                    raise
                wait = error.retry_after if error is not None and error.retry_after is not None else delay
                if wait > self.max_wait:
                    raise  # a long pause: the dispatcher reschedules instead of holding a slot
                log.info("dingtalk %s: %s; retry %d in %.1fs", path, exc, attempt, wait)
                await self.sleep(wait)
                delay = min(delay * 2, self.max_wait)


def _target(chat_id: str) -> tuple[str, dict]:
    kind, _, ident = chat_id.partition(":")
    if kind == "user" and ident:
        return ONE_TO_ONE_PATH, {"userIds": [ident]}
    if kind == "group" and ident:
        return GROUP_PATH, {"openConversationId": ident}
    if chat_id and ":" not in chat_id:
        return GROUP_PATH, {"openConversationId": chat_id}
    raise DingTalkSendError(f"not a DingTalk chat id: {chat_id!r} (user:<staffId> or group:<id>)",
                            status=400)


def _check_recipient(answer: dict, user: str | None) -> None:
    """batchSend answers 200 even for a user it did not message: it lists them instead."""
    if user is None:
        return
    if user in (answer.get("invalidStaffIdList") or []):
        raise DingTalkSendError(f"no such DingTalk user: {user}", status=400, code="invalidStaffId")
    if user in (answer.get("flowControlledStaffIdList") or []):
        raise DingTalkSendError(f"DingTalk flow control for {user}", status=429, code="flowControlled")


def _error(response: httpx.Response, what: str) -> DingTalkSendError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = str(body.get("code") or "") if isinstance(body, dict) else ""
    message = str(body.get("message") or "") if isinstance(body, dict) else ""
    status = response.status_code
    if status == 403 and ("QpsLimit" in code or "Throttling" in code):
        status = 429  # DingTalk's rate limit answer
    return DingTalkSendError(f"DingTalk {what}: HTTP {response.status_code} {code} {message}".strip(),
                             status=status, headers=dict(response.headers), code=code)
