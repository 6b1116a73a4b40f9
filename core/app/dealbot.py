"""The core's front door: one Incoming message in, one Reply out, in one unit of work.

Every adapter, the console included, calls Dealbot.handle. Nothing raised below it reaches the
user as a traceback: a UserError becomes one short message in the member's language, anything
else is logged and answered with an apology, and in both cases the transaction is rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from core.analytics.winmodels import WinModels
from core.app.failures import FailureStreak
from core.app.handlers import HANDLERS
from core.chat.context import Context, Defaults, random_code
from core.chat.messages import Incoming, Reply
from core.domain.model import Member, Team
from core.domain.pipeline import Pipeline, pipeline_of
from core.domain.worktime import team_currency
from core.language.dates.text import format_when
from core.language.errors import UserError
from core.language.i18n import detect_language, t
from core.language.parser import ParseContext
from core.language.verbs import find_verb, parse
from core.ports.analytics import Charts
from core.ports.clock import Clock
from core.ports.unit_of_work import UnitOfWork
from core.services import access, analytics, daily_updates, people
from core.services.capture import CaptureHook

log = logging.getLogger(__name__)


def _never(error: Exception) -> bool:
    return False


class Dealbot:
    """Built whole by bot/bootstrap.py; the keyword parameters' defaults suit tests."""

    def __init__(self, uow_factory: Callable[[], UnitOfWork], clock: Clock, defaults: Defaults, *,
                 writing_uow_factory: Callable[[], UnitOfWork] | None = None,
                 new_code: Callable[[], str] = random_code,
                 charts: Charts | None = None,
                 capture_hooks: Sequence[CaptureHook] = (),
                 win_models: WinModels | None = None,
                 is_transient: Callable[[Exception], bool] = _never,
                 is_unavailable: Callable[[Exception], bool] = _never,
                 attempts: int = 3):
        self.uow_factory = uow_factory
        self.clock = clock
        self.defaults = defaults
        # Units of work that will write (commands, capture batches): on SQLite they take the
        # write lock as they begin (storage.db.writing_engine). Scans and the dispatcher read
        # first and write last, so they keep uow_factory.
        self.writing_uow_factory = writing_uow_factory or uow_factory
        self.new_code = new_code  # one-time link codes
        self.charts = charts  # None: figures as text only
        # Run inside each capture batch's unit of work with the newly stored messages
        # (core.services.capture.CaptureHook).
        self.capture_hooks: tuple[CaptureHook, ...] = tuple(capture_hooks)
        self.win_models = win_models or WinModels()  # the deal cards' models, learned at most once an hour
        # Which failures are a concurrent writer's doing, worth running the command again for
        # (storage.db.is_transient); none by default.
        self.is_transient = is_transient
        self.attempts = attempts
        # Which failures mean the database is away (storage.db.is_unavailable): commands failing
        # for that are logged once when it starts and once when it ends, not a traceback each.
        self.is_unavailable = is_unavailable
        self.outage = FailureStreak(log, "commands")

    def handle(self, incoming: Incoming) -> Reply:
        """The reply to one chat message. A command that fails on a conflict with another
        writer (is_transient: another command created the same member a moment earlier, a lock)
        rolled back completely, so it runs again, up to `attempts` times in all."""
        now = self.clock.now()
        lang = [detect_language(incoming.text, self.defaults.language)]  # the member's, once known
        for attempt in range(1, self.attempts + 1):
            try:
                reply = self._handle_once(incoming, now, lang)
            except Exception as error:
                if attempt < self.attempts and self.is_transient(error):
                    log.warning("command met a concurrent write (%s); running it again", type(error).__name__)
                    continue
                if self.is_unavailable(error):
                    self.outage.failed(error)
                else:
                    log.exception("command failed: platform=%s user=%s", incoming.platform, incoming.user_id)
                break
            self.outage.succeeded()
            return reply
        return Reply(title=t("err.internal", lang[-1]), is_error=True, language=lang[-1])

    def _handle_once(self, incoming: Incoming, now: datetime, lang: list[str]) -> Reply:
        return analytics.draw_pending(self._run_command(incoming, now, lang))  # outside the transaction

    def _run_command(self, incoming: Incoming, now: datetime, lang: list[str]) -> Reply:
        pipeline: Pipeline | None = None
        with self.writing_uow_factory() as uow:
            try:
                actor = people.identify(uow, incoming, self.defaults, now)
                if actor is None or not actor.is_active or access.is_outsider(uow, incoming, actor, self.defaults):
                    reply = access.at_the_door(uow, incoming, actor, self.defaults, now)
                    uow.commit()  # an access request, a counted wrong code: nothing else
                    return reply
                team = uow.teams.get(actor.team_id)
                assert team is not None  # a member's team exists (a foreign key)
                lang.append(language_of(actor, team, incoming.text))
                pipeline = pipeline_of(team.pipeline)
                ctx = Context(uow=uow, actor=actor, team=team, pipeline=pipeline, now=now, lang=lang[-1],
                              tz=actor.timezone or team.timezone,
                              source=f"{incoming.platform}:{incoming.message_id}", defaults=self.defaults,
                              chat_id=incoming.chat_id, is_direct=incoming.is_direct,
                              user_id=incoming.user_id, chat_access=incoming.chat_access,
                              new_code=self.new_code, charts=self.charts, win_models=self.win_models)
                currency = team_currency(team.settings, self.defaults.currency)
                try:
                    command = parse(incoming.text, ParseContext(now, ctx.tz, pipeline, currency))
                except UserError as err:
                    update = _daily_update(err, incoming, ctx, now)
                    if update is None:
                        raise
                    uow.commit()
                    return update
                if command.writes and not _first_time(uow, incoming, now):
                    return Reply(title=t("cmd.handled_before", lang[-1]), language=lang[-1])
                reply = HANDLERS[type(command)](command, ctx)
                uow.commit()
                return reply
            except UserError as err:
                uow.rollback()
                return error_reply(err, lang[-1], pipeline, now)
            except Exception:
                uow.rollback()
                raise


# Platforms that deliver a message again when its acknowledgement was lost (Telegram after a
# restart before the getUpdates offset moved on; Slack's retries, perhaps to another replica;
# DingTalk's redelivery). The console never does, and numbers its lines afresh each session.
REDELIVERING = frozenset({"slack", "telegram", "dingtalk"})


def _first_time(uow: UnitOfWork, incoming: Incoming, now: datetime) -> bool:
    """Record the message of a command that writes as handled, in the command's own transaction:
    a redelivery of a command that committed finds it and does not run twice; one that rolled
    back (a UserError, a crash) left no record, so it runs again. Commands that only read are
    not recorded: running them again is harmless, and recording would make them write."""
    if incoming.platform not in REDELIVERING or not incoming.message_id:
        return True
    return uow.handled.first_time(incoming.platform, incoming.chat_id, incoming.message_id, now)


def _daily_update(err: UserError, incoming: Incoming, ctx: Context, now: datetime) -> Reply | None:
    """A direct message in no command's words may be an answer to the daily card ("Acme 同意下周二
    演示，华为报价已发"): the proposals read from it (core.services.daily_updates), or None when it
    names none of the sender's open deals, or looks like a misspelt command (a verb is suggested)."""
    if err.key != "err.unknown_verb" or err.suggestion or not incoming.is_direct:
        return None
    if not _first_time(ctx.uow, incoming, now):
        return Reply(title=t("cmd.handled_before", ctx.lang), language=ctx.lang)
    return daily_updates.propose_from_reply(incoming.text, ctx)


def language_of(member: Member, team: Team, text: str) -> str:
    """The member's chosen language; until they choose, the language they write in."""
    return member.language or detect_language(text, team.language)


def error_reply(err: UserError, lang: str, pipeline: Pipeline | None, now: datetime | None = None) -> Reply:
    lines = []
    if err.suggestion:
        # a suggested verb reads as a verb even where a stage has the same key ("won")
        stages = None if err.key == "err.unknown_verb" else pipeline
        lines.append(t("err.did_you_mean", lang, suggestion=_display(err.suggestion, lang, stages)))
    if err.hint == "err.stages_are" and pipeline is not None:
        names = ", ".join(s.name(lang) for s in pipeline.stages)
        lines.append(t("err.stages_are", lang, stages=names))
    verb = find_verb(err.verb) if err.verb else None
    if verb is not None:
        lines.append(t("err.usage", lang, usage=verb.usage(lang)))
    return Reply(title=t(err.key, lang, **_params(err.params, lang, now)), lines=lines, is_error=True,
                 language=lang)


def _params(params: dict[str, Any], lang: str, now: datetime | None) -> dict[str, Any]:
    """Message parameters ready for display: `*_key` values are message keys, datetimes are dates,
    {"en": …, "zh": …} values are already in both languages."""
    shown = {}
    for name, value in params.items():
        if name.endswith("_key"):
            shown[name.removesuffix("_key")] = t(str(value), lang)
        elif isinstance(value, datetime):
            shown[name.removesuffix("_at")] = format_when(value, lang, now=now)
        elif isinstance(value, dict):
            shown[name] = value["zh" if lang == "zh" else "en"]
        else:
            shown[name] = value
    return shown


def _display(suggestion: str, lang: str, pipeline: Pipeline | None) -> str:
    """A suggested stage key reads as its name in the member's language."""
    if pipeline is not None and suggestion in pipeline.keys:
        return pipeline.get(suggestion).name(lang)
    verb = find_verb(suggestion)
    return verb.name(lang) if verb else suggestion
