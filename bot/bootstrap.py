"""Wiring: settings in, a ready Dealbot (and the engine behind it) out. Nothing runs at import."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.clock import FrozenClock, SystemClock
from bot.config import Settings
from core.app import Dealbot
from core.context import Defaults
from core.pipeline import Pipeline, pipeline_from_toml
from core.suggestions import suggest_next_steps


@dataclass
class Wired:
    bot: Dealbot
    engine: Engine
    settings: Settings

    def uow(self):
        return self.bot.uow_factory()


def load_pipeline(settings: Settings) -> Pipeline | None:
    if settings.pipeline_file is None:
        return None
    return pipeline_from_toml(settings.pipeline_file.read_text(encoding="utf-8"))


def defaults_from(settings: Settings, extra_admins: frozenset = frozenset()) -> Defaults:
    return Defaults(
        team_name=settings.team, timezone=settings.timezone, language=settings.language,
        currency=settings.currency, admins=settings.admin_identities() | extra_admins,
        pipeline=load_pipeline(settings),
    )


def build(settings: Settings, *, extra_admins: frozenset = frozenset(), migrate: bool | None = None) -> Wired:
    """Engine, mappers, schema (automatic for SQLite unless migrate=False), and the Dealbot."""
    from storage.db import is_transient, make_engine, make_session_factory, writing_engine
    from storage.migrate import ensure_schema
    from storage.orm import start_mappers
    from storage.uow import SqlUnitOfWork

    engine = make_engine(settings.database_url)
    start_mappers()
    if migrate if migrate is not None else settings.is_sqlite:
        ensure_schema(engine)
    session_factory = make_session_factory(engine)
    writing_factory = make_session_factory(writing_engine(engine))
    clock = FrozenClock(settings.fixed_now) if settings.fixed_now else SystemClock()
    bot = Dealbot(lambda: SqlUnitOfWork(session_factory), clock, defaults_from(settings, extra_admins))
    bot.writing_uow_factory = lambda: SqlUnitOfWork(writing_factory)  # commands and capture batches
    bot.is_transient = is_transient  # a command that lost a race with another writer runs again
    bot.capture_hooks.append(suggest_next_steps)  # dated commitments in captured chat -> [Keep] DMs
    return Wired(bot=bot, engine=engine, settings=settings)
