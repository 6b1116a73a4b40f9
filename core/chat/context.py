"""What every service call gets: the transaction, who is asking, and where and when."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
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
    # The pipeline file's [[approvals]] (None: it has none) and the teams it names (none: every
    # team made while dealbot runs takes them, as it takes the file's pipeline).
    approvals: tuple[dict[str, Any], ...] | None = None
    approval_teams: tuple[str, ...] = ()

    def new_team(self, name: str, timezone: str | None = None, language: str | None = None) -> Team:
        """A team made while dealbot runs, with what the pipeline file would give it at start:
        its pipeline and, when the file names the team (or names none), its approval policy."""
        settings = None
        if self.approvals is not None and (not self.approval_teams or name.casefold() in
                                           {n.casefold() for n in self.approval_teams}):
            settings = {"approvals": [dict(rule) for rule in self.approvals]}
        return Team(name=name, timezone=timezone or self.timezone, language=language or self.language,
                    pipeline=self.pipeline.to_dict() if self.pipeline else None, settings=settings)


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
