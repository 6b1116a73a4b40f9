"""What every service call gets: the transaction, who is asking, and where and when."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from core.model import Member, Team
from core.pipeline import Pipeline
from core.ports import Charts, UnitOfWork

if TYPE_CHECKING:
    from core.analytics.winmodels import WinModels


@dataclass(frozen=True)
class Defaults:
    """Settings the core needs, filled in by bot from configuration."""

    team_name: str = "sales"
    timezone: str = "Asia/Shanghai"
    language: str = "en"
    currency: str = "CNY"
    # (platform, user_id) pairs that are admins whatever the database says.
    admins: frozenset[tuple[str, str]] = frozenset()
    pipeline: Pipeline | None = None  # None: DEFAULT_PIPELINE


@dataclass
class Context:
    uow: UnitOfWork
    actor: Member
    team: Team
    pipeline: Pipeline
    now: datetime  # aware UTC
    lang: str
    tz: str
    source: str  # "<platform>:<message id>", written into audit entries
    defaults: Defaults
    new_code: Callable[[], str] = field(default=lambda: f"{secrets.randbelow(10**8):08d}")
    chat_id: str = ""  # the chat the message came from (digest subscriptions name it)
    is_direct: bool = True  # a one-to-one chat with the bot (not a group that could be linked)
    charts: Charts | None = None  # draws the scorecard's and funnel's pictures; None: text only
    win_models: WinModels | None = None  # the cards' win-probability models; None: learn afresh

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.zone)
