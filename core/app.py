"""The core's front door: one Incoming message in, one Reply out, in one unit of work.

Every adapter, the console included, calls Dealbot.handle. Nothing raised below it reaches the
user as a traceback: a UserError becomes one short message in the member's language, anything
else is logged and answered with an apology, and in both cases the transaction is rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from core import commands as c
from core.analytics.winmodels import WinModels
from core.context import Context, Defaults
from core.dates import format_when
from core.errors import UserError
from core.i18n import detect_language, t
from core.messages import Incoming, Reply
from core.model import Member, Team
from core.parser import ParseContext, parse
from core.pipeline import Pipeline, pipeline_of
from core.ports import Charts, Clock, UnitOfWork
from core.services import (
    analytics,
    chats,
    deals,
    digests,
    help,
    people,
    privacy,
    snooze,
    suggestions,
    tasks,
)
from core.verbs import find_verb

log = logging.getLogger(__name__)

HANDLERS: dict[type, Callable[..., Reply]] = {
    c.Help: help.show_help,
    c.NewDeal: deals.new_deal,
    c.ShowDeal: deals.show_deal,
    c.ShowHistory: deals.show_history,
    c.ListDeals: deals.list_deals,
    c.MoveDeal: deals.move_deal,
    c.CheckDeliverable: deals.check_deliverable,
    c.WinDeal: deals.win_deal,
    c.LoseDeal: deals.lose_deal,
    c.LogFollowUp: deals.log_follow_up,
    c.AddTask: tasks.add_task,
    c.ListTasks: tasks.list_tasks,
    c.CompleteTask: tasks.complete_task,
    c.ShowMe: people.show_me,
    c.SetLanguage: people.set_language,
    c.SetTimezone: people.set_timezone,
    c.StartLink: people.start_link,
    c.LinkAccount: people.link_account,
    c.ListTeams: people.list_teams,
    c.CreateTeam: people.create_team,
    c.ListMembers: people.list_members,
    c.UpdateMember: people.update_member,
    c.Snooze: snooze.snooze,
    c.ShowDigests: digests.show_digests,
    c.SubscribeDigest: digests.subscribe_digest,
    c.StopDigests: digests.stop_digests,
    c.ShowScorecard: analytics.show_scorecard,
    c.ShowFunnel: analytics.show_funnel,
    c.ShowForecast: analytics.show_forecast,
    c.LinkChat: chats.link_chat,
    c.UnlinkChat: chats.unlink_chat,
    c.SetCapture: chats.set_capture,
    c.ShowCapture: chats.show_capture,
    c.KeepSuggestion: suggestions.keep_suggestion,
    c.DismissSuggestion: suggestions.dismiss_suggestion,
    c.Forget: privacy.forget,
}


class Dealbot:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], clock: Clock, defaults: Defaults,
                 new_code: Callable[[], str] | None = None):
        self.uow_factory = uow_factory
        self.clock = clock
        self.defaults = defaults
        self.new_code = new_code  # one-time link codes; None: 8 random digits
        self.charts: Charts | None = None  # bot/analytics.py sets it; None: figures as text only
        # Run inside each capture batch's unit of work with the newly stored messages
        # (core.services.capture.CaptureHook); bot/bootstrap.py adds them.
        self.capture_hooks: list = []
        self.win_models = WinModels()  # the deal cards' models, learned at most once an hour
        # Which failures are a concurrent writer's doing, worth running the command again for
        # (storage.db.is_transient, set by bot/bootstrap.py); none by default.
        self.is_transient: Callable[[Exception], bool] = lambda error: False
        self.attempts = 3
        # Units of work that will write (commands, capture batches): on SQLite they take the
        # write lock as they begin (storage.db.writing_engine, set by bot/bootstrap.py). Scans and
        # the dispatcher read first and write last, so they keep uow_factory.
        self.writing_uow_factory: Callable[[], UnitOfWork] = uow_factory

    def handle(self, incoming: Incoming) -> Reply:
        """The reply to one chat message. A command that fails on a conflict with another
        writer (is_transient: another command created the same member a moment earlier, a lock)
        rolled back completely, so it runs again, up to `attempts` times in all."""
        now = self.clock.now()
        lang = [detect_language(incoming.text, self.defaults.language)]  # the member's, once known
        for attempt in range(1, self.attempts + 1):
            try:
                return self._handle_once(incoming, now, lang)
            except Exception as error:
                if attempt < self.attempts and self.is_transient(error):
                    log.warning("command met a concurrent write (%s); running it again", type(error).__name__)
                    continue
                log.exception("command failed: platform=%s user=%s", incoming.platform, incoming.user_id)
                break
        return Reply(title=t("err.internal", lang[-1]), is_error=True, language=lang[-1])

    def _handle_once(self, incoming: Incoming, now: datetime, lang: list[str]) -> Reply:
        pipeline: Pipeline | None = None
        with self.writing_uow_factory() as uow:
            try:
                actor = people.identify(uow, incoming, self.defaults, now)
                team = uow.teams.get(actor.team_id)
                lang.append(language_of(actor, team, incoming.text))
                pipeline = pipeline_of(team.pipeline)
                ctx = Context(uow=uow, actor=actor, team=team, pipeline=pipeline, now=now, lang=lang[-1],
                              tz=actor.timezone or team.timezone,
                              source=f"{incoming.platform}:{incoming.message_id}", defaults=self.defaults,
                              chat_id=incoming.chat_id, is_direct=incoming.is_direct)
                if self.new_code is not None:
                    ctx.new_code = self.new_code
                ctx.charts = self.charts
                ctx.win_models = self.win_models
                command = parse(incoming.text, ParseContext(now, ctx.tz, pipeline, self.defaults.currency))
                if command.writes and not _first_time(uow, incoming, now):
                    return Reply(title=t("cmd.handled_before", lang[-1]), language=lang[-1])
                reply = HANDLERS[type(command)](command, ctx)
                uow.commit()
                return reply
            except UserError as err:
                uow.rollback()
                return error_reply(err, lang[-1], pipeline)
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


def language_of(member: Member, team: Team, text: str) -> str:
    """The member's chosen language; until they choose, the language they write in."""
    return member.language or detect_language(text, team.language)


def error_reply(err: UserError, lang: str, pipeline: Pipeline | None) -> Reply:
    lines = []
    if err.suggestion:
        lines.append(t("err.did_you_mean", lang, suggestion=_display(err.suggestion, lang, pipeline)))
    if err.hint == "err.stages_are" and pipeline is not None:
        names = ", ".join(s.name(lang) for s in pipeline.stages)
        lines.append(t("err.stages_are", lang, stages=names))
    verb = find_verb(err.verb) if err.verb else None
    if verb is not None:
        lines.append(t("err.usage", lang, usage=verb.usage(lang)))
    return Reply(title=t(err.key, lang, **_params(err.params, lang)), lines=lines, is_error=True,
                 language=lang)


def _params(params: dict, lang: str) -> dict:
    """Message parameters ready for display: `*_key` values are message keys, datetimes are dates."""
    shown = {}
    for name, value in params.items():
        if name.endswith("_key"):
            shown[name.removesuffix("_key")] = t(str(value), lang)
        elif isinstance(value, datetime):
            shown[name.removesuffix("_at")] = format_when(value, lang)
        else:
            shown[name] = value
    return shown


def _display(suggestion: str, lang: str, pipeline: Pipeline | None) -> str:
    """A suggested stage key reads as its name in the member's language."""
    if pipeline is not None and suggestion in pipeline.keys:
        return pipeline.get(suggestion).name(lang)
    verb = find_verb(suggestion)
    return verb.name(lang) if verb else suggestion
