"""`dealbot outbox` and `dealbot team-settings`: what admins see of reminders and digests."""

from __future__ import annotations

from typing import TextIO

from bot.bootstrap import Wired
from core.outbox import OutboxStatus
from core.worktime import SettingsError, WorkSettings

_STATUSES = [str(s) for s in OutboxStatus]


def list_rows(wired: Wired, statuses: str, limit: int, out: TextIO) -> int:
    wanted = _STATUSES if statuses.strip() == "all" else [s.strip() for s in statuses.split(",") if s.strip()]
    unknown = set(wanted) - set(_STATUSES)
    if unknown:
        out.write(f"unknown status {', '.join(sorted(unknown))}; use {', '.join(_STATUSES)} or all\n")
        return 2
    with wired.uow() as uow:
        counts = uow.outbox.counts()
        rows = uow.outbox.list(statuses=wanted, limit=limit)
    out.write("outbox: " + (", ".join(f"{counts.get(s, 0)} {s}" for s in _STATUSES)) + "\n")
    for row in rows:
        when = (row.sent_at or row.not_before).isoformat(timespec="seconds")
        out.write(f"{row.id:>7} {row.status:<8} {when} {row.platform}:{row.chat_id} {row.kind} "
                  f"{row.dedupe_key} attempts={row.attempts}")
        out.write(f" error={row.last_error}\n" if row.last_error else "\n")
    if counts.get("failed"):
        out.write("retry failed rows with: dealbot outbox retry [ID ...]\n")
    return 0


def retry_rows(wired: Wired, ids: list[int], out: TextIO) -> int:
    now = wired.bot.clock.now()
    with wired.uow() as uow:
        if not ids:
            ids = [m.id for m in uow.outbox.list(statuses=["failed"], limit=100_000)]
        count = uow.outbox.requeue(ids, now=now)
        uow.commit()
    out.write(f"{count} failed row(s) back in the queue\n")
    return 0


def team_settings(wired: Wired, team_name: str, changes: list[str], out: TextIO, err: TextIO) -> int:
    with wired.uow() as uow:
        team = uow.teams.by_name(team_name)
        if team is None:
            err.write(f"no team {team_name!r}; teams: {', '.join(t.name for t in uow.teams.list())}\n")
            return 1
        settings = WorkSettings.of(team.timezone, team.settings)
        try:
            for change in changes:
                key, sep, value = change.partition("=")
                if not sep:
                    raise SettingsError(f"{change!r}: write KEY=VALUE")
                settings = settings.with_value(key.strip(), value.strip())
        except SettingsError as exc:
            err.write(f"{exc}\n")
            return 2
        if changes:
            team.settings = settings.to_dict()
            uow.commit()
    out.write(f"{team.name} ({team.timezone})\n")
    for key, value in settings.to_dict().items():
        shown = ",".join(value) if isinstance(value, list) else value
        out.write(f"  {key} = {shown}\n")
    return 0
