"""The REST API under /api/v1: a FastAPI app, mounted on `dealbot run`'s one aiohttp server.

Why a mount and not a move to one ASGI server: the Slack HTTP mode, the Telegram webhook, the
health checks and /metrics are aiohttp routes their adapters hand over; moving them all would
change every adapter for no gain. `api_routes()` gives aiohttp one catch-all route under /api/v1
that hands each request to the ASGI app (`AsgiBridge`), after the request size limit. FastAPI
brings pydantic validation, the OpenAPI document (/api/v1/openapi.json) and the interactive docs
(/api/v1/docs).

Each call runs the same core use cases and permission rules as chat (core.app.api), as the
member made for the token; errors are RFC 9457 application/problem+json.
"""

from __future__ import annotations

import asyncio
import base64
import math
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from aiohttp import web
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.bootstrap import Wired
from bot.webhooks import check_url
from core.app.api import Api, ApiError
from core.chat.context import Context
from core.domain.amounts import Money
from core.domain.model import Role
from core.domain.worktime import team_currency
from core.language import checks
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.language.leads import MAX_FIELD as MAX_LEAD_FIELD
from core.leads.model import LeadFields
from core.services import analytics, deal_lists, deals, leads, records, tasks, upkeep
from core.services.webhooks import WebhookError, parse_events
from storage import api as store
from storage import webhooks as hooks

PREFIX = "/api/v1"
PROBLEM = "application/problem+json"
MAX_BODY = 64 * 1024  # bytes of a request body; a deal is a few hundred
PAGE = 50
MAX_PAGE = 200


class RateLimit:
    """A token bucket per API token: `per_minute` requests a minute, bursts up to the same."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def wait(self, token_id: int) -> float:
        """0 when the request may go ahead (and is counted), else the seconds until one may."""
        rate = self.per_minute / 60.0
        now = self.clock()
        with self._lock:
            level, at = self._buckets.get(token_id, (float(self.per_minute), now))
            level = min(float(self.per_minute), level + (now - at) * rate)
            if level >= 1:
                self._buckets[token_id] = (level - 1, now)
                return 0.0
            self._buckets[token_id] = (level, now)
            return (1 - level) / rate


class SharedRateLimit:
    """The same bucket per token, kept in the database, so every `dealbot run` process sharing it
    (PostgreSQL with replicas) counts against one limit: N replicas do not give a token N times
    its rate. Costs one short write transaction a request; a SQLite install is one process and
    keeps RateLimit in memory."""

    def __init__(self, engine, per_minute: int, clock: Callable[[], float] = time.time):
        self.engine, self.per_minute, self.clock = engine, per_minute, clock

    def wait(self, token_id: int) -> float:
        return store.take_request(self.engine, token_id, self.per_minute, self.clock())


def problem(status: int, key: str, title: str, detail: str, instance: str = "", **extra: Any) -> JSONResponse:
    body = {"type": f"urn:dealbot:problem:{key}", "title": title, "status": status, "detail": detail,
            "instance": instance, **extra}
    headers = {"Retry-After": str(extra["retry_after"])} if "retry_after" in extra else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 409: "Conflict",
           412: "Precondition failed", 413: "Request too large", 422: "Unprocessable request",
           428: "Precondition required", 429: "Too many requests", 500: "Internal error"}


def _lang(request: Request) -> str | None:
    wanted = request.headers.get("accept-language", "").strip().lower()
    return "zh" if wanted.startswith("zh") else "en" if wanted.startswith("en") else None


def _say(request: Request, key: str, **params: Any) -> str:
    """A sentence in the language the request asks for (Accept-Language), English by default."""
    return t(key, _lang(request) or "en", **params)


# pydantic's kinds of refusal -> our sentence (both languages); {n} from the error's context
_PROBLEMS = {
    "missing": ("api.problem.missing", None), "string_too_short": ("api.problem.too_short", "min_length"),
    "string_too_long": ("api.problem.too_long", "max_length"), "too_short": ("api.problem.items_short", "min_length"),
    "too_long": ("api.problem.items_long", "max_length"), "extra_forbidden": ("api.problem.extra", None),
    "json_invalid": ("api.problem.json", None), "date_parsing": ("api.problem.date", None),
    "date_from_datetime_parsing": ("api.problem.date", None), "date_from_datetime_inexact": ("api.problem.date", None),
    "date_type": ("api.problem.date", None), "int_parsing": ("api.problem.number", None),
    "int_type": ("api.problem.number", None), "int_from_float": ("api.problem.number", None),
    "bool_parsing": ("api.problem.bool", None), "bool_type": ("api.problem.bool", None),
    "string_type": ("api.problem.text", None), "list_type": ("api.problem.list", None),
    "greater_than_equal": ("api.problem.at_least", "ge"), "less_than_equal": ("api.problem.at_most", "le"),
    "string_pattern_mismatch": ("api.problem.one_of", None), "literal_error": ("api.problem.one_of", None),
}


def _problem_of(error: Any, lang: str) -> str:
    """One refusal of pydantic's as a sentence in `lang`: which field, what is wrong with it.
    A kind not in _PROBLEMS keeps pydantic's English words in English, a general one in Chinese."""
    loc = [str(part) for part in error.get("loc", ())]
    field = ".".join(loc[1:] if len(loc) > 1 and loc[0] in ("body", "query", "path", "header") else loc) or "body"
    key, limit = _PROBLEMS.get(error.get("type", ""), (None, None))
    if key is None:
        return f"{field}: {error.get('msg', '')}" if lang != "zh" else t("api.problem.other", lang, field=field)
    return t(key, lang, field=field, n=(error.get("ctx") or {}).get(limit, "") if limit else "")


# -- bodies --------------------------------------------------------------------------------------

class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _bool_as_text(value: object) -> object:
    """JSON true or false is no amount: pydantic would read it as 1 or 0 (a deal of ¥1.00 was
    made of `"amount": true`); as text, chat's check refuses it with its own sentence."""
    return str(value).lower() if isinstance(value, bool) else value


# An amount as reps type it ("50k", "5万") or a JSON number; never a JSON boolean
AmountValue = Annotated[str | float | None, BeforeValidator(_bool_as_text)]


def _without_at(value: Any) -> Any:
    """A handle as chat writes it, `@alice`, or bare: `alice`."""
    return value.strip().removeprefix("@") if isinstance(value, str) else value


# A member's handle, with or without its @ (at most as long as a name)
Handle = Annotated[str, BeforeValidator(_without_at), Field(min_length=1, max_length=100)]


class NewDealBody(_Body):
    customer: str = Field(min_length=1, max_length=200)
    title: str | None = Field(None, min_length=1, max_length=200)
    amount: AmountValue = Field(None, description="50000, '50k', '5万' or 'USD 5000'")
    stage: str | None = Field(None, description="a stage key or name (default: the first)")
    expected_close: date | None = None
    owner: Handle | None = Field(None, description="a member's handle (managers and admins)")


class UpdateDealBody(_Body):
    title: str | None = Field(None, min_length=1, max_length=200)
    amount: AmountValue = None
    expected_close: date | None = None
    owner: Handle | None = None


class WebhookBody(_Body):
    url: str = Field(min_length=8, max_length=2000, description="http(s) URL that receives the events")
    events: list[str] = Field(min_length=1, max_length=20, description="event names, or ['*'] for all")


class NewTaskBody(_Body):
    title: str = Field(min_length=1, max_length=500)
    deal: str | None = Field(None, description="D-12: the task's deal (it goes to the deal's owner)")
    due: str | None = Field(None, max_length=60,
                            description="as chat reads it: ISO 8601, '2026-03-06 10:00', 'next Friday', '下周五'; "
                                        "a day alone is 17:00 in the team's zone; from now on")
    assignee: Handle | None = Field(None, description="a member's handle (managers and admins)")


class NewLeadBody(_Body):
    company: str = Field(min_length=1, max_length=200)
    person: str = Field("", max_length=200, description="the person who asked")
    phone: str | None = Field(None, max_length=64)
    email: str | None = Field(None, max_length=320)
    source: str | None = Field(None, max_length=100, description="web form, ad platform, 展会 …: rules match it")
    territory: str | None = Field(None, max_length=100)
    industry: str | None = Field(None, max_length=100)
    note: str | None = Field(None, max_length=1000)
    team: str | None = Field(None, description="another team's name (admins)")
    pool: bool = Field(False, description="straight into the team's pool, not offered")


class MoveBody(_Body):
    stage: str = Field(min_length=1, max_length=64, description="a stage key or name, or 'next'")


class WinBody(_Body):
    amount: AmountValue = None


class LoseBody(_Body):
    reason: str = Field(min_length=1, max_length=500)


class ReopenBody(_Body):
    stage: str | None = Field(None, min_length=1, max_length=64,
                              description="an open stage's key or name (default: the one it closed from)")


# -- the app -------------------------------------------------------------------------------------

class ApiServer:
    def __init__(self, wired: Wired, *, rate_per_minute: int = 120, max_body: int = MAX_BODY,
                 webhook_local: bool = False):
        self.wired = wired
        self.webhook_local = webhook_local  # may a token subscribe a URL on this machine or network?
        self.api = Api(wired.bot)
        shared = wired.engine.dialect.name == "postgresql"
        self.limit = SharedRateLimit(wired.engine, rate_per_minute) if shared else RateLimit(rate_per_minute)
        self.max_body = max_body
        self.app = self._app()

    def routes(self) -> list[tuple[str, str, Callable]]:
        """The aiohttp routes that carry the API (bot.run adds them to the one HTTP server)."""
        bridge = AsgiBridge(self.app, self.max_body)
        return [("*", PREFIX + r"/{tail:[\s\S]*}", bridge.handle)]

    # Authentication and the rate limit: one dependency, every endpoint.
    def _token(self, request: Request, authorization: Annotated[str | None, Header()] = None) -> store.Token:
        scheme, _, secret = (authorization or "").partition(" ")
        token = None
        if scheme.lower() == "bearer" and secret.strip():
            token = store.token_for(self.wired.engine, secret.strip(), self.wired.bot.clock.now())
        if token is None:
            raise ApiError(401, "api.unauthorized", _say(request, "api.unauthorized"))
        wait = self.limit.wait(token.id)
        if wait:
            raise _RateLimited(math.ceil(wait))
        if token.read_only and request.method not in ("GET", "HEAD"):
            raise ApiError(403, "api.read_only", _say(request, "api.read_only"))
        return token

    def _app(self) -> FastAPI:
        app = FastAPI(title="dealbot", version="1", openapi_url=PREFIX + "/openapi.json", docs_url=PREFIX + "/docs",
                      redoc_url=None, description="Deals, tasks and figures of dealbot, with chat's rules.")
        app.state.server = self

        @app.exception_handler(ApiError)
        async def _api_error(request: Request, err: ApiError):
            return problem(err.status, err.key, _TITLES.get(err.status, "Error"), err.detail, request.url.path)

        @app.exception_handler(_RateLimited)
        async def _rate(request: Request, err: _RateLimited):
            return problem(429, "api.rate_limited", _TITLES[429],
                           _say(request, "api.rate_limited", seconds=err.seconds),
                           request.url.path, retry_after=err.seconds)

        @app.exception_handler(RequestValidationError)
        async def _invalid(request: Request, err: RequestValidationError):
            lang = _lang(request) or "en"
            errors = [{"where": ".".join(str(p) for p in e["loc"]), "problem": _problem_of(e, lang)}
                      for e in err.errors()]
            detail = _say(request, "api.invalid", problems="; ".join(e["problem"] for e in errors))
            return problem(422, "api.invalid", _TITLES[422], detail, request.url.path, errors=errors)

        @app.exception_handler(StarletteHTTPException)
        async def _http(request: Request, err: StarletteHTTPException):
            return problem(err.status_code, "api.http", _TITLES.get(err.status_code, "Error"), str(err.detail),
                           request.url.path)

        @app.exception_handler(Exception)
        async def _crash(request: Request, err: Exception):
            import logging

            logging.getLogger(__name__).exception("API %s %s failed", request.method, request.url.path)
            return problem(500, "api.internal", _TITLES[500], _say(request, "api.internal"),
                           request.url.path)

        def call(request: Request, token: store.Token, use_case: Callable[[Context], Any], *, writes: bool = False,
                 before_commit=None):
            return self.api.call(token.member_id, f"api:{token.name}", _lang(request), use_case, writes=writes,
                                 before_commit=before_commit)

        def deal_answer(ctx: Context, deal_id: int) -> tuple[dict, str]:
            deal = deals.load_deal(ctx, deal_id, change=False)
            return records.deal_record(ctx, deal), records.etag(deal)

        def with_etag(answer: tuple[dict, str], status: int = 200) -> JSONResponse:
            body, tag = answer
            return JSONResponse(body, status_code=status, headers={"ETag": tag} if tag else None)

        def write(request: Request, token: store.Token, body: BaseModel | None, use_case: Callable[[Context], Any],
                  idempotency_key: str | None, status: int = 200) -> JSONResponse:
            """A POST: with an Idempotency-Key, the first answer is stored with the write, and the
            same key again gets it back without writing; another body under the key is a 409."""
            if idempotency_key is None:
                return with_etag(call(request, token, use_case, writes=True), status)
            raw = b"" if body is None else body.model_dump_json().encode()
            digest = store.request_hash(request.method, request.url.path, raw)
            stored = store.stored_answer(self.wired.engine, token.id, idempotency_key)
            if stored is None:
                def keep(uow, answer):
                    store.store_answer(uow.session, token.id, idempotency_key, digest, status,
                                       {"body": answer[0], "etag": answer[1]}, self.wired.bot.clock.now())
                try:
                    return with_etag(call(request, token, use_case, writes=True, before_commit=keep), status)
                except ApiError:
                    raise
                except Exception:
                    stored = store.stored_answer(self.wired.engine, token.id, idempotency_key)
                    if stored is None:  # not a race with the same key: a real failure
                        raise
            if stored[0] != digest:
                raise ApiError(409, "api.idempotency_conflict", _say(request, "api.idempotency_conflict"))
            headers = {"Idempotent-Replayed": "true"} | ({"ETag": stored[2]["etag"]} if stored[2]["etag"] else {})
            return JSONResponse(stored[2]["body"], status_code=stored[1], headers=headers)

        def guarded(request: Request, deal_ref: str, if_match: str | None, change: Callable[[Context, int], Any], *,
                    required: bool = False) -> Callable[[Context], tuple[dict, str]]:
            """The change of a deal under If-Match: the deal locked, its ETag compared, then the
            chat use case, then the deal as it is now."""
            deal_id = _deal_id(deal_ref, request)

            def use_case(ctx: Context) -> tuple[dict, str]:
                store.lock_deal(ctx.uow.session, deal_id)  # type: ignore[attr-defined]
                deal = deals.load_deal(ctx, deal_id, change=True)
                if if_match is None and required:
                    raise UserError("api.if_match_required")
                if if_match is not None and not _if_match(if_match, records.etag(deal)):
                    raise UserError("api.precondition", deal=deal.code, etag=records.etag(deal))
                change(ctx, deal_id)
                return deal_answer(ctx, deal_id)
            return use_case

        @app.get(PREFIX + "/deals", tags=["deals"], summary="Open deals, as `deals` lists them in chat")
        def list_deals(request: Request, token: Token,
                       scope: Annotated[str, Query(pattern="^(mine|team|all)$")] = "team",
                       stage: str | None = None, stale: bool = False,
                       limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE, cursor: str | None = None):
            after = _cursor(cursor, request) if cursor else None

            def use_case(ctx: Context):
                key = _stage(ctx, stage) if stage else None
                found = deal_lists.find_deals(c.ListDeals(scope=scope, stage=key, stale=stale), ctx)
                if after is not None:
                    found = [d for d in found if d.saved_id < after]
                return _page(found, limit, lambda deal: records.deal_record(ctx, deal))
            return call(request, token, use_case)

        @app.post(PREFIX + "/deals", tags=["deals"], status_code=201, summary="Create a deal (as `new`)")
        def create_deal(request: Request, token: Token, body: NewDealBody, idempotency_key: IdemKey = None):
            def use_case(ctx: Context):
                amount = _amount(ctx, body.amount)
                command = c.NewDeal(customer=checks.name(body.customer), amount=amount,
                                    stage=_stage(ctx, body.stage) if body.stage else None,
                                    close=_close(ctx, body.expected_close), owner=body.owner,
                                    title=checks.name(body.title) if body.title is not None else None)
                return deal_answer(ctx, deals.create_deal(command, ctx).saved_id)
            return write(request, token, body, use_case, idempotency_key, status=201)

        @app.get(PREFIX + "/deals/{deal}", tags=["deals"], summary="One deal (as `show`), with its ETag")
        def get_deal(request: Request, token: Token, deal: str):
            deal_id = _deal_id(deal, request)
            return with_etag(call(request, token, lambda ctx: deal_answer(ctx, deal_id)))

        @app.patch(PREFIX + "/deals/{deal}", tags=["deals"], summary="Change title, amount, close or owner")
        def update_deal(request: Request, token: Token, deal: str, body: UpdateDealBody, if_match: IfMatch = None):
            if not body.model_fields_set:
                raise ApiError(422, "api.nothing_to_change", _say(request, "api.nothing_to_change"))

            def change(ctx: Context, deal_id: int):
                title = checks.name(body.title) if body.title is not None else None
                records.update_deal(ctx, deal_id, title=title, amount=_amount(ctx, body.amount),
                                    expected_close=_close(ctx, body.expected_close), owner=body.owner)
            return with_etag(call(request, token, guarded(request, deal, if_match, change, required=True), writes=True))

        @app.post(PREFIX + "/deals/{deal}/move", tags=["deals"], summary="Move to a stage (as `move`)")
        def move_deal(request: Request, token: Token, deal: str, body: MoveBody, if_match: IfMatch = None,
                      idempotency_key: IdemKey = None):
            def change(ctx: Context, deal_id: int):
                target = c.NEXT if body.stage.lower() == c.NEXT else _stage(ctx, body.stage)
                deals.move_deal(c.MoveDeal(deal_id, target), ctx)
            return write(request, token, body, guarded(request, deal, if_match, change), idempotency_key)

        @app.post(PREFIX + "/deals/{deal}/win", tags=["deals"], summary="Mark won (as `won`)")
        def win_deal(request: Request, token: Token, deal: str, body: WinBody, if_match: IfMatch = None,
                     idempotency_key: IdemKey = None):
            def change(ctx: Context, deal_id: int):
                deals.win_deal(c.WinDeal(deal_id, _amount(ctx, body.amount)), ctx)
            return write(request, token, body, guarded(request, deal, if_match, change), idempotency_key)

        @app.post(PREFIX + "/deals/{deal}/lose", tags=["deals"], summary="Mark lost with a reason (as `lost`)")
        def lose_deal(request: Request, token: Token, deal: str, body: LoseBody, if_match: IfMatch = None,
                      idempotency_key: IdemKey = None):
            def change(ctx: Context, deal_id: int):
                deals.lose_deal(c.LoseDeal(deal_id, checks.text(body.reason)), ctx)
            return write(request, token, body, guarded(request, deal, if_match, change), idempotency_key)

        @app.post(PREFIX + "/deals/{deal}/reopen", tags=["deals"],
                  summary="Back into an open stage (as `reopen`; a won deal: managers)")
        def reopen_deal(request: Request, token: Token, deal: str, body: ReopenBody, if_match: IfMatch = None,
                        idempotency_key: IdemKey = None):
            def change(ctx: Context, deal_id: int):
                stage = None if body.stage is None else _stage(ctx, body.stage)
                upkeep.reopen_deal(c.ReopenDeal(deal_id, stage), ctx)
            return write(request, token, body, guarded(request, deal, if_match, change), idempotency_key)

        @app.get(PREFIX + "/deals/{deal}/stage-changes", tags=["deals"], summary="Stage history (as `history`)")
        def stage_changes(request: Request, token: Token, deal: str):
            deal_id = _deal_id(deal, request)
            return {"items": call(request, token, lambda ctx: [records.stage_change_record(s)
                                                               for s in records.history_of(ctx, deal_id)])}

        @app.get(PREFIX + "/deals/{deal}/interactions", tags=["deals"], summary="Logged follow-ups, newest first")
        def interactions(request: Request, token: Token, deal: str,
                         limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE):
            deal_id = _deal_id(deal, request)
            return {"items": call(request, token, lambda ctx: [records.interaction_record(i)
                                                               for i in records.interactions_of(ctx, deal_id, limit)])}

        @app.get(PREFIX + "/customers", tags=["customers"], summary="Customers of your team (an admin: all)")
        def list_customers(request: Request, token: Token,
                           limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE, cursor: str | None = None):
            after = _cursor(cursor, request) if cursor else None

            def use_case(ctx: Context):
                found = [x for x in records.customers_of(ctx) if after is None or x.saved_id < after]
                return _page(found, limit, records.customer_record)
            return call(request, token, use_case)

        @app.get(PREFIX + "/customers/{customer_id}", tags=["customers"], summary="One customer of your team")
        def customer(request: Request, token: Token, customer_id: str):
            number = _customer_id(customer_id, request)
            return call(request, token, lambda ctx: records.customer_record(records.visible_customer(ctx, number)))

        @app.get(PREFIX + "/customers/{customer_id}/contacts", tags=["customers"],
                 summary="The customer's contacts (as `contacts`): typed ones, then people from its chats")
        def customer_contacts(request: Request, token: Token, customer_id: str):
            number = _customer_id(customer_id, request)
            return {"items": call(request, token, lambda ctx: records.contact_records(
                ctx, records.visible_customer(ctx, number)))}

        @app.get(PREFIX + "/tasks", tags=["tasks"], summary="Open tasks: a rep's own, a manager's team's")
        def list_tasks(request: Request, token: Token, mine: bool = False):
            return {"items": call(request, token, lambda ctx: [records.task_record(ctx, x)
                                                               for x in records.tasks_of(ctx, mine=mine)])}

        @app.get(PREFIX + "/webhooks", tags=["webhooks"], summary="Outbound webhooks (admins)")
        def list_webhooks(request: Request, token: Token):
            call(request, token, _admin_only("webhook"))
            return {"items": [_webhook_record(h) for h in hooks.listed(self.wired.engine)]}

        @app.post(PREFIX + "/webhooks", tags=["webhooks"], status_code=201,
                  summary="Subscribe a URL to events (admins); the signing secret is in this answer only")
        def add_webhook(request: Request, token: Token, body: WebhookBody, idempotency_key: IdemKey = None):
            def use_case(ctx: Context):
                _admin_only("webhook")(ctx)
                try:
                    url, events = check_url(body.url, local=self.webhook_local), parse_events(",".join(body.events))
                except WebhookError as err:
                    raise ApiError(422, "api.invalid", str(err)) from None
                hook_id, secret = hooks.add_in(ctx.uow.session, url, events, ctx.now)  # type: ignore[attr-defined]
                return {"id": f"W-{hook_id}", "url": url, "events": events, "secret": secret}, ""
            return write(request, token, body, use_case, idempotency_key, status=201)

        @app.delete(PREFIX + "/webhooks/{webhook}", tags=["webhooks"], status_code=204,
                    summary="Remove a webhook and its queued deliveries (admins)")
        def remove_webhook(request: Request, token: Token, webhook: str):
            call(request, token, _admin_only("webhook"))
            if not hooks.remove(self.wired.engine, _webhook_id(webhook, request)):
                raise ApiError(404, "api.not_found", _say(request, "api.not_found", ref=webhook[:20]))
            return Response(status_code=204)

        @app.get(PREFIX + "/webhooks/{webhook}/deliveries", tags=["webhooks"],
                 summary="The latest deliveries of a webhook, newest first (admins)")
        def webhook_log(request: Request, token: Token, webhook: str,
                        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE):
            call(request, token, _admin_only("webhook"))
            rows = hooks.log(self.wired.engine, _webhook_id(webhook, request), limit)
            return {"items": [{"id": r.id, "event": r.event, "event_id": r.event_id, "status": r.status,
                               "attempts": r.attempts, "last_error": r.last_error,
                               "sent_at": r.sent_at.isoformat() if r.sent_at else None} for r in rows]}

        @app.post(PREFIX + "/tasks", tags=["tasks"], status_code=201, summary="Create a task (as `task`)")
        def create_task(request: Request, token: Token, body: NewTaskBody, idempotency_key: IdemKey = None):
            deal_id = _deal_id(body.deal, request) if body.deal else None

            def use_case(ctx: Context):
                due = None if body.due is None else checks.future(checks.date(body.due, ctx.now, ctx.tz), ctx.now)
                task = tasks.create_task(c.AddTask(checks.text(body.title), deal_id, due, body.assignee), ctx)
                return records.task_record(ctx, task), ""
            return write(request, token, body, use_case, idempotency_key, status=201)

        @app.post(PREFIX + "/leads", tags=["leads"], status_code=201,
                  summary="Take in a lead (as `lead`): a known customer's goes to its owner, others by the rules")
        def create_lead(request: Request, token: Token, body: NewLeadBody, idempotency_key: IdemKey = None):
            def use_case(ctx: Context):
                def short(value: str | None) -> str | None:  # source, territory, industry: chat's words
                    return checks.name(value, limit=MAX_LEAD_FIELD) if value else None

                fields = LeadFields(checks.name(body.company), checks.name(body.person) if body.person else "",
                                    body.phone or None, body.email or None, short(body.source),
                                    short(body.territory), short(body.industry),
                                    checks.text(body.note) or None if body.note else None)
                return leads.take_in(ctx, fields, pool=body.pool, team=body.team), ""
            return write(request, token, body, use_case, idempotency_key, status=201)

        @app.get(PREFIX + "/figures/scorecard", tags=["figures"], summary="The scorecard JSON of `dealbot scorecard`")
        def scorecard(request: Request, token: Token, team: str | None = None, week: str | None = None):
            def use_case(ctx: Context):
                card, _ = analytics.scorecard_of(c.ShowScorecard(team, _period(ctx, week, "week")), ctx)
                return card.to_json()
            return call(request, token, use_case)

        @app.get(PREFIX + "/figures/funnel", tags=["figures"], summary="The funnel JSON of `dealbot funnel`")
        def funnel(request: Request, token: Token, team: str | None = None, period: str | None = None):
            return call(request, token, lambda ctx: analytics.funnel_of(
                c.ShowFunnel(team, _period(ctx, period, None)), ctx)[3].to_json())

        @app.get(PREFIX + "/figures/forecast", tags=["figures"], summary="The forecast JSON of `dealbot forecast`")
        def forecast(request: Request, token: Token, team: str | None = None, period: str | None = None):
            return call(request, token, lambda ctx: analytics.forecast_of(
                c.ShowForecast(team, _period(ctx, period, None)), ctx, top=10_000)[0].to_json())

        return app


def _current_token(request: Request, authorization: Annotated[str | None, Header()] = None) -> store.Token:
    return request.app.state.server._token(request, authorization)


Token = Annotated[store.Token, Depends(_current_token)]
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]
IfMatch = Annotated[str | None, Header(alias="If-Match")]


class _RateLimited(Exception):
    def __init__(self, seconds: int):
        self.seconds = max(1, seconds)


# -- values of requests --------------------------------------------------------------------------

def _number(text: str, prefix: str) -> int | None:
    """The id in `D-12`, `C-12` or `12`; None for anything else, and for a number no row can have
    (more than 12 digits: beyond the database's integers, OverflowError in the driver)."""
    digits = text.strip().upper().removeprefix(prefix)
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 12:
        return None
    return int(digits)


def _if_match(header: str, etag: str) -> bool:
    """Whether an If-Match header lets a write of the resource with this ETag go ahead: it is a
    list of entity tags (RFC 9110 13.1.1), compared strongly, so a weak `W/"…"` never matches;
    `*` matches any version."""
    return any(tag.strip() in ("*", etag) for tag in header.split(","))


def _deal_id(ref: str, request: Request) -> int:
    number = _number(ref, "D-")
    if number is None:
        raise ApiError(404, "err.deal_not_found", _say(request, "err.deal_not_found", ref=ref[:40]))
    return number


def _customer_id(ref: str, request: Request) -> int:
    number = _number(ref, "C-")
    if number is None:
        raise ApiError(404, "api.not_found", _say(request, "api.not_found", ref=ref[:40]))
    return number


def _page(found: list, limit: int, record: Callable[[Any], dict]) -> dict:
    """One page of a list, newest first, and the cursor of the next (None on the last page)."""
    page = found[:limit]
    more = len(found) > limit
    return {"items": [record(x) for x in page], "next_cursor": _encode(page[-1].saved_id) if more and page else None}


def _admin_only(command: str) -> Callable[[Context], None]:
    def check(ctx: Context) -> None:
        if ctx.actor.role != Role.ADMIN:
            raise UserError("err.forbidden_admin", command=command)
    return check


def _webhook_id(text: str, request: Request) -> int:
    number = _number(text, "W-")
    if number is None:
        raise ApiError(404, "api.not_found", _say(request, "api.not_found", ref=text[:20]))
    return number


def _webhook_record(hook: hooks.Webhook) -> dict:
    return {"id": f"W-{hook.id}", "url": hook.url, "events": hook.events.split(","),
            "created_at": hook.created_at.isoformat(),
            "failing_since": hook.failing_since.isoformat() if hook.failing_since else None,
            "paused_at": hook.paused_at.isoformat() if hook.paused_at else None}


def _encode(deal_id: int) -> str:
    return base64.urlsafe_b64encode(f"d:{deal_id}".encode()).decode().rstrip("=")


def _cursor(text: str, request: Request) -> int:
    try:
        kind, _, number = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode().partition(":")
        if kind == "d" and number.isascii() and number.isdigit():
            return int(number)
    except (ValueError, UnicodeDecodeError):
        pass
    raise ApiError(400, "api.bad_cursor", _say(request, "api.bad_cursor", value=text[:40]))


def _stage(ctx: Context, name: str) -> str:
    key = name if name in ctx.pipeline.keys else ctx.pipeline.resolve(name)
    if key is None:
        raise UserError("api.bad_stage", value=name[:64])
    return key


def _amount(ctx: Context, value: str | float | None) -> Money | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # -5, not “-5.0”, in the sentence
    return checks.amount(str(value), team_currency(ctx.team.settings, ctx.defaults.currency))


def _close(ctx: Context, day: date | None) -> datetime | None:
    """An expected close day at the time chat gives a day alone (17:00 in the team's zone)."""
    return None if day is None else checks.date(day.isoformat(), ctx.now, ctx.tz)


def _period(ctx: Context, text: str | None, kind: str | None):
    from core.language.periods import parse_period

    if not text:
        return None
    period = parse_period(text, ctx.local(ctx.now).date())
    if period is None or (kind is not None and period.kind != kind):
        raise UserError("err.bad_period", value=text[:40])
    return period


# -- the mount -----------------------------------------------------------------------------------

class AsgiBridge:
    """An aiohttp handler that runs one request through an ASGI app (the whole body read first,
    refused past `max_body` bytes; the answer sent whole: API answers are small)."""

    def __init__(self, app, max_body: int):
        self.app = app
        self.max_body = max_body

    async def handle(self, request: web.Request) -> web.StreamResponse:
        lang = "zh" if request.headers.get("Accept-Language", "").lower().startswith("zh") else "en"
        too_big = problem(413, "api.too_large", _TITLES[413], t("api.too_large", lang, limit=self.max_body),
                          request.path)
        if request.content_length is not None and request.content_length > self.max_body:
            return _aiohttp(too_big.status_code, too_big.raw_headers, too_big.body)
        body = await request.content.read(self.max_body + 1)
        if len(body) > self.max_body:
            return _aiohttp(too_big.status_code, too_big.raw_headers, too_big.body)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": request.method,
            "scheme": request.scheme, "path": request.path, "raw_path": request.raw_path.split("?")[0].encode(),
            "query_string": request.query_string.encode(), "root_path": "",
            "headers": [(k.lower(), v) for k, v in request.raw_headers],
            "client": tuple(peer[:2]) if peer else None, "server": None,
        }
        sent = {"body": False}
        answer: dict[str, Any] = {"status": 500, "headers": [], "body": b""}

        async def receive():
            if not sent["body"]:
                sent["body"] = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # nothing more: the request is whole

        async def send(message):
            if message["type"] == "http.response.start":
                answer["status"], answer["headers"] = message["status"], message.get("headers", [])
            elif message["type"] == "http.response.body":
                answer["body"] += message.get("body", b"")

        await self.app(scope, receive, send)
        return _aiohttp(answer["status"], answer["headers"], answer["body"])


def _aiohttp(status: int, headers, body: bytes) -> web.Response:
    response = web.Response(status=status, body=body)
    for name, value in headers:
        key = name.decode("latin-1")
        if key.lower() != "content-length":
            response.headers.add(key, value.decode("latin-1"))
    return response
