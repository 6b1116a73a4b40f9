"""DEALBOT_PIPELINE_FILE: a team's pipeline as TOML, and how an existing team takes a changed one.

The file's `[[stages]]` are the pipeline (core.domain.pipeline); its optional `teams = [...]` names the
existing teams that take it (without it: the default team, DEALBOT_TEAM); its optional `[map]`
table says where the open deals of a stage the file no longer has go: `old_key = "new_key"`, for
every team it names. A changed pipeline is taken only when no open deal of any of those teams is
left in a stage that is gone; otherwise nothing changes for any team and the PipelineError names
each team and its stages. Closed deals keep their stages and history as they are. A named team
that does not exist yet is left for later: teams made after the start take the file anyway.
Its optional `[[approvals]]` tables are the approval policy of the teams it names
(core.approvals.policy; stored in each team's settings, audited when it changes).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.access.audit import deal_snapshot, record
from core.approvals.policy import Policy, PolicyError
from core.domain.model import DealStatus, Team
from core.domain.pipeline import PLAYBOOK_SECTIONS, Pipeline, PipelineError, pipeline_of
from core.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PipelineFile:
    pipeline: Pipeline
    moves: dict[str, str] = field(default_factory=dict)  # [map]: a removed stage -> an open stage kept
    teams: tuple[str, ...] = ()  # `teams = [...]`: the teams that take it; () the default team
    # `[[approvals]]`: the teams' approval policy (core.approvals.policy); None: left as it is
    approvals: tuple[dict[str, Any], ...] | None = None


def read_pipeline_file(text: str) -> PipelineFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PipelineError(f"not valid TOML: {exc}") from exc
    pipeline = Pipeline.from_dict(data)
    moves = data.get("map", {})
    if not isinstance(moves, dict) or not all(isinstance(v, str) for v in moves.values()):
        raise PipelineError('[map] takes lines like old_stage = "new_stage"')
    moves = {old.strip().lower(): new.strip().lower() for old, new in moves.items()}
    open_keys = [s.key for s in pipeline.open_stages]
    for old, new in moves.items():
        if old in pipeline.keys:
            raise PipelineError(f"[map] {old}: the file still has a stage '{old}'; map only stages it drops")
        if new not in open_keys:
            raise PipelineError(f"[map] {old} = \"{new}\": map to one of the file's open stages "
                                f"({', '.join(open_keys)})")
    teams = data.get("teams", [])
    if not isinstance(teams, list) or not all(isinstance(name, str) and name.strip() for name in teams):
        raise PipelineError('teams takes a list of team names, like teams = ["sales", "华南"]')
    approvals = None
    if "approvals" in data:
        try:
            policy = Policy.from_list(data["approvals"], pipeline.keys)
        except PolicyError as exc:
            raise PipelineError(f"[[approvals]]: {exc}") from exc
        approvals = tuple(policy.to_list())
    return PipelineFile(pipeline, moves, tuple(dict.fromkeys(name.strip() for name in teams)), approvals)


def adopt_pipeline_teams(uow: UnitOfWork, file: PipelineFile, default_team: str,
                        now: datetime) -> dict[str, int | None]:
    """Every team the file names (or the default team) takes it, in `uow`, as adopt_pipeline
    says: {team name: deals moved, None when nothing changed}. If any team cannot take it, a
    PipelineError names every such team and why; the caller then commits nothing, so no team
    has changed."""
    moved, refusals = {}, []
    for name in file.teams or (default_team,):
        try:
            moved[name] = adopt_pipeline(uow, name, file, now)
        except PipelineError as err:
            refusals.append(str(err))
    if refusals:
        raise PipelineError("; ".join(refusals))
    return moved


def adopt_pipeline(uow: UnitOfWork, team_name: str, file: PipelineFile, now: datetime) -> int | None:
    """Give the team `file`'s pipeline if it differs from the stored one, moving the open deals of
    dropped stages as `[map]` says (audited, with a stage change each). The number of deals moved,
    or None when there was nothing to change (no such team yet, or the same pipeline)."""
    team = uow.teams.by_name(team_name)
    if team is None:
        return None
    uow.teams.lock(team)  # two replicas starting at once: the second sees the first's change
    _adopt_approvals(uow, team, file, now)
    stored = pipeline_of(team.pipeline)
    if stored == file.pipeline:
        return None
    dropped = [key for key in stored.keys if key not in file.pipeline.keys]
    stranded = {key: uow.deals.find(team_id=team.id, status=DealStatus.OPEN, stage=key) for key in dropped}
    stranded = {key: deals for key, deals in stranded.items() if deals}
    unmapped = [key for key in stranded if key not in file.moves]
    if unmapped:
        raise PipelineError(_refusal(team_name, unmapped, stranded, file.pipeline))
    moved = 0
    for key, deals in stranded.items():
        target = file.moves[key]
        for deal in deals:
            before = deal_snapshot(deal)
            uow.stage_changes.add(deal.move_to(target, now, None, file.pipeline))  # an open deal to an open stage
            record(uow, action="pipeline.move", entity=deal.code, at=now, actor_id=None, source="pipeline-file",
                   before={"stage": before["stage"]}, after={"stage": target})
            moved += 1
    record(uow, action="team.pipeline", entity=f"team:{team.id}", at=now, actor_id=None, source="pipeline-file",
           before={"stages": stored.keys}, after={"stages": file.pipeline.keys, "moved": moved})
    for key in file.pipeline.keys:  # each stage's playbook the file changed: versioned as chat edits are
        old_lines = playbook_lines(stored, key)
        new_lines = playbook_lines(file.pipeline, key)
        if old_lines != new_lines:
            record(uow, action="playbook.file", entity=f"playbook:{team.id}:{key}", at=now, actor_id=None,
                   source="pipeline-file", before={"lines": old_lines}, after={"lines": new_lines})
    team.pipeline = file.pipeline.to_dict()
    return moved


def _adopt_approvals(uow: UnitOfWork, team: Team, file: PipelineFile, now: datetime) -> None:
    """The file's [[approvals]] become the team's policy (audited) when they differ from it."""
    if file.approvals is None:
        return
    settings = dict(team.settings or {})
    wanted = [dict(rule) for rule in file.approvals]
    if settings.get("approvals") == wanted:
        return
    record(uow, action="team.approvals", entity=f"team:{team.id}", at=now, actor_id=None, source="pipeline-file",
           before={"approvals": settings.get("approvals")}, after={"approvals": wanted})
    settings["approvals"] = wanted
    team.settings = settings
def playbook_lines(pipeline: Pipeline, key: str) -> list[str]:
    """A stage's playbook as the file gives it, one "section: en / zh" text a line ([] when the
    pipeline has no such stage)."""
    if key not in pipeline.keys:
        return []
    playbook = pipeline.get(key).playbook
    return [f"{section}: {item.en}" + (f" / {item.zh}" if item.zh != item.en else "")
            for section in PLAYBOOK_SECTIONS for item in playbook.section(section)]


def _refusal(team_name: str, unmapped: list[str], stranded: dict[str, Any], pipeline: Pipeline) -> str:
    held = ", ".join(f"{key} ({len(stranded[key])} open deal{'s' if len(stranded[key]) != 1 else ''})"
                     for key in unmapped)
    example = f'{unmapped[0]} = "{pipeline.first.key}"'
    return (f"team '{team_name}' still has open deals in stages the file drops: {held}; keep those "
            f"stages or map each to a stage of the file under [map] (e.g. {example}), then start again")
