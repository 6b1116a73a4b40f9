"""Wiring: settings in, a ready Dealbot (and the engine behind it) out. Nothing runs at import."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.clock import FrozenClock, SystemClock
from bot.config import ConfigError, Settings
from core.app.dealbot import Dealbot
from core.chat.context import Defaults
from core.conversations.suggestions import suggest_next_steps
from core.domain.pipeline import PipelineError
from core.files.pipeline_toml import PipelineFile, adopt_pipeline_teams, read_pipeline_file
from core.health.surveys import record_survey_answers
from core.ports.clock import Clock

log = logging.getLogger(__name__)


@dataclass
class Wired:
    bot: Dealbot
    engine: Engine
    settings: Settings

    def uow(self):
        return self.bot.uow_factory()


def charts_for(settings: Settings):
    """The charts drawer: pictures go to charts/ beside the log file, or in the data folder when
    the log goes to stderr (matplotlib loads only here)."""
    from bot.charts import MatplotlibCharts

    beside = settings.data_dir if settings.log_to_stderr else Path(settings.log_file).parent
    return MatplotlibCharts(beside / "charts")


def load_pipeline(settings: Settings) -> PipelineFile | None:
    path = settings.pipeline_file
    if path is None:
        return None
    try:
        return read_pipeline_file(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"DEALBOT_PIPELINE_FILE: there is no file {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"DEALBOT_PIPELINE_FILE: {path} is a folder, not a TOML file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"DEALBOT_PIPELINE_FILE: {path} is not UTF-8 text; save it as UTF-8") from None
    except (OSError, PipelineError) as err:
        raise ConfigError(f"DEALBOT_PIPELINE_FILE: {path}: {err}") from None


def defaults_from(settings: Settings, extra_admins: frozenset = frozenset(),
                  pipeline_file: PipelineFile | None = None) -> Defaults:
    return Defaults(
        team_name=settings.team, timezone=settings.timezone, language=settings.language,
        currency=settings.currency, admins=settings.admin_identities() | extra_admins,
        pipeline=pipeline_file.pipeline if pipeline_file else None, self_service=settings.self_service_orgs(),
        approvals=pipeline_file.approvals if pipeline_file else None,
        approval_teams=pipeline_file.teams if pipeline_file else (),
    )


def adopt_pipeline_file(wired: Wired, pipeline_file: PipelineFile) -> None:
    """The teams the DEALBOT_PIPELINE_FILE names (or the default team) take a changed file at
    start, all or none, or dealbot stops with the reasons (core.files.pipeline_toml); a team made
    later gets the file's pipeline anyway."""
    path = wired.settings.pipeline_file
    with wired.bot.writing_uow_factory() as uow:
        try:
            moved = adopt_pipeline_teams(uow, pipeline_file, wired.settings.team, wired.bot.clock.now())
        except PipelineError as err:
            raise ConfigError(f"DEALBOT_PIPELINE_FILE: {path}: {err}") from None
        later = [name for name in pipeline_file.teams if uow.teams.by_name(name) is None]
        uow.commit()
    for team, count in moved.items():
        if count is not None:
            log.info("team %s took the pipeline of %s; %d open deals moved to a mapped stage", team, path, count)
    if later:
        log.info("%s names teams that do not exist yet (%s): they take it when they are made", path,
                 ", ".join(later))


def build(settings: Settings, *, extra_admins: frozenset = frozenset(), migrate: bool | None = None,
          charts: bool = False, clock: Clock | None = None) -> Wired:
    """Engine, mappers, schema (automatic for SQLite unless migrate=False; otherwise checked
    unless migrate=False), and the Dealbot; with `charts`, scorecard, funnel and forecast asked
    in chat come with a chart (drawn into charts/ beside the log file). `clock` (tests): else
    DEALBOT_FIXED_NOW's, else the system's."""
    from storage.db import (
        is_transient,
        is_unavailable,
        make_engine,
        make_session_factory,
        writing_engine,
    )
    from storage.migrate import check_schema, ensure_schema
    from storage.orm import start_mappers
    from storage.uow import SqlUnitOfWork
    from storage.webhooks import watch_audit

    # A database error shows the statement's values (message text, names) only when the log may
    # hold message text; otherwise a logged traceback shows the SQL alone.
    engine = make_engine(settings.database_url, hide_parameters=not settings.log_message_text)
    start_mappers()
    if migrate if migrate is not None else settings.is_sqlite:
        ensure_schema(engine)
    elif migrate is None:
        check_schema(engine)  # PostgreSQL: `dealbot migrate` is the operator's step; say so if missed
    session_factory = make_session_factory(engine)
    writing_factory = make_session_factory(writing_engine(engine))
    for factory in (session_factory, writing_factory):
        watch_audit(factory)  # audited changes that are webhook events queue their deliveries
    clock = clock or (FrozenClock(settings.fixed_now) if settings.fixed_now else SystemClock())
    pipeline_file = load_pipeline(settings)
    defaults = defaults_from(settings, extra_admins, pipeline_file)
    bot = Dealbot(
        lambda: SqlUnitOfWork(session_factory), clock, defaults,
        writing_uow_factory=lambda: SqlUnitOfWork(writing_factory),  # commands and capture batches
        charts=charts_for(settings) if charts else None,
        # dated commitments in captured chat -> [Keep] DMs; a customer's 1-5 answer to a survey -> a score
        capture_hooks=[suggest_next_steps, record_survey_answers],
        is_transient=is_transient,  # a command that lost a race with another writer runs again
        is_unavailable=is_unavailable,  # a database outage: logged once, not per command
    )
    wired = Wired(bot=bot, engine=engine, settings=settings)
    if pipeline_file is not None:
        adopt_pipeline_file(wired, pipeline_file)
    return wired
