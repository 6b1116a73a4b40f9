"""What every service call gets: the transaction, who is asking, and where and when."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from core.chat.messages import ChatAccess
from core.domain.calendar import in_zone
from core.domain.model import Member, Team
from core.domain.pipeline import Pipeline
from core.ports.analytics import Charts
from core.ports.unit_of_work import UnitOfWork

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
    # (platform, workspace or corp id) pairs whose people become reps of the default team on
    # their first message, without an admin (DEALBOT_SELF_SERVICE; never Telegram, which has no
    # such id). Everyone else the bot has not met waits for an admin or an invite.
    self_service: frozenset[tuple[str, str]] = frozenset()


def random_code() -> str:
    """A one-time link code (`me link`): 8 random digits."""
    return f"{secrets.randbelow(10**8):08d}"


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
    new_code: Callable[[], str] = random_code
    chat_id: str = ""  # the chat the message came from (digest subscriptions name it)
    user_id: str = ""  # the sender's account on the platform (`me link` answers it there)
    is_direct: bool = True  # a one-to-one chat with the bot (not a group that could be linked)
    chat_access: ChatAccess = ChatAccess.UNKNOWN  # what the bot can read here (adapters check on `link`)
    charts: Charts | None = None  # draws the scorecard's and funnel's pictures; None: text only
    win_models: WinModels | None = None  # the cards' win-probability models; None: learn afresh

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def local(self, when: datetime) -> datetime:
        return in_zone(when, self.zone)
