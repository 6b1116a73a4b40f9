"""`dealbot outbox` and `dealbot team-settings`: what admins see of reminders and digests."""

from __future__ import annotations

import json
from typing import Any, TextIO

from bot.bootstrap import Wired
from bot.cli_errors import CliError, team_named
from core.approvals.policy import Policy, PolicyError
from core.domain.pipeline import pipeline_of
from core.domain.worktime import SettingsError, WorkSettings
from core.leads.settings import LeadSettings, LeadSettingsError
from core.reminders.outbox import OutboxStatus
from core.services.setting_handles import approver_problem, lead_handle_problem

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
    beyond = next((n for n in ids if not 0 < n < 10**12), None)  # no row has it (and the driver overflows)
    if beyond is not None:
        raise CliError(f"there is no outbox row {str(beyond)[:24]}; `dealbot outbox --status all` lists them")
    now = wired.bot.clock.now()
    with wired.uow() as uow:
        failed = [m.id for m in uow.outbox.list(statuses=["failed"], limit=100_000)]
        not_failed = [n for n in ids if n not in set(failed)]
        if not_failed:  # a typo, or a row sent or waiting: said, and nothing is requeued
            shown = ", ".join(str(n) for n in not_failed[:10])
            raise CliError(f"no failed outbox row {shown}; `dealbot outbox --status all` lists them")
        count = uow.outbox.requeue(ids or failed, now=now)
        uow.commit()
    out.write(f"{count} failed row(s) back in the queue\n")
    return 0


def team_settings(wired: Wired, team_name: str, changes: list[str], out: TextIO, err: TextIO) -> int:
    with wired.uow() as uow:
        team = team_named(uow, wired.bot.defaults, team_name)
        settings = WorkSettings.of(team.timezone, team.settings)
        leads = LeadSettings.of(team.settings)  # `leads.<key>=…` (core.leads.settings)
        approvals = (team.settings or {}).get("approvals")  # the approval policy (core.approvals.policy)
        changed: set[str] = set()
        try:
            for change in changes:
                key, sep, value = change.partition("=")
                if not sep:
                    raise SettingsError(f"{change!r}: write KEY=VALUE")
                changed.add(key.strip())
                if key.strip().startswith("leads."):
                    leads = leads.with_value(key.strip().removeprefix("leads."), value.strip())
                elif key.strip() == "approvals":
                    approvals = _approvals(value.strip(), pipeline_of(team.pipeline).keys)
                else:
                    settings = settings.with_value(key.strip(), value.strip())
        except (SettingsError, LeadSettingsError) as exc:
            also = "".join(f", leads.{key}" for key in LeadSettings().to_dict()) + ", approvals"
            err.write(f"{exc}{also if str(exc).startswith('unknown setting') else ''}\n")
            return 2
        # the members they name must be there (core.services.setting_handles)
        members = uow.members.in_team(team.saved_id)
        problems = [lead_handle_problem(key, leads, team, members, uow.members.by_handle)
                    for key in ("reps", "rules") if f"leads.{key}" in changed]
        if "approvals" in changed:
            problems.append(approver_problem(approvals, uow.members.by_handle))
        problem = next((p for p in problems if p), None)
        if problem:
            err.write(f"{problem}\n")
            return 2
        if changes:
            team.settings = {**settings.to_dict(), "leads": leads.to_dict(),
                             **({"approvals": approvals} if approvals is not None else {})}
            uow.commit()
    out.write(f"{team.name} ({team.timezone})\n")
    for key, value in settings.to_dict().items():
        shown = ",".join(value) if isinstance(value, list) else value
        out.write(f"  {key} = {shown}\n")
    for key, value in leads.to_dict().items():
        if key == "rules":
            shown = "; ".join(f"{r['field']}:{r['value']}={','.join(r['reps'])}" for r in value)
        else:
            shown = ",".join(value) if isinstance(value, list) else value
        out.write(f"  leads.{key} = {shown}\n")
    out.write(f"  approvals = {json.dumps(approvals, ensure_ascii=False) if approvals is not None else 'default'}\n")
    return 0


def _approvals(value: str, stages: list[str]) -> list[dict[str, Any]] | None:
    """`approvals=default` (a discount over 10% needs a manager, over 25% an admin too), or the rules
    as JSON: `approvals=[{"when": "amount", "over": "500k", "approvers": ["manager"], "stages": ["quote"]}]`."""
    if value == "default":
        return None
    try:
        return Policy.from_list(json.loads(value), stages).to_list()
    except json.JSONDecodeError as exc:
        raise SettingsError(f"approvals: not JSON ({exc.msg}); e.g. approvals='[{{\"when\": \"discount\", "
                            f"\"over\": 10, \"approvers\": [\"manager\"]}}]' or approvals=default") from None
    except PolicyError as exc:
        raise SettingsError(f"approvals: {exc}") from None
