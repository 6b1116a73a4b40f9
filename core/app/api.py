"""The REST API's front door (bot.api serves it over HTTP): one call of a use case as a token's
member, in one unit of work, with the same rules as chat.

A token acts as a member made for it (`dealbot token create`): its role and team are the token's,
its handle is the token's name, so every write is audited under that name. A UserError becomes an
`ApiError` carrying an HTTP status and one sentence in the caller's language; nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from core.app.dealbot import Dealbot, error_reply
from core.chat.context import Context
from core.domain.pipeline import pipeline_of
from core.language.errors import UserError
from core.language.i18n import t
from core.ports.unit_of_work import UnitOfWork

T = TypeVar("T")

# The message keys that mean "no such thing" and "not yours"; every other UserError is a bad request.
_NOT_FOUND = {"err.deal_not_found", "err.task_not_found", "err.member_not_found", "api.not_found"}
_STATUS_BY_KEY = {"api.read_only": 403, "api.precondition": 412, "api.if_match_required": 428,
                  "lead.duplicate": 409, "lead.duplicate_pool": 409}
# Refusals for want of a role or of ownership whose key does not say "forbidden": a 403 like the
# others (a rep reopening a won deal is not a bad request). tests/unit/test_api_status.py checks
# that every "No permission" / "Only …" sentence of core.language.i18n is a 403.
_FORBIDDEN = {"reopen.won_managers", "err.assign_other_team", "update.not_yours", "lead.assign_managers",
              "approval.own", "approval.not_yours", "onboard.other_team"}


def status_of(err: UserError) -> int:
    if err.key in _STATUS_BY_KEY:
        return _STATUS_BY_KEY[err.key]
    if err.key in _NOT_FOUND:
        return 404
    if "forbidden" in err.key or err.key in _FORBIDDEN:
        return 403
    return 422


@dataclass
class ApiError(Exception):
    status: int
    key: str  # the message key: a stable machine-readable type for problem+json
    detail: str


class Api:
    def __init__(self, bot: Dealbot):
        self.bot = bot

    def call(self, member_id: int, source: str, lang: str | None, use_case: Callable[[Context], T], *,
             writes: bool, before_commit: Callable[[UnitOfWork, T], None] | None = None) -> T:
        """Run `use_case(ctx)` as member `member_id`; a write commits (after `before_commit`, which
        stores what must commit with it: an idempotent answer)."""
        factory = self.bot.writing_uow_factory if writes else self.bot.uow_factory
        now = self.bot.clock.now()
        for attempt in range(1, self.bot.attempts + 1):
            with factory() as uow:
                actor = uow.members.get(member_id)
                team = uow.teams.get(actor.team_id) if actor else None
                if actor is None or team is None or not actor.is_active:
                    raise ApiError(401, "api.member_gone", t("api.member_gone", lang or self.bot.defaults.language))
                chosen = lang or actor.language or team.language
                pipeline = pipeline_of(team.pipeline)
                ctx = Context(uow=uow, actor=actor, team=team, pipeline=pipeline, now=now, lang=chosen,
                              tz=actor.timezone or team.timezone, source=source, defaults=self.bot.defaults,
                              chat_id="", is_direct=True, win_models=self.bot.win_models)
                try:
                    result = use_case(ctx)
                    if writes:
                        if before_commit is not None:
                            before_commit(uow, result)
                        uow.commit()
                    return result
                except UserError as err:
                    uow.rollback()
                    reply = error_reply(err, chosen, pipeline, now)
                    raise ApiError(status_of(err), err.key, " ".join([reply.title, *reply.lines])) from None
                except Exception as error:
                    uow.rollback()
                    if attempt < self.bot.attempts and self.bot.is_transient(error):
                        continue
                    raise
        raise AssertionError("unreachable")  # the loop returns or raises

