"""DEALBOT_PIPELINE_FILE changes an existing team's pipeline at start, on the test database: taken
when no open deal is left in a dropped stage, its `[map]` moving them (history and audit kept);
refused with the stages named otherwise, changing nothing."""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.bootstrap import build
from bot.config import ConfigError, Settings
from core.chat.messages import Incoming
from core.domain.model import Deal, Member, Team
from core.domain.pipeline import DEFAULT_PIPELINE, pipeline_of
from core.files.pipeline_toml import adopt_pipeline, read_pipeline_file
from tests.fakes import FixedClock

MESSAGE_IDS = itertools.count(1)

# The default pipeline without `demo` and `quote`, with a `trial` stage instead.
STAGES = """
[[stages]]
key = "lead"
en = "Lead"
zh = "线索"
sla_days = 3

[[stages]]
key = "trial"
en = "Trial"
zh = "试用"
sla_days = 14

[[stages]]
key = "negotiation"
en = "Negotiation"
zh = "谈判"

[[stages]]
key = "won"

[[stages]]
key = "lost"
"""


def start(database_url: str, tmp_path, toml: str | None = None):
    """`build` as `dealbot console` does it at start, with this pipeline file (or none)."""
    path = None
    if toml is not None:
        path = tmp_path / "pipeline.toml"
        path.write_text(toml, encoding="utf-8")
    settings = Settings(_env_file=None, database_url=database_url, log_file=tmp_path / "dealbot.log",
                        admins="console:boss", pipeline_file=path, fixed_now="2026-03-04T10:00:00+08:00")
    return build(settings, migrate=True, clock=FixedClock())


def say(wired, text: str) -> str:
    reply = wired.bot.handle(Incoming(platform="console", user_id="boss", user_name="boss", text=text,
                                      message_id=str(next(MESSAGE_IDS))))
    return reply.text()


@pytest.fixture
def team_with_deals(database_url, tmp_path):
    """The default pipeline's team: D-1 open in demo, D-2 open in quote, D-3 lost from demo,
    D-4 open in lead."""
    wired = start(database_url, tmp_path)
    for text in ("new Acme 10k", "move D-1 demo", "new Beta 20k", "move D-2 quote",
                 "new Gamma 5k", "move D-3 demo", "lost D-3 price", "new Delta 1k"):
        say(wired, text)
    wired.engine.dispose()


def stored_pipeline(wired):
    with wired.uow() as uow:
        return pipeline_of(uow.teams.by_name("sales").pipeline)


def test_open_deals_in_dropped_stages_refuse_the_file_and_change_nothing(team_with_deals, database_url, tmp_path):
    with pytest.raises(ConfigError) as refused:
        start(database_url, tmp_path, STAGES + '\n[map]\nquote = "negotiation"\n')
    assert str(refused.value) == (
        f"DEALBOT_PIPELINE_FILE: {tmp_path / 'pipeline.toml'}: team 'sales' still has open deals in stages "
        "the file drops: demo (1 open deal); keep those stages or map each to a stage of the file under "
        '[map] (e.g. demo = "lead"), then start again')
    wired = start(database_url, tmp_path)
    assert stored_pipeline(wired) == DEFAULT_PIPELINE
    assert "Demo" in say(wired, "show D-1")


def test_a_map_moves_open_deals_with_history_and_closed_deals_keep_theirs(team_with_deals, database_url,
                                                                          tmp_path):
    wired = start(database_url, tmp_path, STAGES + '\n[map]\ndemo = "trial"\nquote = "negotiation"\n')
    assert stored_pipeline(wired).keys == ["lead", "trial", "negotiation", "won", "lost"]
    assert "Trial" in say(wired, "show D-1") and "Negotiation" in say(wired, "show D-2")
    with wired.uow() as uow:
        moved = uow.stage_changes.for_deal(1)[-1]
        assert (moved.from_stage, moved.to_stage, moved.by_id, moved.advance) == ("demo", "trial", None, False)
        assert [c.to_stage for c in uow.stage_changes.for_deal(3)] == ["lead", "demo", "lost"]  # untouched
        assert uow.deals.get(3).stage == "lost" and uow.deals.get(4).stage == "lead"
        assert [e.action for e in uow.audit.for_entity("D-2")][-2:] == ["deal.move", "pipeline.move"]
    assert say(wired, "history D-1").endswith("the pipeline file moved it from demo to Trial")
    assert "销售管道配置文件 从“demo”推进到“试用”" in say(wired, "历史 D-1")
    assert "Trial" in say(wired, "move D-4 trial")  # the new pipeline is the one chat uses
    wired.engine.dispose()
    again = start(database_url, tmp_path, STAGES + '\n[map]\ndemo = "trial"\nquote = "negotiation"\n')
    with again.uow() as uow:
        assert len(uow.stage_changes.for_deal(1)) == 3  # the same file again moves nothing


def test_a_file_that_only_adds_and_renames_labels_needs_no_map(team_with_deals, database_url, tmp_path):
    text = "\n".join(f'[[stages]]\nkey = "{s.key}"\nen = "{s.en}!"\n' for s in DEFAULT_PIPELINE.stages)
    wired = start(database_url, tmp_path, text)
    assert stored_pipeline(wired).get("demo").en == "Demo!"
    assert "Demo!" in say(wired, "show D-1")


@pytest.mark.parametrize(("table", "says"), [
    ('[map]\ndemo = "nowhere"\n', "map to one of the file's open stages"),
    ('[map]\nlead = "trial"\n', "the file still has a stage 'lead'"),
    ('[map]\ndemo = "won"\n', "map to one of the file's open stages"),
])
def test_a_bad_map_is_refused(team_with_deals, database_url, tmp_path, table, says):
    with pytest.raises(ConfigError, match=says):
        start(database_url, tmp_path, STAGES + "\n" + table)


def test_the_example_files_map_takes_a_default_pipeline_team(team_with_deals, database_url, tmp_path):
    example = Path(__file__).parents[2] / "pipeline.example.toml"
    wired = start(database_url, tmp_path, example.read_text(encoding="utf-8"))
    assert stored_pipeline(wired).keys == ["lead", "trial", "contract", "won", "lost"]
    assert "Stage: Trial" in say(wired, "show D-1") and "Stage: Contract" in say(wired, "show D-2")


def test_two_starts_at_once_move_each_deal_once(team_with_deals, database_url, tmp_path):
    """A second replica starting while the first is taking the file waits, then finds it taken."""
    file = read_pipeline_file(STAGES + '\n[map]\ndemo = "trial"\nquote = "negotiation"\n')
    wired = start(database_url, tmp_path)
    now = wired.bot.clock.now()
    with wired.bot.writing_uow_factory() as first:
        assert adopt_pipeline(first, "sales", file, now) == 2
        second = ThreadPoolExecutor(1).submit(_adopt_in_own_transaction, wired, file, now)
        time.sleep(0.5)  # the second is waiting for the first's lock by now
        first.commit()
    assert second.result(timeout=30) is None
    with wired.uow() as uow:
        assert [c.to_stage for c in uow.stage_changes.for_deal(1)] == ["lead", "demo", "trial"]


def _adopt_in_own_transaction(wired, file, now):
    with wired.bot.writing_uow_factory() as uow:
        moved = adopt_pipeline(uow, "sales", file, now)
        uow.commit()
        return moved


def _team_with_open_deals(wired, name: str, stages: list[str]) -> None:
    """Another team than the default one, with one open deal in each of these stages."""
    with wired.bot.writing_uow_factory() as uow:
        team = uow.teams.add(Team(name, timezone="Asia/Shanghai"))
        rep = uow.members.add(Member(f"rep_{len(name)}_{len(stages)}", team_id=team.id))
        customer = uow.customers.named(team.id, f"{name} customer")
        now = wired.bot.clock.now()
        for stage in stages:
            uow.deals.add(Deal(title=stage, customer_id=customer.id, owner_id=rep.id, team_id=team.id,
                               stage=stage, stage_entered_at=now, created_at=now))
        uow.commit()


def _stages_of(wired, name: str) -> list[str]:
    with wired.uow() as uow:
        return pipeline_of(uow.teams.by_name(name).pipeline).keys


def _open_stages(wired, name: str) -> list[str]:
    with wired.uow() as uow:
        return sorted(d.stage for d in uow.deals.find(team_id=uow.teams.by_name(name).id))


def test_every_team_the_file_names_takes_it_and_other_teams_keep_theirs(team_with_deals, database_url, tmp_path):
    wired = start(database_url, tmp_path)
    _team_with_open_deals(wired, "华南", ["demo", "quote", "lead"])
    _team_with_open_deals(wired, "East", ["demo"])
    wired.engine.dispose()
    toml = 'teams = ["sales", "华南", "Later"]\n' + STAGES + '\n[map]\ndemo = "trial"\nquote = "negotiation"\n'

    wired = start(database_url, tmp_path, toml)

    assert _stages_of(wired, "sales") == _stages_of(wired, "华南") == ["lead", "trial", "negotiation", "won", "lost"]
    assert _open_stages(wired, "华南") == ["lead", "negotiation", "trial"]
    assert _stages_of(wired, "East") == DEFAULT_PIPELINE.keys and _open_stages(wired, "East") == ["demo"]
    with wired.uow() as uow:
        team = uow.teams.by_name("华南")
        moved = [d for d in uow.deals.find(team_id=team.id) if d.title == "demo"][0]
        assert [e.action for e in uow.audit.for_entity(moved.code)] == ["pipeline.move"]
        assert [(c.from_stage, c.to_stage) for c in uow.stage_changes.for_deal(moved.id)] == [("demo", "trial")]
        assert uow.teams.by_name("Later") is None  # named, not made: a team made later takes the file anyway
    assert "Trial" in say(wired, "show D-1")
    wired.engine.dispose()
    again = start(database_url, tmp_path, toml)  # the same file again changes nothing
    assert _open_stages(again, "华南") == ["lead", "negotiation", "trial"]


def test_one_named_team_that_cannot_take_the_file_stops_it_for_every_team(team_with_deals, database_url, tmp_path):
    wired = start(database_url, tmp_path)
    _team_with_open_deals(wired, "华南", ["quote", "contact"])
    wired.engine.dispose()
    path = tmp_path / "pipeline.toml"

    with pytest.raises(ConfigError) as refused:  # sales's deals are mapped; 华南's contact deal is not
        start(database_url, tmp_path, 'teams = ["sales", "华南"]\n' + STAGES
              + '\n[map]\ndemo = "trial"\nquote = "negotiation"\n')

    assert str(refused.value) == (
        f"DEALBOT_PIPELINE_FILE: {path}: team '华南' still has open deals in stages the file drops: contact "
        "(1 open deal); keep those stages or map each to a stage of the file under [map] (e.g. contact = "
        '"lead"), then start again')
    wired = start(database_url, tmp_path)
    assert _stages_of(wired, "sales") == _stages_of(wired, "华南") == DEFAULT_PIPELINE.keys
    assert _open_stages(wired, "华南") == ["contact", "quote"]
    assert "Demo" in say(wired, "show D-1")


@pytest.mark.parametrize("teams", ['"sales"', '["sales", 3]', '[""]'])
def test_teams_must_be_a_list_of_names(team_with_deals, database_url, tmp_path, teams):
    with pytest.raises(ConfigError, match=r'teams takes a list of team names, like teams = \["sales", "华南"\]'):
        start(database_url, tmp_path, f"teams = {teams}\n" + STAGES)


APPROVALS = ('[[approvals]]\nwhen = "amount"\nover = "100k"\napprovers = ["manager"]\nstages = ["negotiation"]\n')


def _approvals_of(wired, name: str):
    with wired.uow() as uow:
        return (uow.teams.by_name(name).settings or {}).get("approvals")


def test_a_team_made_after_start_takes_the_files_approvals_at_once(database_url, tmp_path):
    """The default team made by its first member, and a team made with `team new`, while
    dealbot runs: each has the file's policy without a restart; a team the file does not name
    keeps the default policy."""
    wired = start(database_url, tmp_path, 'teams = ["sales", "华南"]\n' + STAGES + APPROVALS)
    say(wired, "me")  # the first member: the default team is made now
    assert _approvals_of(wired, "sales") == [
        {"when": "amount", "over": "100000.00", "approvers": ["manager"], "mode": "sequence",
         "stages": ["negotiation"]}]
    assert "华南" in say(wired, "team new 华南")
    assert "East" in say(wired, "team new East")
    assert _approvals_of(wired, "华南") == _approvals_of(wired, "sales")
    assert _approvals_of(wired, "East") is None
    say(wired, "new Acme 200k")
    assert "without approval" in say(wired, "move D-1 negotiation")


def test_with_no_teams_named_every_new_team_takes_the_files_approvals(database_url, tmp_path):
    wired = start(database_url, tmp_path, STAGES + APPROVALS)
    say(wired, "me")
    say(wired, "team new East")
    assert _approvals_of(wired, "East") == _approvals_of(wired, "sales") is not None
